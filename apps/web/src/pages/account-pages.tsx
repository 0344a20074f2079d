import { useEffect, useState } from 'preact/hooks';
import { AccountForms, useSession } from '../account';
import { api, explain, field, isStaff, setSession, type Session } from '../api';
import { SiteHeader } from './site-header';
import { t } from '@lingui/core/macro';

// The token a mailed link carries after `#token=` (a fragment: it never
// reaches a server log or a Referer header).
const linkToken = (): string => new URLSearchParams(location.hash.slice(1)).get('token') ?? '';

export function ResetPasswordPage() {
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      const session = await api<Session>('POST', '/api/auth/password-reset/confirm', {
        token: linkToken(),
        password: field(form, 'password'),
      });
      setSession(session);
      setDone(true);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <SiteHeader />
      <main class="page" id="main">
        <h1>{t`Choose a new password`}</h1>
        {done ? (
          <p role="status">
            {t`Your password is changed, and you are signed in here (everywhere else, signed out).`}{' '}
            <a href="/">{t`Back to the articles`}</a>
          </p>
        ) : (
          <form class="account-form" onSubmit={(e) => void submit(e)}>
            <label>
              {t`New password`}
              <input
                name="password"
                type="password"
                autocomplete="new-password"
                required
                minLength={10}
                aria-describedby="new-pw-hint"
              />
              <span id="new-pw-hint" class="hint">
                {t`At least 10 characters`}
              </span>
            </label>
            {error && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" class="primary" disabled={busy}>
              {t`Set new password`}
            </button>
          </form>
        )}
      </main>
    </>
  );
}

export function VerifyEmailPage() {
  // 'working', 'done', or what went wrong.
  const [state, setState] = useState('working');
  useEffect(() => {
    api('POST', '/api/auth/verify-email', { token: linkToken() }).then(
      () => setState('done'),
      (e: unknown) => setState(explain(e)),
    );
  }, []);
  return (
    <>
      <SiteHeader />
      <main class="page" id="main">
        <h1>{t`Confirm your address`}</h1>
        {state === 'working' ? (
          <p class="muted">{t`Confirming…`}</p>
        ) : state === 'done' ? (
          <p role="status">
            {t`Your address is confirmed.`} <a href="/settings">{t`Notification settings`}</a>
          </p>
        ) : (
          <p class="error" role="alert">
            {state}
          </p>
        )}
      </main>
    </>
  );
}

export function SettingsPage() {
  const session = useSession();
  return (
    <>
      <SiteHeader />
      <main class="page" id="main">
        {session ? <NotificationSettings /> : <AccountForms intro={t`Sign in to choose what you are emailed about.`} />}
      </main>
    </>
  );
}

interface Settings {
  onReply: boolean;
  onStaffReply: boolean;
  onModeration: boolean;
  onFeatured: boolean;
  digest: 'off' | 'hourly' | 'daily';
  moderation: { onReport: boolean; queueAgeMinutes: number | null } | null;
}

// What a reader (and a moderator, their alerts) is emailed about; the reader
// page and the moderation console both show it.
export function NotificationSettings() {
  const session = useSession();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [account, setAccount] = useState<{ email: string | null; emailVerified: boolean } | null>(null);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    api<Settings>('GET', '/api/me/notification-settings').then(setSettings, (e: unknown) => setError(explain(e)));
    api<{ email: string | null; emailVerified: boolean }>('GET', '/api/me').then(setAccount, () => undefined);
  }, [session?.user.id]);

  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const on = (name: string) => form.get(name) === 'on';
    const minutes = field(form, 'queueAgeMinutes');
    setError('');
    setMessage('');
    try {
      const saved = await api<Settings>('PATCH', '/api/me/notification-settings', {
        onReply: on('onReply'),
        onStaffReply: on('onStaffReply'),
        onModeration: on('onModeration'),
        onFeatured: on('onFeatured'),
        digest: field(form, 'digest'),
        ...(isStaff(session) ? { onReport: on('onReport'), queueAgeMinutes: minutes ? Number(minutes) : null } : {}),
      });
      setSettings(saved);
      setMessage(t`Saved.`);
    } catch (e) {
      setError(explain(e));
    }
  };

  const resend = async () => {
    setError('');
    try {
      await api('POST', '/api/me/email/verification');
      setMessage(t`A new confirmation link is on its way.`);
    } catch (e) {
      setError(explain(e));
    }
  };

  return (
    <section aria-labelledby="notification-settings">
      <h2 id="notification-settings">{t`Notification settings`}</h2>
      {account && !account.emailVerified && account.email && (
        <p class="muted">
          {t`We email only a confirmed address: follow the link we sent to ${account.email}.`}{' '}
          <button type="button" class="link" onClick={() => void resend()}>
            {t`Send the link again`}
          </button>
        </p>
      )}
      {settings && (
        <form class="account-form" onSubmit={(e) => void save(e)} key={JSON.stringify(settings)}>
          <label class="check">
            <input type="checkbox" name="onReply" defaultChecked={settings.onReply} />{' '}
            {t`Email me when someone replies`}
          </label>
          <label class="check">
            <input type="checkbox" name="onStaffReply" defaultChecked={settings.onStaffReply} />{' '}
            {t`Email me when a moderator replies`}
          </label>
          <label class="check">
            <input type="checkbox" name="onModeration" defaultChecked={settings.onModeration} />{' '}
            {t`Email me when my held comment is published or rejected`}
          </label>
          <label class="check">
            <input type="checkbox" name="onFeatured" defaultChecked={settings.onFeatured} />{' '}
            {t`Email me when my comment is featured`}
          </label>
          <label>
            {t`Send them`}
            <select name="digest" defaultValue={settings.digest}>
              <option value="off">{t`As they happen`}</option>
              <option value="hourly">{t`In an hourly digest`}</option>
              <option value="daily">{t`In a daily digest`}</option>
            </select>
          </label>
          {settings.moderation && (
            <fieldset>
              <legend>{t`Moderator alerts`}</legend>
              <label class="check">
                <input type="checkbox" name="onReport" defaultChecked={settings.moderation.onReport} />{' '}
                {t`Email me about new reports`}
              </label>
              <label>
                {t`Email me when the queue has waited longer than (minutes)`}
                <input
                  name="queueAgeMinutes"
                  type="number"
                  min={1}
                  max={10080}
                  defaultValue={settings.moderation.queueAgeMinutes?.toString() ?? ''}
                />
              </label>
            </fieldset>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {message && <p role="status">{message}</p>}
          <button type="submit" class="primary">
            {t`Save`}
          </button>
        </form>
      )}
    </section>
  );
}
