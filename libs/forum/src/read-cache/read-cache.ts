import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, DomainEventBus } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { ArticlesRepository } from '../articles/articles.repository.js';

// A response body rendered once and served to every reader who asks for the
// same thing at the same point of the article's event log.
export interface CachedBody {
  articleId: string;
  body: Buffer;
  // Strong validator: a hash of the exact bytes.
  etag: string;
  // The article's event number the body is at least as new as.
  seq: number;
  // The comments in it (a reader's own votes are looked up for these).
  commentIds: string[];
  // The body compressed, per encoding, filled when a reader first asks for it:
  // a cached page is compressed once, not per request.
  encoded: { br?: Buffer; gzip?: Buffer };
}

const strongTag = (bytes: Buffer | string) =>
  `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;

// The shared body with one reader's own part added as the field `name` of
// the JSON object, without parsing it again.
export function personalise(shared: CachedBody, name: string, part: unknown): CachedBody {
  const extra = Buffer.from(`,${JSON.stringify(name)}:${JSON.stringify(part)}}`);
  const body = Buffer.concat([shared.body.subarray(0, shared.body.length - 1), extra]);
  return { ...shared, body, etag: strongTag(shared.etag + extra.toString()), encoded: {} };
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

interface ArticleEntry {
  // Highest event number known for the article: anything cached at a lower
  // one is out of date.
  head: number;
  // Bumped by drop(): a load that started before it is not kept.
  generation: number;
  keys: Set<string>;
  loading: number;
}

// How often the heads of cached articles are compared with the database, so
// an event whose cluster message was lost (or written by another process)
// cannot keep a page alive longer than this.
export const READ_CACHE_SWEEP_MS = 1000;

// Rendered thread pages and articles, keyed by what they depend on and kept
// until the article's next event: every committed event (from this node
// through the bus, from the others through the cluster link) drops the
// article's entries older than it. Bounded by bytes, least recently used
// first; concurrent misses of one key share one load.
@Injectable()
export class ReadCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ReadCache.name);
  private readonly entries: LRUCache<string, CachedBody> | null;
  private readonly articles = new Map<string, ArticleEntry>();
  private readonly inflight = new Map<string, Promise<CachedBody>>();
  private readonly counts = { hits: 0, misses: 0 };
  private readonly lookupHooks: ((hit: boolean) => void)[] = [];
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: DomainEventBus,
    private readonly articlesRepository: ArticlesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const maxSize = config.READ_CACHE_MB * 1024 * 1024;
    this.entries =
      maxSize > 0
        ? new LRUCache({
            maxSize,
            // A third of the body is reserved for its compressed copies (JSON
            // comes to a fifth or less of its size in Brotli or gzip).
            sizeCalculation: (value, key) =>
              Math.ceil(value.body.length * 1.34) + key.length + value.commentIds.length * 48 + 64,
            dispose: (value, key) => this.forget(value.articleId, key),
          })
        : null;
  }

  onModuleInit(): void {
    if (!this.entries) return;
    this.unsubscribe = this.bus.subscribe((event) => {
      if (!event.stream) this.invalidate(event.articleId, event.seq);
    });
    this.timer = setInterval(() => void this.sweep(), READ_CACHE_SWEEP_MS).unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  // The body for key, from memory when it is as new as the article's last
  // known event, else loaded (load returns the value and the seq it is at
  // least as new as, read before the value).
  async get(
    articleId: string,
    key: string,
    load: () => Promise<{ value: unknown; seq: number; commentIds?: string[] }>,
  ): Promise<CachedBody> {
    const fullKey = `${articleId}|${key}`;
    const cached = this.entries?.get(fullKey);
    if (cached) {
      this.count(true);
      return cached;
    }
    this.count(false);
    const running = this.inflight.get(fullKey);
    if (running) return running;
    const article = this.track(articleId);
    const generation = article.generation;
    article.loading++;
    const promise = load()
      .then(({ value, seq, commentIds = [] }) => {
        const body = Buffer.from(JSON.stringify(value));
        const result: CachedBody = { articleId, body, etag: strongTag(body), seq, commentIds, encoded: {} };
        // An event that committed while this was loading makes it out of
        // date on arrival: it is answered (it says its seq) but not kept.
        if (this.entries && seq >= article.head && generation === article.generation) {
          this.entries.set(fullKey, result);
          if (this.entries.has(fullKey)) article.keys.add(fullKey);
        }
        return result;
      })
      .finally(() => {
        this.inflight.delete(fullKey);
        article.loading--;
        this.release(articleId, article);
      });
    this.inflight.set(fullKey, promise);
    return promise;
  }

  // The body for key when memory holds it (counted as a hit), else undefined
  // and nothing counted: the caller then asks get(), which counts the miss.
  peek(articleId: string, key: string): CachedBody | undefined {
    const cached = this.entries?.get(`${articleId}|${key}`);
    if (cached) this.count(true);
    return cached;
  }

  // The article has reached event seq: drop what is older.
  invalidate(articleId: string, seq: number): void {
    const article = this.articles.get(articleId);
    if (!article || seq <= article.head) return;
    article.head = seq;
    for (const key of [...article.keys]) {
      const entry = this.entries?.peek(key);
      if (!entry || entry.seq < seq) this.entries?.delete(key);
    }
  }

  // A change committed ahead of its event (votes: their event is coalesced)
  // drops the article's pages on this node now, so the voter reads their
  // vote; other nodes follow with the event.
  drop(articleId: string): void {
    const article = this.articles.get(articleId);
    if (!article) return;
    article.generation++;
    for (const key of [...article.keys]) this.entries?.delete(key);
  }

  stats(): ReadCacheStats {
    return {
      ...this.counts,
      entries: this.entries?.size ?? 0,
      bytes: this.entries?.calculatedSize ?? 0,
      maxBytes: this.entries?.maxSize ?? 0,
    };
  }

  // Called on every lookup (true: served from memory), e.g. for metrics.
  onLookup(hook: (hit: boolean) => void): void {
    this.lookupHooks.push(hook);
  }

  private count(hit: boolean): void {
    if (hit) this.counts.hits++;
    else this.counts.misses++;
    for (const hook of this.lookupHooks) hook(hit);
  }

  private track(articleId: string): ArticleEntry {
    let article = this.articles.get(articleId);
    if (!article) {
      article = { head: 0, generation: 0, keys: new Set(), loading: 0 };
      this.articles.set(articleId, article);
    }
    return article;
  }

  private forget(articleId: string, key: string): void {
    const article = this.articles.get(articleId);
    if (!article) return;
    article.keys.delete(key);
    this.release(articleId, article);
  }

  // An article with nothing cached and nothing loading needs no head.
  private release(articleId: string, article: ArticleEntry): void {
    if (article.keys.size === 0 && article.loading === 0) this.articles.delete(articleId);
  }

  private async sweep(): Promise<void> {
    const ids = [...this.articles.keys()];
    if (ids.length === 0) return;
    try {
      const heads = await this.articlesRepository.lastSeqs(ids);
      for (const id of ids) this.invalidate(id, heads.get(id) ?? Number.MAX_SAFE_INTEGER);
    } catch (error) {
      this.logger.warn({ err: error }, 'Read cache sweep failed');
    }
  }
}
