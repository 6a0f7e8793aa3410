import type { Lane, QueueName, QueuePayload } from './queue-map';

export interface EnqueueOptions {
  lane?: Lane;
  delayMs?: number;
}

/** Where pipeline steps put the next step's work: BullMQ at scale, in-process for one-shot runs. */
export interface JobQueue {
  enqueue<Q extends QueueName>(queue: Q, payload: QueuePayload<Q>, options?: EnqueueOptions): Promise<string>;
  close(): Promise<void>;
}

export interface StepContext {
  jobId: string;
  /** 1 on the first try. */
  attempt: number;
  queue: JobQueue;
}

/** One thin processor per queue: parse is done by the runner; the processor calls one pipeline step. */
export type Processors = { [Q in QueueName]?: (payload: QueuePayload<Q>, context: StepContext) => Promise<unknown> };

/** Attempts and backoff shared by both runners. */
export const RETRY_POLICY = { attempts: 6, backoffMs: 1000 } as const;
