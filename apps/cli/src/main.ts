import 'reflect-metadata';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsModule, AccountsService, PasswordHasher, registerSchema } from '@rejoinder/accounts';
import {
  APP_CONFIG,
  ConfigError,
  describeError,
  DomainError,
  DomainEventBus,
  loadConfig,
  parseInput,
  requireSupportedNode,
} from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { DbModule, openDatabase, Role } from '@rejoinder/db';
import { ForumModule, SeedService, TransferError, TransferService } from '@rejoinder/forum';
import type { ImportFormat } from '@rejoinder/forum';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  checkMigrationsCommand,
  migrateBefore,
  migrateCommand,
  newMigrationCommand,
} from './commands/migration.commands.js';
import {
  exportCommand,
  progressBar,
  readExportFile,
  readSourceFile,
  report,
  writeReport,
} from './commands/transfer.commands.js';

const USAGE = `Usage: rejoinder <command>

  migrate                          apply pending migrations
  migration:new <name>             write a migration from schema.prisma's changes
  migration:check                  fail when schema.prisma and the migrations disagree
  seed                             load the seed articles (idempotent)
  admin:create --username U --email E --password P
                                   create an admin account
  admin:create --promote LOGIN --role admin|moderator|commenter
                                   change the role of an existing account
  export --article SLUG [--out FILE|-]
                                   write an article, its comments and their
                                   authors' names as versioned JSON
  import FILE                      read an export into this database (all or nothing)
  import:disqus FILE.xml [--create-articles] [--strict] [--report OUT.json]
                                   import a Disqus XML export
  import:wordpress FILE.xml [same options]
                                   import a WordPress export (WXR)
  import:remark42 FILE[.gz] [same options]
                                   import a Remark42 backup
                                   Threads of one page go to one article (by
                                   canonical URL, identifier or slug); posts
                                   imported before are left alone, so a later
                                   export adds what is new; what cannot be
                                   placed is skipped and listed (--strict:
                                   refuse the file instead, all or nothing)
  account:claim --account HANDLE (--email E --password P | --into LOGIN)
                                   hand an imported account to its owner

Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR when it is not set
(the one the API runs, while it runs).`;

// What the libraries' services need from the application, visible to every
// module (as the API's CoreModule is): a provider of the root module alone is
// not seen by the modules it imports.
@Module({})
class CliCoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliCoreModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }, DomainEventBus],
      exports: [APP_CONFIG, DomainEventBus],
    };
  }
}

async function withServices<T>(
  config: AppConfig,
  databaseUrl: string,
  work: (get: <S>(type: new (...args: never[]) => S) => S) => Promise<T>,
): Promise<T> {
  @Module({
    imports: [
      CliCoreModule.forRoot(config),
      DbModule.forRoot({ url: databaseUrl, poolSize: 2 }),
      // Tokens are not issued here; the secret only has to exist.
      AccountsModule.forRoot({
        secret: config.JWT_SECRET ?? 'cli-does-not-issue-tokens-'.padEnd(32, 'x'),
        ttlSeconds: 60,
      }),
      ForumModule,
    ],
  })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    return await work((type) => app.get(type));
  } finally {
    await app.close();
  }
}

async function run(argv: string[]): Promise<number> {
  requireSupportedNode();
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 64;
  }
  const config = loadConfig();
  // The embedded server's own log stays out of the commands' output.
  const database = await openDatabase(config, (message) => {
    if (message.startsWith('DATABASE_URL') || message.startsWith('Using the embedded')) console.error(message);
  });
  try {
    switch (command) {
      case 'migrate':
        await migrateCommand(database.url);
        return 0;
      case 'migration:new': {
        const name = rest[0];
        if (!name) {
          console.error('migration:new needs a name, e.g. npm run db:migration:new -- add_votes');
          return 64;
        }
        await newMigrationCommand(database.url, name);
        return 0;
      }
      case 'migration:check':
        return (await checkMigrationsCommand(database.url)) ? 0 : 1;
      case 'seed':
        await migrateBefore(database.url);
        // Awaited here, so the database outlives the work (finally below).
        return await withServices(config, database.url, async (get) => {
          const slugs = await get(SeedService).seed();
          console.log(`Seeded: ${slugs.join(', ')}`);
          return 0;
        });
      case 'admin:create': {
        const request = adminRequest(rest);
        if (typeof request === 'number') return request;
        await migrateBefore(database.url);
        return await adminCreate(config, database.url, request);
      }
      case 'export':
        return await withServices(config, database.url, (get) => exportCommand(rest, get));
      case 'import': {
        const doc = readExportFile(rest);
        await migrateBefore(database.url);
        return await withServices(config, database.url, async (get) => {
          const progress = progressBar();
          const summary = await get(TransferService)
            .importExport(doc, progress)
            .finally(() => progress.stop());
          report(summary);
          return 0;
        });
      }
      case 'import:disqus':
      case 'import:wordpress':
      case 'import:remark42': {
        const input = await readSourceFile(command.slice('import:'.length) as ImportFormat, rest);
        await migrateBefore(database.url);
        return await withServices(config, database.url, async (get) => {
          const progress = progressBar();
          const summary = await get(TransferService)
            .importSource(input.source, { createArticles: input.createArticles, strict: input.strict }, progress)
            .finally(() => progress.stop());
          report(summary);
          if (input.report) writeReport(input.report, input.file, summary);
          return 0;
        });
      }
      case 'account:claim':
        await migrateBefore(database.url);
        return await withServices(config, database.url, (get) => claimCommand(rest, get));
      default:
        console.error(`Unknown command "${command}"\n\n${USAGE}`);
        return 64;
    }
  } finally {
    await database.stop();
  }
}

interface AdminRequest {
  values: { username?: string; email?: string; password?: string; promote?: string };
  role: Role;
}

// The arguments of admin:create, checked before the database is touched:
// the request, or the exit status of a usage error.
function adminRequest(args: string[]): AdminRequest | number {
  const { values } = parseArgs({
    args,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      promote: { type: 'string' },
      role: { type: 'string' },
    },
    strict: true,
  });
  const roles = Object.values(Role).join(', ');
  // A new account made here is an admin unless told otherwise (it is how the
  // first admin comes to be); changing an existing account's role names the
  // role, so the most powerful one is never given by leaving a flag out.
  if (values.promote && values.role === undefined) {
    console.error(
      `--promote needs --role, one of ${roles}: npm run admin:create -- --promote ${values.promote} --role moderator`,
    );
    return 64;
  }
  const role = (values.role ?? Role.admin) as Role;
  if (!Object.values(Role).includes(role)) {
    console.error(`--role must be one of ${roles}`);
    return 64;
  }
  return { values, role };
}

async function adminCreate(config: AppConfig, databaseUrl: string, { values, role }: AdminRequest): Promise<number> {
  return withServices(config, databaseUrl, async (get) => {
    const accounts = get(AccountsService);
    if (values.promote) {
      const account = await accounts.setRole(values.promote, role);
      console.log(`${account.username} is now ${account.role}`);
      return 0;
    }
    const input = parseInput(registerSchema, {
      username: values.username,
      email: values.email,
      password: values.password ?? process.env.ADMIN_PASSWORD,
    });
    const session = await accounts.register(input, role);
    console.log(`Created ${session.user.role} ${session.user.username} (${session.user.id})`);
    return 0;
  });
}

// An imported account handed to its owner: given an address and a password,
// or merged into the account the owner already has here.
async function claimCommand(args: string[], get: <S>(type: new (...args: never[]) => S) => S): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      account: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      into: { type: 'string' },
    },
    strict: true,
  });
  const usage = 'account:claim --account HANDLE (--email E --password P | --into LOGIN)';
  if (!values.account || (values.into === undefined) === (values.email === undefined)) {
    console.error(`account:claim needs an account and either --email/--password or --into: ${usage}`);
    return 64;
  }
  const transfer = get(TransferService);
  if (values.into !== undefined) {
    const merged = await transfer.mergeAccount(values.account, values.into);
    console.log(`Moved ${merged.comments} comment(s) from ${merged.from} to ${merged.into}`);
    return 0;
  }
  const { email, password } = parseInput(
    z.strictObject({ email: registerSchema.shape.email, password: registerSchema.shape.password }),
    { email: values.email, password: values.password ?? process.env.ADMIN_PASSWORD },
  );
  const claimed = await transfer.claimAccount(values.account, email, await get(PasswordHasher).hash(password));
  console.log(`${claimed.username} is now ${email}'s account`);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
    if (code === 'EADDRINUSE') {
      console.error(
        `Port ${String(port)} is in use (EMBEDDED_PG_PORT): stop what listens there, set EMBEDDED_PG_PORT to another port, or DATABASE_URL`,
      );
      process.exit(69); // EX_UNAVAILABLE
    }
    if (error instanceof TransferError) {
      console.error(error.message);
      process.exit(65); // EX_DATAERR
    }
    if (error instanceof DomainError) {
      // The same words an API client gets: the title, then the detail.
      const { title } = describeError(error.code);
      console.error(
        error.message === String(error.code)
          ? `${title} (${error.code})`
          : `${title}: ${error.message} (${error.code})`,
      );
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
