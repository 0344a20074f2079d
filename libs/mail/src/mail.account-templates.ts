import { escape, hello, layout, translator, type RenderedMail } from './mail.layout.js';

// The messages about the account itself: confirm an address, reset a
// password, an address changed.

export function verifyEmailMail(data: {
  username: string;
  link: string;
  hours: number;
  locale?: string;
}): RenderedMail {
  const { t, locale } = translator(data.locale);
  const lifetime = t._(
    /*i18n*/ {
      id: 'mail.verify.lifetime',
      message:
        'The link works once, for {hours, plural, one {# hour} other {# hours}}. If you did not ask for it, ignore this message.',
      values: { hours: data.hours },
    },
  );
  return {
    subject: t._(/*i18n*/ { id: 'mail.verify.subject', message: 'Confirm your email address' }),
    text: [
      hello(t, data.username),
      '',
      t._(
        /*i18n*/ {
          id: 'mail.verify.open',
          message: 'Confirm this address for your account by opening the link below:',
        },
      ),
      data.link,
      '',
      lifetime,
    ].join('\n'),
    html: layout(
      locale,
      [
        `<p>${escape(hello(t, data.username))}</p>`,
        `<p>${escape(t._(/*i18n*/ { id: 'mail.verify.intro', message: 'Confirm this address for your account:' }))}</p>`,
        `<p><a href="${escape(data.link)}">${escape(t._(/*i18n*/ { id: 'mail.verify.button', message: 'Confirm my address' }))}</a></p>`,
        `<p>${escape(lifetime)}</p>`,
      ],
      [],
    ),
  };
}

export function passwordResetMail(data: {
  username: string;
  link: string;
  minutes: number;
  locale?: string;
}): RenderedMail {
  const { t, locale } = translator(data.locale);
  const asked = t._(
    /*i18n*/ { id: 'mail.reset.asked', message: 'Someone (we hope you) asked to reset the password of your account.' },
  );
  const lifetime = t._(
    /*i18n*/ {
      id: 'mail.reset.lifetime',
      message:
        'The link works once, for {minutes, plural, one {# minute} other {# minutes}}; it signs you out everywhere else.',
      values: { minutes: data.minutes },
    },
  );
  const ignore = t._(
    /*i18n*/ {
      id: 'mail.reset.ignore',
      message: 'If you did not ask for it, ignore this message: your password stays as it is.',
    },
  );
  return {
    subject: t._(/*i18n*/ { id: 'mail.reset.subject', message: 'Reset your password' }),
    text: [
      hello(t, data.username),
      '',
      `${asked} ${t._(/*i18n*/ { id: 'mail.reset.choose', message: 'Choose a new one here:' })}`,
      data.link,
      '',
      lifetime,
      ignore,
    ].join('\n'),
    html: layout(
      locale,
      [
        `<p>${escape(hello(t, data.username))}</p>`,
        `<p>${escape(asked)}</p>`,
        `<p><a href="${escape(data.link)}">${escape(t._(/*i18n*/ { id: 'mail.reset.button', message: 'Choose a new password' }))}</a></p>`,
        `<p>${escape(lifetime)}</p>`,
        `<p>${escape(ignore)}</p>`,
      ],
      [],
    ),
  };
}

// A reset asked for an account that signs in with the publisher's login.
export function externalAccountResetMail(data: { username: string; locale?: string }): RenderedMail {
  const { t, locale } = translator(data.locale);
  const lines = [
    t._(
      /*i18n*/ {
        id: 'mail.external.none',
        message:
          "Someone asked to reset the password of your account, but it has none here: you sign in with the publisher's own login.",
      },
    ),
    t._(
      /*i18n*/ {
        id: 'mail.external.where',
        message: "To change your password, use the publisher's site. If you did not ask, ignore this message.",
      },
    ),
  ];
  return {
    subject: t._(/*i18n*/ { id: 'mail.external.subject', message: 'About your password' }),
    text: [hello(t, data.username), '', ...lines].join('\n'),
    html: layout(
      locale,
      [`<p>${escape(hello(t, data.username))}</p>`, ...lines.map((line) => `<p>${escape(line)}</p>`)],
      [],
    ),
  };
}

export function emailChangedMail(data: { username: string; newEmail: string; locale?: string }): RenderedMail {
  const { t, locale } = translator(data.locale);
  const masked = maskAddress(data.newEmail);
  const changed = (address: string) =>
    t._(
      /*i18n*/ {
        id: 'mail.changed.body',
        message: 'The email address of your account was changed to {address}. Mail now goes there.',
        values: { address },
      },
    );
  const warn = t._(
    /*i18n*/ {
      id: 'mail.changed.warn',
      message: 'If you did not do this, reset your password at once and tell the site.',
    },
  );
  return {
    subject: t._(/*i18n*/ { id: 'mail.changed.subject', message: 'Your email address was changed' }),
    text: [hello(t, data.username), '', changed(masked), warn].join('\n'),
    html: layout(
      locale,
      [
        `<p>${escape(hello(t, data.username))}</p>`,
        `<p>${escape(changed('\u0000')).replace('\u0000', `<b>${escape(masked)}</b>`)}</p>`,
        `<p>${escape(warn)}</p>`,
      ],
      [],
    ),
  };
}

// a***@example.com
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
