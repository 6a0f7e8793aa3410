import type { Pool, PoolClient } from 'pg';
import { SuccessEngineError } from '../../core';
import type { Migration } from './migrations';

/**
 * One advisory lock key for every Success Engine database: workers starting together queue on it, and
 * the first applies the migrations while the others wait, then find nothing left to do.
 */
export const MIGRATION_LOCK_KEY = 0x5e_5707e; // "SE STORE"

/**
 * Applies the migrations the database has not seen, in order, each in its own transaction, under a
 * session advisory lock. Refuses a database written by a newer version. Returns the versions applied.
 */
export async function migratePostgres(pool: Pool, all: readonly Migration[]): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyMissing(client, all);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // A client whose session may hold the lock, or whose connection failed, is not reused.
    client.release(broken);
  }
}

async function applyMissing(client: PoolClient, all: readonly Migration[]): Promise<number[]> {
  await client.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
  const known = new Set(all.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0)
    throw new SuccessEngineError(
      'STORE.MIGRATION_FAILED',
      `the database has migrations this version does not know (${unknown.sort((a, b) => a - b).join(', ')}); it was written by a newer Success Engine`,
    );
  const ran: number[] = [];
  for (const migration of [...all].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    try {
      await client.query('BEGIN');
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      await client.query('COMMIT');
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (isConnectionLoss(cause)) throw cause;
      throw new SuccessEngineError(
        'STORE.MIGRATION_FAILED',
        `migration ${migration.version} (${migration.name}) failed: ${(cause as Error).message}`,
        {},
        { cause },
      );
    }
    ran.push(migration.version);
  }
  return ran;
}

/** A migration that failed because the connection went is not a broken migration: let the caller say "unavailable". */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E'))) ||
    /Connection terminated/i.test((error as Error | null)?.message ?? '')
  );
}
