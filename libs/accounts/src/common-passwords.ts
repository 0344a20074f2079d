import { dictionary } from '@zxcvbn-ts/language-common';

// NIST SP 800-63B asks that new passwords be checked against passwords known
// from breaches and lists of common choices. The list is the one zxcvbn-ts
// keeps (about 49,000 of the most common passwords from breach corpora).
const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

export function isCommonPassword(password: string): boolean {
  const key = password.trim().toLowerCase();
  return COMMON.has(key) || /^(.)\1*$/u.test(key);
}
