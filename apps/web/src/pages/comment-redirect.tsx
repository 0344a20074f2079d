import { useEffect, useState } from 'preact/hooks';
import { api, explain, type ArticleSummary, type CommentView, type Page } from '../api';
import { t } from '@lingui/core/macro';

// /comments/:id: finds the comment's article and opens the reader page at it.
export function CommentRedirect({ id }: { id: string }) {
  const [error, setError] = useState('');
  useEffect(() => {
    void (async () => {
      try {
        const { comment } = await api<{ comment: CommentView }>('GET', `/api/comments/${id}`);
        let cursor: string | null = null;
        do {
          const page: Page<ArticleSummary> = await api(
            'GET',
            `/api/articles?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          const found = page.items.find((a) => a.id === comment.articleId);
          if (found) {
            location.replace(`/articles/${encodeURIComponent(found.slug)}?comment=${id}#comment-${id}`);
            return;
          }
          cursor = page.nextCursor;
        } while (cursor);
        setError(t`That comment is no longer available.`);
      } catch (e) {
        setError(explain(e));
      }
    })();
  }, [id]);
  return (
    <main class="page">
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : (
        <p class="muted">{t`Opening the comment…`}</p>
      )}
    </main>
  );
}
