import { SuccessEngineError } from '../../core';
import { classifyFailure } from './error-mapping';
import { FairPriority } from './fair-priority';
import { jobIdFor } from './job-ids';
import { RETRY_POLICY, type EnqueueOptions, type JobQueue, type Processors } from './job-queue';
import { queuePayloads, type QueueName, type QueuePayload } from './queue-map';

interface PendingJob {
  id: string;
  queue: QueueName;
  payload: unknown;
  priority: number;
  order: number;
  attempt: number;
}

export interface DeadLetter {
  jobId: string;
  queue: QueueName;
  payload: unknown;
  error: string;
}

/**
 * The queue for one-shot runs without Redis (`demo`, `backtest`): the same processors and
 * priorities as BullMQ, run in this process until nothing is left. Job ids dedupe like BullMQ's.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly pending: PendingJob[] = [];
  private readonly seen = new Set<string>();
  private readonly fairness = new FairPriority();
  private order = 0;
  readonly deadLetters: DeadLetter[] = [];
  readonly completed = new Map<QueueName, number>();

  constructor(
    private readonly processors: Processors,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  enqueue<Q extends QueueName>(queue: Q, payload: QueuePayload<Q>, options: EnqueueOptions = {}): Promise<string> {
    const parsed = queuePayloads[queue].safeParse(payload);
    if (!parsed.success) return Promise.reject(new SuccessEngineError('QUEUE.BAD_PAYLOAD', `${queue}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`));
    const id = jobIdFor(queue, parsed.data as QueuePayload<Q>);
    if (!this.seen.has(id)) {
      this.seen.add(id);
      const tenantId = (parsed.data as { tenantId: string }).tenantId;
      this.pending.push({ id, queue, payload: parsed.data, priority: this.fairness.next(tenantId, options.lane ?? 'bulk'), order: this.order++, attempt: 1 });
    }
    return Promise.resolve(id);
  }

  /** Run jobs, highest priority first (FIFO within a priority), until none are left. */
  async drain(onProgress?: (done: number, queued: number) => void): Promise<void> {
    let done = 0;
    for (let job = this.takeNext(); job; job = this.takeNext()) {
      await this.run(job);
      done++;
      onProgress?.(done, done + this.pending.length);
    }
  }

  get size(): number {
    return this.pending.length;
  }

  close(): Promise<void> {
    this.pending.length = 0;
    return Promise.resolve();
  }

  private takeNext(): PendingJob | undefined {
    if (this.pending.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.pending.length; i++) {
      const a = this.pending[i] as PendingJob;
      const b = this.pending[best] as PendingJob;
      if (a.priority < b.priority || (a.priority === b.priority && a.order < b.order)) best = i;
    }
    return this.pending.splice(best, 1)[0];
  }

  private async run(job: PendingJob): Promise<void> {
    const processor = this.processors[job.queue] as ((payload: unknown, context: { jobId: string; attempt: number; queue: JobQueue }) => Promise<unknown>) | undefined;
    if (!processor) throw new SuccessEngineError('QUEUE.NO_PROCESSOR', `no processor registered for ${job.queue}`);
    for (;;) {
      try {
        await processor(job.payload, { jobId: job.id, attempt: job.attempt, queue: this });
        this.completed.set(job.queue, (this.completed.get(job.queue) ?? 0) + 1);
        return;
      } catch (error) {
        const handling = classifyFailure(error);
        if (handling.kind === 'rate-limit') {
          await this.sleep(handling.waitMs);
          continue;
        }
        if (handling.kind === 'unrecoverable' || job.attempt >= RETRY_POLICY.attempts) {
          this.deadLetters.push({ jobId: job.id, queue: job.queue, payload: job.payload, error: error instanceof Error ? error.message : String(error) });
          return;
        }
        await this.sleep(RETRY_POLICY.backoffMs * 2 ** (job.attempt - 1));
        job.attempt++;
      }
    }
  }
}
