import { DelayedError, FlowProducer, Queue, UnrecoverableError, Worker, type FlowJob, type Job, type JobsOptions } from 'bullmq';
import os from 'node:os';
import IORedis, { type Redis } from 'ioredis';
import { SuccessEngineError } from '../../core';
import type { Logger } from '../log/logger';
import { classifyFailure } from './error-mapping';
import { FairPriority } from './fair-priority';
import { LockKeeper } from './lock-keeper';
import { jobIdFor } from './job-ids';
import {
  RETRY_POLICY,
  type EnqueueOptions,
  type FlowNode,
  type FlowQueue,
  type ParentRef,
  type Processors,
  type StepContext,
} from './job-queue';
import { queueNames, queuePayloads, type QueueName, type QueuePayload } from './queue-map';

export const DEAD_LETTER_QUEUE = 'dead-letter';
const KEEP_COMPLETED = { age: 24 * 3600, count: 50_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

export interface BullmqOptions {
  redisUrl: string;
  /** Key prefix: one per deployment, and one per test so tests never share state. */
  prefix?: string;
}

/**
 * Workers block on Redis; BullMQ requires `maxRetriesPerRequest: null` for them. Connection errors
 * go to `onError` (default: nowhere; readiness and the callers' own checks report them), never to
 * ioredis' "Unhandled error event" printout.
 */
export function redisConnection(url: string, onError: (error: Error) => void = () => undefined): Redis {
  const connection = new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  connection.on('error', onError);
  return connection;
}

/** The URL as it may be shown: without its password. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** The one message for "Redis is not there", naming REDIS_URL and the ways out. */
export function redisUnavailable(url: string, reason: string, cause?: unknown): SuccessEngineError {
  return new SuccessEngineError(
    'QUEUE.UNAVAILABLE',
    `cannot reach Redis at REDIS_URL=${redactRedisUrl(url)} (${reason}): start Redis or fix REDIS_URL; unset REDIS_URL to run one-shot commands in this process`,
    { redisUrl: redactRedisUrl(url) },
    cause === undefined ? undefined : { cause },
  );
}

/** One connection attempt with a deadline: resolves when Redis answers PING, else throws `redisUnavailable`. */
export async function assertRedisReachable(url: string, timeoutMs = 3_000): Promise<void> {
  const probe = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  probe.on('error', (error: Error) => (lastError = error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const e = (lastError ?? error) as NodeJS.ErrnoException;
    throw redisUnavailable(url, e.code ?? e.message, e);
  } finally {
    probe.disconnect();
  }
}

/** Producer side: typed, validated, idempotent enqueueing with fair priorities. */
export class BullmqJobQueue implements FlowQueue {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly fairness = new FairPriority();
  private flows: FlowProducer | undefined;
  readonly prefix: string;
  private readonly redisUrl: string;

  constructor(options: BullmqOptions) {
    this.redisUrl = options.redisUrl;
    this.connection = redisConnection(options.redisUrl);
    this.prefix = options.prefix ?? 'se';
  }

  queue(name: QueueName | typeof DEAD_LETTER_QUEUE): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // Connection trouble is reported by the callers' own checks, not printed per reconnect.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  private parse<Q extends QueueName>(name: Q, payload: unknown): QueuePayload<Q> {
    const parsed = queuePayloads[name].safeParse(payload);
    if (!parsed.success)
      throw new SuccessEngineError(
        'QUEUE.BAD_PAYLOAD',
        `${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return parsed.data as QueuePayload<Q>;
  }

  private jobOptions(jobId: string, tenantId: string, options: EnqueueOptions): JobsOptions {
    return {
      jobId,
      priority: this.fairness.next(tenantId, options.lane ?? 'bulk'),
      attempts: RETRY_POLICY.attempts,
      backoff: { type: 'exponential', delay: RETRY_POLICY.backoffMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      // A child that fails for good (dead-lettered) must not hold its flow's parent forever.
      ...(options.parent
        ? { parent: { id: options.parent.id, queue: `${this.prefix}:${options.parent.queue}` }, ignoreDependencyOnFailure: true }
        : {}),
    };
  }

  async enqueue<Q extends QueueName>(name: Q, payload: QueuePayload<Q>, options: EnqueueOptions = {}): Promise<string> {
    const data = this.parse(name, payload);
    const jobId = jobIdFor(name, data);
    await this.queue(name).add(name, data, this.jobOptions(jobId, (data as { tenantId: string }).tenantId, options));
    return jobId;
  }

  /** BullMQ FlowProducer: parents move to waiting-children until every child completed or failed for good. */
  async enqueueFlow(root: FlowNode, options: Pick<EnqueueOptions, 'lane'> = {}): Promise<string> {
    const toFlow = (node: FlowNode, isChild: boolean): FlowJob => {
      const data = this.parse(node.queue, node.payload);
      const jobId = jobIdFor(node.queue, data);
      const opts = this.jobOptions(jobId, (data as { tenantId: string }).tenantId, options);
      return {
        name: node.queue,
        queueName: node.queue,
        data,
        opts: isChild ? { ...opts, ignoreDependencyOnFailure: true } : opts,
        ...(node.children?.length ? { children: node.children.map((c) => toFlow(c, true)) } : {}),
      };
    };
    this.flows ??= new FlowProducer({ connection: this.connection, prefix: this.prefix });
    const tree = await this.flows.add(toFlow(root, false));
    return tree.job.id ?? '';
  }

  /** Jobs not yet finished in every queue (waiting, prioritized, delayed, active, waiting for children). */
  async unfinished(): Promise<number> {
    if (this.connection.status !== 'ready') throw new Error(`Redis connection is ${this.connection.status}`);
    let total = 0;
    for (const name of queueNames) {
      const counts = await this.queue(name).getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'waiting-children');
      total += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    return total;
  }

  /** Resolves once every queue has been empty for two polls in a row (work enqueues more work). */
  async waitForIdle(
    options: { pollMs?: number; timeoutMs?: number; maxOutageMs?: number; onPoll?: (unfinished: number) => void } = {},
  ): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    let quiet = 0;
    let downSince: number | null = null;
    while (quiet < 2) {
      if (Date.now() > deadline)
        throw new SuccessEngineError(
          'QUEUE.TIMEOUT',
          `queues under prefix ${this.prefix} still busy after ${options.timeoutMs ?? 3_600_000} ms`,
        );
      let n: number;
      try {
        // A command issued just before Redis went away waits for the reconnect; bound it.
        n = await Promise.race([
          this.unfinished(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer from Redis within 5 s')), 5_000).unref()),
        ]);
        downSince = null;
      } catch (error) {
        n = -1; // Redis away (restarting): not idle, keep polling for a while
        downSince ??= Date.now();
        if (options.maxOutageMs !== undefined && Date.now() - downSince > options.maxOutageMs)
          throw redisUnavailable(
            this.redisUrl,
            `lost for more than ${Math.round(options.maxOutageMs / 1000)} s while waiting: ${(error as Error).message}`,
            error,
          );
      }
      options.onPoll?.(n);
      quiet = n === 0 ? quiet + 1 : 0;
      if (quiet < 2) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flows?.close();
    this.connection.disconnect();
  }

  /** Drop the connection without flushing (Redis is away and a close would wait for it). */
  abandon(): void {
    this.connection.disconnect();
  }
}

/** At most one warning per 30 s for a Redis connection's errors (ioredis reports every reconnect attempt). */
export function throttledRedisWarning(log: Logger, url: string, everyMs = 30_000): (error: Error) => void {
  let last = 0;
  return (error) => {
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    log.warn(
      { redisUrl: redactRedisUrl(url), errno: (error as NodeJS.ErrnoException).code, reason: error.message },
      'Redis unreachable (REDIS_URL); reconnecting',
    );
  };
}

export interface WorkerPool {
  workers: Worker[];
  /** Stop taking jobs, let active ones finish, then disconnect (SIGTERM); `force` does not wait for them. */
  close(options?: { force?: boolean }): Promise<void>;
  abandon(): void;
}

/**
 * Consumer side: one BullMQ Worker per queue with a processor. The wrapper parses the payload,
 * calls the step, and maps our error codes to BullMQ's semantics (rate limit / unrecoverable /
 * retry). Jobs that fail for good are copied to the dead-letter queue with the reason.
 */
/**
 * Queues whose steps are CPU-bound and synchronous (training, scoring the whole book): they block
 * the event loop that renews locks, so a thread renews theirs (LockKeeper) and the lock stays short.
 */
const CPU_BOUND_QUEUES = new Set<QueueName>(['model.train', 'model.evaluate', 'score.tenant', 'score.batch']);
/** A killed worker's job is taken back after about lock + stalled interval (45 s by default). */
const DEFAULT_LOCK_MS = 30_000;
const DEFAULT_STALLED_INTERVAL_MS = 15_000;

export interface WorkerTuning {
  concurrency?: number;
  /** How long a job's lock lives without renewal: a killed worker's job is taken back after about this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Each finished attempt, for job metrics (completed, failed and retried, or dead-lettered). */
  onJobFinished?: (queue: QueueName, outcome: 'completed' | 'failed' | 'dead-lettered', seconds: number) => void;
}

/** Processing time of the attempt that just finished (BullMQ stamps finishedOn only on the last one). */
function attemptSeconds(job: Job): number {
  return job.processedOn ? ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000 : Number.NaN;
}

export function startWorkers(
  options: BullmqOptions &
    WorkerTuning & { processors: Processors; log: Logger; producer: BullmqJobQueue; onRedisError?: (error: Error) => void },
): WorkerPool {
  const prefix = options.prefix ?? 'se';
  const warn = options.onRedisError ?? throttledRedisWarning(options.log, options.redisUrl);
  const connection = redisConnection(options.redisUrl, warn);
  const workers: Worker[] = [];
  const lockMs = options.lockDurationMs ?? DEFAULT_LOCK_MS;
  const claimMs = lockMs + 10_000;
  const keeper = new LockKeeper(options.redisUrl, Math.max(250, Math.floor(lockMs / 3)));
  for (const name of queueNames) {
    const processor = options.processors[name];
    if (!processor) continue;
    const worker: Worker = new Worker(
      name,
      async (job: Job, token?: string) => {
        const parsed = queuePayloads[name].safeParse(job.data);
        if (!parsed.success)
          throw new UnrecoverableError(
            `bad ${name} payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        // BullMQ takes back a job whose lock lapsed (a killed worker, or a live one whose event loop
        // was blocked past the lock) and may run it again while the first run is still going. A claim
        // per job id, refreshed while running, keeps that second run waiting; a killed worker's claim
        // expires on its own. Waiting is a delay, not a failed attempt.
        const claimKey = `${prefix}:claim:${name}:${job.id ?? ''}`;
        const claimToken = `${os.hostname()}:${process.pid}:${token ?? ''}`;
        if ((await connection.set(claimKey, claimToken, 'PX', claimMs, 'NX')) !== 'OK') {
          await job.moveToDelayed(Date.now() + Math.ceil(claimMs / 4), token);
          throw new DelayedError();
        }
        const refresh = setInterval(() => void connection.pexpire(claimKey, claimMs).catch(() => undefined), Math.ceil(claimMs / 3));
        const release =
          CPU_BOUND_QUEUES.has(name) && token
            ? keeper.hold({
                lockKey: `${prefix}:${name}:${job.id ?? ''}:lock`,
                stalledKey: `${prefix}:${name}:stalled`,
                jobId: job.id ?? '',
                token,
                lockMs,
                claimKey,
                claimToken,
                claimMs,
              })
            : () => undefined;
        try {
          const parent = parentOf(job, prefix);
          const context: StepContext = {
            jobId: job.id ?? '',
            attempt: job.attemptsMade + 1,
            enqueuedAt: new Date(job.timestamp).toISOString(),
            queue: options.producer,
            ...(parent ? { parent } : {}),
            childValues: async () => Object.values(await job.getChildrenValues<unknown>()),
          };
          return await (processor as (p: unknown, c: StepContext) => Promise<unknown>)(parsed.data, context);
        } catch (error) {
          const handling = classifyFailure(error);
          if (handling.kind === 'rate-limit') {
            await worker.rateLimit(handling.waitMs);
            throw Worker.RateLimitError();
          }
          if (handling.kind === 'unrecoverable') throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
          throw error;
        } finally {
          release();
          clearInterval(refresh);
          // Release only our own claim.
          await connection
            .eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, claimKey, claimToken)
            .catch(() => undefined);
        }
      },
      {
        connection,
        prefix,
        concurrency: options.concurrency ?? 4,
        autorun: true,
        // Recorded on each job as processedBy: which host and process ran it.
        name: `${os.hostname()}:${process.pid}`,
        // A job may stall twice (its worker killed twice) before it fails.
        maxStalledCount: 2,
        lockDuration: lockMs,
        stalledInterval: options.stalledIntervalMs ?? Math.min(DEFAULT_STALLED_INTERVAL_MS, lockMs),
      },
    );
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      options.log.warn({ queue: name, jobId: job.id, attempt: job.attemptsMade, final, err: error }, 'job failed');
      options.onJobFinished?.(name, final ? 'dead-lettered' : 'failed', attemptSeconds(job));
      if (final) {
        options.producer
          .queue(DEAD_LETTER_QUEUE)
          .add(
            name,
            { queue: name, jobId: job.id, payload: job.data as unknown, error: error.message, failedAt: new Date().toISOString() },
            { jobId: `dl.${job.id ?? ''}`, removeOnComplete: false, removeOnFail: false },
          )
          .catch((dlError: unknown) =>
            options.log.error({ err: dlError, jobId: job.id }, 'could not dead-letter job (it stays in the failed set)'),
          );
      }
    });
    worker.on('completed', (job) => {
      options.log.debug({ queue: name, jobId: job.id, attempt: job.attemptsMade, seconds: attemptSeconds(job) }, 'job completed');
      options.onJobFinished?.(name, 'completed', attemptSeconds(job));
    });
    // Connection trouble is one throttled warning for the whole pool, not a stack per reconnect.
    worker.on('error', (error) =>
      isConnectionError(error) ? warn(error) : options.log.error({ queue: name, err: error }, 'worker error'),
    );
    workers.push(worker);
  }
  return {
    workers,
    async close(closeOptions = {}) {
      await Promise.all(workers.map((w) => w.close(closeOptions.force ?? false)));
      await keeper.close();
      connection.disconnect();
    },
    abandon() {
      for (const w of workers) void w.disconnect().catch(() => undefined);
      void keeper.close();
      connection.disconnect();
    },
  };
}

function isConnectionError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    /Connection is closed|connect ECONNREFUSED/.test(error.message)
  );
}

/** `job.parent.queueKey` is `<prefix>:<queue>`; steps only need our queue name. */
function parentOf(job: Job, prefix: string): ParentRef | undefined {
  const p = job.parent;
  if (!p?.id) return undefined;
  const name = p.queueKey.startsWith(`${prefix}:`) ? p.queueKey.slice(prefix.length + 1) : p.queueKey;
  return (queueNames as string[]).includes(name) ? { id: p.id, queue: name as QueueName } : undefined;
}
