import { createArticle, createUser, http, postComment, unique } from '../support/factories.js';
import { startServerProcess } from '../support/server-process.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { connectSocket } from '../support/sockets.js';
import { startTestApp, TestApp } from '../support/test-app.js';

// The reader's language at every door that speaks: the locale the pages ask
// for, problem documents, socket acks, the stored setting and the emails.

let sink: SmtpSink;
let t: TestApp;
beforeAll(async () => {
  sink = await new SmtpSink().start();
  t = await startTestApp({
    SMTP_URL: sink.url,
    PUBLIC_URL: 'https://comments.example.test',
    MAIL_FROM: 'Comments <comments@example.test>',
    MAIL_COALESCE_SECONDS: '0',
    MAIL_POLL_MS: '50',
  });
});
afterAll(async () => {
  await t.close();
  await sink.stop();
});

describe('choosing the language', () => {
  it('takes ?lang=, then the stored setting, then Accept-Language, then DEFAULT_LOCALE', async () => {
    const reader = await createUser(t);
    const plain = await http(t, 'GET', '/api/locale');
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ locale: 'en', dir: 'ltr', available: ['en', 'ru'], defaultLocale: 'en' });

    const browser = await http(t, 'GET', '/api/locale', {
      headers: { 'accept-language': 'de-DE, ru-RU;q=0.8, en;q=0.5' },
    });
    expect(browser.body.locale).toBe('ru');

    const saved = await http(t, 'PUT', '/api/me/locale', { token: reader.token, body: { locale: 'ru' } });
    expect(saved.status).toBe(200);
    expect(saved.body.locale).toBe('ru');
    const stored = await http(t, 'GET', '/api/locale', { token: reader.token, headers: { 'accept-language': 'en' } });
    expect(stored.body.locale).toBe('ru');

    const asked = await http(t, 'GET', '/api/locale?lang=en', { token: reader.token });
    expect(asked.body.locale).toBe('en');
    const rtl = await http(t, 'GET', '/api/locale?lang=ar-XB');
    expect(rtl.body).toMatchObject({ locale: 'ar-XB', dir: 'rtl' });

    // Back to following the browser.
    const cleared = await http(t, 'PUT', '/api/me/locale', { token: reader.token, body: { locale: null } });
    expect(cleared.body.locale).toBeNull();
    const me = await http(t, 'GET', '/api/me', { token: reader.token });
    expect(me.body.locale).toBeNull();
  });

  it.each([
    ['a language with no catalogue', { locale: 'xx' }, 'VALIDATION_FAILED'],
    ['something that is not a language tag', { locale: '../../etc' }, 'VALIDATION_FAILED'],
    ['a number', { locale: 7 }, 'VALIDATION_FAILED'],
    ['another field', { locale: 'ru', role: 'admin' }, 'UNKNOWN_FIELDS'],
  ])('refuses %s and stores nothing', async (_label, body, code) => {
    const reader = await createUser(t);
    const res = await http(t, 'PUT', '/api/me/locale', { token: reader.token, body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    const row = await t.prisma.user.findUniqueOrThrow({ where: { id: reader.id } });
    expect(row.locale).toBeNull();
  });

  it('refuses a setting without a session', async () => {
    const res = await http(t, 'PUT', '/api/me/locale', { body: { locale: 'ru' } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('errors in Russian', () => {
  it('translate title and detail but keep the English code and type', async () => {
    const reader = await createUser(t);
    const english = await http(t, 'PUT', '/api/me/locale', { token: reader.token, body: { locale: 'xx' } });
    const russian = await http(t, 'PUT', '/api/me/locale', {
      token: reader.token,
      body: { locale: 'xx' },
      headers: { 'accept-language': 'ru' },
    });
    expect(russian.status).toBe(400);
    expect(russian.body.code).toBe(english.body.code);
    expect(russian.body.type).toBe(english.body.type);
    expect(english.body).toMatchObject({
      title: 'The request is not valid',
      detail: 'There is no catalogue for the language xx',
    });
    expect(russian.body).toMatchObject({ title: 'Запрос недействителен', detail: 'Для языка xx нет каталога' });

    const missing = await http(t, 'GET', `/api/articles/${unique('nothing')}`, {
      headers: { 'accept-language': 'ru' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'ARTICLE_NOT_FOUND', title: 'Такой статьи нет' });
  });

  it('reach socket acks in the language of the handshake', async () => {
    const socket = await connectSocket(t.url, { headers: { 'accept-language': 'ru-RU,ru;q=0.9' } });
    try {
      const ack = await socket.ack('subscribe', { article: unique('nothing') });
      expect(ack.error).toMatchObject({ code: 'ARTICLE_NOT_FOUND', title: 'Такой статьи нет' });
    } finally {
      socket.close();
    }
    // Or named in the handshake, over an English browser's header.
    const named = await connectSocket(t.url, { auth: { lang: 'ru' }, headers: { 'accept-language': 'en' } });
    try {
      const ack = await named.ack('subscribe', { article: unique('nothing') });
      expect(ack.error).toMatchObject({ code: 'ARTICLE_NOT_FOUND', title: 'Такой статьи нет' });
    } finally {
      named.close();
    }
  });
});

describe('the language a comment is written in', () => {
  it('is kept when the post names it, at both doors, and read back in every view of the comment', async () => {
    const [author, reader] = await Promise.all([createUser(t), createUser(t)]);
    const article = await createArticle(t.prisma);
    const watcher = await connectSocket(t.url, { token: reader.token });
    const writer = await connectSocket(t.url, { token: author.token });
    try {
      await watcher.ack('subscribe', { article: article.slug });
      const russian = await postComment(t, author, article.slug, 'Согласен с автором.', { lang: 'ru' });
      expect(russian.lang).toBe('ru');
      const plain = await postComment(t, author, article.slug, 'No language named.');
      expect(plain.lang).toBeNull();
      const ack = await writer.ack('comment.create', { article: article.slug, body: 'Я тоже.', lang: 'ru-RU' });
      expect(ack.comment ?? ack).toMatchObject({ lang: 'ru-RU' });
      const socketId = (ack.comment ?? ack).id as string;

      const events = await watcher.waitFor((e) => e.filter((x) => x.type === 'comment.created').length === 3);
      const live = new Map(events.map((e) => [e.data.comment.id, e.data.comment.lang]));
      expect(live.get(russian.id)).toBe('ru');
      expect(live.get(plain.id)).toBeNull();
      expect(live.get(socketId)).toBe('ru-RU');

      const one = await http(t, 'GET', `/api/comments/${russian.id}`);
      expect(one.body.comment.lang).toBe('ru');
      const page = await http(t, 'GET', `/api/articles/${article.slug}/comments`);
      const byId = new Map<string, string | null>(page.body.items.map((c: any) => [c.id, c.lang]));
      expect(Object.fromEntries(byId)).toEqual({ [russian.id]: 'ru', [plain.id]: null, [socketId]: 'ru-RU' });
    } finally {
      watcher.close();
      writer.close();
    }
  });

  it('is refused when it is not a language tag: 400 VALIDATION_FAILED or an ack error, nothing written', async () => {
    const author = await createUser(t);
    const article = await createArticle(t.prisma);
    for (const lang of ['../../etc', 'english please', '', 'x'.repeat(40), 7]) {
      const res = await http(t, 'POST', `/api/articles/${article.slug}/comments`, {
        token: author.token,
        body: { body: 'Words', lang },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const socket = await connectSocket(t.url, { token: author.token });
    try {
      const ack = await socket.ack('comment.create', { article: article.slug, body: 'Words', lang: 'not a tag' });
      expect(ack.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    } finally {
      socket.close();
    }
    expect(await t.prisma.comment.count({ where: { articleId: article.id } })).toBe(0);
  });
});

describe('emails', () => {
  it('reach the recipient in the language stored with their account', async () => {
    const reader = await createUser(t);
    const [first] = await sink.waitFor(reader.email);
    expect(first.subject).toBe('Confirm your email address');
    await http(t, 'PUT', '/api/me/locale', { token: reader.token, body: { locale: 'ru' } });
    const again = await http(t, 'POST', '/api/me/email/verification', { token: reader.token });
    expect(again.status).toBeLessThan(300);
    const [, second] = await sink.waitFor(reader.email, 2);
    expect(second.subject).toBe('Подтвердите адрес электронной почты');
    expect(second.text).toContain(`Здравствуйте, ${reader.username}!`);
    expect(second.text).toMatch(/Ссылка действует один раз, \d+ час/);
    expect(second.html).toContain('<html lang="ru" dir="ltr">');
  });
});

describe('DEFAULT_LOCALE', () => {
  it('is the language of a reader who asks for none', async () => {
    const server = await startServerProcess({ DEFAULT_LOCALE: 'ru' });
    try {
      const res = await http(server, 'GET', '/api/locale');
      expect(res.body).toMatchObject({ locale: 'ru', defaultLocale: 'ru', available: ['ru', 'en'] });
      const problem = await http(server, 'GET', `/api/articles/${unique('nothing')}`);
      expect(problem.body.title).toBe('Такой статьи нет');
    } finally {
      await server.stop();
    }
  });

  it('stops the start with a message naming the variable when no catalogue has it', async () => {
    await expect(startServerProcess({ DEFAULT_LOCALE: 'xx' })).rejects.toThrow(/DEFAULT_LOCALE/);
  });
});
