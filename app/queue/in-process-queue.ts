import { SuccessEngineError } from '../../core';
import { classifyFailure } from './error-mapping';
import { FairPriority } from './fair-priority';
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
import { queuePayloads, type QueueName, type QueuePayload } from './queue-map';

interface PendingJob {
  id: string;
  queue: QueueName;
  payload: unknown;
  priority: number;
  order: number;
  attempt: number;
  enqueuedAt: string;
  parent?: ParentRef;
}

/** A flow parent: held back until its outstanding children are done. */
interface WaitingParent {
  job: PendingJob;
  outstanding: number;
  values: unknown[];
}

export interface DeadLetter {
  jobId: string;
  queue: QueueName;
  payload: unknown;
  error: string;
}

/**
 * The queue for one-shot runs without Redis (`demo`, `backtest`, `sync` and `score` without
 * REDIS_URL): the same processors, priorities and flows as BullMQ, run in this process until
 * nothing is left. Job ids dedupe like BullMQ's.
 */
export class InProcessJobQueue implements FlowQueue {
  private readonly pending: PendingJob[] = [];
  private readonly seen = new Set<string>();
  private readonly waiting = new Map<string, WaitingParent>();
  private readonly values = new Map<string, unknown[]>();
  private readonly fairness = new FairPriority();
  private order = 0;
  readonly deadLetters: DeadLetter[] = [];
  readonly completed = new Map<QueueName, number>();

  constructor(
    private readonly processors: Processors,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  enqueue<Q extends QueueName>(queue: Q, payload: QueuePayload<Q>, options: EnqueueOptions = {}): Promise<string> {
    try {
      const job = this.build(queue, payload, options);
      if (job) {
        this.attach(job);
        this.pending.push(job);
      }
      return Promise.resolve(jobIdFor(queue, payload));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  enqueueFlow(root: FlowNode, options: Pick<EnqueueOptions, 'lane'> = {}): Promise<string> {
    try {
      return Promise.resolve(this.addNode(root, options, undefined));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private addNode(node: FlowNode, options: Pick<EnqueueOptions, 'lane'>, parent: ParentRef | undefined): string {
    const job = this.build(node.queue, node.payload, { ...options, ...(parent ? { parent } : {}) });
    const id = jobIdFor(node.queue, node.payload);
    if (!job) return id;
    this.attach(job);
    const children = node.children ?? [];
    if (children.length === 0) this.pending.push(job);
    else {
      this.waiting.set(job.id, { job, outstanding: 0, values: [] });
      for (const child of children) this.addNode(child, options, { id: job.id, queue: job.queue });
    }
    return id;
  }

  /** Parse and dedupe; undefined when this id was seen already. */
  private build(queue: QueueName, payload: unknown, options: EnqueueOptions): PendingJob | undefined {
    const parsed = queuePayloads[queue].safeParse(payload);
    if (!parsed.success)
      throw new SuccessEngineError(
        'QUEUE.BAD_PAYLOAD',
        `${queue}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const id = jobIdFor(queue, parsed.data as QueuePayload<typeof queue>);
    if (this.seen.has(id)) return undefined;
    this.seen.add(id);
    const tenantId = (parsed.data as { tenantId: string }).tenantId;
    return {
      id,
      queue,
      payload: parsed.data,
      priority: this.fairness.next(tenantId, options.lane ?? 'bulk'),
      order: this.order++,
      attempt: 1,
      enqueuedAt: new Date().toISOString(),
      ...(options.parent ? { parent: options.parent } : {}),
    };
  }

  private attach(job: PendingJob): void {
    if (!job.parent) return;
    const parent = this.waiting.get(job.parent.id);
    if (!parent)
      throw new SuccessEngineError('QUEUE.NO_PARENT', `${job.queue} ${job.id}: parent ${job.parent.id} is not waiting for children`);
    parent.outstanding++;
  }

  /** Run jobs, highest priority first (FIFO within a priority), until none are left. */
  async drain(onProgress?: (done: number, queued: number) => void): Promise<void> {
    let done = 0;
    for (let job = this.takeNext(); job; job = this.takeNext()) {
      await this.run(job);
      done++;
      onProgress?.(done, done + this.pending.length + this.waiting.size);
    }
  }

  get size(): number {
    return this.pending.length + this.waiting.size;
  }

  close(): Promise<void> {
    this.pending.length = 0;
    this.waiting.clear();
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

  /** A child finished (or failed for good, which, like BullMQ's ignoreDependencyOnFailure, does not block its parent). */
  private settle(job: PendingJob, value: unknown, ok: boolean): void {
    const parent = job.parent ? this.waiting.get(job.parent.id) : undefined;
    if (!parent) return;
    if (ok) parent.values.push(value);
    if (--parent.outstanding === 0) {
      this.waiting.delete(parent.job.id);
      this.values.set(parent.job.id, parent.values);
      this.pending.push(parent.job);
    }
  }

  private async run(job: PendingJob): Promise<void> {
    const processor = this.processors[job.queue] as ((payload: unknown, context: StepContext) => Promise<unknown>) | undefined;
    if (!processor) throw new SuccessEngineError('QUEUE.NO_PROCESSOR', `no processor registered for ${job.queue}`);
    for (;;) {
      try {
        const value = await processor(job.payload, {
          jobId: job.id,
          attempt: job.attempt,
          enqueuedAt: job.enqueuedAt,
          queue: this,
          ...(job.parent ? { parent: job.parent } : {}),
          childValues: () => Promise.resolve(this.values.get(job.id) ?? []),
        });
        this.completed.set(job.queue, (this.completed.get(job.queue) ?? 0) + 1);
        this.values.delete(job.id);
        this.settle(job, value, true);
        return;
      } catch (error) {
        const handling = classifyFailure(error);
        if (handling.kind === 'rate-limit') {
          await this.sleep(handling.waitMs);
          continue;
        }
        if (handling.kind === 'unrecoverable' || job.attempt >= RETRY_POLICY.attempts) {
          this.deadLetters.push({
            jobId: job.id,
            queue: job.queue,
            payload: job.payload,
            error: error instanceof Error ? error.message : String(error),
          });
          this.values.delete(job.id);
          this.settle(job, undefined, false);
          return;
        }
        await this.sleep(RETRY_POLICY.backoffMs * 2 ** (job.attempt - 1));
        job.attempt++;
      }
    }
  }
}
