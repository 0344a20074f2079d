import { render } from 'preact';
import { lazy } from './lazy';
import { ArticleList } from './pages/article-list';
import { CommentRedirect } from './pages/comment-redirect';
import { EmbedPage } from './pages/embed-page';
import { ReaderPage } from './pages/reader';
import { ResetPasswordPage, SettingsPage, VerifyEmailPage } from './pages/account-pages';

const ModerationConsole = lazy(() => import('./moderation/console').then((m) => m.ModerationConsole));

// One small app, routed by path: the server sends the same HTML for each page.
function App() {
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  let match: RegExpMatchArray | null;
  if ((match = path.match(/^\/articles\/([^/]+)\/?$/)))
    return <ReaderPage slug={decodeURIComponent(match[1])} comment={query.get('comment')} />;
  if ((match = path.match(/^\/embed\/([^/]+)\/?$/)))
    return <EmbedPage slug={decodeURIComponent(match[1])} comment={query.get('comment')} />;
  if ((match = path.match(/^\/comments\/([0-9a-f-]{36})\/?$/))) return <CommentRedirect id={match[1]} />;
  if (path === '/moderation' || path === '/moderation/') {
    return <ModerationConsole fallback={<p class="page muted">Loading the moderation console…</p>} />;
  }
  if (path === '/settings' || path === '/settings/') return <SettingsPage />;
  if (path === '/reset-password') return <ResetPasswordPage />;
  if (path === '/verify-email') return <VerifyEmailPage />;
  return <ArticleList />;
}

render(<App />, document.getElementById('app')!);
