import { parentPort, workerData } from 'node:worker_threads';
import type { Store, TenantId } from '../../core';
import { openStore, type StoreLocation } from '../open-store';
import { computeChurnDrift } from './drift-monitor';

/** Runs in a worker thread: its own read connection to the store, one report, then exit. */
const { location, tenantId, now } = workerData as { location: StoreLocation; tenantId: string; now: string };
void report();

async function report(): Promise<void> {
  let store: Store | undefined;
  try {
    store = await openStore(location);
    parentPort?.postMessage({ ok: true, report: await computeChurnDrift(store, tenantId as TenantId, new Date(now)) });
  } catch (error) {
    parentPort?.postMessage({
      ok: false,
      code: (error as { code?: string }).code ?? 'ENGINE.FAILED',
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    await store?.close();
  }
}
