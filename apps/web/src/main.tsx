import { render } from 'preact';
import { t } from '@lingui/core/macro';
import { api, currentSession } from './api';
import { activate, catalogueFor, i18n, LANG_PARAM, storedChoice } from './i18n';
import { lazy } from './lazy';
import { ArticleList } from './pages/article-list';
import { ReaderPage } from './pages/reader';

// The first view ships only the reader page and the list of articles; every
// other page, and the reader page's thread (below the article), is its own
// chunk, loaded when needed.
const ModerationConsole = lazy(() => import('./moderation/console').then((m) => m.ModerationConsole));
const EmbedPage = lazy(() => import('./pages/embed-page').then((m) => m.EmbedPage));
const CommentRedirect = lazy(() => import('./pages/comment-redirect').then((m) => m.CommentRedirect));
const SettingsPage = lazy(() => import('./pages/account-pages').then((m) => m.SettingsPage));
const ResetPasswordPage = lazy(() => import('./pages/account-pages').then((m) => m.ResetPasswordPage));
const VerifyEmailPage = lazy(() => import('./pages/account-pages').then((m) => m.VerifyEmailPage));
// An article's thread starts loading with the page, beside the article's own request.
if (/^\/articles\/[^/]+\/?$/.test(location.pathname)) void import('./thread/thread');

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
    return <ModerationConsole fallback={<p class="page muted">{t`Loading the moderation console…`}</p>} />;
  }
  if (path === '/settings' || path === '/settings/') return <SettingsPage />;
  if (path === '/reset-password') return <ResetPasswordPage />;
  if (path === '/verify-email') return <VerifyEmailPage />;
  return <ArticleList />;
}

// The page's language, first match wins: ?lang= (the embed passes its
// data-lang this way), a choice made on this device when signed out, then the
// server's answer (the signed-in reader's setting, Accept-Language,
// DEFAULT_LOCALE). The catalogue is loaded before the first render.
async function chooseLocale(): Promise<string> {
  const asked = new URLSearchParams(location.search).get(LANG_PARAM);
  const local = currentSession() ? null : storedChoice();
  for (const tag of [asked, local]) if (tag && catalogueFor(tag)) return tag;
  try {
    const answer = await api<{ locale: string }>('GET', '/api/locale');
    return answer.locale;
  } catch {
    return navigator.language;
  }
}

const root = document.getElementById('app')!;
void chooseLocale()
  .then(activate)
  .catch(() => activate('en'))
  .then(() => {
    render(<App key={i18n.locale} />, root);
    // A language chosen on the page: everything renders again in it.
    i18n.on('change', () => render(<App key={i18n.locale} />, root));
  });
