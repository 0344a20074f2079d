import { ErrorCode } from './error-codes.js';
import type { ErrorEntry } from './error-descriptions.js';

// Sign-up, sign-in (password, the publisher's login, OIDC), email links and service keys.
export const accountsErrors = {
  [ErrorCode.Unauthenticated]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.Unauthenticated', message: 'Sign in to do this' },
  },
  [ErrorCode.InvalidToken]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.InvalidToken', message: 'The access token is not valid' },
  },
  [ErrorCode.TokenExpired]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.TokenExpired', message: 'The access token has expired' },
  },
  [ErrorCode.InvalidCredentials]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.InvalidCredentials', message: 'Wrong username or password' },
  },
  [ErrorCode.Forbidden]: { status: 403, title: /*i18n*/ { id: 'problem.Forbidden', message: 'You may not do this' } },
  [ErrorCode.UsernameTaken]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.UsernameTaken', message: 'That username is taken' },
  },
  [ErrorCode.EmailTaken]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.EmailTaken', message: 'That email address is already registered' },
  },
  [ErrorCode.UserNotFound]: { status: 404, title: /*i18n*/ { id: 'problem.UserNotFound', message: 'No such user' } },
  [ErrorCode.SignupDisabled]: {
    status: 403,
    title: /*i18n*/ {
      id: 'problem.SignupDisabled',
      message: "Accounts are made through the publisher's login, not here",
    },
  },
  [ErrorCode.SsoNotConfigured]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.SsoNotConfigured', message: "Sign-in with the publisher's login is not set up" },
  },
  [ErrorCode.SsoTokenMalformed]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.SsoTokenMalformed', message: 'The sign-in token is not a signed JWT' },
  },
  [ErrorCode.SsoTokenAlgorithm]: {
    status: 401,
    title: /*i18n*/ {
      id: 'problem.SsoTokenAlgorithm',
      message: 'The sign-in token is signed with an algorithm that is not accepted',
    },
  },
  [ErrorCode.SsoTokenSignature]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.SsoTokenSignature', message: 'The sign-in token signature does not verify' },
  },
  [ErrorCode.SsoTokenIssuer]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.SsoTokenIssuer', message: 'The sign-in token comes from another issuer' },
  },
  [ErrorCode.SsoTokenAudience]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.SsoTokenAudience', message: 'The sign-in token is meant for another audience' },
  },
  [ErrorCode.SsoTokenExpired]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.SsoTokenExpired', message: 'The sign-in token has expired' },
  },
  [ErrorCode.SsoTokenAge]: {
    status: 401,
    title: /*i18n*/ {
      id: 'problem.SsoTokenAge',
      message: 'The sign-in token was issued too long ago, or in the future',
    },
  },
  [ErrorCode.SsoTokenClaims]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.SsoTokenClaims', message: 'The sign-in token lacks a required claim' },
  },
  [ErrorCode.SsoKeyUnknown]: {
    status: 401,
    title: /*i18n*/ {
      id: 'problem.SsoKeyUnknown',
      message: "The sign-in token's key id is not among the publisher's keys",
    },
  },
  [ErrorCode.SsoKeysUnavailable]: {
    status: 503,
    title: /*i18n*/ { id: 'problem.SsoKeysUnavailable', message: "The publisher's signing keys cannot be fetched" },
  },
  [ErrorCode.SignInWrongAccount]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.SignInWrongAccount', message: 'That sign-in is for another account' },
  },
  [ErrorCode.OidcNotConfigured]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.OidcNotConfigured', message: 'Sign-in with OIDC is not set up' },
  },
  [ErrorCode.OidcStateInvalid]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.OidcStateInvalid',
      message: 'The sign-in state is unknown, used or expired; start again',
    },
  },
  [ErrorCode.OidcCodeRejected]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.OidcCodeRejected',
      message: 'The identity provider refused the authorization code',
    },
  },
  [ErrorCode.OidcIdTokenInvalid]: {
    status: 401,
    title: /*i18n*/ { id: 'problem.OidcIdTokenInvalid', message: "The identity provider's ID token is not valid" },
  },
  [ErrorCode.OidcProviderUnavailable]: {
    status: 503,
    title: /*i18n*/ { id: 'problem.OidcProviderUnavailable', message: 'The identity provider cannot be reached' },
  },
  [ErrorCode.ErasureNotConfirmed]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.ErasureNotConfirmed', message: 'Confirm the erasure' },
  },
  [ErrorCode.EmailNotVerified]: {
    status: 403,
    title: /*i18n*/ {
      id: 'problem.EmailNotVerified',
      message: 'Confirm your email address first (see the link we sent, or ask for another)',
    },
  },
  [ErrorCode.EmailAlreadyVerified]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.EmailAlreadyVerified', message: 'Your email address is already confirmed' },
  },
  [ErrorCode.NoEmailAddress]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.NoEmailAddress', message: 'The account has no email address' },
  },
  [ErrorCode.LinkInvalid]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.LinkInvalid', message: 'The link is not valid' },
  },
  [ErrorCode.LinkUsed]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.LinkUsed', message: 'The link has been used already' },
  },
  [ErrorCode.LinkExpired]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.LinkExpired', message: 'The link has expired; ask for a new one' },
  },
  [ErrorCode.ExternalAccount]: {
    status: 400,
    title: /*i18n*/ {
      id: 'problem.ExternalAccount',
      message: "The account signs in with the publisher's login: its password and address are managed there",
    },
  },
  [ErrorCode.UnsubscribeTokenInvalid]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.UnsubscribeTokenInvalid', message: 'The unsubscribe link is not valid' },
  },
  [ErrorCode.ApiKeyNotFound]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.ApiKeyNotFound', message: 'No such service key' },
  },
  [ErrorCode.ApiKeyScopeMissing]: {
    status: 403,
    title: /*i18n*/ {
      id: 'problem.ApiKeyScopeMissing',
      message: 'The service key lacks the scope this route needs',
    },
  },
  [ErrorCode.ApiKeyNotAllowed]: {
    status: 403,
    title: /*i18n*/ {
      id: 'problem.ApiKeyNotAllowed',
      message: 'A service key cannot do this: it is for people signed in',
    },
  },
} satisfies Partial<Record<ErrorCode, ErrorEntry>>;
