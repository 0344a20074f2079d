import { useEffect, useState } from 'preact/hooks';
import { api, currentSession, explain, field, onSessionChange, setSession, type Session } from './api';

export function useSession(): Session | null {
  const [session, set] = useState(currentSession());
  useEffect(() => onSessionChange(() => set(currentSession())), []);
  return session;
}

// Sign in and create an account, in one box that switches between the two.
export function AccountForms({ intro }: { intro?: string }) {
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => field(form, name);
    setBusy(true);
    setError('');
    try {
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
    <section class="account" aria-label={mode === 'signin' ? 'Sign in' : 'Create an account'}>
      {intro && <p class="muted">{intro}</p>}
      <form onSubmit={(e) => void submit(e)} class="account-form" key={mode}>
        {mode === 'signin' ? (
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
          <button type="submit" class="primary" disabled={busy}>
            {mode === 'signin' ? 'Sign in' : 'Create account'}
          </button>
          <button
            type="button"
            class="link"
            onClick={() => (setMode(mode === 'signin' ? 'signup' : 'signin'), setError(''))}
          >
            {mode === 'signin' ? 'New here? Create an account' : 'Have an account? Sign in'}
          </button>
        </div>
      </form>
    </section>
  );
}
