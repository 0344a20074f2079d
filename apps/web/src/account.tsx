import { useEffect, useState } from 'preact/hooks';
import { api, currentSession, explain, field, onSessionChange, setSession, type Session } from './api';
import { t } from '@lingui/core/macro';

export function useSession(): Session | null {
  const [session, set] = useState(currentSession());
  useEffect(() => onSessionChange(() => set(currentSession())), []);
  return session;
}

// Sign in and create an account, in one box that switches between the two.
export function AccountForms({ intro }: { intro?: string }) {
  const [mode, setMode] = useState<'signin' | 'signup' | 'forgot'>('signin');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => field(form, name);
    setBusy(true);
    setError('');
    try {
      if (mode === 'forgot') {
        await api('POST', '/api/auth/password-reset', { email: value('email') });
        setSent(true);
        return;
      }
      const session =
        mode === 'signin'
          ? await api<Session>('POST', '/api/auth/login', { login: value('login'), password: value('password') })
          : await api<Session>('POST', '/api/auth/register', {
              username: value('username'),
              email: value('email'),
              password: value('password'),
            });
      setSession(session);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section
      class="account"
      aria-label={mode === 'signin' ? t`Sign in` : mode === 'forgot' ? t`Reset your password` : t`Create an account`}
    >
      {intro && <p class="muted">{intro}</p>}
      <form onSubmit={(e) => void submit(e)} class="account-form" key={mode}>
        {mode === 'forgot' ? (
          sent ? (
            <p role="status">
              {t`If an account has this address, a link to choose a new password is on its way. It works for 30 minutes.`}
            </p>
          ) : (
            <label>
              {t`Email`}
              <input name="email" type="email" autocomplete="email" required />
            </label>
          )
        ) : mode === 'signin' ? (
          <>
            <label>
              {t`Username or email`}
              <input name="login" autocomplete="username" required />
            </label>
            <label>
              {t`Password`}
              <input name="password" type="password" autocomplete="current-password" required />
            </label>
          </>
        ) : (
          <>
            <label>
              {t`Username`}
              <input name="username" autocomplete="username" required minLength={3} maxLength={30} />
            </label>
            <label>
              {t`Email`}
              <input name="email" type="email" autocomplete="email" required />
            </label>
            <label>
              {t`Password`}
              <input
                name="password"
                type="password"
                autocomplete="new-password"
                required
                minLength={10}
                aria-describedby="pw-hint"
              />
              <span id="pw-hint" class="hint">
                {t`At least 10 characters`}
              </span>
            </label>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          {!(mode === 'forgot' && sent) && (
            <button type="submit" class="primary" disabled={busy}>
              {mode === 'signin' ? t`Sign in` : mode === 'forgot' ? t`Send reset link` : t`Create account`}
            </button>
          )}
          <button
            type="button"
            class="link"
            onClick={() => (setMode(mode === 'signin' ? 'signup' : 'signin'), setError(''), setSent(false))}
          >
            {mode === 'signin' ? t`New here? Create an account` : t`Have an account? Sign in`}
          </button>
          {mode === 'signin' && (
            <button type="button" class="link" onClick={() => (setMode('forgot'), setError(''))}>
              {t`Forgot password?`}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
