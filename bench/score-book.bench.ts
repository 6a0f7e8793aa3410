import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store, TenantId } from '../core';
import { SCORING_PAGE_ACCOUNTS } from '../app/pipeline/tenant-records';
import { openPostgresStore, SqliteStore } from '../store';
import { syntheticRecords } from '../test/helpers/synthetic-book';
import { startTestPostgres } from '../test/store/postgres-server';
import type { Benchmark } from './bench-kit';
import type { ScoreBookChildResult } from './score-book.child';

const TENANT = 'bench' as TenantId;
/** Accounts generated and upserted at a time while seeding. */
const SEED_BATCH = 10_000;

/**
 * Score a book of N synthetic accounts (≈ 3 records each: contracts, purchases, tickets, activity)
 * kept in SQLite or PostgreSQL, read and scored a page of accounts at a time, the ScoreSets and
 * recommendations kept as the score job keeps them. Scoring runs in a child process so its peak
 * RSS is the scorer's, not the seeder's; the baseline is the same child reading every page once
 * (the store's floor for one pass over the book).
 *
 * PostgreSQL: SE_TEST_DATABASE_URL (a server where that user may CREATE DATABASE), else a
 * throwaway cluster of Debian's PostgreSQL started here.
 */
export const scoreBookBench: Benchmark = async ({ flags, progress }) => {
  const accounts = Number(flags.accounts ?? 100_000);
  const kind = String(flags.store ?? 'sqlite');
  const pageSize = Number(flags.page ?? SCORING_PAGE_ACCOUNTS);
  // --heap N caps the scorer's V8 heap (MiB): finishing under the cap shows the memory is bounded, not just lazily collected.
  const heapMiB = flags.heap === undefined ? undefined : Number(flags.heap);
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`--store must be sqlite or postgres, got ${kind}`);
  const target = await openTarget(kind);
  try {
    const store = await target.open();
    const seedStart = process.hrtime.bigint();
    const seeded = await seed(store, accounts, progress);
    const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;
    await store.close();
    progress(`seeded ${seeded} records in ${seedSeconds.toFixed(1)} s; scoring in a child process`);
    const child = await runChild([kind, target.location, TENANT, String(pageSize)], heapMiB, progress);
    return {
      accounts,
      store: kind,
      pageSize,
      ...(heapMiB ? { heapCapMiB: heapMiB } : {}),
      records: seeded,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      ...child,
      accountsPerSecond: Math.round(child.scored / child.scoreSeconds),
      ratioToOneRead: Number((child.scoreSeconds / child.readSeconds).toFixed(2)),
    };
  } finally {
    await target.dispose();
  }
};

interface Target {
  location: string;
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

async function openTarget(kind: 'sqlite' | 'postgres'): Promise<Target> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'se-score-book-'));
    const file = path.join(dir, 'book.sqlite');
    return {
      location: file,
      open: () => Promise.resolve(new SqliteStore({ path: file })),
      dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const server = await startTestPostgres();
  const db = await server.createDatabase();
  return {
    location: db.url,
    open: () => openPostgresStore({ url: db.url }),
    dispose: async () => {
      await db.drop();
      await server.stop();
    },
  };
}

async function seed(store: Store, accounts: number, progress: (m: string) => void): Promise<number> {
  await store.upsertTenant({ id: TENANT, name: 'bench', locale: 'en', createdAt: new Date().toISOString() });
  let records = 0;
  for (let from = 0; from < accounts; from += SEED_BATCH) {
    const book = syntheticRecords(TENANT, from, Math.min(accounts, from + SEED_BATCH));
    await store.upsertRecords('account', book.accounts);
    await store.upsertRecords('subscription', book.subscriptions);
    await store.upsertRecords('transaction', book.transactions);
    await store.upsertRecords('ticket', book.tickets);
    await store.upsertRecords('activity', book.activities);
    records += book.accounts.length + book.subscriptions.length + book.transactions.length + book.tickets.length + book.activities.length;
    if ((from / SEED_BATCH) % 10 === 9) progress(`seeded ${from + SEED_BATCH} accounts`);
  }
  return records;
}

function runChild(args: readonly string[], heapMiB: number | undefined, progress: (m: string) => void): Promise<ScoreBookChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'score-book.child.js'), [...args], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: ['--expose-gc', ...(heapMiB ? [`--max-old-space-size=${heapMiB}`] : [])],
    });
    let result: ScoreBookChildResult | undefined;
    child.on('message', (m) => {
      const message = m as { progress?: string; result?: ScoreBookChildResult };
      if (message.progress) progress(message.progress);
      if (message.result) result = message.result;
    });
    child.once('error', reject);
    child.once('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`scoring process exited with ${code}`))));
  });
}
