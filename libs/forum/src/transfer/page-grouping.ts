import { articleUrlKey } from '@rejoinder/common';
import type { SourceExport, SourcePost, SourceProblem, SourceThread } from './import-source.js';

// Which threads of an export are one page: the same canonical URL, identifier
// or slug from the link. The first step of an import's plan (import-plan.ts).

export interface Page {
  threads: SourceThread[];
  urlKeys: string[];
  identifiers: string[];
  slugs: string[];
  posts: SourcePost[];
}

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

export function urlKeyOf(link: string | null): string | null {
  if (!link) return null;
  try {
    return articleUrlKey(link);
  } catch {
    return null;
  }
}

// The page's slug as its link says it: the last path segment, without a
// trailing "amp", "index.html" or ".html", in the characters a slug may have.
export function linkSlug(link: string | null): string | null {
  if (!link) return null;
  let segments: string[];
  try {
    segments = new URL(link).pathname.split('/').filter(Boolean);
  } catch {
    return null;
  }
  while (segments.length > 0 && /^(amp|index\.html?|comment-page-\d+)$/i.test(segments.at(-1)!)) segments.pop();
  const last = segments.at(-1);
  if (!last) return null;
  let decoded = last;
  try {
    decoded = decodeURIComponent(last);
  } catch {
    // Kept as written.
  }
  const slug = decoded
    .replace(/\.(html?|php|aspx?)$/i, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 200);
  // A number alone ("/2015/08/42") says too little to be a page's name.
  return SLUG.test(slug) && /[A-Za-z]/.test(slug) && slug.length >= 3 ? slug : null;
}

function slugCandidates(thread: SourceThread): string[] {
  const candidates = [thread.slug, thread.identifier, linkSlug(thread.link)];
  return candidates.filter((s): s is string => s !== null && SLUG.test(s));
}

// Threads that are one page (the same canonical URL, identifier or slug from
// the link) become one page; posts are grouped under them. Posts without a
// known thread, and second posts with an id already seen, are set aside.
export function groupPages(source: SourceExport): { pages: Page[]; problems: SourceProblem[] } {
  const problems: SourceProblem[] = [];
  const threads = new Map<string, SourceThread>();
  for (const thread of source.threads) if (!threads.has(thread.key)) threads.set(thread.key, thread);
  const postsByThread = new Map<string, SourcePost[]>();
  const seen = new Set<string>();
  for (const post of source.posts) {
    if (seen.has(post.key)) {
      problems.push({ reason: 'duplicate-id', item: post.key, detail: '', outcome: 'skipped' });
      continue;
    }
    seen.add(post.key);
    if (post.threadKey === null || !threads.has(post.threadKey)) {
      problems.push({ reason: 'no-thread', item: post.key, detail: post.threadKey ?? '', outcome: 'skipped' });
      continue;
    }
    const list = postsByThread.get(post.threadKey);
    if (list) list.push(post);
    else postsByThread.set(post.threadKey, [post]);
  }

  // Union-find over the threads that have posts, joined by every name they share.
  const used = [...threads.values()].filter((t) => postsByThread.has(t.key));
  const parent = used.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const owner = new Map<string, number>();
  used.forEach((thread, i) => {
    const names = [
      urlKeyOf(thread.link) && `url:${urlKeyOf(thread.link)}`,
      thread.identifier && `id:${thread.identifier}`,
      (thread.slug ?? linkSlug(thread.link)) && `slug:${(thread.slug ?? linkSlug(thread.link))!.toLowerCase()}`,
    ];
    for (const name of names) {
      if (!name) continue;
      const other = owner.get(name);
      if (other === undefined) owner.set(name, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, SourceThread[]>();
  used.forEach((thread, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), thread]);
  });
  const distinct = <T>(values: (T | null)[]) => [...new Set(values.filter((v): v is T => v !== null))];
  const pages = [...groups.values()].map((group): Page => ({
    // The https link first: it is the one to keep as the article's.
    threads: group.toSorted(
      (a, b) => Number(b.link?.startsWith('https:') ?? 0) - Number(a.link?.startsWith('https:') ?? 0),
    ),
    urlKeys: distinct(group.map((t) => urlKeyOf(t.link))),
    identifiers: distinct(group.map((t) => t.identifier)),
    slugs: distinct(group.flatMap(slugCandidates)),
    posts: group.flatMap((t) => postsByThread.get(t.key)!),
  }));
  return { pages, problems };
}
