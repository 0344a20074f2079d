// The secret unsubscribe links are signed with (derived from the server's
// token secret, so it needs no setting of its own).
export const MAIL_LINK_SECRET = Symbol('MAIL_LINK_SECRET');
