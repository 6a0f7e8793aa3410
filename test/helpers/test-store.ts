import type { Store } from '../../core';
import { openPostgresStore, SqliteStore, type SqliteStore as SqliteStoreClass } from '../../store';
import type { PostgresStore } from '../../store';
import { startTestPostgres, type TestPostgres } from '../store/postgres-server';

/**
 * The store an integration test runs on: SQLite in memory by default, PostgreSQL when the jest
 * project `integration:postgres` sets SE_TEST_STORE=postgres (a fresh database on SE_TEST_DATABASE_URL,
 * else on a throwaway cluster). Tests name the port, so the same test proves both adapters.
 */
export type TestStoreKind = 'sqlite' | 'postgres';

export interface TestStore {
  store: Store;
  kind: TestStoreKind;
  /** Environment a child process (`success-engine serve`, `worker`) needs to open the same store. */
  env: Record<string, string>;
  /** Every table of ours, and every row of one: what erasure and at-rest tests look through. */
  tables(): Promise<string[]>;
  rows(table: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface TestStoreOptions {
  encryptionKey?: Buffer;
  now?: () => Date;
  /** SQLite only: a file instead of memory, for tests whose child processes open the same store. */
  sqlitePath?: string;
}

export function testStoreKind(): TestStoreKind {
  const kind = process.env.SE_TEST_STORE ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`SE_TEST_STORE must be sqlite or postgres, got ${kind}`);
  return kind;
}

export async function openTestStore(options: TestStoreOptions = {}): Promise<TestStore> {
  const { sqlitePath, ...storeOptions } = options;
  return testStoreKind() === 'postgres' ? openPostgresTestStore(storeOptions) : openSqliteTestStore(sqlitePath ?? ':memory:', storeOptions);
}

function openSqliteTestStore(path: string, options: Omit<TestStoreOptions, 'sqlitePath'>): TestStore {
  const store: SqliteStoreClass = new SqliteStore({ path, ...options });
  const db = store.db;
  return {
    store,
    kind: 'sqlite',
    env: { SE_DATABASE_PATH: path },
    tables: () =>
      Promise.resolve(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map(
          (r) => r.name,
        ),
      ),
    rows: (table) => Promise.resolve(db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]),
    close: () => store.close(),
  };
}

// One server per test file (a throwaway cluster takes seconds to initdb), a fresh database per store.
// Registered at import, so on the importing test file's root suite (harness children import no jest).
let server: Promise<TestPostgres> | undefined;
if (typeof afterAll === 'function')
  afterAll(async () => {
    await (await server)?.stop();
    server = undefined;
  });

async function openPostgresTestStore(options: Omit<TestStoreOptions, 'sqlitePath'>): Promise<TestStore> {
  server ??= startTestPostgres();
  const database = await (await server).createDatabase();
  const store: PostgresStore = await openPostgresStore({ url: database.url, poolSize: 4, ...options });
  return {
    store,
    kind: 'postgres',
    env: { SE_DATABASE_URL: database.url },
    tables: async () =>
      (
        await store.pool.query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
      ).rows.map((r) => r.name),
    rows: async (table) => (await store.pool.query(`SELECT * FROM "${table}"`)).rows as Record<string, unknown>[],
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
