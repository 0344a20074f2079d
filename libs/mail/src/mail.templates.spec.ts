import { maskAddress, notificationMail, oneLine, passwordResetMail, verifyEmailMail } from './mail.templates.js';
import { messageIdFor, UnsubscribeTokens } from './mail-links.js';

const item = {
  kind: 'reply' as const,
  articleTitle: 'An "op-ed" <b>bold</b>\r\nBcc: x@y.test',
  author: 'Olga\nX-Injected: 1',
  html: '<p>Safe <em>body</em></p>',
  text: 'Safe *body*\nsecond line',
  link: 'https://c.example.test/comments/1',
  reason: null,
};

describe('mail templates', () => {
  it('keep a subject on one line whatever a title or a name holds', () => {
    const { subject } = notificationMail({
      username: 'ann',
      items: [item],
      digest: null,
      settingsLink: 's',
      unsubscribeLink: 'u',
    });
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe('Olga X-Injected: 1 replied to your comment on “An "op-ed" <b>bold</b> Bcc: x@y.test”');
    expect(oneLine('a\u2028b\tc')).toBe('a b c');
  });

  it('escape names and titles in the HTML part and quote the text part', () => {
    const mail = notificationMail({
      username: '<ann>',
      items: [item],
      digest: null,
      settingsLink: 's',
      unsubscribeLink: 'u',
    });
    expect(mail.html).toContain('&lt;ann&gt;');
    expect(mail.html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(mail.html).toContain('<p>Safe <em>body</em></p>');
    expect(mail.text).toContain('> Safe *body*\n> second line');
  });

  it('say how many, for several notifications and for a digest', () => {
    const base = { username: 'ann', settingsLink: 's', unsubscribeLink: 'u' };
    expect(notificationMail({ ...base, items: [item, item, item], digest: null }).subject).toBe(
      '3 new replies to your comments',
    );
    expect(notificationMail({ ...base, items: [item], digest: 'daily' }).subject).toBe(
      'Your daily digest: 1 notification',
    );
  });

  it('put the link and its lifetime in both parts of the account messages', () => {
    for (const mail of [
      verifyEmailMail({ username: 'ann', link: 'https://x.test/verify-email#token=t', hours: 24 }),
      passwordResetMail({ username: 'ann', link: 'https://x.test/reset-password#token=t', minutes: 30 }),
    ]) {
      expect(mail.text).toContain('#token=t');
      expect(mail.html).toContain('#token=t');
    }
    expect(maskAddress('olga@example.test')).toBe('o***@example.test');
  });
});

describe('unsubscribe tokens', () => {
  const id = '0d338100-5971-423a-a9de-bccda243c2b2';
  const tokens = new UnsubscribeTokens('a secret that is long enough for this');

  it('are scoped to the account and the kind', () => {
    const token = tokens.sign(id, 'reply');
    expect(tokens.verify(token)).toEqual({ userId: id, kind: 'reply' });
    const [, , mac] = token.split('.');
    expect(tokens.verify(`${id}.digest.${mac}`)).toBeNull();
    expect(tokens.verify(`${id.replace('0d', '1d')}.reply.${mac}`)).toBeNull();
    expect(new UnsubscribeTokens('another secret, just as long as that').verify(token)).toBeNull();
    expect(tokens.verify(`${id}.nonsense.${mac}`)).toBeNull();
    expect(tokens.verify('garbage')).toBeNull();
  });

  it('message ids depend on the causes and the recipient, not their order', () => {
    expect(messageIdFor(id, ['reply:a', 'reply:b'], 'x.test')).toBe(messageIdFor(id, ['reply:b', 'reply:a'], 'x.test'));
    expect(messageIdFor(id, ['reply:a'], 'x.test')).not.toBe(messageIdFor(id, ['reply:b'], 'x.test'));
    expect(messageIdFor(id, ['reply:a'], 'x.test')).toMatch(/^<[A-Za-z0-9_-]{32}@x\.test>$/);
  });
});

describe('mail templates in the recipient’s language', () => {
  it('write Russian with Russian plurals, and fall back to English for an unknown language', () => {
    const base = { username: 'olga', settingsLink: 's', unsubscribeLink: 'u', digest: null };
    const replies = (count: number, locale: string) =>
      notificationMail({ ...base, locale, items: Array.from({ length: count }, () => item) }).subject;
    expect(replies(2, 'ru')).toBe('2 новых ответа на ваши комментарии');
    expect(replies(5, 'ru')).toBe('5 новых ответов на ваши комментарии');
    expect(replies(21, 'ru')).toBe('21 новый ответ на ваши комментарии');
    expect(replies(3, 'xx')).toBe('3 new replies to your comments');
    const mail = passwordResetMail({ username: 'olga', link: 'https://x.test/r#token=t', minutes: 30, locale: 'ru' });
    expect(mail.subject).toBe('Сброс пароля');
    expect(mail.text).toContain('Ссылка действует один раз, 30 минут;');
    expect(mail.html).toContain('<html lang="ru" dir="ltr">');
  });
});
