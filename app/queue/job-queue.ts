import type { Lane, QueueName, QueuePayload } from './queue-map';

/** A job that waits for children: `id` is its job id, `queue` its queue. */
export interface ParentRef {
  id: string;
  queue: QueueName;
}

export interface EnqueueOptions {
  lane?: Lane;
  delayMs?: number;
  /** Make the job a child of a parent already waiting in a flow (a next sync page joins its run). */
  parent?: ParentRef;
}

/** One node of a flow: the job runs after every child (and every child added to it later) finished. */
export type FlowNode = { [Q in QueueName]: { queue: Q; payload: QueuePayload<Q>; children?: FlowNode[] } }[QueueName];

/** Where pipeline steps put the next step's work: BullMQ at scale, in-process for one-shot runs. */
export interface JobQueue {
  enqueue<Q extends QueueName>(queue: Q, payload: QueuePayload<Q>, options?: EnqueueOptions): Promise<string>;
  close(): Promise<void>;
}

/** A queue that also runs flows (both runners are; producers that only enqueue need not be). */
export interface FlowQueue extends JobQueue {
  /** Add a tree of jobs whose parents wait for their children; returns the root's job id. */
  enqueueFlow(root: FlowNode, options?: Pick<EnqueueOptions, 'lane'>): Promise<string>;
}

export interface StepContext {
  jobId: string;
  /** 1 on the first try. */
  attempt: number;
  /** When the job was first added (ISO): stable across retries, so a retried run scores "as of" the same instant. */
  enqueuedAt: string;
  queue: FlowQueue;
  /** The flow parent waiting for this job, if any. */
  parent?: ParentRef;
  /** Return values of this job's finished children (flows), in no particular order. */
  childValues(): Promise<unknown[]>;
}

/** One thin processor per queue: parse is done by the runner; the processor calls one pipeline step. */
export type Processors = { [Q in QueueName]?: (payload: QueuePayload<Q>, context: StepContext) => Promise<unknown> };

/** Attempts and backoff shared by both runners. */
export const RETRY_POLICY = { attempts: 6, backoffMs: 1000 } as const;
