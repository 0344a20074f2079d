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

// One place maps a code to its HTTP status; the switch is exhaustive so a new
// code cannot ship without a status.
export function describeError(code: ErrorCode): ErrorDescription {
  switch (code) {
    case ErrorCode.ValidationFailed:
      return { status: 400, title: 'The request is not valid' };
    case ErrorCode.UnknownFields:
      return { status: 400, title: 'The request has fields that are not accepted' };
    case ErrorCode.MalformedJson:
      return { status: 400, title: 'The request body is not valid JSON' };
    case ErrorCode.UnsupportedMediaType:
      return { status: 415, title: 'The request body must be application/json' };
    case ErrorCode.PayloadTooLarge:
      return { status: 413, title: 'The request body is too large' };
    case ErrorCode.InvalidCursor:
      return { status: 400, title: 'The cursor is not valid for this list' };
    case ErrorCode.RouteNotFound:
      return { status: 404, title: 'No such route' };
    case ErrorCode.MethodNotAllowed:
      return { status: 405, title: 'Method not allowed' };
    case ErrorCode.Unauthenticated:
      return { status: 401, title: 'Sign in to do this' };
    case ErrorCode.InvalidToken:
      return { status: 401, title: 'The access token is not valid' };
    case ErrorCode.TokenExpired:
      return { status: 401, title: 'The access token has expired' };
    case ErrorCode.InvalidCredentials:
      return { status: 401, title: 'Wrong username or password' };
    case ErrorCode.Forbidden:
      return { status: 403, title: 'You may not do this' };
    case ErrorCode.UsernameTaken:
      return { status: 409, title: 'That username is taken' };
    case ErrorCode.EmailTaken:
      return { status: 409, title: 'That email address is already registered' };
    case ErrorCode.UserNotFound:
      return { status: 404, title: 'No such user' };
    case ErrorCode.SignupDisabled:
      return { status: 403, title: "Accounts are made through the publisher's login, not here" };
    case ErrorCode.SsoNotConfigured:
      return { status: 404, title: "Sign-in with the publisher's login is not set up" };
    case ErrorCode.SsoTokenMalformed:
      return { status: 401, title: 'The sign-in token is not a signed JWT' };
    case ErrorCode.SsoTokenAlgorithm:
      return { status: 401, title: 'The sign-in token is signed with an algorithm that is not accepted' };
    case ErrorCode.SsoTokenSignature:
      return { status: 401, title: 'The sign-in token signature does not verify' };
    case ErrorCode.SsoTokenIssuer:
      return { status: 401, title: 'The sign-in token comes from another issuer' };
    case ErrorCode.SsoTokenAudience:
      return { status: 401, title: 'The sign-in token is meant for another audience' };
    case ErrorCode.SsoTokenExpired:
      return { status: 401, title: 'The sign-in token has expired' };
    case ErrorCode.SsoTokenAge:
      return { status: 401, title: 'The sign-in token was issued too long ago, or in the future' };
    case ErrorCode.SsoTokenClaims:
      return { status: 401, title: 'The sign-in token lacks a required claim' };
    case ErrorCode.SsoKeyUnknown:
      return { status: 401, title: "The sign-in token's key id is not among the publisher's keys" };
    case ErrorCode.SsoKeysUnavailable:
      return { status: 503, title: "The publisher's signing keys cannot be fetched" };
    case ErrorCode.SignInWrongAccount:
      return { status: 403, title: 'That sign-in is for another account' };
    case ErrorCode.OidcNotConfigured:
      return { status: 404, title: 'Sign-in with OIDC is not set up' };
    case ErrorCode.OidcStateInvalid:
      return { status: 400, title: 'The sign-in state is unknown, used or expired; start again' };
    case ErrorCode.OidcCodeRejected:
      return { status: 400, title: 'The identity provider refused the authorization code' };
    case ErrorCode.OidcIdTokenInvalid:
      return { status: 401, title: "The identity provider's ID token is not valid" };
    case ErrorCode.OidcProviderUnavailable:
      return { status: 503, title: 'The identity provider cannot be reached' };
    case ErrorCode.ErasureNotConfirmed:
      return { status: 400, title: 'Confirm the erasure' };
    case ErrorCode.EmailNotVerified:
      return { status: 403, title: 'Confirm your email address first (see the link we sent, or ask for another)' };
    case ErrorCode.EmailAlreadyVerified:
      return { status: 409, title: 'Your email address is already confirmed' };
    case ErrorCode.NoEmailAddress:
      return { status: 400, title: 'The account has no email address' };
    case ErrorCode.LinkInvalid:
      return { status: 400, title: 'The link is not valid' };
    case ErrorCode.LinkUsed:
      return { status: 400, title: 'The link has been used already' };
    case ErrorCode.LinkExpired:
      return { status: 400, title: 'The link has expired; ask for a new one' };
    case ErrorCode.ExternalAccount:
      return {
        status: 400,
        title: "The account signs in with the publisher's login: its password and address are managed there",
      };
    case ErrorCode.UnsubscribeTokenInvalid:
      return { status: 400, title: 'The unsubscribe link is not valid' };
    case ErrorCode.ApiKeyNotFound:
      return { status: 404, title: 'No such service key' };
    case ErrorCode.ApiKeyScopeMissing:
      return { status: 403, title: 'The service key lacks the scope this route needs' };
    case ErrorCode.ApiKeyNotAllowed:
      return { status: 403, title: 'A service key cannot do this: it is for people signed in' };
    case ErrorCode.ArticleUrlTaken:
      return { status: 409, title: 'Another article already has this canonical URL' };
    case ErrorCode.ArticleUrlInvalid:
      return { status: 400, title: 'The article URL is not an http(s) URL of an allowed site' };
    case ErrorCode.WebhookNotFound:
      return { status: 404, title: 'No such webhook' };
    case ErrorCode.WebhookUrlRefused:
      return {
        status: 400,
        title:
          'The webhook URL must be https and reach a public address (not loopback, private, link-local or metadata)',
      };
    case ErrorCode.ArticleNotFound:
      return { status: 404, title: 'No such article' };
    case ErrorCode.ArticleClosed:
      return { status: 403, title: 'The article is closed for comments' };
    case ErrorCode.CommentNotFound:
      return { status: 404, title: 'No such comment' };
    case ErrorCode.CommentBodyEmpty:
      return { status: 400, title: 'The comment is empty' };
    case ErrorCode.CommentBodyTooLong:
      return { status: 400, title: 'The comment is too long' };
    case ErrorCode.ParentNotFound:
      return { status: 400, title: 'The comment being replied to does not exist' };
    case ErrorCode.ParentInOtherArticle:
      return { status: 400, title: 'The comment being replied to belongs to another article' };
    case ErrorCode.ParentNotReplyable:
      return { status: 400, title: 'The comment being replied to cannot take replies' };
    case ErrorCode.ThreadTooDeep:
      return { status: 400, title: 'The thread is too deep for another reply' };
    case ErrorCode.CommentIdConflict:
      return { status: 409, title: 'A different comment already has this id' };
    case ErrorCode.StaleVersion:
      return { status: 409, title: 'Someone acted on this first; reload it' };
    case ErrorCode.InvalidTransition:
      return { status: 409, title: 'That action does not apply to the comment in its current state' };
    case ErrorCode.AlreadyReported:
      return { status: 409, title: 'You have already reported this comment' };
    case ErrorCode.CannotReportOwnComment:
      return { status: 400, title: 'You cannot report your own comment' };
    case ErrorCode.UserBanned:
      return { status: 403, title: 'Your account is banned from taking part' };
    case ErrorCode.UserSuspended:
      return { status: 403, title: 'Your account is suspended for now' };
    case ErrorCode.BannedWord:
      return { status: 400, title: 'The comment contains a word that is not allowed' };
    case ErrorCode.SlowMode:
      return { status: 429, title: 'Slow mode: wait before commenting again' };
    case ErrorCode.WordRuleExists:
      return { status: 409, title: 'That word is already listed' };
    case ErrorCode.WordRuleNotFound:
      return { status: 404, title: 'No such word rule' };
    case ErrorCode.CannotSanctionStaff:
      return { status: 403, title: 'Moderators and admins cannot be sanctioned here' };
    case ErrorCode.EmailDomainRefused:
      return { status: 403, title: 'Accounts with an address at this domain are not accepted here' };
    case ErrorCode.EmailDomainRuleExists:
      return { status: 409, title: 'That domain is already listed' };
    case ErrorCode.EmailDomainRuleNotFound:
      return { status: 404, title: 'No such email domain rule' };
    case ErrorCode.UnknownEvent:
      return { status: 400, title: 'No such event' };
    case ErrorCode.RateLimited:
      return { status: 429, title: 'Too many requests; slow down' };
    case ErrorCode.PostingBusy:
      return { status: 429, title: 'Too many comments are being posted right now; send it again in a moment' };
    case ErrorCode.OriginNotAllowed:
      return { status: 403, title: 'This origin may not connect' };
    case ErrorCode.ReplayInProgress:
      return { status: 429, title: 'The last catch-up has not been read yet; subscribe with after once it has' };
    case ErrorCode.TooManyConnections:
      return { status: 429, title: 'Too many open connections from this address' };
    case ErrorCode.OneSocketPerConnection:
      return { status: 400, title: 'A connection holds one socket; open another connection for another' };
    case ErrorCode.CannotVoteOwnComment:
      return { status: 403, title: 'You cannot vote on your own comment' };
    case ErrorCode.EditWindowClosed:
      return { status: 403, title: 'The time to edit this comment is over' };
    case ErrorCode.NotYourComment:
      return { status: 403, title: 'Only the author may do this' };
    case ErrorCode.DuplicateComment:
      return { status: 429, title: 'You posted the same comment a moment ago' };
    case ErrorCode.ParagraphNotFound:
      return { status: 400, title: 'The article has no such passage' };
    case ErrorCode.QuoteNotInParagraph:
      return { status: 400, title: 'The quoted words are not in that passage of the article' };
    case ErrorCode.TopLevelOnly:
      return { status: 400, title: 'Only a top-level comment may quote a passage or declare a stance' };
    case ErrorCode.InvalidSince:
      return { status: 400, title: '`since` must be an event number (a whole number, 0 or more) or an ISO 8601 time' };
    case ErrorCode.SinceAhead:
      return {
        status: 400,
        title: '`since` is ahead of the article: a later event number than it has, or a time to come',
      };
    case ErrorCode.ServiceUnavailable:
      return { status: 503, title: 'The service is not ready' };
    case ErrorCode.Internal:
      return { status: 500, title: 'Something went wrong on our side' };
  }
}
