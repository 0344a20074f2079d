import { SignJWT, UnsecuredJWT } from 'jose';
import { createUser, http, unique } from '../support/factories.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { now, signingKey, signSso, SSO_AUDIENCE, SSO_ISSUER, SSO_SECRET, startJwksServer } from '../support/sso.js';
import type { SigningKey } from '../support/sso.js';

const SSO = {
  SSO_JWT_SECRET: SSO_SECRET,
  SSO_ISSUER,
  SSO_AUDIENCE,
  SSO_ROLE_CLAIM: 'roles',
  SSO_ROLE_MAP: 'editor=moderator,chief=admin',
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(SSO);
});
afterAll(async () => {
  await t.close();
});

const signIn = (t: TestApp, token: string) => http(t, 'POST', '/api/auth/sso', { body: { token } });
const accountsOf = (t: TestApp, sub: string) => t.prisma.user.count({ where: { externalSubject: sub } });

describe('sign-in with a token signed by the host site (HS256)', () => {
  it('makes an account on first sign-in and finds the same one afterwards, following the name and address', async () => {
    const sub = unique('reader');
    const first = await signIn(
      t,
      await signSso({ sub, name: 'Anna Politkovskaya', email: `${sub}@News.example.test` }),
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      tokenType: 'Bearer',
      user: { username: 'Anna_Politkovskaya', email: `${sub}@news.example.test`, role: 'commenter' },
    });
    const me = await http(t, 'GET', '/api/me', { token: first.body.accessToken });
    expect(me.body.id).toBe(first.body.user.id);

    const again = await signIn(t, await signSso({ sub, name: 'Anna P', email: `${sub}@news.example.test` }));
    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(first.body.user.id);
    expect(again.body.user.username).toBe('Anna_P');
    expect(await accountsOf(t, sub)).toBe(1);
    const row = await t.prisma.user.findUniqueOrThrow({ where: { id: first.body.user.id } });
    expect(row).toMatchObject({ externalIssuer: SSO_ISSUER, externalSubject: sub, passwordHash: null });
  });

  it('never signs into a local account with the same name or address', async () => {
    const local = await createUser(t);
    const sub = unique('impostor');
    const res = await signIn(t, await signSso({ sub, name: local.username, email: local.email }));
    expect(res.status).toBe(200);
    expect(res.body.user.id).not.toBe(local.id);
    expect(res.body.user.username).not.toBe(local.username);
    expect(res.body.user.username.startsWith(`${local.username}-`)).toBe(true);
    // The address stays with the local account.
    expect(res.body.user.email).toBeNull();
    const me = await http(t, 'GET', '/api/me', { token: res.body.accessToken });
    expect(me.body.id).toBe(res.body.user.id);
    // The local account still signs in with its password, as itself.
    const login = await http(t, 'POST', '/api/auth/login', {
      body: { login: local.username, password: local.password },
    });
    expect(login.body.user.id).toBe(local.id);
  });

  it('gives an account from the host no password to sign in with', async () => {
    const sub = unique('nopass');
    const res = await signIn(t, await signSso({ sub, name: unique('Nopass') }));
    for (const password of ['', 'decoy-password-for-timing', 'anything at all']) {
      const login = await http(t, 'POST', '/api/auth/login', {
        body: { login: res.body.user.username, password: password || 'x' },
      });
      expect(login.status).toBe(401);
      expect(login.body.code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('maps the role claim by configuration, both ways, and a moderator from the host can open the moderation queue', async () => {
    const sub = unique('editor');
    const editor = await signIn(t, await signSso({ sub, name: 'Desk Editor', roles: ['reader', 'editor'] }));
    expect(editor.body.user.role).toBe('moderator');
    const queue = await http(t, 'GET', '/api/moderation/queue?status=pending', { token: editor.body.accessToken });
    expect(queue.status).toBe(200);

    const chief = await signIn(t, await signSso({ sub: unique('chief'), name: 'Chief', roles: 'chief' }));
    expect(chief.body.user.role).toBe('admin');

    // The publisher took the role away: the next sign-in says so, and the
    // earlier access token loses the console at once.
    const demoted = await signIn(t, await signSso({ sub, name: 'Desk Editor', roles: ['reader'] }));
    expect(demoted.body.user.role).toBe('commenter');
    const refused = await http(t, 'GET', '/api/moderation/queue?status=pending', { token: editor.body.accessToken });
    expect(refused.status).toBe(403);
  });

  it('gives a reader with no usable name a generated one', async () => {
    const res = await signIn(t, await signSso({ sub: unique('anon') }));
    expect(res.status).toBe(200);
    expect(res.body.user.username).toMatch(/^reader(-[0-9a-f]{4})?$/);
  });

  it('accepts a token whose expiry is within the allowed clock skew', async () => {
    const res = await signIn(
      t,
      await signSso({ sub: unique('skew'), name: 'Skewed', iat: now() - 60, exp: now() - 10 }),
    );
    expect(res.status).toBe(200);
  });

  const secret = new TextEncoder().encode(SSO_SECRET);
  const cases: [string, (sub: string) => Promise<string>, string][] = [
    ['a token that is not a JWT', () => Promise.resolve('not.a.jwt'), 'SSO_TOKEN_MALFORMED'],
    [
      'an unsigned token (alg: none)',
      (sub) =>
        Promise.resolve(
          new UnsecuredJWT({ sub, iss: SSO_ISSUER, aud: SSO_AUDIENCE, iat: now(), exp: now() + 60 }).encode(),
        ),
      'SSO_TOKEN_ALGORITHM',
    ],
    ['HS512 instead of HS256', (sub) => signSso({ sub }, secret, { alg: 'HS512' }), 'SSO_TOKEN_ALGORITHM'],
    [
      'RS256 where the secret is configured',
      async (sub) => signSso({ sub }, (await signingKey('RS256', 'k')).privateKey, { alg: 'RS256' }),
      'SSO_TOKEN_ALGORITHM',
    ],
    [
      'another secret',
      (sub) => signSso({ sub }, new TextEncoder().encode('another-secret-that-is-long-enough-0123456789')),
      'SSO_TOKEN_SIGNATURE',
    ],
    ['another issuer', (sub) => signSso({ sub, iss: 'https://evil.example.test' }), 'SSO_TOKEN_ISSUER'],
    ['another audience', (sub) => signSso({ sub, aud: 'another-app' }), 'SSO_TOKEN_AUDIENCE'],
    ['an expired token', (sub) => signSso({ sub, iat: now() - 200, exp: now() - 100 }), 'SSO_TOKEN_EXPIRED'],
    ['a token issued too long ago', (sub) => signSso({ sub, iat: now() - 3600, exp: now() + 60 }), 'SSO_TOKEN_AGE'],
    ['a token issued in the future', (sub) => signSso({ sub, iat: now() + 600, exp: now() + 900 }), 'SSO_TOKEN_AGE'],
    ['a token without sub', () => signSso({}), 'SSO_TOKEN_CLAIMS'],
    [
      'a token without iat',
      (sub) =>
        new SignJWT({ sub, iss: SSO_ISSUER, aud: SSO_AUDIENCE, exp: now() + 60 })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(secret),
      'SSO_TOKEN_CLAIMS',
    ],
  ];
  it.each(cases)('refuses %s with its own code and makes no account', async (_label, make, code) => {
    const sub = unique('bad');
    const res = await signIn(t, await make(sub));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect(await accountsOf(t, sub)).toBe(0);
  });

  it('refuses a body without a token, or with other fields', async () => {
    expect((await http(t, 'POST', '/api/auth/sso', { body: {} })).body.code).toBe('VALIDATION_FAILED');
    const extra = await http(t, 'POST', '/api/auth/sso', { body: { token: 'x', sub: 'admin' } });
    expect(extra.body.code).toBe('UNKNOWN_FIELDS');
  });
});

describe('sign-in with a token signed with the publisher key set (RS256, ES256)', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let app: TestApp;
  let rsa: SigningKey;
  let ec: SigningKey;
  beforeAll(async () => {
    rsa = await signingKey('RS256', 'rsa-1');
    ec = await signingKey('ES256', 'ec-1');
    jwks = await startJwksServer([rsa, ec]);
    app = await startTestApp({ SSO_JWKS_URL: jwks.url, SSO_ISSUER, SSO_AUDIENCE, SSO_JWKS_COOLDOWN_SECONDS: '0' });
  });
  afterAll(async () => {
    await app.close();
    await jwks.close();
  });

  it('verifies RS256 and ES256 tokens by key id, and keeps the key set cached', async () => {
    const before = jwks.fetches;
    for (const key of [rsa, ec, rsa, ec]) {
      const res = await signIn(
        app,
        await signSso({ sub: unique(key.alg), name: key.alg }, key.privateKey, { alg: key.alg, kid: key.kid }),
      );
      expect(res.status).toBe(200);
    }
    expect(jwks.fetches - before).toBeLessThanOrEqual(1);
  });

  it('follows a key rotation: a token with the new key id makes it fetch the set again', async () => {
    const next = await signingKey('RS256', 'rsa-2');
    jwks.keys = [next, ec];
    const res = await signIn(
      app,
      await signSso({ sub: unique('rotated'), name: 'Rotated' }, next.privateKey, { alg: 'RS256', kid: 'rsa-2' }),
    );
    expect(res.status).toBe(200);
    // The retired key no longer signs anything we accept.
    const old = await signIn(
      app,
      await signSso({ sub: unique('retired') }, rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }),
    );
    expect(old.body.code).toBe('SSO_KEY_UNKNOWN');
  });

  it('refuses an unknown key id, a key that is not in the set, and a shared-secret token', async () => {
    const stranger = await signingKey('RS256', 'stranger');
    const unknown = await signIn(
      app,
      await signSso({ sub: unique('u') }, stranger.privateKey, { alg: 'RS256', kid: 'stranger' }),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('SSO_KEY_UNKNOWN');
    const forged = await signIn(
      app,
      await signSso({ sub: unique('f') }, stranger.privateKey, { alg: 'RS256', kid: jwks.keys[0].kid }),
    );
    expect(forged.body.code).toBe('SSO_TOKEN_SIGNATURE');
    const hs = await signIn(app, await signSso({ sub: unique('h') }));
    expect(hs.body.code).toBe('SSO_TOKEN_ALGORITHM');
  });

  it('answers 503 when the key set cannot be fetched', async () => {
    const down = await startTestApp({ SSO_JWKS_URL: 'http://127.0.0.1:9/jwks.json', SSO_ISSUER, SSO_AUDIENCE });
    try {
      const res = await signIn(
        down,
        await signSso({ sub: unique('d') }, rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }),
      );
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('SSO_KEYS_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });
});

describe('without SSO configured, and with local sign-up off', () => {
  it('answers SSO_NOT_CONFIGURED', async () => {
    const plain = await startTestApp();
    try {
      const res = await signIn(plain, await signSso({ sub: unique('x') }));
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('SSO_NOT_CONFIGURED');
    } finally {
      await plain.close();
    }
  });

  it('refuses self-service registration but still lets readers in through the host', async () => {
    const closed = await startTestApp({ ...SSO, LOCAL_SIGNUP: 'false' });
    try {
      const username = unique('u').replace('-', '_');
      const res = await http(closed, 'POST', '/api/auth/register', {
        body: { username, email: `${username}@example.test`, password: 'long enough password' },
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('SIGNUP_DISABLED');
      expect(await closed.prisma.user.count({ where: { usernameKey: username.toLowerCase() } })).toBe(0);
      expect((await signIn(closed, await signSso({ sub: unique('ok'), name: 'Welcome' }))).status).toBe(200);
    } finally {
      await closed.close();
    }
  });
});
