// Stable error codes: clients branch on these, so a code is never renamed or reused.
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  UnknownFields = 'UNKNOWN_FIELDS',
  MalformedJson = 'MALFORMED_JSON',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  InvalidCursor = 'INVALID_CURSOR',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',

  Unauthenticated = 'UNAUTHENTICATED',
  InvalidToken = 'INVALID_TOKEN',
  TokenExpired = 'TOKEN_EXPIRED',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  Forbidden = 'FORBIDDEN',
  UsernameTaken = 'USERNAME_TAKEN',
  EmailTaken = 'EMAIL_TAKEN',
  UserNotFound = 'USER_NOT_FOUND',
  SignupDisabled = 'SIGNUP_DISABLED',
  SsoNotConfigured = 'SSO_NOT_CONFIGURED',
  SsoTokenMalformed = 'SSO_TOKEN_MALFORMED',
  SsoTokenAlgorithm = 'SSO_TOKEN_ALGORITHM',
  SsoTokenSignature = 'SSO_TOKEN_SIGNATURE',
  SsoTokenIssuer = 'SSO_TOKEN_ISSUER',
  SsoTokenAudience = 'SSO_TOKEN_AUDIENCE',
  SsoTokenExpired = 'SSO_TOKEN_EXPIRED',
  SsoTokenAge = 'SSO_TOKEN_AGE',
  SsoTokenClaims = 'SSO_TOKEN_CLAIMS',
  SsoKeyUnknown = 'SSO_KEY_UNKNOWN',
  SsoKeysUnavailable = 'SSO_KEYS_UNAVAILABLE',
  SignInWrongAccount = 'SIGN_IN_WRONG_ACCOUNT',
  OidcNotConfigured = 'OIDC_NOT_CONFIGURED',
  OidcStateInvalid = 'OIDC_STATE_INVALID',
  OidcCodeRejected = 'OIDC_CODE_REJECTED',
  OidcIdTokenInvalid = 'OIDC_ID_TOKEN_INVALID',
  OidcProviderUnavailable = 'OIDC_PROVIDER_UNAVAILABLE',
  ErasureNotConfirmed = 'ERASURE_NOT_CONFIRMED',
  EmailNotVerified = 'EMAIL_NOT_VERIFIED',
  EmailAlreadyVerified = 'EMAIL_ALREADY_VERIFIED',
  NoEmailAddress = 'NO_EMAIL_ADDRESS',
  LinkInvalid = 'LINK_INVALID',
  LinkUsed = 'LINK_USED',
  LinkExpired = 'LINK_EXPIRED',
  ExternalAccount = 'EXTERNAL_ACCOUNT',
  UnsubscribeTokenInvalid = 'UNSUBSCRIBE_TOKEN_INVALID',
  ApiKeyNotFound = 'API_KEY_NOT_FOUND',
  ApiKeyScopeMissing = 'API_KEY_SCOPE_MISSING',
  ApiKeyNotAllowed = 'API_KEY_NOT_ALLOWED',

  ArticleNotFound = 'ARTICLE_NOT_FOUND',
  ArticleClosed = 'ARTICLE_CLOSED',
  CommentNotFound = 'COMMENT_NOT_FOUND',
  CommentBodyEmpty = 'COMMENT_BODY_EMPTY',
  CommentBodyTooLong = 'COMMENT_BODY_TOO_LONG',
  ParentNotFound = 'PARENT_NOT_FOUND',
  ParentInOtherArticle = 'PARENT_IN_OTHER_ARTICLE',
  ParentNotReplyable = 'PARENT_NOT_REPLYABLE',
  ThreadTooDeep = 'THREAD_TOO_DEEP',
  CommentIdConflict = 'COMMENT_ID_CONFLICT',
  CannotVoteOwnComment = 'CANNOT_VOTE_OWN_COMMENT',
  EditWindowClosed = 'EDIT_WINDOW_CLOSED',
  NotYourComment = 'NOT_YOUR_COMMENT',
  DuplicateComment = 'DUPLICATE_COMMENT',
  ParagraphNotFound = 'PARAGRAPH_NOT_FOUND',
  QuoteNotInParagraph = 'QUOTE_NOT_IN_PARAGRAPH',
  TopLevelOnly = 'TOP_LEVEL_ONLY',
  InvalidSince = 'INVALID_SINCE',
  SinceAhead = 'SINCE_AHEAD',
  ArticleUrlTaken = 'ARTICLE_URL_TAKEN',
  ArticleUrlInvalid = 'ARTICLE_URL_INVALID',
  WebhookNotFound = 'WEBHOOK_NOT_FOUND',
  WebhookUrlRefused = 'WEBHOOK_URL_REFUSED',

  StaleVersion = 'STALE_VERSION',
  InvalidTransition = 'INVALID_TRANSITION',
  AlreadyReported = 'ALREADY_REPORTED',
  CannotReportOwnComment = 'CANNOT_REPORT_OWN_COMMENT',
  UserBanned = 'USER_BANNED',
  UserSuspended = 'USER_SUSPENDED',
  BannedWord = 'BANNED_WORD',
  SlowMode = 'SLOW_MODE',
  WordRuleExists = 'WORD_RULE_EXISTS',
  WordRuleNotFound = 'WORD_RULE_NOT_FOUND',
  CannotSanctionStaff = 'CANNOT_SANCTION_STAFF',
  EmailDomainRefused = 'EMAIL_DOMAIN_REFUSED',
  EmailDomainRuleExists = 'EMAIL_DOMAIN_RULE_EXISTS',
  EmailDomainRuleNotFound = 'EMAIL_DOMAIN_RULE_NOT_FOUND',

  UnknownEvent = 'UNKNOWN_EVENT',
  RateLimited = 'RATE_LIMITED',
  PostingBusy = 'POSTING_BUSY',
  OriginNotAllowed = 'ORIGIN_NOT_ALLOWED',
  ReplayInProgress = 'REPLAY_IN_PROGRESS',
  TooManyConnections = 'TOO_MANY_CONNECTIONS',
  OneSocketPerConnection = 'ONE_SOCKET_PER_CONNECTION',

  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL',
}

export interface ErrorDescription {
  status: number;
  title: string;
}

// The title as a catalogue message: its id, and the English source text.
export interface TitleMessage {
  id: string;
  message: string;
}

// A code's status and its title in English (the API documents, the CLI).
export function describeError(code: ErrorCode): ErrorDescription {
  const { status, title } = errorDescription(code);
  return { status, title: title.message };
}

// One place maps a code to its HTTP status and title; the switch is
// exhaustive so a new code cannot ship without them. The titles are
// extracted into locales/server/*.po (the /*i18n*/ marks) and translated
// there; problem documents read them in the request's language.
export function errorDescription(code: ErrorCode): { status: number; title: TitleMessage } {
  switch (code) {
    case ErrorCode.ValidationFailed:
      return { status: 400, title: /*i18n*/ { id: 'problem.ValidationFailed', message: 'The request is not valid' } };
    case ErrorCode.UnknownFields:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.UnknownFields', message: 'The request has fields that are not accepted' },
      };
    case ErrorCode.MalformedJson:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.MalformedJson', message: 'The request body is not valid JSON' },
      };
    case ErrorCode.UnsupportedMediaType:
      return {
        status: 415,
        title: /*i18n*/ { id: 'problem.UnsupportedMediaType', message: 'The request body must be application/json' },
      };
    case ErrorCode.PayloadTooLarge:
      return {
        status: 413,
        title: /*i18n*/ { id: 'problem.PayloadTooLarge', message: 'The request body is too large' },
      };
    case ErrorCode.InvalidCursor:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.InvalidCursor', message: 'The cursor is not valid for this list' },
      };
    case ErrorCode.RouteNotFound:
      return { status: 404, title: /*i18n*/ { id: 'problem.RouteNotFound', message: 'No such route' } };
    case ErrorCode.MethodNotAllowed:
      return { status: 405, title: /*i18n*/ { id: 'problem.MethodNotAllowed', message: 'Method not allowed' } };
    case ErrorCode.Unauthenticated:
      return { status: 401, title: /*i18n*/ { id: 'problem.Unauthenticated', message: 'Sign in to do this' } };
    case ErrorCode.InvalidToken:
      return { status: 401, title: /*i18n*/ { id: 'problem.InvalidToken', message: 'The access token is not valid' } };
    case ErrorCode.TokenExpired:
      return { status: 401, title: /*i18n*/ { id: 'problem.TokenExpired', message: 'The access token has expired' } };
    case ErrorCode.InvalidCredentials:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.InvalidCredentials', message: 'Wrong username or password' },
      };
    case ErrorCode.Forbidden:
      return { status: 403, title: /*i18n*/ { id: 'problem.Forbidden', message: 'You may not do this' } };
    case ErrorCode.UsernameTaken:
      return { status: 409, title: /*i18n*/ { id: 'problem.UsernameTaken', message: 'That username is taken' } };
    case ErrorCode.EmailTaken:
      return {
        status: 409,
        title: /*i18n*/ { id: 'problem.EmailTaken', message: 'That email address is already registered' },
      };
    case ErrorCode.UserNotFound:
      return { status: 404, title: /*i18n*/ { id: 'problem.UserNotFound', message: 'No such user' } };
    case ErrorCode.SignupDisabled:
      return {
        status: 403,
        title: /*i18n*/ {
          id: 'problem.SignupDisabled',
          message: "Accounts are made through the publisher's login, not here",
        },
      };
    case ErrorCode.SsoNotConfigured:
      return {
        status: 404,
        title: /*i18n*/ { id: 'problem.SsoNotConfigured', message: "Sign-in with the publisher's login is not set up" },
      };
    case ErrorCode.SsoTokenMalformed:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.SsoTokenMalformed', message: 'The sign-in token is not a signed JWT' },
      };
    case ErrorCode.SsoTokenAlgorithm:
      return {
        status: 401,
        title: /*i18n*/ {
          id: 'problem.SsoTokenAlgorithm',
          message: 'The sign-in token is signed with an algorithm that is not accepted',
        },
      };
    case ErrorCode.SsoTokenSignature:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.SsoTokenSignature', message: 'The sign-in token signature does not verify' },
      };
    case ErrorCode.SsoTokenIssuer:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.SsoTokenIssuer', message: 'The sign-in token comes from another issuer' },
      };
    case ErrorCode.SsoTokenAudience:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.SsoTokenAudience', message: 'The sign-in token is meant for another audience' },
      };
    case ErrorCode.SsoTokenExpired:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.SsoTokenExpired', message: 'The sign-in token has expired' },
      };
    case ErrorCode.SsoTokenAge:
      return {
        status: 401,
        title: /*i18n*/ {
          id: 'problem.SsoTokenAge',
          message: 'The sign-in token was issued too long ago, or in the future',
        },
      };
    case ErrorCode.SsoTokenClaims:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.SsoTokenClaims', message: 'The sign-in token lacks a required claim' },
      };
    case ErrorCode.SsoKeyUnknown:
      return {
        status: 401,
        title: /*i18n*/ {
          id: 'problem.SsoKeyUnknown',
          message: "The sign-in token's key id is not among the publisher's keys",
        },
      };
    case ErrorCode.SsoKeysUnavailable:
      return {
        status: 503,
        title: /*i18n*/ { id: 'problem.SsoKeysUnavailable', message: "The publisher's signing keys cannot be fetched" },
      };
    case ErrorCode.SignInWrongAccount:
      return {
        status: 403,
        title: /*i18n*/ { id: 'problem.SignInWrongAccount', message: 'That sign-in is for another account' },
      };
    case ErrorCode.OidcNotConfigured:
      return {
        status: 404,
        title: /*i18n*/ { id: 'problem.OidcNotConfigured', message: 'Sign-in with OIDC is not set up' },
      };
    case ErrorCode.OidcStateInvalid:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.OidcStateInvalid',
          message: 'The sign-in state is unknown, used or expired; start again',
        },
      };
    case ErrorCode.OidcCodeRejected:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.OidcCodeRejected',
          message: 'The identity provider refused the authorization code',
        },
      };
    case ErrorCode.OidcIdTokenInvalid:
      return {
        status: 401,
        title: /*i18n*/ { id: 'problem.OidcIdTokenInvalid', message: "The identity provider's ID token is not valid" },
      };
    case ErrorCode.OidcProviderUnavailable:
      return {
        status: 503,
        title: /*i18n*/ { id: 'problem.OidcProviderUnavailable', message: 'The identity provider cannot be reached' },
      };
    case ErrorCode.ErasureNotConfirmed:
      return { status: 400, title: /*i18n*/ { id: 'problem.ErasureNotConfirmed', message: 'Confirm the erasure' } };
    case ErrorCode.EmailNotVerified:
      return {
        status: 403,
        title: /*i18n*/ {
          id: 'problem.EmailNotVerified',
          message: 'Confirm your email address first (see the link we sent, or ask for another)',
        },
      };
    case ErrorCode.EmailAlreadyVerified:
      return {
        status: 409,
        title: /*i18n*/ { id: 'problem.EmailAlreadyVerified', message: 'Your email address is already confirmed' },
      };
    case ErrorCode.NoEmailAddress:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.NoEmailAddress', message: 'The account has no email address' },
      };
    case ErrorCode.LinkInvalid:
      return { status: 400, title: /*i18n*/ { id: 'problem.LinkInvalid', message: 'The link is not valid' } };
    case ErrorCode.LinkUsed:
      return { status: 400, title: /*i18n*/ { id: 'problem.LinkUsed', message: 'The link has been used already' } };
    case ErrorCode.LinkExpired:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.LinkExpired', message: 'The link has expired; ask for a new one' },
      };
    case ErrorCode.ExternalAccount:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.ExternalAccount',
          message: "The account signs in with the publisher's login: its password and address are managed there",
        },
      };
    case ErrorCode.UnsubscribeTokenInvalid:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.UnsubscribeTokenInvalid', message: 'The unsubscribe link is not valid' },
      };
    case ErrorCode.ApiKeyNotFound:
      return { status: 404, title: /*i18n*/ { id: 'problem.ApiKeyNotFound', message: 'No such service key' } };
    case ErrorCode.ApiKeyScopeMissing:
      return {
        status: 403,
        title: /*i18n*/ {
          id: 'problem.ApiKeyScopeMissing',
          message: 'The service key lacks the scope this route needs',
        },
      };
    case ErrorCode.ApiKeyNotAllowed:
      return {
        status: 403,
        title: /*i18n*/ {
          id: 'problem.ApiKeyNotAllowed',
          message: 'A service key cannot do this: it is for people signed in',
        },
      };
    case ErrorCode.ArticleUrlTaken:
      return {
        status: 409,
        title: /*i18n*/ { id: 'problem.ArticleUrlTaken', message: 'Another article already has this canonical URL' },
      };
    case ErrorCode.ArticleUrlInvalid:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.ArticleUrlInvalid',
          message: 'The article URL is not an http(s) URL of an allowed site',
        },
      };
    case ErrorCode.WebhookNotFound:
      return { status: 404, title: /*i18n*/ { id: 'problem.WebhookNotFound', message: 'No such webhook' } };
    case ErrorCode.WebhookUrlRefused:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.WebhookUrlRefused',
          message:
            'The webhook URL must be https and reach a public address (not loopback, private, link-local or metadata)',
        },
      };
    case ErrorCode.ArticleNotFound:
      return { status: 404, title: /*i18n*/ { id: 'problem.ArticleNotFound', message: 'No such article' } };
    case ErrorCode.ArticleClosed:
      return {
        status: 403,
        title: /*i18n*/ { id: 'problem.ArticleClosed', message: 'The article is closed for comments' },
      };
    case ErrorCode.CommentNotFound:
      return { status: 404, title: /*i18n*/ { id: 'problem.CommentNotFound', message: 'No such comment' } };
    case ErrorCode.CommentBodyEmpty:
      return { status: 400, title: /*i18n*/ { id: 'problem.CommentBodyEmpty', message: 'The comment is empty' } };
    case ErrorCode.CommentBodyTooLong:
      return { status: 400, title: /*i18n*/ { id: 'problem.CommentBodyTooLong', message: 'The comment is too long' } };
    case ErrorCode.ParentNotFound:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.ParentNotFound', message: 'The comment being replied to does not exist' },
      };
    case ErrorCode.ParentInOtherArticle:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.ParentInOtherArticle',
          message: 'The comment being replied to belongs to another article',
        },
      };
    case ErrorCode.ParentNotReplyable:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.ParentNotReplyable',
          message: 'The comment being replied to cannot take replies',
        },
      };
    case ErrorCode.ThreadTooDeep:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.ThreadTooDeep', message: 'The thread is too deep for another reply' },
      };
    case ErrorCode.CommentIdConflict:
      return {
        status: 409,
        title: /*i18n*/ { id: 'problem.CommentIdConflict', message: 'A different comment already has this id' },
      };
    case ErrorCode.StaleVersion:
      return {
        status: 409,
        title: /*i18n*/ { id: 'problem.StaleVersion', message: 'Someone acted on this first; reload it' },
      };
    case ErrorCode.InvalidTransition:
      return {
        status: 409,
        title: /*i18n*/ {
          id: 'problem.InvalidTransition',
          message: 'That action does not apply to the comment in its current state',
        },
      };
    case ErrorCode.AlreadyReported:
      return {
        status: 409,
        title: /*i18n*/ { id: 'problem.AlreadyReported', message: 'You have already reported this comment' },
      };
    case ErrorCode.CannotReportOwnComment:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.CannotReportOwnComment', message: 'You cannot report your own comment' },
      };
    case ErrorCode.UserBanned:
      return {
        status: 403,
        title: /*i18n*/ { id: 'problem.UserBanned', message: 'Your account is banned from taking part' },
      };
    case ErrorCode.UserSuspended:
      return {
        status: 403,
        title: /*i18n*/ { id: 'problem.UserSuspended', message: 'Your account is suspended for now' },
      };
    case ErrorCode.BannedWord:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.BannedWord', message: 'The comment contains a word that is not allowed' },
      };
    case ErrorCode.SlowMode:
      return {
        status: 429,
        title: /*i18n*/ { id: 'problem.SlowMode', message: 'Slow mode: wait before commenting again' },
      };
    case ErrorCode.WordRuleExists:
      return { status: 409, title: /*i18n*/ { id: 'problem.WordRuleExists', message: 'That word is already listed' } };
    case ErrorCode.WordRuleNotFound:
      return { status: 404, title: /*i18n*/ { id: 'problem.WordRuleNotFound', message: 'No such word rule' } };
    case ErrorCode.CannotSanctionStaff:
      return {
        status: 403,
        title: /*i18n*/ {
          id: 'problem.CannotSanctionStaff',
          message: 'Moderators and admins cannot be sanctioned here',
        },
      };
    case ErrorCode.EmailDomainRefused:
      return {
        status: 403,
        title: /*i18n*/ {
          id: 'problem.EmailDomainRefused',
          message: 'Accounts with an address at this domain are not accepted here',
        },
      };
    case ErrorCode.EmailDomainRuleExists:
      return {
        status: 409,
        title: /*i18n*/ { id: 'problem.EmailDomainRuleExists', message: 'That domain is already listed' },
      };
    case ErrorCode.EmailDomainRuleNotFound:
      return {
        status: 404,
        title: /*i18n*/ { id: 'problem.EmailDomainRuleNotFound', message: 'No such email domain rule' },
      };
    case ErrorCode.UnknownEvent:
      return { status: 400, title: /*i18n*/ { id: 'problem.UnknownEvent', message: 'No such event' } };
    case ErrorCode.RateLimited:
      return { status: 429, title: /*i18n*/ { id: 'problem.RateLimited', message: 'Too many requests; slow down' } };
    case ErrorCode.PostingBusy:
      return {
        status: 429,
        title: /*i18n*/ {
          id: 'problem.PostingBusy',
          message: 'Too many comments are being posted right now; send it again in a moment',
        },
      };
    case ErrorCode.OriginNotAllowed:
      return {
        status: 403,
        title: /*i18n*/ { id: 'problem.OriginNotAllowed', message: 'This origin may not connect' },
      };
    case ErrorCode.ReplayInProgress:
      return {
        status: 429,
        title: /*i18n*/ {
          id: 'problem.ReplayInProgress',
          message: 'The last catch-up has not been read yet; subscribe with after once it has',
        },
      };
    case ErrorCode.TooManyConnections:
      return {
        status: 429,
        title: /*i18n*/ { id: 'problem.TooManyConnections', message: 'Too many open connections from this address' },
      };
    case ErrorCode.OneSocketPerConnection:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.OneSocketPerConnection',
          message: 'A connection holds one socket; open another connection for another',
        },
      };
    case ErrorCode.CannotVoteOwnComment:
      return {
        status: 403,
        title: /*i18n*/ { id: 'problem.CannotVoteOwnComment', message: 'You cannot vote on your own comment' },
      };
    case ErrorCode.EditWindowClosed:
      return {
        status: 403,
        title: /*i18n*/ { id: 'problem.EditWindowClosed', message: 'The time to edit this comment is over' },
      };
    case ErrorCode.NotYourComment:
      return { status: 403, title: /*i18n*/ { id: 'problem.NotYourComment', message: 'Only the author may do this' } };
    case ErrorCode.DuplicateComment:
      return {
        status: 429,
        title: /*i18n*/ { id: 'problem.DuplicateComment', message: 'You posted the same comment a moment ago' },
      };
    case ErrorCode.ParagraphNotFound:
      return {
        status: 400,
        title: /*i18n*/ { id: 'problem.ParagraphNotFound', message: 'The article has no such passage' },
      };
    case ErrorCode.QuoteNotInParagraph:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.QuoteNotInParagraph',
          message: 'The quoted words are not in that passage of the article',
        },
      };
    case ErrorCode.TopLevelOnly:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.TopLevelOnly',
          message: 'Only a top-level comment may quote a passage or declare a stance',
        },
      };
    case ErrorCode.InvalidSince:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.InvalidSince',
          message: '`since` must be an event number (a whole number, 0 or more) or an ISO 8601 time',
        },
      };
    case ErrorCode.SinceAhead:
      return {
        status: 400,
        title: /*i18n*/ {
          id: 'problem.SinceAhead',
          message: '`since` is ahead of the article: a later event number than it has, or a time to come',
        },
      };
    case ErrorCode.ServiceUnavailable:
      return { status: 503, title: /*i18n*/ { id: 'problem.ServiceUnavailable', message: 'The service is not ready' } };
    case ErrorCode.Internal:
      return { status: 500, title: /*i18n*/ { id: 'problem.Internal', message: 'Something went wrong on our side' } };
  }
}
