import type { ChildProcess } from 'node:child_process';
import { BullmqJobQueue } from '../../app/queue/bullmq-queue';
import { runCliWithEnv } from '../helpers/run-cli';
import { redisUrl, uniquePrefix } from '../helpers/redis';
import { CONNECTION, TENANT, exited, spawnWorker, startHarness, type Harness } from './pipeline-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A worker SIGKILLed while it scores the book: its lock is renewed from a thread while it runs,
 * so the lock can be short, and a restarted worker takes the job back within a minute (it used to
 * wait out a 10-minute lock).
 */
describe('a killed worker’s scoring job', () => {
  let h: Harness;
  const workers: ChildProcess[] = [];
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await h?.close();
  });

  it('is picked up by a restarted worker within a minute and completes', async () => {
    h = await startHarness({ accounts: 1500, seed: 8, companiesOnly: true, tier: 'api-add-on' });
    // The book in the store first (in-process), so the queued job is scoring alone.
    const sync = await runCliWithEnv(
      { ...h.workerEnv, REDIS_URL: '' },
      'sync',
      CONNECTION,
      '--tenant',
      TENANT,
      '--mode',
      'backfill',
      '--entities',
      'account',
      '--settings',
      h.settingsPath,
    );
    expect(sync.code).toBe(0);

    const prefix = uniquePrefix('lock');
    const producer = new BullmqJobQueue({ redisUrl: redisUrl(), prefix });
    try {
      // The default lock (30 s) and stalled check (15 s), as `worker` runs without --lock-ms.
      const first = spawnWorker(h, redisUrl(), prefix, ['--lock-ms', '30000']);
      workers.push(first);
      const jobId = await producer.enqueue('score.tenant', {
        tenantId: TENANT,
        scope: 'all',
        reason: 'manual',
        runId: 'lock-run',
        asOf: h.asOf,
      });
      const queue = producer.queue('score.tenant');
      const deadline = Date.now() + 180_000;
      while ((await queue.getJobState(jobId)) !== 'active') {
        if (Date.now() > deadline) throw new Error(`the job never became active:\n${first.output().slice(-2000)}`);
        await sleep(20);
      }
      first.kill('SIGKILL');
      await exited(first);
      const killedAt = Date.now();
      expect(await queue.getJobState(jobId)).toBe('active');

      const second = spawnWorker(h, redisUrl(), prefix);
      workers.push(second);
      let pickedUpAt = 0;
      while (pickedUpAt === 0 && Date.now() - killedAt < 120_000) {
        const job = await queue.getJob(jobId);
        if (job?.processedBy?.endsWith(`:${second.pid ?? ''}`) || (await queue.getJobState(jobId)) === 'completed') pickedUpAt = Date.now();
        else await sleep(250);
      }
      expect(pickedUpAt).toBeGreaterThan(0);
      expect(pickedUpAt - killedAt).toBeLessThan(60_000);
      await producer.waitForIdle({ timeoutMs: 120_000, pollMs: 500 });
      expect(await queue.getJobState(jobId)).toBe('completed');
      second.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
    } finally {
      await producer.close();
    }
  }, 480_000);
});
