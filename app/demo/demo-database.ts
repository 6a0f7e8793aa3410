import { existsSync, renameSync, rmSync } from 'node:fs';
import { SqliteStore } from '../../store';

const SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * The demo builds its store in a file of its own and swaps it in only once complete, so an
 * interrupted run (Ctrl-C) never leaves a half-synced database where `backtest` or `serve` look.
 */
export function buildingPath(databasePath: string): string {
  const building = `${databasePath}.building`;
  removeDatabaseFiles(building); // a run interrupted earlier
  return building;
}

/** Close the finished build, move it over the previous demo database, and open it there. */
export async function commitBuild(store: SqliteStore, building: string, databasePath: string, encryptionKey: Buffer): Promise<SqliteStore> {
  // Fold the write-ahead log into the main file so the one rename carries everything.
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
  removeDatabaseFiles(databasePath);
  for (const suffix of SIDE_FILES) rmSync(`${building}${suffix}`, { force: true });
  renameSync(building, databasePath);
  return new SqliteStore({ path: databasePath, encryptionKey });
}

export function discardBuild(building: string): void {
  removeDatabaseFiles(building);
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', ...SIDE_FILES]) if (existsSync(`${file}${suffix}`)) rmSync(`${file}${suffix}`, { force: true });
}
