import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import type { Clock } from '../../core';

/**
 * Outbound webhooks as HubSpot sends them: events batched into one JSON array per POST (≤ 100),
 * signed (v1 or v2 in X-HubSpot-Signature, and v3 with X-HubSpot-Request-Timestamp), retried after a
 * 5xx, a timeout or a failed connection (not after 4xx), up to 10 attempts with growing delays.
 * Delivery runs on `flush()` (tests drive it with the injected clock) or on a timer (`autoFlushMs`).
 */
export interface WebhookOptions {
  targetUrl: string;
  clientSecret?: string;
  appId?: number;
  /** Which of v1/v2 goes into X-HubSpot-Signature; v3 is always sent too. */
  signatureVersion?: 'v1' | 'v2';
  batchSize?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Delay before attempt n+1 (last value repeats). HubSpot spreads 10 attempts over 24 h. */
  retryDelaysMs?: readonly number[];
  /** Flush on a timer; leave unset in tests and call flush(). */
  autoFlushMs?: number;
  /** Subscription types to send, e.g. ["company.propertyChange"]; all when unset. */
  subscriptions?: readonly string[];
}

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: 'NEW' | 'DELETED';
  propertyName?: string;
  propertyValue?: string;
}

export interface DeliveryRecord {
  attempt: number;
  status: number | 'timeout' | 'connection-failed';
  events: number;
}

const SUBSCRIPTION_IDS: Record<string, number> = { creation: 1001, propertyChange: 1002, deletion: 1003 };

export class HubSpotWebhookSender {
  private pending: WebhookEvent[] = [];
  private retries: { events: WebhookEvent[]; attempt: number; notBefore: number }[] = [];
  private nextEventId = 1;
  private timer: NodeJS.Timeout | undefined;
  readonly deliveries: DeliveryRecord[] = [];
  /** Batches given up on (attempts exhausted or a 4xx). */
  readonly dropped: WebhookEvent[][] = [];

  constructor(
    private readonly options: WebhookOptions,
    private readonly portalId: number,
    private readonly clock: Clock,
  ) {
    if (options.autoFlushMs) {
      this.timer = setInterval(() => void this.flush(), options.autoFlushMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Records an event for an object type that HubSpot has webhooks for. */
  emit(
    objectSingular: string,
    kind: 'creation' | 'propertyChange' | 'deletion',
    objectId: string,
    property?: { name: string; value: string | null },
  ): void {
    const subscriptionType = `${objectSingular}.${kind}`;
    if (this.options.subscriptions && !this.options.subscriptions.includes(subscriptionType)) return;
    const event: WebhookEvent = {
      eventId: this.nextEventId++,
      subscriptionId: SUBSCRIPTION_IDS[kind] ?? 1000,
      portalId: this.portalId,
      appId: this.options.appId ?? 1,
      occurredAt: this.clock.now().getTime(),
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(objectId),
      changeSource: 'API',
      ...(kind === 'creation' ? { changeFlag: 'NEW' as const } : kind === 'deletion' ? { changeFlag: 'DELETED' as const } : {}),
      ...(property ? { propertyName: property.name, propertyValue: property.value ?? '' } : {}),
    };
    this.pending.push(event);
  }

  get queued(): number {
    return this.pending.length + this.retries.reduce((n, r) => n + r.events.length, 0);
  }

  /** Sends every pending batch and every retry that is due; resolves when all answers are in. */
  async flush(): Promise<void> {
    const now = this.clock.now().getTime();
    const size = Math.min(100, this.options.batchSize ?? 100);
    const batches: { events: WebhookEvent[]; attempt: number }[] = [];
    const due = this.retries.filter((r) => r.notBefore <= now);
    this.retries = this.retries.filter((r) => r.notBefore > now);
    batches.push(...due);
    while (this.pending.length) batches.push({ events: this.pending.splice(0, size), attempt: 0 });
    await Promise.all(batches.map((b) => this.deliver(b.events, b.attempt)));
  }

  private async deliver(events: WebhookEvent[], attempt: number): Promise<void> {
    const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber: attempt })));
    const status = await this.post(body);
    this.deliveries.push({ attempt, status, events: events.length });
    const retryable = status === 'timeout' || status === 'connection-failed' || status >= 500;
    if (typeof status === 'number' && status < 300) return;
    const maxAttempts = this.options.maxAttempts ?? 10;
    if (!retryable || attempt + 1 >= maxAttempts) {
      this.dropped.push(events);
      return;
    }
    const delays = this.options.retryDelaysMs ?? [
      60_000, 300_000, 900_000, 3_600_000, 7_200_000, 14_400_000, 21_600_000, 21_600_000, 21_600_000,
    ];
    const wait = delays[Math.min(attempt, delays.length - 1)] ?? 60_000;
    this.retries.push({ events, attempt: attempt + 1, notBefore: this.clock.now().getTime() + wait });
  }

  private post(body: string): Promise<number | 'timeout' | 'connection-failed'> {
    const url = new URL(this.options.targetUrl);
    const secret = this.options.clientSecret ?? 'sandbox-client-secret';
    const timestamp = String(this.clock.now().getTime());
    const version = this.options.signatureVersion ?? 'v1';
    const legacy =
      version === 'v1'
        ? createHash('sha256')
            .update(secret + body)
            .digest('hex')
        : createHash('sha256').update(`${secret}POST${url.toString()}${body}`).digest('hex');
    const v3 = createHmac('sha256', secret).update(`POST${url.toString()}${body}${timestamp}`).digest('base64');
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'User-Agent': 'HubSpot Connect 2.0 (sandbox)',
            'X-HubSpot-Signature': legacy,
            'X-HubSpot-Signature-Version': version,
            'X-HubSpot-Signature-v3': v3,
            'X-HubSpot-Request-Timestamp': timestamp,
          },
          timeout: this.options.timeoutMs ?? 5000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => {
        req.destroy();
        resolve('timeout');
      });
      req.on('error', () => resolve('connection-failed'));
      req.end(body);
    });
  }
}
