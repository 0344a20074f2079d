// Prisma's schema engine compiled to WebAssembly, driving PostgreSQL through
// @prisma/adapter-pg: migrations without the native engine, which the Prisma
// CLI cannot download on machines with no route to Prisma's binary host.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type * as Wasm from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { createPool } from '../database-pool.js';

export type {
  DiffTarget,
  MigrationDirectory,
  MigrationList,
  SchemaContainer,
} from '@prisma/schema-engine-wasm/schema_engine_bg';

type EngineModule = typeof Wasm;

const GLUE_MODULE = '@prisma/schema-engine-wasm/schema_engine_bg';
const NO_FILTERS: Wasm.SchemaFilter = { externalTables: [], externalEnums: [] };
// Prisma's own prefix, so a leftover is recognisable.
const SHADOW_PREFIX = 'prisma_migrate_shadow_db_';

let engineModule: Promise<EngineModule> | undefined;

// The WebAssembly typings live in the DOM lib, which this Node project leaves out.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

// The package's own entry imports the .wasm file as a module, which only
// bundlers understand, so the glue is wired to the instance by hand (once).
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= instantiateEngine().catch((error: unknown) => {
    engineModule = undefined;
    throw error;
  });
  return engineModule;
}

async function instantiateEngine(): Promise<EngineModule> {
  const glue = (await import(GLUE_MODULE)) as EngineModule;
  const wasmPath = join(dirname(createRequire(import.meta.url).resolve(GLUE_MODULE)), 'schema_engine_bg.wasm');
  const imports: Record<string, unknown> = { ...glue };
  for (const [name, value] of Object.entries(glue as Record<string, unknown>)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof value !== 'function') continue;
    const armTimer = value as (callback: () => void, ms: number) => ReturnType<typeof setTimeout>;
    // The engine arms 10 s timers it never clears; unreferenced, they no
    // longer keep a finished CLI command or Jest run alive.
    imports[name] = (callback: () => void, ms: number) => armTimer(callback, ms).unref();
  }
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': imports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export async function createDatabase(serverUrl: string, database: string): Promise<void> {
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`));
}

// FORCE ends connections a failed run may have left behind (PostgreSQL 13+).
export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`),
  );
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function reportCharAsText(result: unknown): unknown {
  for (const part of Array.isArray(result) ? result : [result]) {
    const fields = (part as { fields?: pg.FieldDef[] } | undefined)?.fields ?? [];
    for (const field of fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    dropNotNullConstraints(part as { fields?: pg.FieldDef[]; rows?: unknown[]; rowCount?: number | null });
  }
  return result;
}

// PostgreSQL 18 lists NOT NULL constraints in pg_constraint (contype 'n');
// this engine build panics on that type ("Getting constraint_type ... as char
// failed"). Nullability is read from the columns, so those rows carry nothing
// the engine needs.
function dropNotNullConstraints(
  part: { fields?: pg.FieldDef[]; rows?: unknown[]; rowCount?: number | null } | undefined,
): void {
  const index = part?.fields?.findIndex((field) => field.name === 'constraint_type') ?? -1;
  if (!part?.rows || index < 0) return;
  const isNotNull = (row: unknown) =>
    (Array.isArray(row) ? row[index] : (row as Record<string, unknown>).constraint_type) === 'n';
  part.rows = part.rows.filter((row) => !isNotNull(row));
  part.rowCount = part.rows.length;
}

// adapter-pg rejects PostgreSQL's one-byte "char" type ("Column type 'char'
// could not be deserialized from the database"), which pg_catalog uses for
// relkind, contype and the like, so the engine could not describe a database.
// The values already arrive as one-character strings; relabel them as text.
class CatalogFriendlyClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the override has to satisfy every overload of pg's query()
  override query(...args: unknown[]): any {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      const done = callback as (error: unknown, result: unknown) => void;
      args[args.length - 1] = (error: unknown, result: unknown) =>
        done(error, error ? result : reportCharAsText(result));
      // eslint-disable-next-line @typescript-eslint/unbound-method -- Reflect.apply supplies `this`
      return Reflect.apply(pg.Client.prototype.query, this, args);
    }
    // eslint-disable-next-line @typescript-eslint/unbound-method -- Reflect.apply supplies `this`
    const pending: unknown = Reflect.apply(pg.Client.prototype.query, this, args);
    return pending instanceof Promise ? pending.then(reportCharAsText) : pending;
  }
}

async function connectAdapter(url: string): Promise<SqlDriverAdapter> {
  // One connection, as the native engine uses: its advisory lock, which keeps
  // concurrent deploys apart, is held by the session that took it.
  // Its connection can be ended from outside while idle (the shadow database
  // is dropped WITH (FORCE) with the session still open: FATAL 57P01); the
  // next query then fails, but the error event must not end the process.
  const pool = createPool({ connectionString: url, Client: CatalogFriendlyClient, max: 1 }, () => undefined);
  const adapter = await new PrismaPg(pool).connect();
  // adapter-pg splits scripts on every ';' (breaking $$ bodies and string
  // literals) and runs the pieces one by one. Without parameters pg uses the
  // simple protocol, which takes the whole script and runs it as one
  // implicit transaction, as Prisma's native engine does.
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  const release = adapter.dispose.bind(adapter);
  let disposed = false;
  adapter.dispose = async () => {
    if (disposed) return;
    disposed = true;
    await release();
    await pool.end();
  };
  return adapter;
}

export interface SchemaEngineOptions {
  databaseUrl: string;
  // The Prisma schema files, when the operation needs a datamodel.
  schemaFiles?: Wasm.SchemaContainer[];
  log?: (msg: string) => void;
}

export class SchemaEngineSession {
  constructor(private readonly engine: Wasm.SchemaEngine) {}

  // The SQL script from one schema to another; '' when they already agree.
  async diff(from: Wasm.DiffTarget, to: Wasm.DiffTarget): Promise<string> {
    const result = await this.engine.diff({ from, to, script: true, exitCode: true, filters: NO_FILTERS });
    // With exitCode requested the engine answers 2 for a non-empty diff and 0
    // with a "-- This is an empty migration." comment otherwise.
    return result.exitCode === 0 ? '' : (result.stdout ?? '');
  }

  async applyMigrations(migrationsList: Wasm.MigrationList): Promise<string[]> {
    const { appliedMigrationNames } = await this.engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return appliedMigrationNames;
  }
}

// Runs `work` with an engine connected to `databaseUrl`. Shadow databases the
// engine asks for are created on the same server and dropped afterwards,
// whether or not `work` succeeds.
export async function withSchemaEngine<T>(
  options: SchemaEngineOptions,
  work: (engine: SchemaEngineSession) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const log = options.log ?? (() => undefined);
  const adapters: SqlDriverAdapter[] = [];
  const shadowDatabases: string[] = [];
  const connect = async (url: string) => {
    const adapter = await connectAdapter(url);
    adapters.push(adapter);
    return adapter;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connect(options.databaseUrl),
    // Not adapter-pg's own connectToShadowDb: given a connection string it
    // creates the shadow database but connects to the main one (pg lets the
    // string's database win over the `database` option), so migrations would
    // be replayed on the real database.
    connectToShadowDb: async () => {
      const name = `${SHADOW_PREFIX}${randomUUID().replaceAll('-', '')}`;
      try {
        await createDatabase(options.databaseUrl, name);
      } catch (error) {
        throw new Error(`Could not create the shadow database ${name}: ${errorMessage(error)}`, { cause: error });
      }
      shadowDatabases.push(name);
      log(`Created shadow database ${name}`);
      return connect(databaseUrlFor(options.databaseUrl, name));
    },
  };

  let engine: Wasm.SchemaEngine | undefined;
  let succeeded = false;
  try {
    engine = await SchemaEngine.new(
      { datamodels: options.schemaFiles?.map((file): [string, string] => [file.path, file.content]) },
      (line: string) => forwardEngineLog(line, log),
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    const result = await work(new SchemaEngineSession(engine));
    succeeded = true;
    return result;
  } finally {
    engine?.free();
    await Promise.allSettled(adapters.map((adapter) => adapter.dispose()));
    for (const name of shadowDatabases) {
      try {
        await dropDatabase(options.databaseUrl, name);
        log(`Dropped shadow database ${name}`);
      } catch (error) {
        // Never hide the operation's own error behind a cleanup failure.
        if (succeeded) throw error;
        log(`Could not drop shadow database ${name}: ${errorMessage(error)}`);
      }
    }
  }
}

// The engine logs JSON lines; informational ones are noise for our callers.
function forwardEngineLog(line: string, log: (msg: string) => void): void {
  try {
    const entry = JSON.parse(line) as { level?: string; fields?: { message?: string } };
    if (entry.level === 'WARN' || entry.level === 'ERROR')
      log(`schema engine: ${entry.fields?.message ?? line.trim()}`);
  } catch {
    log(`schema engine: ${line.trim()}`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
