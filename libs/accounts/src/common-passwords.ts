import { createRequire } from 'node:module';

// NIST SP 800-63B asks that new passwords be checked against passwords known
// from breaches and lists of common choices. The list is the one zxcvbn-ts
// keeps (about 49,000 of the most common passwords from breach corpora).
//
// Kept as one string ("\nword\nword\n...\n"), not a Set: a Set of 49,000
// strings is about 60,000 objects and 200,000 references that every full
// garbage collection of a running node walks, for a check made only when
// an account sets its password. The package is loaded through require() and
// let go of once read (its modules are CommonJS, which can be unloaded; an
// ES import would keep them for the life of the process).
const COMMON = (() => {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@zxcvbn-ts/language-common');
  const before = new Set(Object.keys(require.cache));
  const { dictionary } = require(entry) as { dictionary: Record<string, string[]> };
  const words = [...new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()))];
  for (const key of Object.keys(require.cache)) if (!before.has(key)) delete require.cache[key];
  return `\n${words.join('\n')}\n`;
})();

export function isCommonPassword(password: string): boolean {
  const key = password.trim().toLowerCase();
  if (key.includes('\n')) return false;
  return COMMON.includes(`\n${key}\n`) || /^(.)\1*$/u.test(key);
}
