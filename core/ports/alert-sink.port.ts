import type { AccountId, TenantId } from '../ids';
import type { LocalizedText } from '../model/common.schema';

export interface Alert {
  /** Same key for the same alert: receivers dedupe on it, retries reuse it. */
  idempotencyKey: string;
  tenantId: TenantId;
  accountId: AccountId;
  rule: string;
  severity: 'info' | 'warning' | 'critical';
  title: LocalizedText;
  reasons: LocalizedText[];
  ownerId?: string;
  raisedAt: string;
  data: Record<string, unknown>;
}

export type DeliveryOutcome =
  | { status: 'delivered'; attempts: number }
  | { status: 'retry'; attempts: number; retryAt: string; reason: string }
  | { status: 'dead-lettered'; attempts: number; reason: string };

/** Where recorded alerts go (signed webhooks, Slack-compatible payloads): attempted by idempotency key. */
export interface AlertSink {
  attempt(tenantId: TenantId, idempotencyKey: string): Promise<DeliveryOutcome>;
}
