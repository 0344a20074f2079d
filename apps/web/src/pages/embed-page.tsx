import { useEffect, useState } from 'preact/hooks';
import { api, explain, setSession, type Article, type Session } from '../api';
import { Thread } from '../thread/thread';

// The thread alone, inside the publisher's iframe. It tells the parent page
// its height so the frame grows with the discussion instead of scrolling.
export function EmbedPage({ slug, comment }: { slug: string; comment: string | null }) {
  const [article, setArticle] = useState<Article | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    document.documentElement.classList.add('embedded');
    api<Article>('GET', `/api/articles/${encodeURIComponent(slug)}`).then(setArticle, (e) => setError(explain(e)));
    const report = () =>
      parent.postMessage({ rejoinder: 'height', slug, height: document.documentElement.scrollHeight }, '*');
    const observer = new ResizeObserver(report);
    observer.observe(document.body);
    // The publisher's page may hand over a token it signed for its signed-in
    // reader (embed.js, data-sso-token): exchange it for a session here.
    const signIn = (event: MessageEvent<{ rejoinder?: string; token?: unknown }>) => {
      if (event.source !== parent || event.data?.rejoinder !== 'sso' || typeof event.data.token !== 'string') return;
      api<Session>('POST', '/api/auth/sso', { token: event.data.token }).then(setSession, (e) => setError(explain(e)));
    };
    window.addEventListener('message', signIn);
    parent.postMessage({ rejoinder: 'ready', slug }, '*');
    return () => {
      observer.disconnect();
      window.removeEventListener('message', signIn);
    };
  }, [slug]);
  return (
    <main class="embed" id="main">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {article && <Thread article={article} permalinkTo={comment} embedded />}
    </main>
  );
}
