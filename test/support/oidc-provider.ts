import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const OIDC_CLIENT_ID = 'rejoinder-comments';
export const OIDC_CLIENT_SECRET = 'a-client-secret-for-the-tests-0123456789';
export const OIDC_REDIRECT_URI = 'http://127.0.0.1:9/oidc/callback';

export interface TestAccount {
  sub: string;
  name: string;
  email?: string;
}

export interface TestProvider {
  issuer: string;
  // Who signs in at the provider's login page next.
  account: TestAccount;
  // Seconds an ID token is valid for.
  idTokenTtl: number;
  // Holds the token endpoint's answer back this long (a slow network).
  tokenDelayMs: number;
  close(): Promise<void>;
}

// A real OIDC provider (panva's oidc-provider) on loopback. Its login and
// consent pages are replaced by a handler that signs `account` in at once,
// as a reader who types their password would.
export async function startOidcProvider(): Promise<TestProvider> {
  const state: TestProvider = {
    issuer: '',
    account: { sub: 'nobody', name: 'Nobody' },
    idTokenTtl: 600,
    tokenDelayMs: 0,
    close: () => Promise.resolve(),
  };
  // Made once the server knows its port (the issuer URL).
  const made: { provider?: Provider } = {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      void finishInteraction(made.provider!, state.account, req, res);
      return;
    }
    if (req.url === '/token' && state.tokenDelayMs > 0) {
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        setTimeout(() => end(...args), state.tokenDelayMs);
        return res;
      }) as ServerResponse['end'];
    }
    void made.provider!.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  made.provider = new Provider(state.issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }] as never },
    features: { devInteractions: { enabled: false } },
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [OIDC_REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    findAccount: (_ctx, sub) => {
      const account = state.account;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          name: account.name,
          ...(account.email ? { email: account.email, email_verified: true } : {}),
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      IdToken: () => state.idTokenTtl,
      AccessToken: 600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    cookies: { keys: ['cookie-signing-key-for-the-tests'] },
  });
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

async function finishInteraction(
  provider: Provider,
  account: TestAccount,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const grant = new provider.Grant({ accountId: account.sub, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account.sub }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

// A browser following the provider's redirects (keeping its cookies) until
// it is sent back to the redirect URI; returns the query it was sent back with.
export async function authorize(authorizationUrl: string): Promise<Record<string, string>> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const location = response.headers.get('location');
    if (!location)
      throw new Error(`the provider answered ${response.status} without a redirect: ${await response.text()}`);
    const next = new URL(location, url);
    if (next.href.startsWith(OIDC_REDIRECT_URI)) return Object.fromEntries(next.searchParams);
    url = next.href;
  }
  throw new Error('too many redirects');
}
