import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { SuccessEngineError } from '../../core';
import type { Logger } from '../log/logger';
import { classifyFailure } from './error-mapping';
import { FairPriority } from './fair-priority';
import { jobIdFor } from './job-ids';
import { RETRY_POLICY, type EnqueueOptions, type JobQueue, type Processors } from './job-queue';
import { queueNames, queuePayloads, type QueueName, type QueuePayload } from './queue-map';

export const DEAD_LETTER_QUEUE = 'dead-letter';
const KEEP_COMPLETED = { age: 24 * 3600, count: 50_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

export interface BullmqOptions {
  redisUrl: string;
  /** Key prefix: one per deployment, and one per test so tests never share state. */
  prefix?: string;
}

/** Workers block on Redis; BullMQ requires `maxRetriesPerRequest: null` for them. */
export function redisConnection(url: string): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** Producer side: typed, validated, idempotent enqueueing with fair priorities. */
export class BullmqJobQueue implements JobQueue {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly fairness = new FairPriority();
  readonly prefix: string;

  constructor(options: BullmqOptions) {
    this.connection = redisConnection(options.redisUrl);
    this.prefix = options.prefix ?? 'se';
  }

  queue(name: QueueName | typeof DEAD_LETTER_QUEUE): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<Q extends QueueName>(name: Q, payload: QueuePayload<Q>, options: EnqueueOptions = {}): Promise<string> {
    const parsed = queuePayloads[name].safeParse(payload);
    if (!parsed.success) throw new SuccessEngineError('QUEUE.BAD_PAYLOAD', `${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const jobId = jobIdFor(name, parsed.data as QueuePayload<Q>);
    const tenantId = (parsed.data as { tenantId: string }).tenantId;
    await this.queue(name).add(name, parsed.data, {
      jobId,
      priority: this.fairness.next(tenantId, options.lane ?? 'bulk'),
      attempts: RETRY_POLICY.attempts,
      backoff: { type: 'exponential', delay: RETRY_POLICY.backoffMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
      ...(options.delayMs ? { delay: options.delayMs } : {}),
    });
    return jobId;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}

export interface WorkerPool {
  workers: Worker[];
  /** Stop taking jobs, let active ones finish, then disconnect (SIGTERM). */
  close(): Promise<void>;
}

/**
 * Consumer side: one BullMQ Worker per queue with a processor. The wrapper parses the payload,
 * calls the step, and maps our error codes to BullMQ's semantics (rate limit / unrecoverable /
 * retry). Jobs that fail for good are copied to the dead-letter queue with the reason.
 */
export function startWorkers(options: BullmqOptions & { processors: Processors; concurrency?: number; log: Logger; producer: BullmqJobQueue }): WorkerPool {
  const prefix = options.prefix ?? 'se';
  const connection = redisConnection(options.redisUrl);
  const workers: Worker[] = [];
  for (const name of queueNames) {
    const processor = options.processors[name];
    if (!processor) continue;
    const worker: Worker = new Worker(
      name,
      async (job: Job) => {
        const parsed = queuePayloads[name].safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`bad ${name} payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        try {
          return await (processor as (p: unknown, c: { jobId: string; attempt: number; queue: JobQueue }) => Promise<unknown>)(parsed.data, {
            jobId: job.id ?? '',
            attempt: job.attemptsMade + 1,
            queue: options.producer,
          });
        } catch (error) {
          const handling = classifyFailure(error);
          if (handling.kind === 'rate-limit') {
            await worker.rateLimit(handling.waitMs);
            throw Worker.RateLimitError();
          }
          if (handling.kind === 'unrecoverable') throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
          throw error;
        }
      },
      { connection, prefix, concurrency: options.concurrency ?? 4, autorun: true },
    );
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      options.log.warn({ queue: name, jobId: job.id, attempt: job.attemptsMade, final, err: error }, 'job failed');
      if (final) {
        options.producer
          .queue(DEAD_LETTER_QUEUE)
          .add(name, { queue: name, jobId: job.id, payload: job.data as unknown, error: error.message, failedAt: new Date().toISOString() }, { jobId: `dl.${job.id ?? ''}`, removeOnComplete: false, removeOnFail: false })
          .catch((dlError: unknown) => options.log.error({ err: dlError, jobId: job.id }, 'could not dead-letter job (it stays in the failed set)'));
      }
    });
    worker.on('error', (error) => options.log.error({ queue: name, err: error }, 'worker error'));
    workers.push(worker);
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
    },
  };
}
