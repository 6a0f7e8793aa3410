import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BullmqJobQueue, DEAD_LETTER_QUEUE } from '../../app/queue/bullmq-queue';
import { queueNames } from '../../app/queue/queue-map';
import { freePort, redisUrl, startOwnRedis, uniquePrefix } from '../helpers/redis';
import { startTestPostgres, type TestPostgres } from '../store/postgres-server';
import { CONNECTION, TENANT, exited, peakInWindow, spawnWorker, startHarness, type Harness } from './pipeline-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Every score written once and every recorded alert delivered: read from the sandbox and the
 * receiver. `inFlightAtKill` alerts may be POSTed a second time with the same Idempotency-Key: a
 * worker killed between the receiver's 200 and recording it cannot know it was delivered (the
 * receiver dedupes on the key, as docs/alerts.md asks).
 */
async function expectExactlyOnce(h: Harness, inFlightAtKill = 0): Promise<void> {
  const scored = (await h.store.latestScores(TENANT)).map((s) => s.accountId.replace(/^hubspot:/, ''));
  expect(scored.length).toBeGreaterThan(0);
  expect([...h.writes.keys()].sort()).toEqual([...scored].sort());
  expect([...h.writes.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  const alerts = await h.store.listAlerts(TENANT);
  expect(alerts.length).toBeGreaterThan(0);
  expect(alerts.filter((d) => d.status !== 'delivered')).toEqual([]);
  expect([...h.alertPosts.keys()].sort()).toEqual(alerts.map((d) => d.idempotencyKey).sort());
  const resent = [...h.alertPosts.entries()].filter(([, n]) => n !== 1);
  expect(resent.length).toBeLessThanOrEqual(inFlightAtKill);
  expect(resent.every(([, n]) => n === 2)).toBe(true);
}

describe('worker processes on a Redis of their own: SIGKILL mid-batch and a Redis restart mid-run', () => {
  let h: Harness;
  let redis: ChildProcess | undefined;
  let dir: string;
  const workers: ChildProcess[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    redis?.kill('SIGKILL');
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes the run with no lost and no duplicated write-backs or alerts', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'se-redis-own-'));
    const port = await freePort();
    redis = await startOwnRedis(port, dir);
    const url = `redis://127.0.0.1:${port}`;
    h = await startHarness({ accounts: 3000, seed: 21, companiesOnly: true });
    const prefix = uniquePrefix('crash');
    const producer = new BullmqJobQueue({ redisUrl: url, prefix });
    try {
      const first = spawnWorker(h, url, prefix);
      workers.push(first);
      await producer.enqueue('sync.start', {
        tenantId: TENANT,
        connectionId: CONNECTION,
        mode: 'backfill',
        entities: ['account'],
        train: true,
        asOf: h.asOf,
        runId: 'crash-run',
      });

      // SIGKILL the only worker while a write-back batch is half written.
      // (Once scoring has finished: a killed worker's scoring job is only taken back after the long
      // lock of CPU-bound queues, see docs/operations.md.)
      await waitFor('scoring finished', async () => (await producer.queue('score.tenant').getCompletedCount()) > 0, 240_000);
      await waitFor(
        'a write-back batch in flight',
        () => h.writes.size > 150 && h.writes.size % 1000 > 100 && h.writes.size % 1000 < 900,
        240_000,
      );
      first.kill('SIGKILL');
      await exited(first);
      const writtenAtKill = h.writes.size;
      expect(writtenAtKill).toBeLessThan(3000);

      const second = spawnWorker(h, url, prefix, ['--json']);
      const third = spawnWorker(h, url, prefix, ['--json']);
      workers.push(second, third);

      // Restart Redis while the run goes on (the killed batch is taken back after its lock expires).
      await waitFor('more write-backs after the kill', () => h.writes.size > writtenAtKill + 100, 240_000);
      redis.kill('SIGTERM');
      await new Promise((resolve) => redis?.once('exit', resolve));
      await sleep(1500);
      redis = await startOwnRedis(port, dir);

      await producer.waitForIdle({ timeoutMs: 300_000, pollMs: 500 }).catch(async (error: unknown) => {
        const counts: Record<string, unknown> = {};
        for (const name of queueNames) counts[name] = await producer.queue(name).getJobCounts();
        throw new Error(
          `${String(error)}\n${JSON.stringify(counts)}\n--- second\n${second.output().slice(-3000)}\n--- third\n${third.output().slice(-3000)}`,
        );
      });
      // The killed worker ran at most 2 alert.deliver jobs at once (--concurrency 2).
      await expectExactlyOnce(h, 2);
      expect((await producer.queue(DEAD_LETTER_QUEUE).getJobs()).map((j) => j.data as unknown)).toEqual([]);

      // SIGTERM: both workers finish what they hold and exit cleanly.
      second.kill('SIGTERM');
      third.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
      expect(await exited(third)).toBe(0);
    } finally {
      await producer.close();
    }
  }, 600_000);
});

describe('two worker processes share one run and one HubSpot rate limit', () => {
  let h: Harness;
  const workers: (ChildProcess & { output: () => string })[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await h?.close();
  });

  it('splits the jobs between the processes and never passes 100 requests in any 10 s', async () => {
    h = await startHarness({ accounts: 5000, seed: 33, companiesOnly: true });
    // Let the install's requests leave the window; count only the run's.
    await sleep(10_500);
    h.accepted.length = 0;
    h.refused.count = 0;
    const prefix = uniquePrefix('shared');
    const producer = new BullmqJobQueue({ redisUrl: redisUrl(), prefix });
    try {
      workers.push(spawnWorker(h, redisUrl(), prefix), spawnWorker(h, redisUrl(), prefix));
      await producer.enqueue('sync.start', {
        tenantId: TENANT,
        connectionId: CONNECTION,
        mode: 'backfill',
        entities: ['account'],
        train: true,
        asOf: h.asOf,
        runId: 'shared-run',
      });
      await producer.waitForIdle({ timeoutMs: 300_000, pollMs: 500 });

      await expectExactlyOnce(h);
      expect((await producer.queue(DEAD_LETTER_QUEUE).getJobs()).map((j) => j.data as unknown)).toEqual([]);
      expect(h.refused.count).toBe(0);
      expect(peakInWindow(h.accepted, 10_000)).toBeLessThanOrEqual(100);
      // Busy enough that the limit mattered: the run needed more than one window's worth.
      expect(h.accepted.length).toBeGreaterThan(100);

      const processedBy = new Set<string>();
      for (const name of queueNames)
        for (const job of await producer.queue(name).getCompleted(0, 10_000))
          if (job.processedBy) processedBy.add(job.processedBy.split(':').at(-1) ?? '');
      expect([...processedBy].sort()).toEqual(workers.map((w) => String(w.pid)).sort());
      for (const w of workers) w.kill('SIGTERM');
      for (const w of workers) expect(await exited(w)).toBe(0);
    } finally {
      await producer.close();
    }
  }, 600_000);
});

describe('three worker processes on one PostgreSQL and one Redis, one SIGKILLed mid-run', () => {
  let h: Harness | undefined;
  let pg: TestPostgres | undefined;
  const workers: ChildProcess[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await h?.close();
    await pg?.stop();
  });

  it('syncs every record once, writes every score back once and delivers every alert', async () => {
    pg = await startTestPostgres();
    h = await startHarness({ accounts: 10_000, seed: 33, companiesOnly: true, postgres: pg });
    const harness = h;
    const url = redisUrl();
    const prefix = uniquePrefix('pg3');
    const producer = new BullmqJobQueue({ redisUrl: url, prefix });
    try {
      for (let i = 0; i < 3; i++) workers.push(spawnWorker(harness, url, prefix));
      await producer.enqueue('sync.start', {
        tenantId: TENANT,
        connectionId: CONNECTION,
        mode: 'backfill',
        entities: ['account'],
        train: true,
        asOf: harness.asOf,
        runId: 'pg-three-workers',
      });
      await waitFor('scoring finished', async () => (await producer.queue('score.tenant').getCompletedCount()) > 0, 300_000);
      await waitFor('write-backs under way', () => harness.writes.size > 1500, 300_000);
      const victim = workers[0] as ChildProcess;
      victim.kill('SIGKILL');
      await exited(victim);
      expect(harness.writes.size).toBeLessThan(harness.companyIds().length);

      await producer.waitForIdle({ timeoutMs: 420_000, pollMs: 500 });
      // Every company synced once: one live record and one stored version each.
      const companies = harness.companyIds();
      expect(await harness.store.countRecords(TENANT, 'account')).toBe(companies.length);
      const versions = await harness.store.listRecords(TENANT, 'account', { modifiedAtOrBefore: '9999-12-31T00:00:00.000Z' });
      expect(versions).toHaveLength(companies.length);
      await expectExactlyOnce(harness, 2);
      expect((await producer.queue(DEAD_LETTER_QUEUE).getJobs()).map((j) => j.data as unknown)).toEqual([]);
      for (const w of workers.slice(1)) w.kill('SIGTERM');
      for (const w of workers.slice(1)) expect(await exited(w)).toBe(0);
    } finally {
      await producer.close();
    }
  }, 900_000);
});
