import { t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { api, currentSession, setSession, type Account } from '../api';
import {
  activate,
  catalogueFor,
  i18n,
  languageName,
  LANG_PARAM,
  PSEUDO_LOCALES,
  storeChoice,
  WEB_LOCALES,
} from '../i18n';

// The reader's language, changeable on every page: stored with a signed-in
// reader's account (their emails follow it too), else on this device.
export function LanguagePicker() {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const asked = new URLSearchParams(location.search).get(LANG_PARAM);
  const choices = WEB_LOCALES.filter((tag) => !PSEUDO_LOCALES.includes(tag) || tag === i18n.locale);
  useEffect(() => setError(''), [i18n.locale]);

  const choose = async (tag: string) => {
    setSaving(true);
    setError('');
    storeChoice(tag);
    const session = currentSession();
    try {
      if (session) {
        const user = await api<Account>('PUT', '/api/me/locale', { locale: tag });
        setSession({ ...session, user });
      }
    } catch {
      setError(t`Your choice is kept on this device only for now.`);
    }
    // A ?lang= in the address would win over the choice on the next load.
    if (asked && catalogueFor(asked) !== tag) {
      const url = new URL(location.href);
      url.searchParams.set(LANG_PARAM, tag);
      history.replaceState(history.state, '', url);
    }
    setSaving(false);
    await activate(tag);
  };

  return (
    <label class="language-picker">
      <span class="visually-hidden">{t`Language`}</span>
      <select
        value={i18n.locale}
        disabled={saving}
        aria-describedby={error ? 'language-error' : undefined}
        onChange={(event) => void choose(event.currentTarget.value)}
      >
        {choices.map((tag) => (
          <option value={tag} lang={tag} key={tag}>
            {languageName(tag)}
          </option>
        ))}
      </select>
      {error && (
        <span id="language-error" class="error" role="alert">
          {error}
        </span>
      )}
    </label>
  );
}
