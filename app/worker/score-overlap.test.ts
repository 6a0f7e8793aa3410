import type { Store, TenantId } from '../../core';
import { SYNTHETIC_NOW, syntheticStore } from '../../test/helpers/synthetic-book';
import { InProcessJobQueue } from '../queue/in-process-queue';
import type { StepContext } from '../queue/job-queue';
import { createPipelineAdapters, type PipelineAdapters } from './pipeline-adapters';
import { createProcessors } from './processors';

const tenantId = 'tenant-1' as TenantId;
const RECORDED_AT = new Date('2026-06-01T00:05:00.000Z');
const LATER = new Date(Date.parse(SYNTHETIC_NOW) + 3_600_000).toISOString();

const seededStore = (): Promise<Store> => syntheticStore(tenantId, 80);

/**
 * Holds each alert write until both runs have read the alert history (or half a second has passed):
 * the window two workers on two hosts can meet in, made certain instead of rare.
 */
function alertRaceWindow(store: Store): Store {
  let reads = 0;
  let bothRead = (): void => undefined;
  const gate = new Promise<void>((resolve) => (bothRead = resolve));
  let window: Promise<void> | undefined;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listAlerts')
        return async (...args: Parameters<Store['listAlerts']>) => {
          const rows = await target.listAlerts(...args);
          if (++reads === 2) bothRead();
          return rows;
        };
      if (prop === 'recordAlert')
        return async (...args: Parameters<Store['recordAlert']>) => {
          window ??= Promise.race([gate, new Promise<void>((resolve) => setTimeout(resolve, 500))]);
          await window;
          return target.recordAlert(...args);
        };
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Two score runs of one tenant at once (a sync's and the nightly one, as of an hour apart); the alerts they record. */
async function overlappingRuns(lockless: boolean): Promise<number> {
  const seeded = await seededStore();
  const store = alertRaceWindow(seeded);
  const adapters: PipelineAdapters = createPipelineAdapters({ store, clock: { now: () => RECORDED_AT } });
  const processors = createProcessors(lockless ? { ...adapters, tenantLock: { hold: (_key, work) => work() } } : adapters);
  const score = processors['score.tenant'];
  if (!score) throw new Error('no score.tenant processor');
  const context = (jobId: string): StepContext => ({
    jobId,
    attempt: 1,
    enqueuedAt: SYNTHETIC_NOW,
    queue: new InProcessJobQueue(processors, () => Promise.resolve()),
    childValues: () => Promise.resolve([]),
  });
  await Promise.all([
    score({ tenantId, scope: 'all', reason: 'sync', runId: 'sync-run', asOf: SYNTHETIC_NOW }, context('a')),
    score({ tenantId, scope: 'all', reason: 'nightly', runId: 'nightly-run', asOf: LATER }, context('b')),
  ]);
  const alerts = (await seeded.listAlerts(tenantId)).length;
  await seeded.close();
  return alerts;
}

async function oneRun(): Promise<number> {
  const store = await seededStore();
  const processors = createProcessors(createPipelineAdapters({ store, clock: { now: () => RECORDED_AT } }));
  const queue = new InProcessJobQueue(processors, () => Promise.resolve());
  await processors['score.tenant']?.(
    { tenantId, scope: 'all', reason: 'sync', runId: 'sync-run', asOf: SYNTHETIC_NOW },
    {
      jobId: 'a',
      attempt: 1,
      enqueuedAt: SYNTHETIC_NOW,
      queue,
      childValues: () => Promise.resolve([]),
    },
  );
  const alerts = (await store.listAlerts(tenantId)).length;
  await store.close();
  return alerts;
}

describe('two score runs of one tenant at once', () => {
  it('raise the alerts of one run: the second waits for the first and finds its alerts in cooldown and budgets spent', async () => {
    const once = await oneRun();
    expect(once).toBeGreaterThan(0);
    expect(await overlappingRuns(false)).toBe(once);
    // Without the tenant lock both runs read the history before either recorded an alert: both spend it.
    expect(await overlappingRuns(true)).toBeGreaterThan(once);
  }, 60_000);
});
