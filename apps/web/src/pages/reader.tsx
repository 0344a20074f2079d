import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, explain, longDate, type Article } from '../api';
import { lazy } from '../lazy';
import type { Quote } from '../thread/thread';
import { SiteHeader } from './site-header';
import { plural, t } from '@lingui/core/macro';
import { directionOf, formatNumber } from '../i18n';

// The thread is below the article: its own chunk (main.tsx starts loading it with the page).
const Thread = lazy(() => import('../thread/thread').then((m) => m.Thread));

export function ReaderPage({ slug, comment }: { slug: string; comment: string | null }) {
  const [article, setArticle] = useState<Article | null>(null);
  const [counts, setCounts] = useState<number[]>([]);
  const [paragraph, setParagraph] = useState<number | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [selection, setSelection] = useState<Quote | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Article>('GET', `/api/articles/${encodeURIComponent(slug)}`).then(
      (a) => {
        setArticle(a);
        setCounts(a.passageCounts);
        document.title = t`${a.title} · Rejoinder`;
      },
      (e) => setError(explain(e)),
    );
  }, [slug]);

  // Words the reader selects in one passage (mouse or keyboard) can be quoted in a comment.
  useEffect(() => {
    const onChange = () => setSelection(selectedQuote());
    document.addEventListener('selectionchange', onChange);
    return () => document.removeEventListener('selectionchange', onChange);
  }, []);

  const passages = useMemo(() => (article ? splitPassages(article.html) : []), [article?.html]);
  const toThread = () =>
    requestAnimationFrame(() => document.getElementById('thread-title')?.scrollIntoView({ block: 'start' }));

  return (
    <>
      <SiteHeader />
      <main class="page" id="main">
        {error && (
          <>
            <h1>{t`Article not available`}</h1>
            <p class="error" role="alert">
              {error}
            </p>
            <p>
              <a href="/">{t`All articles`}</a>
            </p>
          </>
        )}
        {!article && !error && (
          <p class="muted" aria-busy="true">
            {t`Loading…`}
          </p>
        )}
        {article && (
          <>
            <article class="op-ed" aria-labelledby="article-title">
              <p class="kicker">{t`Op-ed`}</p>
              <h1 id="article-title" lang={article.language} dir={directionOf(article.language)}>
                {article.title}
              </h1>
              <p class="byline">
                {t`By`} <span class="author">{article.author}</span> ·{' '}
                <time dateTime={article.publishedAt}>{longDate(article.publishedAt)}</time>
                {article.sourceUrl && (
                  <>
                    {' · '}
                    <a href={article.sourceUrl} rel="noopener">
                      {t`Original source`}
                    </a>
                  </>
                )}
              </p>
              <div class="article-body" lang={article.language} dir={directionOf(article.language)}>
                {passages.map((html, i) => (
                  <div
                    class={`passage${paragraph === i ? ' current' : ''}`}
                    id={`passage-${i}`}
                    data-passage={i}
                    key={i}
                  >
                    <div class="passage-text" dangerouslySetInnerHTML={{ __html: html }} />
                    {(counts[i] ?? 0) > 0 && (
                      <button
                        type="button"
                        class="passage-count"
                        aria-label={plural(counts[i], {
                          one: '# comment on this passage',
                          other: '# comments on this passage',
                        })}
                        onClick={() => (setParagraph(i), toThread())}
                      >
                        {formatNumber(counts[i])}
                      </button>
                    )}
                  </div>
                ))}
              </div>
              <div class="quote-bar" hidden={!selection || article.state !== 'open'}>
                <button type="button" onClick={() => (setQuote(selection), toThread())}>
                  {t`Answer this passage in a comment`}
                </button>
              </div>
            </article>
            <Thread
              article={article}
              permalinkTo={comment}
              paragraph={paragraph}
              onParagraph={setParagraph}
              quote={quote}
              onQuote={setQuote}
              onArticle={(a) => setCounts(a.passageCounts)}
            />
          </>
        )}
      </main>
    </>
  );
}

// The article's passages: the top-level blocks of its HTML, as the API numbers them.
function splitPassages(html: string): string[] {
  const template = document.createElement('template');
  template.innerHTML = html;
  return [...template.content.children].map((el) => el.outerHTML);
}

// The selected words, when they lie within one passage.
function selectedQuote(): Quote | null {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const start = passageOf(range.startContainer);
  if (!start || start !== passageOf(range.endContainer)) return null;
  const quote = selection.toString().replace(/\s+/g, ' ').trim();
  return quote ? { paragraph: Number(start.dataset.passage), quote: quote.slice(0, 1000) } : null;
}

function passageOf(node: Node): HTMLElement | null {
  const el = node instanceof HTMLElement ? node : node.parentElement;
  return el?.closest<HTMLElement>('.passage-text')?.parentElement ?? null;
}
