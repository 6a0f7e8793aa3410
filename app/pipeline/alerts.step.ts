import type { AlertSink, DeliveryOutcome, RecordStore, TenantId } from '../../core';
import { DEFAULT_ALERT_RULES, evaluateAlerts, type AlertRulesConfig, type AlertSignals, type RoutedAlert } from '../../engine/alerts/alert-rules';

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
export async function alertsStep(store: RecordStore, sink: AlertSink, tenantId: TenantId, signals: readonly AlertSignals[], now: Date, rules: AlertRulesConfig = DEFAULT_ALERT_RULES): Promise<AlertsStepResult> {
  const history = store.listAlerts(tenantId).map((d) => ({ tenantId: d.tenantId, accountId: d.accountId, rule: d.rule, target: d.target, raisedAt: d.createdAt, idempotencyKey: d.idempotencyKey }));
  const evaluation = evaluateAlerts(signals, history, rules, now);
  const outcomes: DeliveryOutcome[] = [];
  for (const routed of evaluation.alerts) outcomes.push(await sink.deliver({ ...routed.alert, data: { ...routed.alert.data, target: routed.target } }));
  return { raised: evaluation.alerts, suppressed: evaluation.suppressed.length, outcomes };
}
