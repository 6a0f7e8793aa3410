import type { Store, TenantId } from '../../core';
import { deliveryRecord } from '../../webhooks/outbound/webhook-alert.sink';
import { resolveAlertRules } from '../settings/tenant-settings';
import { evaluateAlerts, type AlertRulesConfig, type AlertSignals } from '../../engine/alerts/alert-rules';

/**
 * Alerting, run by the score step: evaluate and record each alert once (by idempotency key) as a
 * pending delivery with the exact payload the sink sends; `alert.deliver` jobs then attempt them.
 * Returns the keys recorded now.
 */
export async function recordAlertsStep(
  store: Store,
  tenantId: TenantId,
  signals: readonly AlertSignals[],
  now: Date,
  recordedAt: Date,
  rulesGiven?: AlertRulesConfig,
): Promise<{ recorded: string[]; suppressed: number }> {
  const rules = rulesGiven ?? (await resolveAlertRules(store, tenantId));
  const history = (await store.listAlerts(tenantId)).map((d) => ({
    tenantId: d.tenantId,
    accountId: d.accountId,
    rule: d.rule,
    target: d.target,
    raisedAt: d.createdAt,
    idempotencyKey: d.idempotencyKey,
  }));
  const evaluation = evaluateAlerts(signals, history, rules, now);
  const recorded: string[] = [];
  // Delivery bookkeeping runs on the real clock (retry windows), like the sink's own records.
  const at = recordedAt.toISOString();
  for (const routed of evaluation.alerts) {
    const alert = { ...routed.alert, data: { ...routed.alert.data, target: routed.target } };
    const fresh = await store.recordAlert(deliveryRecord(alert, at));
    if (fresh) recorded.push(alert.idempotencyKey);
  }
  return { recorded, suppressed: evaluation.suppressed.length };
}
