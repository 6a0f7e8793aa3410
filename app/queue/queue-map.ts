import { z } from 'zod';
import { ConnectionIdSchema, EntityNameSchema, TenantIdSchema } from '../../core';

/**
 * Every queue and its payload. A job carries a CRM page or a batch, never one account
 * (docs/architecture.md). Processors parse payloads with these schemas before doing anything.
 */
const runId = z.string().min(1).max(100);
/** The instant a run scores "as of" (the demo's book has its own date); the worker's clock otherwise. */
const asOf = z.iso.datetime({ offset: true }).optional();

export const queuePayloads = {
  /** Starts one sync run of a connection: a flow whose scoring waits for every entity's pages. */
  'sync.start': z.object({
    tenantId: TenantIdSchema,
    connectionId: ConnectionIdSchema,
    mode: z.enum(['backfill', 'incremental']),
    /** Absent in schedulers' templates: the firing job's id names the run. */
    runId: runId.optional(),
    /** Entities to sync (default: every entity the connector knows). */
    entities: z.array(EntityNameSchema).min(1).optional(),
    /** Train (promotion only without regression) after the sync, before scoring. */
    train: z.boolean().optional(),
    asOf,
  }),
  'sync.page': z.object({
    tenantId: TenantIdSchema,
    connectionId: ConnectionIdSchema,
    entity: EntityNameSchema,
    mode: z.enum(['backfill', 'incremental']),
    runId,
    /** Page number within the run; the cursor itself lives in the store. */
    page: z.number().int().nonnegative(),
  }),
  /**
   * Reads the tenant's new or changed texts (tickets, emails, notes, calls, surveys) with the local
   * text model, before scoring: in a run it sits between the sync pages and scoring and passes the
   * pages' changed accounts on; an on-change page names its accounts and scores them after.
   */
  'text.analyze': z.object({
    tenantId: TenantIdSchema,
    runId,
    /** On-change: the accounts the page changed, scored after their texts are read. */
    accountIds: z.array(z.string().min(1)).min(1).max(1000).optional(),
    connectionId: ConnectionIdSchema.optional(),
  }),
  'score.batch': z.object({
    tenantId: TenantIdSchema,
    accountIds: z.array(z.string().min(1)).min(1).max(1000),
    reason: z.enum(['sync', 'on-change', 'nightly', 'manual']),
    runId,
    /** Where the scores are written back; none = keep them in the store only. */
    connectionId: ConnectionIdSchema.optional(),
    asOf,
  }),
  /**
   * The whole live book scored together (CLV is fitted across it; owners' capacity is shared),
   * keeping `all` accounts or only those the flow's sync children changed.
   */
  'score.tenant': z.object({
    tenantId: TenantIdSchema,
    connectionId: ConnectionIdSchema.optional(),
    scope: z.enum(['all', 'changed']),
    reason: z.enum(['sync', 'nightly', 'manual']),
    runId: runId.optional(),
    asOf,
  }),
  'writeback.batch': z.object({
    tenantId: TenantIdSchema,
    connectionId: ConnectionIdSchema,
    accountIds: z.array(z.string().min(1)).min(1).max(2000),
    runId,
  }),
  'alert.deliver': z.object({
    tenantId: TenantIdSchema,
    idempotencyKey: z.string().min(1),
    /** Re-delivery number after a failed attempt (gives the delayed retry a job id of its own). */
    attempt: z.number().int().positive().optional(),
  }),
  'model.train': z.object({
    tenantId: TenantIdSchema,
    task: z.enum(['churn', 'clv', 'win-probability']),
    runId,
    asOf,
  }),
  /** The console's model metrics and backtest with an admin's horizon and threshold (a replay: five trainings). */
  'model.evaluate': z.object({
    tenantId: TenantIdSchema,
    horizonDays: z.number().int().min(7).max(365),
    alertThreshold: z.number().gt(0).lt(1),
    /** When the admin asked: each request is its own job (job ids come from the payload). */
    requestedAt: z.iso.datetime({ offset: true }),
  }),
} as const;

export type QueueName = keyof typeof queuePayloads;
export type QueuePayload<Q extends QueueName> = z.infer<(typeof queuePayloads)[Q]>;
export const queueNames = Object.keys(queuePayloads) as QueueName[];

/** Whether work is someone waiting (an on-change update) or bulk (backfill, nightly). */
export type Lane = 'interactive' | 'bulk';
