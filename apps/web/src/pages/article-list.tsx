import { useEffect, useState } from 'preact/hooks';
import { api, explain, longDate, type ArticleSummary, type Page } from '../api';
import { SiteHeader } from './site-header';

export function ArticleList() {
  const [items, setItems] = useState<ArticleSummary[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    document.title = 'Rejoinder: opinion and debate';
    api<Page<ArticleSummary>>('GET', '/api/articles?limit=50').then(
      (page) => setItems(page.items),
      (e) => setError(explain(e)),
    );
  }, []);
  return (
    <>
      <SiteHeader />
      <main class="page" id="main">
        <h1 class="section-title">Opinion</h1>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {items === null && !error && <p class="muted">Loading…</p>}
        {items?.length === 0 && <p class="muted">No articles yet.</p>}
        <ul class="article-list">
          {items?.map((a) => (
            <li key={a.id}>
              <a class="article-link" href={`/articles/${encodeURIComponent(a.slug)}`}>
                <span class="kicker">Op-ed</span>
                <span class="title">{a.title}</span>
              </a>
              <p class="byline">
                By {a.author} · <time dateTime={a.publishedAt}>{longDate(a.publishedAt)}</time> · {a.commentCount}{' '}
                comment{a.commentCount === 1 ? '' : 's'}
                {a.state === 'closed' && ' · comments closed'}
              </p>
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}
