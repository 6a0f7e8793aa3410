import type { Store } from '../core/ports/store.port';
import { openPostgresStore } from './postgres/postgres-store';
import { SqliteStore } from './sqlite/sqlite-store';

export interface OpenStoreOptions {
  /** SE_DATABASE_URL: a `postgres://` URL selects PostgreSQL; unset keeps the embedded SQLite file. */
  databaseUrl?: string | undefined;
  /** SE_DATABASE_PATH: the SQLite file (or `:memory:`), used when there is no databaseUrl. */
  sqlitePath: string;
  encryptionKey?: Buffer;
  /** PostgreSQL connections this process may hold (default 10). */
  poolSize?: number;
}

/** The composition root's one way to open the store: PostgreSQL when a URL is given, SQLite otherwise. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const key = options.encryptionKey ? { encryptionKey: options.encryptionKey } : {};
  if (options.databaseUrl)
    return openPostgresStore({ url: options.databaseUrl, ...key, ...(options.poolSize ? { poolSize: options.poolSize } : {}) });
  return new SqliteStore({ path: options.sqlitePath, ...key });
}
