import { t } from '@lingui/core/macro';
import { LanguagePicker } from './language-picker';
export function SiteHeader() {
  return (
    <header class="site-header">
      <a class="skip" href="#main">
        {t`Skip to content`}
      </a>
      <a class="brand" href="/">
        Rejoinder
      </a>
      <nav aria-label={t`Site`}>
        <a href="/">{t`Opinion`}</a>
      </nav>
      <LanguagePicker />
    </header>
  );
}
