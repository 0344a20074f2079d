import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

export const SSO_SECRET = 'the-host-sites-shared-secret-0123456789abcdef';
export const SSO_ISSUER = 'https://news.example.test';
export const SSO_AUDIENCE = 'rejoinder-comments';

export const now = () => Math.floor(Date.now() / 1000);

export interface SsoClaims extends JWTPayload {
  name?: string;
  email?: string;
  roles?: string[] | string;
}

// A token as the host site would sign it; `header` and `claims` override the defaults.
export function signSso(
  claims: SsoClaims,
  key: Uint8Array | CryptoKey = new TextEncoder().encode(SSO_SECRET),
  header: { alg: string; kid?: string } = { alg: 'HS256' },
): Promise<string> {
  return new SignJWT({ iss: SSO_ISSUER, aud: SSO_AUDIENCE, iat: now(), exp: now() + 120, ...claims })
    .setProtectedHeader({ typ: 'JWT', ...header })
    .sign(key);
}

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

// The publisher's JWKS endpoint on loopback; `keys` can be swapped to rotate.
export async function startJwksServer(
  keys: SigningKey[],
): Promise<{ url: string; keys: SigningKey[]; fetches: number; close(): Promise<void> }> {
  const state = { url: '', keys, fetches: 0, close: () => Promise.resolve() };
  const server = createServer((_request, response) => {
    state.fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: state.keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
