import type { AlertSink, DeliveryOutcome, Store, TenantId } from '../../core';
import { routeOf } from '../../webhooks/outbound/webhook-alert.sink';
import { toAlertV1 } from '../../webhooks/outbound/alert-payload.schema';
import { resolveAlertRules } from '../settings/tenant-settings';
import { evaluateAlerts, type AlertRulesConfig, type AlertSignals, type RoutedAlert } from '../../engine/alerts/alert-rules';

export interface AlertsStepResult {
  raised: RoutedAlert[];
  suppressed: number;
  outcomes: DeliveryOutcome[];
}

/**
 * Turn fresh scores into alerts (rules, dedupe, cooldown, weekly budget per owner from the
 * deliveries already recorded) and hand each to the sink, which records it once per idempotency
 * key before attempting delivery.
 */
export async function alertsStep(
  store: Store,
  sink: AlertSink,
  tenantId: TenantId,
  signals: readonly AlertSignals[],
  now: Date,
  rulesGiven?: AlertRulesConfig,
): Promise<AlertsStepResult> {
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
  const outcomes: DeliveryOutcome[] = [];
  for (const routed of evaluation.alerts)
    outcomes.push(await sink.deliver({ ...routed.alert, data: { ...routed.alert.data, target: routed.target } }));
  return { raised: evaluation.alerts, suppressed: evaluation.suppressed.length, outcomes };
}

/**
 * The queue's half of alerting: evaluate and record each alert once (by idempotency key) as a
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
    const route = routeOf(alert);
    const fresh = await store.recordAlert({
      tenantId,
      idempotencyKey: alert.idempotencyKey,
      accountId: alert.accountId,
      rule: alert.rule,
      target: route,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      payload: { alert: toAlertV1(alert, route) },
      createdAt: at,
      deliveredAt: null,
    });
    if (fresh) recorded.push(alert.idempotencyKey);
  }
  return { recorded, suppressed: evaluation.suppressed.length };
}
