import { z } from 'zod';
import { IsoDateTimeSchema, LocalizedTextSchema, type Alert } from '../../core';

export const ALERT_SCHEMA_VERSION = 'alert.v1';

/**
 * `alert.v1`: what receivers get. Additive changes only within v1 (new optional fields);
 * anything else is `alert.v2`. Documented with examples in docs/alerts.md.
 */
export const AlertV1Schema = z.object({
  schema: z.literal(ALERT_SCHEMA_VERSION),
  /** Same value as the Idempotency-Key header: dedupe on it. */
  id: z.string().min(1),
  tenantId: z.string().min(1),
  accountId: z.string().min(1),
  accountName: z.string().nullable(),
  rule: z.string().min(1),
  severity: z.enum(['info', 'warning', 'critical']),
  title: LocalizedTextSchema,
  reasons: z.array(LocalizedTextSchema),
  owner: z.object({ id: z.string().min(1) }).nullable(),
  /** `owner:<id>` or `team:<name>`. */
  route: z.string().min(1),
  raisedAt: IsoDateTimeSchema,
  data: z.record(z.string(), z.unknown()),
});
export type AlertV1 = z.infer<typeof AlertV1Schema>;

export function toAlertV1(alert: Alert, route: string): AlertV1 {
  const name = alert.data.accountName;
  return AlertV1Schema.parse({
    schema: ALERT_SCHEMA_VERSION,
    id: alert.idempotencyKey,
    tenantId: alert.tenantId,
    accountId: alert.accountId,
    accountName: typeof name === 'string' ? name : null,
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    reasons: alert.reasons,
    owner: alert.ownerId ? { id: alert.ownerId } : null,
    route,
    raisedAt: alert.raisedAt,
    data: alert.data,
  });
}

const EMOJI = { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' } as const;

/** Slack incoming-webhook body (text fallback + Block Kit), both languages, same alert id. */
export function toSlackPayload(alert: AlertV1): Record<string, unknown> {
  const reasons = alert.reasons.map((r) => `• ${r.en}\n   ${r.zh}`).join('\n');
  return {
    text: `${EMOJI[alert.severity]} ${alert.title.en} / ${alert.title.zh}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${alert.title.en}`.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: `*${alert.title.zh}*` } },
      ...(reasons ? [{ type: 'section', text: { type: 'mrkdwn', text: reasons.slice(0, 3000) } }] : []),
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `${alert.severity} · ${alert.rule} · account ${alert.accountId} · ${alert.route} · id ${alert.id}` },
        ],
      },
    ],
    metadata: {
      event_type: ALERT_SCHEMA_VERSION,
      event_payload: { id: alert.id, tenantId: alert.tenantId, accountId: alert.accountId, rule: alert.rule },
    },
  };
}
