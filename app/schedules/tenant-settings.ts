import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConnectionIdSchema, EntityNameSchema, SuccessEngineError, TenantIdSchema, type TenantId } from '../../core';
import type { WebhookEndpoint } from '../../webhooks/outbound/webhook-alert.sink';

const EndpointSchema = z.object({
  url: z.url(),
  secret: z.string().min(16),
  format: z.enum(['alert.v1', 'slack']).default('alert.v1'),
  timeoutMs: z.number().int().positive().optional(),
});

/** Defaults: incremental sync every 15 minutes, re-score nightly at 02:00, retrain Sundays at 03:00 (tenant's time zone). */
export const DEFAULT_SCHEDULES = {
  incrementalSyncMinutes: 15,
  nightlyScoreCron: '0 2 * * *',
  weeklyTrainCron: '0 3 * * 0',
  timezone: 'UTC',
} as const;

export const TenantSettingsSchema = z.object({
  tenantId: TenantIdSchema,
  connections: z
    .array(
      z.object({
        id: ConnectionIdSchema,
        /** Minutes between incremental syncs of this connection; 0 turns the schedule off. */
        incrementalSyncMinutes: z.number().int().min(0).max(1440).default(DEFAULT_SCHEDULES.incrementalSyncMinutes),
        entities: z.array(EntityNameSchema).min(1).optional(),
      }),
    )
    .default([]),
  /** Cron for the full re-score (every live account, written back to each connection); empty turns it off. */
  nightlyScoreCron: z.string().default(DEFAULT_SCHEDULES.nightlyScoreCron),
  /** Cron for retraining (promotion only when held-out metrics do not regress); empty turns it off. */
  weeklyTrainCron: z.string().default(DEFAULT_SCHEDULES.weeklyTrainCron),
  timezone: z.string().min(1).default(DEFAULT_SCHEDULES.timezone),
  /** Alert webhooks by route (`owner:<id>`, `team:<name>`), with `default` for every other route. */
  alertWebhooks: z.record(z.string(), EndpointSchema).default({}),
});
export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

export const SettingsFileSchema = z.object({ tenants: z.array(TenantSettingsSchema).default([]) });
export type SettingsFile = z.infer<typeof SettingsFileSchema>;

/** Read and validate the tenants' operating settings (schedules, alert webhooks); problems name the field. */
export function readSettingsFile(filePath: string): SettingsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new SuccessEngineError(
      'CONFIG.INVALID',
      `--settings: cannot read ${filePath} as JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = SettingsFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new SuccessEngineError(
      'CONFIG.INVALID',
      `--settings ${filePath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Endpoint lookup for the alert sink: the route's own webhook, else the tenant's `default`. */
export function alertEndpoints(settings: SettingsFile): (tenantId: TenantId, route: string) => WebhookEndpoint | undefined {
  const byTenant = new Map(settings.tenants.map((t) => [t.tenantId as string, t.alertWebhooks]));
  return (tenantId, route) => {
    const hooks = byTenant.get(tenantId);
    const e = hooks?.[route] ?? hooks?.default;
    return e ? { url: e.url, secret: e.secret, format: e.format, ...(e.timeoutMs ? { timeoutMs: e.timeoutMs } : {}) } : undefined;
  };
}
