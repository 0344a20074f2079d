import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { APP_CONFIG, DomainError, ErrorCode } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { AccountsService, Session } from '../accounts.service.js';
import { ExternalAccountsService, profileFromClaims } from './external-accounts.service.js';
import { OidcLoginsRepository } from './oidc-logins.repository.js';
import { ExternalIdentity, UsersRepository } from '../users.repository.js';

// How long a reader has between starting a sign-in and coming back with the code.
const LOGIN_TTL_SECONDS = 600;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface OidcResponse {
  code: string;
  state: string;
  iss?: string;
}

export interface OidcStart {
  authorizationUrl: string;
  state: string;
  expiresIn: number;
}

// OIDC sign-in, authorization code flow with PKCE (S256), through
// openid-client. The state, the code verifier and the nonce stay on the
// server, keyed by the state, and are used once: a wrong or replayed state is
// refused before the provider is asked, and the provider refuses a code that
// was already redeemed or that does not match the verifier. openid-client
// checks the ID token (signature, issuer, audience, expiry, nonce).
@Injectable()
export class OidcService {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logins: OidcLoginsRepository,
    private readonly external: ExternalAccountsService,
    private readonly accounts: AccountsService,
    private readonly users: UsersRepository,
  ) {}

  async start(): Promise<OidcStart> {
    const configuration = await this.provider();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const redirectUri = this.config.OIDC_REDIRECT_URI!;
    await this.logins.create({ state, nonce, codeVerifier, redirectUri }, LOGIN_TTL_SECONDS);
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.config.OIDC_SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { authorizationUrl: url.href, state, expiresIn: LOGIN_TTL_SECONDS };
  }

  // The parameters the provider sent back to the redirect URI.
  async callback(response: OidcResponse): Promise<Session> {
    const { identity, claims } = await this.redeem(response);
    const user = await this.external.upsert(profileFromClaims(identity, claims, this.config.SSO_ROLE_CLAIM));
    return this.accounts.sessionFor(user);
  }

  // A sign-in just completed at the provider, for this very account: how a
  // reader from the OIDC provider (who has no password) confirms erasing
  // their account.
  async confirm(userId: string, response: OidcResponse): Promise<void> {
    const { identity } = await this.redeem(response);
    const user = await this.users.findById(userId);
    if (!user || user.externalIssuer !== identity.issuer || user.externalSubject !== identity.subject) {
      throw new DomainError(ErrorCode.SignInWrongAccount);
    }
  }

  // Redeems the code (once, with the stored PKCE verifier) and returns who
  // the provider says signed in, with their claims.
  private async redeem(
    response: OidcResponse,
  ): Promise<{ identity: ExternalIdentity; claims: Record<string, unknown> }> {
    const configuration = await this.provider();
    const login = await this.logins.consume(response.state, LOGIN_TTL_SECONDS);
    if (!login) throw new DomainError(ErrorCode.OidcStateInvalid);
    const currentUrl = new URL(login.redirectUri);
    currentUrl.searchParams.set('code', response.code);
    currentUrl.searchParams.set('state', response.state);
    if (response.iss !== undefined) currentUrl.searchParams.set('iss', response.iss);
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new DomainError(ErrorCode.OidcIdTokenInvalid, 'The provider sent no ID token');
      claims = { ...idToken };
      if (configuration.serverMetadata().userinfo_endpoint) {
        Object.assign(claims, await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub), {
          sub: idToken.sub,
        });
      }
    } catch (error) {
      throw toDomainError(error);
    }
    return { identity: { issuer: configuration.serverMetadata().issuer, subject: String(claims.sub) }, claims };
  }

  // The provider's metadata, discovered once; a failed discovery is tried
  // again on the next sign-in.
  private provider(): Promise<oidc.Configuration> {
    const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: secret } = this.config;
    if (!issuer || !clientId) return Promise.reject(new DomainError(ErrorCode.OidcNotConfigured));
    this.configuration ??= oidc
      .discovery(
        new URL(issuer),
        clientId,
        { [oidc.clockTolerance]: this.config.SSO_CLOCK_SKEW_SECONDS },
        secret ? oidc.ClientSecretPost(secret) : oidc.None(),
        { execute: LOOPBACK.has(new URL(issuer).hostname) ? [oidc.allowInsecureRequests] : [], timeout: 5 },
      )
      .catch((error: unknown) => {
        this.configuration = null;
        throw new DomainError(ErrorCode.OidcProviderUnavailable, error instanceof Error ? error.message : undefined);
      });
    return this.configuration;
  }
}

function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  // The provider answered the token request with an OAuth error
  // (invalid_grant: a used, expired or mismatched code).
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    return new DomainError(
      ErrorCode.OidcCodeRejected,
      `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
    );
  }
  if (error instanceof oidc.ClientError) {
    // Expired, not yet valid, wrong audience or issuer, bad nonce or signature.
    if (error.code?.startsWith('OAUTH_JWT') || error.code === 'OAUTH_KEY_SELECTION_FAILED') {
      return new DomainError(ErrorCode.OidcIdTokenInvalid, error.message);
    }
    return new DomainError(ErrorCode.OidcCodeRejected, error.message);
  }
  return new DomainError(ErrorCode.OidcProviderUnavailable);
}
