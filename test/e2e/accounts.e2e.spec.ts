import { SignJWT } from 'jose';
import { createUser, http, unique } from '../support/factories.js';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const key = new TextEncoder().encode(TEST_JWT_SECRET);
const sign = (claims: { sub: string; exp: number; iat?: number }) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer('rejoinder')
    .setAudience('rejoinder')
    .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(claims.exp)
    .sign(key);

describe('registration', () => {
  it('creates a commenter, hashes the password with argon2id and returns a token', async () => {
    const username = unique('Reader').replace('-', '_');
    const res = await http(t, 'POST', '/api/auth/register', {
      body: { username, email: `${username}@Example.test`, password: 'long enough password' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      username,
      email: `${username.toLowerCase()}@example.test`,
      role: 'commenter',
    });
    expect(res.body.user.passwordHash).toBeUndefined();
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 86400 });
    const row = await t.prisma.user.findUniqueOrThrow({ where: { id: res.body.user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('long enough password');

    const me = await http(t, 'GET', '/api/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: res.body.user.id, username, role: 'commenter' });
  });

  it.each([
    ['short password', { password: 'short' }, 'VALIDATION_FAILED'],
    ['bad username', { username: 'no spaces allowed' }, 'VALIDATION_FAILED'],
    ['bad email', { email: 'not-an-email' }, 'VALIDATION_FAILED'],
    ['a role field', { role: 'admin' }, 'UNKNOWN_FIELDS'],
    ['a common password', { password: '1234567890' }, 'VALIDATION_FAILED'],
    ['a common password in other case', { password: 'Password123' }, 'VALIDATION_FAILED'],
    ['a password of spaces', { password: ' '.repeat(12) }, 'VALIDATION_FAILED'],
    ['a password of one repeated character', { password: 'zzzzzzzzzzzz' }, 'VALIDATION_FAILED'],
    [
      'a password made of the username',
      { username: 'marguerite_d', password: 'marguerite_d2026' },
      'VALIDATION_FAILED',
    ],
  ])('refuses %s and writes nothing', async (_label, change, code) => {
    const username = unique('u').replace('-', '_');
    const body = { username, email: `${username}@example.test`, password: 'long enough password', ...change };
    const res = await http(t, 'POST', '/api/auth/register', { body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect(await t.prisma.user.count({ where: { usernameKey: String(body.username).toLowerCase() } })).toBe(0);
  });

  it('refuses a taken username (in any case) and a taken email', async () => {
    const user = await createUser(t);
    const again = await http(t, 'POST', '/api/auth/register', {
      body: { username: user.username.toUpperCase(), email: 'other@example.test', password: 'long enough password' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('USERNAME_TAKEN');
    const sameEmail = await http(t, 'POST', '/api/auth/register', {
      body: {
        username: unique('x').replace('-', '_'),
        email: user.email.toUpperCase(),
        password: 'long enough password',
      },
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.code).toBe('EMAIL_TAKEN');
  });

  it.each([
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----x',
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/xml',
  ])('refuses a %s body (what a cross-site form sends) with 415, and writes nothing', async (type) => {
    const username = unique('form').replace('-', '_');
    const res = await http(t, 'POST', '/api/auth/register', {
      rawBody: `username=${username}&email=${username}%40example.test&password=long+enough+password`,
      headers: { 'content-type': type, origin: 'https://evil.example' },
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await t.prisma.user.count({ where: { usernameKey: username.toLowerCase() } })).toBe(0);
  });

  it('refuses malformed JSON with 400, not 500', async () => {
    const res = await http(t, 'POST', '/api/auth/register', {
      rawBody: '{"username": "abc", ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });
});

describe('login', () => {
  it('signs in with the username or the email address', async () => {
    const user = await createUser(t);
    for (const login of [user.username, user.email, user.username.toUpperCase()]) {
      const res = await http(t, 'POST', '/api/auth/login', { body: { login, password: user.password } });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(user.id);
      expect(typeof res.body.accessToken).toBe('string');
    }
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const user = await createUser(t);
    const wrong = await http(t, 'POST', '/api/auth/login', {
      body: { login: user.username, password: 'wrong password!' },
    });
    const unknown = await http(t, 'POST', '/api/auth/login', {
      body: { login: 'nobody_here', password: 'wrong password!' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('bearer tokens', () => {
  it('refuses a missing token on /api/me', async () => {
    const res = await http(t, 'GET', '/api/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token with a wrong signature', async () => {
    const user = await createUser(t);
    const [header, payload] = user.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const res = await http(t, 'GET', '/api/me', { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('refuses a token signed with another secret', async () => {
    const user = await createUser(t);
    const other = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('rejoinder')
      .setAudience('rejoinder')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-000000000'));
    const res = await http(t, 'GET', '/api/me', { token: other });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('refuses alg: none', async () => {
    const user = await createUser(t);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: user.id, iss: 'rejoinder', aud: 'rejoinder', iat: now, exp: now + 3600 })}.`;
    const res = await http(t, 'GET', '/api/me', { token: unsigned });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('refuses an expired token with its own code', async () => {
    const user = await createUser(t);
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ sub: user.id, iat: now - 7200, exp: now - 3600 });
    const res = await http(t, 'GET', '/api/me', { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
    // The same claims, still valid, pass: the refusal is about expiry alone.
    const fresh = await sign({ sub: user.id, exp: now + 3600 });
    expect((await http(t, 'GET', '/api/me', { token: fresh })).status).toBe(200);
  });

  it('refuses a token for an account that no longer exists', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ sub: '00000000-0000-4000-8000-000000000000', exp: now + 3600 });
    const res = await http(t, 'GET', '/api/me', { token });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const res = await http(t, 'GET', '/api/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });
});
