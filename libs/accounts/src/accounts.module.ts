import { DynamicModule, Module } from '@nestjs/common';
import { AccountsService } from './accounts.service.js';
import { ApiKeysRepository } from './api-keys/api-keys.repository.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { PasswordHasher } from './password-hasher.js';
import { TOKEN_OPTIONS, TokenOptions, TokenService } from './token.service.js';
import { UsersRepository } from './users.repository.js';
import { ExternalAccountsService } from './identity/external-accounts.service.js';
import { OidcLoginsRepository } from './identity/oidc-logins.repository.js';
import { OidcService } from './identity/oidc.service.js';
import { SsoTokenVerifier } from './identity/sso-token.verifier.js';
import { SsoService } from './identity/sso.service.js';

@Module({})
export class AccountsModule {
  static forRoot(tokens: TokenOptions): DynamicModule {
    return {
      module: AccountsModule,
      global: true,
      providers: [
        { provide: TOKEN_OPTIONS, useValue: tokens },
        TokenService,
        PasswordHasher,
        UsersRepository,
        AccountsService,
        SsoTokenVerifier,
        ExternalAccountsService,
        SsoService,
        OidcLoginsRepository,
        OidcService,
        ApiKeysRepository,
        ApiKeysService,
      ],
      exports: [AccountsService, TokenService, SsoService, OidcService, PasswordHasher, ApiKeysService],
    };
  }
}
