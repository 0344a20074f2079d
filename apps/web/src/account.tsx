import { useEffect, useState } from 'preact/hooks';
import { api, currentSession, explain, field, onSessionChange, setSession, type Session } from './api';

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
      aria-label={mode === 'signin' ? 'Sign in' : mode === 'forgot' ? 'Reset your password' : 'Create an account'}
    >
      {intro && <p class="muted">{intro}</p>}
      <form onSubmit={(e) => void submit(e)} class="account-form" key={mode}>
        {mode === 'forgot' ? (
          sent ? (
            <p role="status">
              If an account has this address, a link to choose a new password is on its way. It works for 30 minutes.
            </p>
          ) : (
            <label>
              Email
              <input name="email" type="email" autocomplete="email" required />
            </label>
          )
        ) : mode === 'signin' ? (
          <>
            <label>
              Username or email
              <input name="login" autocomplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autocomplete="current-password" required />
            </label>
          </>
        ) : (
          <>
            <label>
              Username
              <input name="username" autocomplete="username" required minLength={3} maxLength={30} />
            </label>
            <label>
              Email
              <input name="email" type="email" autocomplete="email" required />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                autocomplete="new-password"
                required
                minLength={10}
                aria-describedby="pw-hint"
              />
              <span id="pw-hint" class="hint">
                At least 10 characters
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
              {mode === 'signin' ? 'Sign in' : mode === 'forgot' ? 'Send reset link' : 'Create account'}
            </button>
          )}
          <button
            type="button"
            class="link"
            onClick={() => (setMode(mode === 'signin' ? 'signup' : 'signin'), setError(''), setSent(false))}
          >
            {mode === 'signin' ? 'New here? Create an account' : 'Have an account? Sign in'}
          </button>
          {mode === 'signin' && (
            <button type="button" class="link" onClick={() => (setMode('forgot'), setError(''))}>
              Forgot password?
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
