import { z } from 'zod';
import { ConnectionIdSchema, EntityNameSchema, TenantIdSchema } from '../../core';

/**
 * Every queue and its payload. A job carries a CRM page or a batch, never one account
 * (docs/architecture.md). Processors parse payloads with these schemas before doing anything.
 */
const runId = z.string().min(1).max(100);

export const queuePayloads = {
  'sync.page': z.object({
    tenantId: TenantIdSchema,
    connectionId: ConnectionIdSchema,
    entity: EntityNameSchema,
    mode: z.enum(['backfill', 'incremental']),
    runId,
    /** Page number within the run; the cursor itself lives in the store. */
    page: z.number().int().nonnegative(),
  }),
  'score.batch': z.object({
    tenantId: TenantIdSchema,
    accountIds: z.array(z.string().min(1)).min(1).max(1000),
    reason: z.enum(['sync', 'on-change', 'nightly', 'manual']),
    runId,
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
  }),
  'model.train': z.object({
    tenantId: TenantIdSchema,
    task: z.enum(['churn', 'clv', 'win-probability']),
    runId,
  }),
} as const;

export type QueueName = keyof typeof queuePayloads;
export type QueuePayload<Q extends QueueName> = z.infer<(typeof queuePayloads)[Q]>;
export const queueNames = Object.keys(queuePayloads) as QueueName[];

/** Whether work is someone waiting (an on-change update) or bulk (backfill, nightly). */
export type Lane = 'interactive' | 'bulk';
