// A handle from a display name, in any script: letters and digits kept,
// everything else one "_" (so "Anna Reader" is Anna_Reader and 菜鳥 stays 菜鳥),
// short enough to take a number.
export function handleBase(name: string): string {
  const base = name
    .normalize('NFKC')
    .replace(/[^\p{L}\p{M}\p{N}_-]+/gu, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
  return [...base].slice(0, 26).join('') || 'guest';
}

// The base when free, else the first free "base-2", "base-3", ...; marks it taken.
export function freeHandle(base: string, taken: Set<string>): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n += 1) candidate = `${base}-${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
