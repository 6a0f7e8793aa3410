import { parentPort, workerData } from 'node:worker_threads';
import type { TenantId } from '../../core';
import { SqliteStore } from '../../store';
import { computeChurnDrift } from './drift-monitor';

/** Runs in a worker thread: its own read connection to the store, one report, then exit. */
const { databasePath, tenantId, now } = workerData as { databasePath: string; tenantId: string; now: string };
void report();

async function report(): Promise<void> {
const store = new SqliteStore({ path: databasePath });
try {
  parentPort?.postMessage({ ok: true, report: await computeChurnDrift(store, tenantId as TenantId, new Date(now)) });
} catch (error) {
  parentPort?.postMessage({
    ok: false,
    code: (error as { code?: string }).code ?? 'ENGINE.FAILED',
    message: error instanceof Error ? error.message : String(error),
  });
} finally {
  await store.close();
}
}
