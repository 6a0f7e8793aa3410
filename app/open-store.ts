import type { Store } from '../core';
import { openPostgresStore, SqliteStore } from '../store';

/** Where the store lives: serialisable, so a worker thread can open its own connection to it. */
export interface StoreLocation {
  /** The embedded SQLite file (or `:memory:`), used when there is no `databaseUrl`. */
  databasePath: string;
  /** `postgres://…`: PostgreSQL instead of SQLite (SE_DATABASE_URL). */
  databaseUrl?: string | undefined;
  /** PostgreSQL connections in this process's pool. */
  poolSize?: number | undefined;
}

export interface OpenStoreOptions {
  encryptionKey?: Buffer | undefined;
  /** Reading only (backtests, reports): SQLite refuses to create or migrate. */
  readOnly?: boolean;
}

/** The only place that picks a store adapter; everything else receives the `Store` ports. */
export function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<Store> {
  if (location.databaseUrl) {
    return openPostgresStore({
      url: location.databaseUrl,
      ...(options.encryptionKey ? { encryptionKey: options.encryptionKey } : {}),
      ...(location.poolSize ? { poolSize: location.poolSize } : {}),
    });
  }
  return Promise.resolve(
    new SqliteStore({
      path: location.databasePath,
      ...(options.encryptionKey ? { encryptionKey: options.encryptionKey } : {}),
      ...(options.readOnly ? { readOnly: true } : {}),
    }),
  );
}

/** A store another thread or process can open too (an in-memory SQLite store lives in this thread only). */
export const isShareable = (location: StoreLocation): boolean => Boolean(location.databaseUrl) || location.databasePath !== ':memory:';

export const storeLocationOf = (config: {
  databasePath: string;
  databaseUrl?: string | undefined;
  databasePoolSize?: number;
}): StoreLocation => ({
  databasePath: config.databasePath,
  databaseUrl: config.databaseUrl,
  poolSize: config.databasePoolSize,
});
