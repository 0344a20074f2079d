import { useEffect, useState } from 'preact/hooks';
import { api, explain, longDate, type ArticleSummary, type Page } from '../api';
import { SiteHeader } from './site-header';
import { plural, t } from '@lingui/core/macro';

export function ArticleList() {
  const [items, setItems] = useState<ArticleSummary[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    document.title = t`Rejoinder: opinion and debate`;
    api<Page<ArticleSummary>>('GET', '/api/articles?limit=50').then(
      (page) => setItems(page.items),
      (e) => setError(explain(e)),
    );
  }, []);
  return (
    <>
      <SiteHeader />
      <main class="page" id="main">
        <h1 class="section-title">{t`Opinion`}</h1>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {items === null && !error && <p class="muted">{t`Loading…`}</p>}
        {items?.length === 0 && <p class="muted">{t`No articles yet.`}</p>}
        <ul class="article-list">
          {items?.map((a) => (
            <li key={a.id}>
              <a class="article-link" href={`/articles/${encodeURIComponent(a.slug)}`}>
                <span class="kicker">{t`Op-ed`}</span>
                <span class="title">{a.title}</span>
              </a>
              <p class="byline">
                {t`By ${a.author}`} · <time dateTime={a.publishedAt}>{longDate(a.publishedAt)}</time> ·{' '}
                {plural(a.commentCount, { one: '# comment', other: '# comments' })}
                {a.state === 'closed' && ` · ${t`comments closed`}`}
              </p>
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}
