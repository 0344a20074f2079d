// Rules from outside accounts (email-domain rules) that a new account must
// pass, local or from the publisher's login. Throw a DomainError to refuse.
export interface SignupPolicy {
  admit(email: string | null): Promise<void>;
}

export const SIGNUP_POLICY = Symbol('SIGNUP_POLICY');
