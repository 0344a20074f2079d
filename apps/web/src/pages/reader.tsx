import { useEffect, useState } from 'preact/hooks';
import { api, explain, longDate, type Article } from '../api';
import { Thread } from '../thread/thread';
import { SiteHeader } from './site-header';

export function ReaderPage({ slug, comment }: { slug: string; comment: string | null }) {
  const [article, setArticle] = useState<Article | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Article>('GET', `/api/articles/${encodeURIComponent(slug)}`).then(
      (a) => {
        setArticle(a);
        document.title = `${a.title} · Rejoinder`;
      },
      (e) => setError(explain(e)),
    );
  }, [slug]);
  return (
    <>
      <SiteHeader />
      <main class="page" id="main">
        {error && (
          <>
            <h1>Article not available</h1>
            <p class="error" role="alert">{error}</p>
            <p><a href="/">All articles</a></p>
          </>
        )}
        {!article && !error && <p class="muted" aria-busy="true">Loading…</p>}
        {article && (
          <>
            <article class="op-ed" aria-labelledby="article-title">
              <p class="kicker">Op-ed</p>
              <h1 id="article-title">{article.title}</h1>
              <p class="byline">
                By <span class="author">{article.author}</span> ·{' '}
                <time dateTime={article.publishedAt}>{longDate(article.publishedAt)}</time>
                {article.sourceUrl && (
                  <>
                    {' · '}
                    <a href={article.sourceUrl} rel="noopener">
                      Original source
                    </a>
                  </>
                )}
              </p>
              <div class="article-body" dangerouslySetInnerHTML={{ __html: article.html }} />
            </article>
            <Thread article={article} permalinkTo={comment} />
          </>
        )}
      </main>
    </>
  );
}
