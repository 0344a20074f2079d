export * from './auth-user.js';
export * from './accounts.service.js';
export * from './accounts.module.js';
export * from './token.service.js';
export * from './dto/account.dto.js';
export type { AccountState } from './users.repository.js';
export * from './identity/sso.service.js';
export * from './identity/oidc.service.js';
export * from './api-keys/api-keys.service.js';
