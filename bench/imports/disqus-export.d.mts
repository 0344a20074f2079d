// Types of disqus-export.mjs, for the test that shares it.
export interface GeneratedExport {
  posts: number;
  threads: number;
  // The pages that got at least one post.
  pages: number;
  hidden: number;
  published: number;
}

export function writeDisqusExport(
  file: string,
  size: { posts: number; threads: number; seed?: number },
): Promise<GeneratedExport>;
