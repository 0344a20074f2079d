import { createUser, http, unique } from '../support/factories.js';
import {
  authorize,
  OIDC_CLIENT_ID,
  OIDC_CLIENT_SECRET,
  OIDC_REDIRECT_URI,
  startOidcProvider,
} from '../support/oidc-provider.js';
import type { TestProvider } from '../support/oidc-provider.js';
import { startTestApp, TestApp } from '../support/test-app.js';

let provider: TestProvider;
let t: TestApp;
beforeAll(async () => {
  provider = await startOidcProvider();
  t = await startTestApp({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_REDIRECT_URI,
    SSO_CLOCK_SKEW_SECONDS: '0',
  });
});
afterAll(async () => {
  await t.close();
  await provider.close();
});

async function start(): Promise<{ authorizationUrl: string; state: string }> {
  const res = await http(t, 'POST', '/api/auth/oidc/start');
  expect(res.status).toBe(200);
  return res.body;
}

const finish = (body: Record<string, string>) => http(t, 'POST', '/api/auth/oidc/callback', { body });

describe('sign-in with OIDC (authorization code with PKCE)', () => {
  it('sends the reader to the provider with PKCE, and signs them in when they come back', async () => {
    const sub = unique('oidc');
    provider.account = { sub, name: 'Olga Romanova', email: `${sub}@provider.example.test` };
    const { authorizationUrl, state } = await start();
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.searchParams.get('nonce')).toBeTruthy();

    const callback = await authorize(authorizationUrl);
    expect(callback.state).toBe(state);
    const res = await finish(callback);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      username: 'Olga_Romanova',
      email: `${sub}@provider.example.test`,
      // The provider vouches for the address (email_verified): mail may go to it.
      emailVerified: true,
      role: 'commenter',
    });
    const me = await http(t, 'GET', '/api/me', { token: res.body.accessToken });
    expect(me.body.id).toBe(res.body.user.id);
    const row = await t.prisma.user.findUniqueOrThrow({ where: { id: res.body.user.id } });
    expect(row).toMatchObject({ externalIssuer: provider.issuer, externalSubject: sub, passwordHash: null });

    // Signing in again finds the same account.
    const again = await finish(await authorize((await start()).authorizationUrl));
    expect(again.body.user.id).toBe(res.body.user.id);
  });

  it('refuses a new account at a refused email domain, and makes nothing', async () => {
    const mod = await createUser(t, 'moderator');
    const domain = `${unique('refused')}.example.test`;
    const rule = await http(t, 'POST', '/api/moderation/email-domains', {
      token: mod.token,
      body: { domain, action: 'refuse' },
    });
    expect(rule.status).toBe(201);
    const sub = unique('refused-oidc');
    provider.account = { sub, name: 'Throwaway', email: `${sub}@${domain}` };
    const res = await finish(await authorize((await start()).authorizationUrl));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'EMAIL_DOMAIN_REFUSED', domain });
    expect(await t.prisma.user.count({ where: { externalSubject: sub } })).toBe(0);
  });

  it('never signs into a local account with the same name', async () => {
    const local = await createUser(t);
    provider.account = { sub: unique('same-name'), name: local.username };
    const res = await finish(await authorize((await start()).authorizationUrl));
    expect(res.status).toBe(200);
    expect(res.body.user.id).not.toBe(local.id);
    expect(res.body.user.username).not.toBe(local.username);
  });

  it('refuses a wrong state, and a replayed code, and signs no one in', async () => {
    provider.account = { sub: unique('replay'), name: 'Replay' };
    const callback = await authorize((await start()).authorizationUrl);
    const wrong = await finish({ ...callback, state: 'not-the-state-we-sent' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('OIDC_STATE_INVALID');

    const first = await finish(callback);
    expect(first.status).toBe(200);
    // The same answer again: its state was used up.
    const replay = await finish(callback);
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('OIDC_STATE_INVALID');
    // The used code under a fresh state: the provider refuses it (and the
    // fresh state's PKCE verifier does not match it either).
    const fresh = await start();
    const replayedCode = await finish({ ...callback, state: fresh.state });
    expect(replayedCode.status).toBe(400);
    expect(replayedCode.body.code).toBe('OIDC_CODE_REJECTED');
  });

  it('refuses an expired ID token', async () => {
    const sub = unique('expired');
    provider.account = { sub, name: 'Late' };
    provider.idTokenTtl = 1;
    provider.tokenDelayMs = 2100;
    try {
      const res = await finish(await authorize((await start()).authorizationUrl));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('OIDC_ID_TOKEN_INVALID');
      expect(await t.prisma.user.count({ where: { externalSubject: sub } })).toBe(0);
    } finally {
      provider.idTokenTtl = 600;
      provider.tokenDelayMs = 0;
    }
  });

  it('refuses a callback body that is not the provider answer', async () => {
    expect((await finish({ state: 'x' })).body.code).toBe('VALIDATION_FAILED');
    expect((await finish({ code: 'x', state: 'y', role: 'admin' })).body.code).toBe('UNKNOWN_FIELDS');
  });
});

describe('without OIDC configured', () => {
  it('answers OIDC_NOT_CONFIGURED', async () => {
    const plain = await startTestApp();
    try {
      const res = await http(plain, 'POST', '/api/auth/oidc/start');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('OIDC_NOT_CONFIGURED');
      expect(
        (await http(plain, 'POST', '/api/auth/oidc/callback', { body: { code: 'c', state: 's' } })).body.code,
      ).toBe('OIDC_NOT_CONFIGURED');
    } finally {
      await plain.close();
    }
  });

  it('answers 503 when the provider cannot be reached', async () => {
    const down = await startTestApp({ OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_CLIENT_ID, OIDC_REDIRECT_URI });
    try {
      const res = await http(down, 'POST', '/api/auth/oidc/start');
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('OIDC_PROVIDER_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });
});

describe('erasing an account from the OIDC provider', () => {
  it('is confirmed by a sign-in just made at the provider, for that account only', async () => {
    const sub = unique('leaving');
    provider.account = { sub, name: 'Leaving Reader' };
    const session = await finish(await authorize((await start()).authorizationUrl));
    const token = session.body.accessToken;

    // A sign-in at the provider as someone else does not confirm.
    provider.account = { sub: unique('other'), name: 'Other Reader' };
    const other = await http(t, 'DELETE', '/api/me', {
      token,
      body: { oidc: await authorize((await start()).authorizationUrl) },
    });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('SIGN_IN_WRONG_ACCOUNT');
    const stateless = await http(t, 'DELETE', '/api/me', { token, body: { oidc: { code: 'c', state: 'made-up' } } });
    expect(stateless.body.code).toBe('OIDC_STATE_INVALID');
    expect(await t.prisma.user.count({ where: { externalSubject: sub } })).toBe(1);

    provider.account = { sub, name: 'Leaving Reader' };
    const res = await http(t, 'DELETE', '/api/me', {
      token,
      body: { oidc: await authorize((await start()).authorizationUrl) },
    });
    expect(res.status).toBe(200);
    expect(await t.prisma.user.count({ where: { externalSubject: sub } })).toBe(0);
  });
});
