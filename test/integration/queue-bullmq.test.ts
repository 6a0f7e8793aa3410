import pino from 'pino';
import { SuccessEngineError, type TenantId } from '../../core';
import { BullmqJobQueue, DEAD_LETTER_QUEUE, startWorkers, type WorkerPool } from '../../app/queue/bullmq-queue';
import type { Processors } from '../../app/queue/job-queue';
import type { QueuePayload } from '../../app/queue/queue-map';
import { redisUrl, uniquePrefix } from '../helpers/redis';

const silent = pino({ level: 'silent' });
const score = (tenant: string, accounts: string[], runId = 'run-1'): QueuePayload<'score.batch'> => ({
  tenantId: tenant as TenantId,
  accountIds: accounts,
  reason: 'sync',
  runId,
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('BullMQ queues on real Redis', () => {
  let producer: BullmqJobQueue;
  let pool: WorkerPool | undefined;
  let prefix: string;

  beforeEach(() => {
    prefix = uniquePrefix('queue');
    producer = new BullmqJobQueue({ redisUrl: redisUrl(), prefix });
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await producer.close();
  });

  let finished: { queue: string; outcome: string; seconds: number }[] = [];
  function start(processors: Processors, concurrency = 1) {
    finished = [];
    pool = startWorkers({
      redisUrl: redisUrl(),
      prefix,
      processors,
      concurrency,
      log: silent,
      producer,
      onJobFinished: (queue, outcome, seconds) => finished.push({ queue, outcome, seconds }),
    });
  }

  it('adds the same work once, with a job id BullMQ accepts', async () => {
    const a = await producer.enqueue('score.batch', score('t1', ['hubspot:1', 'hubspot:2']));
    const b = await producer.enqueue('score.batch', score('t1', ['hubspot:1', 'hubspot:2']));
    expect(a).toBe(b);
    expect(a).not.toContain(':');
    expect(await producer.queue('score.batch').count()).toBe(1);
  });

  it('rejects a malformed payload before anything is queued, naming the field', async () => {
    await expect(producer.enqueue('score.batch', { ...score('t1', ['a']), accountIds: [] })).rejects.toThrow(/score\.batch: accountIds/);
    expect(await producer.queue('score.batch').count()).toBe(0);
  });

  it('runs interactive work first and interleaves tenants’ bulk work', async () => {
    // Queue everything before a worker starts, then read the processing order.
    for (let i = 0; i < 4; i++) await producer.enqueue('score.batch', score('big', [`a${i}`]));
    await producer.enqueue('score.batch', score('small', ['b0']));
    await producer.enqueue('score.batch', score('small', ['b1']));
    await producer.enqueue('score.batch', score('other', ['c0']), { lane: 'interactive' });
    const order: string[] = [];
    start({ 'score.batch': (p) => Promise.resolve(order.push(p.accountIds[0] ?? '')) });
    await waitUntil(() => order.length === 7);
    expect(order).toEqual(['c0', 'a0', 'b0', 'a1', 'b1', 'a2', 'a3']);
  });

  it('sends unrecoverable failures straight to the dead-letter queue', async () => {
    let calls = 0;
    start({
      'score.batch': () => {
        calls++;
        throw new SuccessEngineError('CORE.VALIDATION_FAILED', 'account hubspot:9 has no name');
      },
    });
    await producer.enqueue('score.batch', score('t1', ['hubspot:9']));
    const dead = producer.queue(DEAD_LETTER_QUEUE);
    await waitUntil(async () => (await dead.count()) === 1);
    const [letter] = await dead.getJobs(['waiting']);
    expect(calls).toBe(1);
    expect(letter?.data).toMatchObject({
      queue: 'score.batch',
      error: 'account hubspot:9 has no name',
      payload: { accountIds: ['hubspot:9'] },
    });
    expect(finished.map((f) => [f.queue, f.outcome])).toEqual([['score.batch', 'dead-lettered']]);
  });

  it('retries ordinary failures with backoff until the step succeeds', async () => {
    let calls = 0;
    start({
      'score.batch': () => {
        calls++;
        if (calls < 3) throw new Error('transient');
        return Promise.resolve();
      },
    });
    await producer.enqueue('score.batch', score('t1', ['hubspot:1']));
    await waitUntil(async () => (await producer.queue('score.batch').getCompletedCount()) === 1, 30_000);
    expect(calls).toBe(3);
    // Every attempt is counted for the job metrics, with its processing time.
    await waitUntil(() => Promise.resolve(finished.length === 3));
    expect(finished.map((f) => f.outcome)).toEqual(['failed', 'failed', 'completed']);
    expect(finished.every((f) => f.seconds >= 0)).toBe(true);
  }, 40_000);

  it('waits out a rate limit without spending an attempt', async () => {
    const attempts: number[] = [];
    start({
      'score.batch': (_p, context) => {
        attempts.push(context.attempt);
        if (attempts.length === 1) throw new SuccessEngineError('CONNECTOR.RATE_LIMITED', 'HubSpot TEN_SECONDLY_ROLLING', { waitMs: 300 });
        return Promise.resolve();
      },
    });
    await producer.enqueue('score.batch', score('t1', ['hubspot:1']));
    await waitUntil(async () => (await producer.queue('score.batch').getCompletedCount()) === 1);
    expect(attempts).toEqual([1, 1]);
  });
});
