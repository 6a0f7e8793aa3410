import pino from 'pino';
import { DEAD_LETTER_QUEUE } from '../../app/queue/bullmq-queue';
import { startWorkerRuntime, type WorkerRuntime } from '../../app/worker/worker-runtime';
import { redisUrl, uniquePrefix } from '../helpers/redis';
import { startOwnTestPostgres, type TestPostgres } from '../store/postgres-server';
import { CONNECTION, TENANT, startHarness, type Harness } from './pipeline-harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * PostgreSQL stops while the workers sync and comes back seconds later: the jobs in flight fail with
 * STORE.UNAVAILABLE (retryable), BullMQ retries them with backoff, and the run ends as if nothing
 * happened: every company synced once, every score written back once, nothing dead-lettered.
 */
describe('a PostgreSQL restart in the middle of a pipeline run', () => {
  let server: Required<TestPostgres>;
  let h: Harness;
  let runtime: WorkerRuntime | undefined;
  afterAll(async () => {
    await runtime?.close();
    await h?.close();
    await server?.stop();
  });

  it('loses nothing: the failed jobs retry once the database answers again', async () => {
    server = await startOwnTestPostgres();
    h = await startHarness({ accounts: 2000, seed: 17, companiesOnly: true, tier: 'api-add-on', postgres: server });
    const harness = h;
    const companies = harness.companyIds().length;
    runtime = startWorkerRuntime({
      redisUrl: redisUrl(),
      prefix: uniquePrefix('pg-restart'),
      store: harness.store,
      log: pino({ level: 'silent' }),
      concurrency: 2,
    });
    await runtime.producer.enqueue('sync.start', {
      tenantId: TENANT,
      connectionId: CONNECTION,
      mode: 'backfill',
      entities: ['account'],
      asOf: harness.asOf,
      runId: 'pg-restart',
    });
    const deadline = Date.now() + 120_000;
    while ((await harness.store.countRecords(TENANT, 'account')) < 200) {
      if (Date.now() > deadline) throw new Error('the sync never started');
      await sleep(20);
    }
    server.halt();
    const atHalt = await harness.store.countRecords(TENANT, 'account').catch(() => -1);
    // Down for a few seconds, as a failover or a restart after a configuration change.
    await sleep(3_000);
    server.start();

    await runtime.producer.waitForIdle({ timeoutMs: 240_000, pollMs: 250 });
    expect(await harness.store.countRecords(TENANT, 'account')).toBe(companies);
    const scored = (await harness.store.latestScores(TENANT)).map((s) => s.accountId.replace(/^hubspot:/, ''));
    expect(scored.length).toBeGreaterThan(0);
    expect([...harness.writes.keys()].sort()).toEqual(scored.sort());
    expect([...harness.writes.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect((await runtime.producer.queue(DEAD_LETTER_QUEUE).getJobs()).map((j) => j.data as unknown)).toEqual([]);
    // It did stop mid-run: the store refused reads while down, and some job finished only on a later attempt.
    expect(atHalt).toBe(-1);
    const jobs = [
      ...(await runtime.producer.queue('sync.page').getCompleted(0, 2000)),
      ...(await runtime.producer.queue('writeback.batch').getCompleted()),
    ];
    expect(
      jobs.filter((j) => (j.stacktrace ?? []).some((trace) => /STORE\.UNAVAILABLE|SE_DATABASE_URL/.test(trace))).length,
    ).toBeGreaterThan(0);
  }, 420_000);
});
