import {
  SuccessEngineError,
  type Alert,
  type AlertDelivery,
  type AlertSink,
  type Clock,
  type DeliveryOutcome,
  type Store,
  type TenantId,
} from '../../core';
import { signatureHeader } from '../shared/signature';
import { ALERT_SCHEMA_VERSION, AlertV1Schema, toAlertV1, toSlackPayload, type AlertV1 } from './alert-payload.schema';
import { fetchTransport, type TransportResult, type WebhookTransport } from './http-transport';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-schedule';

export interface WebhookEndpoint {
  url: string;
  /** Signing secret shared with the receiver. */
  secret: string;
  /** `alert.v1` JSON, or a Slack incoming-webhook body (still signed, same headers). */
  format: 'alert.v1' | 'slack';
  timeoutMs?: number;
}

export type AlertDeliveryStore = Pick<Store, 'recordAlert' | 'updateAlert' | 'listAlerts' | 'getAlert' | 'claimAlertAttempt'>;

export interface WebhookAlertSinkOptions {
  store: AlertDeliveryStore;
  /** Route (`owner:<id>` / `team:<name>`) → endpoint; undefined means nowhere to send (dead-letter). */
  endpointFor: (route: string) => WebhookEndpoint | undefined;
  clock: Clock;
  /** [0, 1) source for jitter; inject a seeded one in tests. */
  random?: () => number;
  transport?: WebhookTransport;
  retry?: RetryPolicy;
  defaultTimeoutMs?: number;
}

/** Stored with each delivery, so retries and replays re-send exactly the same alert. */
interface StoredPayload {
  alert: AlertV1;
}

export const ALERT_HEADERS = {
  signature: 'X-Signature',
  idempotencyKey: 'Idempotency-Key',
  schema: 'X-Alert-Schema',
  attempt: 'X-Alert-Attempt',
} as const;

/** Where an alert goes: the route the alert engine chose, else its owner, else the default team. */
export function routeOf(alert: Alert): string {
  const target = alert.data.target;
  if (typeof target === 'string' && target !== '') return target;
  return alert.ownerId ? `owner:${alert.ownerId}` : 'team:default';
}

/** The delivery row of an alert, payload included: the one place it is built (recorded once per key). */
export function deliveryRecord(alert: Alert, at: string): AlertDelivery {
  const route = routeOf(alert);
  const payload: StoredPayload = { alert: toAlertV1(alert, route) };
  return {
    tenantId: alert.tenantId,
    idempotencyKey: alert.idempotencyKey,
    accountId: alert.accountId,
    rule: alert.rule,
    target: route,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    lastError: null,
    payload,
    createdAt: at,
    deliveredAt: null,
  };
}

/**
 * Signed, idempotent webhook delivery. Each alert is recorded once (by idempotency key) in the
 * record store, then attempted; failures are retried with exponential backoff and full jitter for
 * the policy window (24 h by default) and then dead-lettered, from where `replay` re-sends them.
 * Receivers see the same `Idempotency-Key` on every attempt and should dedupe on it.
 */
export class WebhookAlertSink implements AlertSink {
  private readonly store: AlertDeliveryStore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly transport: WebhookTransport;
  private readonly policy: RetryPolicy;
  private readonly defaultTimeoutMs: number;
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();

  constructor(private readonly options: WebhookAlertSinkOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.transport = options.transport ?? fetchTransport;
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
  }

  /** Records the alert (once per key) and makes an attempt if one is due. */
  async deliver(alert: Alert): Promise<DeliveryOutcome> {
    await this.store.recordAlert(deliveryRecord(alert, this.clock.now().toISOString()));
    return this.attempt(alert.tenantId, alert.idempotencyKey);
  }

  /** Attempts a recorded delivery by its key, if an attempt is due (what an `alert.deliver` job does). */
  async attempt(tenantId: TenantId, idempotencyKey: string): Promise<DeliveryOutcome> {
    const row = await this.find(tenantId, idempotencyKey);
    if (!row) throw new SuccessEngineError('PIPELINE.UNKNOWN_ALERT', `tenant ${tenantId} has no recorded alert ${idempotencyKey}`);
    return this.attemptIfDue(row);
  }

  /** Attempts every pending or failed delivery of the tenant whose retry time has come. */
  async retryDue(tenantId: TenantId): Promise<DeliveryOutcome[]> {
    const due = [...(await this.store.listAlerts(tenantId, 'pending')), ...(await this.store.listAlerts(tenantId, 'failed'))].filter((d) =>
      this.isDue(d),
    );
    const out: DeliveryOutcome[] = [];
    for (const d of due) out.push(await this.attemptIfDue(d));
    return out;
  }

  /** Delivers and keeps retrying (sleeping between attempts) until delivered or dead-lettered. */
  async settle(alert: Alert, sleep: (ms: number) => Promise<void>): Promise<DeliveryOutcome> {
    let outcome = await this.deliver(alert);
    while (outcome.status === 'retry') {
      await sleep(Math.max(0, Date.parse(outcome.retryAt) - this.clock.now().getTime()));
      outcome = await this.attempt(alert.tenantId, alert.idempotencyKey);
    }
    return outcome;
  }

  /** The dead-letter queue of a tenant. */
  async deadLetters(tenantId: TenantId): Promise<AlertDelivery[]> {
    return this.store.listAlerts(tenantId, 'dead-lettered');
  }

  /**
   * Re-sends dead-lettered deliveries now (all, or the given keys), once each: delivered on
   * success, back in the dead-letter queue with the new error otherwise.
   */
  async replay(tenantId: TenantId, keys?: readonly string[]): Promise<{ idempotencyKey: string; outcome: DeliveryOutcome }[]> {
    const wanted = keys ? new Set(keys) : null;
    const rows = (await this.deadLetters(tenantId)).filter((d) => !wanted || wanted.has(d.idempotencyKey));
    const out: { idempotencyKey: string; outcome: DeliveryOutcome }[] = [];
    for (const row of rows)
      out.push({ idempotencyKey: row.idempotencyKey, outcome: await this.exclusive(row, async () => this.send(row, true)) });
    return out;
  }

  private async find(tenantId: TenantId, key: string): Promise<AlertDelivery | undefined> {
    return (await this.store.getAlert(tenantId, key)) ?? undefined;
  }

  private isDue(d: AlertDelivery): boolean {
    return (
      (d.status === 'pending' || d.status === 'failed') &&
      (d.nextAttemptAt === null || Date.parse(d.nextAttemptAt) <= this.clock.now().getTime())
    );
  }

  private async attemptIfDue(d: AlertDelivery): Promise<DeliveryOutcome> {
    if (d.status === 'delivered') return { status: 'delivered', attempts: d.attempts };
    if (d.status === 'dead-lettered') return { status: 'dead-lettered', attempts: d.attempts, reason: d.lastError ?? 'dead-lettered' };
    if (!this.isDue(d))
      return {
        status: 'retry',
        attempts: d.attempts,
        retryAt: d.nextAttemptAt ?? this.clock.now().toISOString(),
        reason: d.lastError ?? 'scheduled',
      };
    return this.exclusive(d, async () => this.send(d, false));
  }

  /** One attempt per key at a time in this process, so a key is never sent twice concurrently. */
  private exclusive(d: AlertDelivery, run: () => Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    const id = `${d.tenantId}\u0000${d.idempotencyKey}`;
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = run().finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  /**
   * Workers on other hosts may hold a job for the same key (a retry racing a re-run): the store lets
   * one of them take the attempt, for as long as a send can take.
   */
  private async claim(d: AlertDelivery): Promise<boolean> {
    const now = this.clock.now();
    const endpoint = this.options.endpointFor(d.target);
    const leaseMs = 2 * (endpoint?.timeoutMs ?? this.defaultTimeoutMs) + 30_000;
    return this.store.claimAlertAttempt(d.tenantId, d.idempotencyKey, {
      expectedAttempts: d.attempts,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    });
  }

  /** What a worker that lost the claim reports: the row as it is now (delivered, or due again later). */
  private async claimedElsewhere(d: AlertDelivery): Promise<DeliveryOutcome> {
    const row = (await this.find(d.tenantId, d.idempotencyKey)) ?? d;
    if (row.status === 'delivered') return { status: 'delivered', attempts: row.attempts };
    if (row.status === 'dead-lettered')
      return { status: 'dead-lettered', attempts: row.attempts, reason: row.lastError ?? 'dead-lettered' };
    return {
      status: 'retry',
      attempts: row.attempts,
      retryAt: row.nextAttemptAt ?? this.clock.now().toISOString(),
      reason: 'another worker is attempting this delivery',
    };
  }

  private async send(d: AlertDelivery, replay: boolean): Promise<DeliveryOutcome> {
    if (!replay && !(await this.claim(d))) return this.claimedElsewhere(d);
    const attempts = d.attempts + 1;
    const deadLetter = async (reason: string): Promise<DeliveryOutcome> => {
      await this.store.updateAlert(d.tenantId, d.idempotencyKey, {
        status: 'dead-lettered',
        attempts,
        nextAttemptAt: null,
        lastError: reason,
      });
      return { status: 'dead-lettered', attempts, reason };
    };
    const parsed = AlertV1Schema.safeParse((d.payload as Partial<StoredPayload> | null)?.alert);
    if (!parsed.success) return deadLetter(`stored payload is not ${ALERT_SCHEMA_VERSION}`);
    const endpoint = this.options.endpointFor(d.target);
    if (!endpoint) return deadLetter(`no webhook endpoint for route ${d.target}`);

    const body = JSON.stringify(endpoint.format === 'slack' ? toSlackPayload(parsed.data) : parsed.data);
    const t = Math.floor(this.clock.now().getTime() / 1000);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'success-engine-webhooks/1',
      [ALERT_HEADERS.signature]: signatureHeader(endpoint.secret, t, body),
      [ALERT_HEADERS.idempotencyKey]: d.idempotencyKey,
      [ALERT_HEADERS.schema]: ALERT_SCHEMA_VERSION,
      [ALERT_HEADERS.attempt]: String(attempts),
    };
    const result = await this.transport({ url: endpoint.url, headers, body, timeoutMs: endpoint.timeoutMs ?? this.defaultTimeoutMs });
    const now = this.clock.now();
    const verdict = classify(result);
    if (verdict.kind === 'delivered') {
      await this.store.updateAlert(d.tenantId, d.idempotencyKey, {
        status: 'delivered',
        attempts,
        nextAttemptAt: null,
        lastError: null,
        deliveredAt: now.toISOString(),
      });
      return { status: 'delivered', attempts };
    }
    if (verdict.kind === 'permanent' || replay) return deadLetter(verdict.reason);
    const retryAt = now.getTime() + backoffDelayMs(attempts, this.policy, this.random);
    if (retryAt > Date.parse(d.createdAt) + this.policy.windowMs)
      return deadLetter(`retry window exhausted after ${attempts} attempts; last: ${verdict.reason}`);
    const retryIso = new Date(retryAt).toISOString();
    await this.store.updateAlert(d.tenantId, d.idempotencyKey, {
      status: 'failed',
      attempts,
      nextAttemptAt: retryIso,
      lastError: verdict.reason,
    });
    return { status: 'retry', attempts, retryAt: retryIso, reason: verdict.reason };
  }
}

/**
 * 2xx (and 409, "already have it") is delivered; 408, 425, 429, 5xx, timeouts and network
 * errors are worth retrying; other statuses (4xx, redirects) will not change on retry.
 */
export function classify(result: TransportResult): { kind: 'delivered' | 'retryable' | 'permanent'; reason: string } {
  if (result.kind !== 'response') return { kind: 'retryable', reason: `${result.kind}: ${result.message}` };
  const s = result.status;
  const reason = `HTTP ${s}${result.body ? `: ${result.body.slice(0, 200)}` : ''}`;
  if ((s >= 200 && s < 300) || s === 409) return { kind: 'delivered', reason };
  if (s === 408 || s === 425 || s === 429 || s >= 500) return { kind: 'retryable', reason };
  return { kind: 'permanent', reason };
}
