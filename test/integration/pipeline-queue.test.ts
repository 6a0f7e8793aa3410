import pino from 'pino';
import { DEAD_LETTER_QUEUE } from '../../app/queue/bullmq-queue';
import { startWorkerRuntime, type WorkerRuntime } from '../../app/worker/worker-runtime';
import { alertEndpoints, readSettingsFile } from '../../app/schedules/tenant-settings';
import { SETTING_KEYS } from '../../app/settings/tenant-settings';
import { CHURN_TASK } from '../../engine/churn/churn-registry';
import { redisUrl, uniquePrefix } from '../helpers/redis';
import { CONNECTION, TENANT, peakInWindow, startHarness, type Harness } from './pipeline-harness';

/** sync → train → score → write-back → alert through BullMQ workers on real Redis, over the HubSpot sandbox. */
describe('the pipeline through the queues (BullMQ, HubSpot sandbox)', () => {
  let h: Harness;
  let runtime: WorkerRuntime;

  beforeAll(async () => {
    h = await startHarness({ accounts: 300, seed: 11 });
    await h.store.putTenantSetting(TENANT, SETTING_KEYS.crmTasks, { enabled: true }, 'test');
    runtime = startWorkerRuntime({
      redisUrl: redisUrl(),
      prefix: uniquePrefix('pipeline'),
      store: h.store,
      log: pino({ level: 'silent' }),
      concurrency: 2,
      alertEndpointFor: alertEndpoints(readSettingsFile(h.settingsPath)),
    });
    await runtime.producer.enqueue('sync.start', {
      tenantId: TENANT,
      connectionId: CONNECTION,
      mode: 'backfill',
      train: true,
      asOf: h.asOf,
      runId: 'backfill-1',
    });
    await runtime.producer.waitForIdle({ timeoutMs: 240_000 });
  }, 300_000);
  afterAll(async () => {
    await runtime.close();
    await h.close();
  });

  it('syncs every entity, trains on the tenant’s history, and scores every live account once', async () => {
    expect(await h.store.countRecords(TENANT, 'account')).toBe(300);
    expect(await h.store.countRecords(TENANT, 'contact')).toBeGreaterThan(300);
    expect(await h.store.activeModel(TENANT, CHURN_TASK)).not.toBeNull();
    const live = (await h.store.listRecords(TENANT, 'account')).filter((a) => a.status === 'active');
    const scores = await h.store.latestScores(TENANT);
    expect(scores.map((s) => s.accountId).sort()).toEqual(live.map((a) => a.id).sort());
    expect(new Set(scores.map((s) => s.computedAt))).toEqual(new Set([h.asOf]));
  });

  it('writes each score to its HubSpot company exactly once (read from the sandbox)', async () => {
    const scored = (await h.store.latestScores(TENANT)).map((s) => s.accountId.replace(/^hubspot:/, ''));
    expect([...h.writes.keys()].sort()).toEqual(scored.sort());
    expect([...h.writes.values()].every((n) => n === 1)).toBe(true);
  });

  /** Our tasks per company id in the sandbox (the ones carrying our idempotency key). */
  const ourTasks = (): Map<string, string[]> => {
    const byCompany = new Map<string, string[]>();
    for (const id of h.companyIds()) {
      const keys = h.sandbox.state.portal.associationsOf('companies', id, 'tasks').flatMap(([taskId]) => {
        const key = h.sandbox.state.portal.table('tasks').get(taskId)?.properties.se_action_key;
        return typeof key === 'string' && key !== '' ? [key] : [];
      });
      if (keys.length) byCompany.set(id, keys);
    }
    return byCompany;
  };

  it('creates one owner task for the top action of each high or critical account, as configured', async () => {
    const expected = (await h.store.latestScores(TENANT))
      .filter((s) => (s.churn.band === 'high' || s.churn.band === 'critical') && s.nextBestActions.length > 0)
      .map((s) => s.accountId.replace(/^hubspot:/, ''));
    expect(expected.length).toBeGreaterThan(0);
    const tasks = ourTasks();
    expect([...tasks.keys()].sort()).toEqual(expected.sort());
    expect([...tasks.values()].every((keys) => keys.length === 1)).toBe(true);
  });

  it('keeps what it recommended (and held out) so cooldowns, capacity and lift have a memory', async () => {
    const outcomes = await h.store.listActionOutcomes(TENANT);
    const recommended = (await h.store.latestScores(TENANT)).flatMap((s) => s.nextBestActions.map((a) => `${s.accountId}|${a.actionId}`));
    const treatment = outcomes.filter((o) => o.arm === 'treatment').map((o) => `${o.accountId}|${o.actionId}`);
    expect(treatment.sort()).toEqual(recommended.sort());
    expect(
      outcomes.every(
        (o) =>
          o.recommendedAt === h.asOf &&
          o.source === 'system' &&
          (o.arm === 'holdout' ? o.status === 'not-applicable' : o.status === 'open'),
      ),
    ).toBe(true);
  });

  it('delivers every recorded alert once, signed, to the receiver', async () => {
    const recorded = await h.store.listAlerts(TENANT);
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((d) => d.status === 'delivered')).toBe(true);
    expect([...h.alertPosts.keys()].sort()).toEqual(recorded.map((d) => d.idempotencyKey).sort());
    expect([...h.alertPosts.values()].every((n) => n === 1)).toBe(true);
  });

  it('stays inside HubSpot’s 10-second window and dead-letters nothing', async () => {
    expect(h.refused.count).toBe(0);
    expect(peakInWindow(h.accepted, 10_000)).toBeLessThanOrEqual(100);
    expect(await runtime.producer.queue(DEAD_LETTER_QUEUE).count()).toBe(0);
  });

  it('an incremental run after it finds nothing changed: no writes, no new alerts', async () => {
    const alertsBefore = (await h.store.listAlerts(TENANT)).length;
    await runtime.producer.enqueue('sync.start', {
      tenantId: TENANT,
      connectionId: CONNECTION,
      mode: 'incremental',
      asOf: h.asOf,
      runId: 'incremental-1',
    });
    await runtime.producer.waitForIdle({ timeoutMs: 120_000 });
    expect([...h.writes.values()].every((n) => n === 1)).toBe(true);
    expect(await h.store.listAlerts(TENANT)).toHaveLength(alertsBefore);
    expect([...ourTasks().values()].every((keys) => keys.length === 1)).toBe(true);
  }, 150_000);
});
