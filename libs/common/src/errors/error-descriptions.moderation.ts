import { ErrorCode } from './error-codes.js';
import type { ErrorEntry } from './error-descriptions.js';

// Reports, sanctions, word and email-domain rules, slow mode.
export const moderationErrors = {
  [ErrorCode.StaleVersion]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.StaleVersion', message: 'Someone acted on this first; reload it' },
  },
  [ErrorCode.InvalidTransition]: {
    status: 409,
    title: /*i18n*/ {
      id: 'problem.InvalidTransition',
      message: 'That action does not apply to the comment in its current state',
    },
  },
  [ErrorCode.AlreadyReported]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.AlreadyReported', message: 'You have already reported this comment' },
  },
  [ErrorCode.CannotReportOwnComment]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.CannotReportOwnComment', message: 'You cannot report your own comment' },
  },
  [ErrorCode.UserBanned]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.UserBanned', message: 'Your account is banned from taking part' },
  },
  [ErrorCode.UserSuspended]: {
    status: 403,
    title: /*i18n*/ { id: 'problem.UserSuspended', message: 'Your account is suspended for now' },
  },
  [ErrorCode.BannedWord]: {
    status: 400,
    title: /*i18n*/ { id: 'problem.BannedWord', message: 'The comment contains a word that is not allowed' },
  },
  [ErrorCode.SlowMode]: {
    status: 429,
    title: /*i18n*/ { id: 'problem.SlowMode', message: 'Slow mode: wait before commenting again' },
  },
  [ErrorCode.WordRuleExists]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.WordRuleExists', message: 'That word is already listed' },
  },
  [ErrorCode.WordRuleNotFound]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.WordRuleNotFound', message: 'No such word rule' },
  },
  [ErrorCode.CannotSanctionStaff]: {
    status: 403,
    title: /*i18n*/ {
      id: 'problem.CannotSanctionStaff',
      message: 'Moderators and admins cannot be sanctioned here',
    },
  },
  [ErrorCode.EmailDomainRefused]: {
    status: 403,
    title: /*i18n*/ {
      id: 'problem.EmailDomainRefused',
      message: 'Accounts with an address at this domain are not accepted here',
    },
  },
  [ErrorCode.EmailDomainRuleExists]: {
    status: 409,
    title: /*i18n*/ { id: 'problem.EmailDomainRuleExists', message: 'That domain is already listed' },
  },
  [ErrorCode.EmailDomainRuleNotFound]: {
    status: 404,
    title: /*i18n*/ { id: 'problem.EmailDomainRuleNotFound', message: 'No such email domain rule' },
  },
} satisfies Partial<Record<ErrorCode, ErrorEntry>>;
