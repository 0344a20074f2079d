import { render } from 'preact';
import { t } from '@lingui/core/macro';
import { api, currentSession } from './api';
import { activate, catalogueFor, i18n, LANG_PARAM, storedChoice } from './i18n';
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
