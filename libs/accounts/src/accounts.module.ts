import { DynamicModule, Module } from '@nestjs/common';
import { AccountsService } from './accounts.service.js';
import { PasswordHasher } from './password-hasher.js';
import { TOKEN_OPTIONS, TokenOptions, TokenService } from './token.service.js';
import { UsersRepository } from './users.repository.js';

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
      ],
      exports: [AccountsService, TokenService],
    };
  }
}
