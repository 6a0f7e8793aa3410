import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import vm from 'node:vm';
import { fixedClock, type Alert, type TenantId, type Store } from '../../core';
import { DEFAULT_ALERT_RULES, evaluateAlerts, type AlertSignals } from '../../engine/alerts';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { AlertV1Schema } from '../../webhooks/outbound/alert-payload.schema';
import { deliveryRecord, WebhookAlertSink, type WebhookEndpoint } from '../../webhooks/outbound/webhook-alert.sink';

const TENANT = 'tenant-alerts' as TenantId;
const SECRET = 'whsec_test_0123456789';
// Real sockets and a real timeout per alert; a cap for slow shared machines, not a timed assertion.
jest.setTimeout(60_000);

type Verify = (rawBody: Buffer | string, header: string | undefined, secret: string, toleranceSeconds?: number, nowMs?: number) => boolean;

/** The Node recipe exactly as docs/alerts.md prints it. */
function loadDocumentedRecipe(): Verify {
  const doc = readFileSync(path.join(__dirname, '../../docs/alerts.md'), 'utf8');
  const start = doc.indexOf('<!-- recipe:node');
  const code = /```js\n([\s\S]*?)```/.exec(doc.slice(start))?.[1];
  if (start < 0 || !code) throw new Error('docs/alerts.md has no Node recipe block');
  const module = { exports: {} as { verifyAlertSignature?: Verify } };
  vm.runInNewContext(code, { require, module, exports: module.exports, Buffer });
  const fn = module.exports.verifyAlertSignature;
  if (!fn) throw new Error('recipe does not export verifyAlertSignature');
  return fn;
}

type Behaviour = 'fail-500' | 'fail-503' | 'hang' | 'ok' | 'reject-400';

/** A receiver that follows a script of behaviours by attempt number, dedupes on the key and counts. */
class Receiver {
  readonly processed = new Map<string, number>();
  readonly requests: { key: string; attempt: string | undefined; header: string; signatureOk: boolean; body: string }[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  url = '';

  constructor(
    private readonly script: (attempt: number) => Behaviour,
    private readonly verify: Verify,
    private readonly now: () => number,
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const key = String(req.headers['idempotency-key']);
        const header = String(req.headers['x-signature'] ?? '');
        const signatureOk = this.verify(raw, header, SECRET, 300, this.now());
        this.requests.push({
          key,
          attempt: req.headers['x-alert-attempt'] as string | undefined,
          header,
          signatureOk,
          body: raw.toString('utf8'),
        });
        const behaviour = this.script(Number(req.headers['x-alert-attempt']));
        if (!signatureOk) return void res.writeHead(401).end();
        if (behaviour === 'fail-500' || behaviour === 'fail-503')
          return void res.writeHead(behaviour === 'fail-500' ? 500 : 503).end('try later');
        if (behaviour === 'reject-400') return void res.writeHead(400).end('bad');
        // Accepted: process once per key (dedupe), even if our answer never reaches the sender.
        this.processed.set(key, (this.processed.get(key) ?? 0) + (this.processed.has(key) ? 0 : 1));
        if (behaviour === 'hang') return void setTimeout(() => res.writeHead(200).end('late'), 1_500);
        res.writeHead(200).end('ok');
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeAlerts(n: number, now: Date): Alert[] {
  const signals: AlertSignals[] = Array.from({ length: n }, (_, i) => ({
    tenantId: TENANT,
    accountId: `hubspot:${1000 + i}`,
    accountName: `Account ${i}`,
    ownerId: `u${i % 3}`,
    current: { churnProbability: 0.9, band: 'critical', clv: 10_000, currency: 'USD', scoredAt: '2026-06-01T00:00:00.000Z' },
    previous: { churnProbability: 0.4, clv: 10_000, scoredAt: '2026-05-25T00:00:00.000Z' },
  }));
  const cfg = { ...DEFAULT_ALERT_RULES, riskThreshold: { enabled: false, threshold: 0.6 }, clvAtRisk: { enabled: false, minAmount: 1 } };
  return evaluateAlerts(signals, [], cfg, now).alerts.map((r) => r.alert);
}

describe('webhook alert delivery against a local receiver', () => {
  const verify = loadDocumentedRecipe();
  let store: Store;
  let opened: TestStore;
  const clock = fixedClock('2026-06-01T12:00:00.000Z');
  const sleep = (ms: number) => {
    clock.advance(ms);
    return Promise.resolve();
  };
  const receivers: Receiver[] = [];

  beforeEach(async () => {
    opened = await openTestStore();
    store = opened.store;
    await store.upsertTenant({ id: TENANT, name: 'Alerts', locale: 'en', createdAt: '2026-01-01T00:00:00.000Z' });
    clock.set('2026-06-01T12:00:00.000Z');
  });
  afterEach(async () => {
    await opened.close();
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  async function receiver(script: (attempt: number) => Behaviour): Promise<Receiver> {
    const r = new Receiver(script, verify, () => clock.now().getTime());
    await r.start();
    receivers.push(r);
    return r;
  }

  function sink(endpoint: Partial<WebhookEndpoint> & { url: string }): WebhookAlertSink {
    return new WebhookAlertSink({
      store,
      clock,
      random: seeded(7),
      endpointFor: () => ({ secret: SECRET, format: 'alert.v1', timeoutMs: 800, ...endpoint }),
    });
  }

  it('survives 5xx, a timeout and recovery: each alert arrives exactly once per key, signed per the documented recipe', async () => {
    const script = (attempt: number): Behaviour => (['fail-503', 'fail-500', 'hang'] as const)[attempt - 1] ?? 'ok';
    const r = await receiver(script);
    const s = sink({ url: r.url });
    const alerts = makeAlerts(6, clock.now());
    expect(alerts).toHaveLength(6);

    // One after another: the shared fake clock must not jump between signing and the receiver's check.
    const outcomes = [];
    for (const a of alerts) outcomes.push(await s.settle(a, sleep));
    // 503, 500, timeout, then 200 (a stalled machine may add a spurious timeout, never a duplicate).
    for (const o of outcomes) expect(o).toMatchObject({ status: 'delivered' });
    for (const o of outcomes) expect(o.attempts).toBeGreaterThanOrEqual(4);

    // Exactly once per key at the receiver, for every alert.
    expect([...r.processed.keys()].sort()).toEqual(alerts.map((a) => a.idempotencyKey).sort());
    for (const count of r.processed.values()) expect(count).toBe(1);
    // Every attempt was signed correctly and carried the same key and body id.
    expect(r.requests.length).toBeGreaterThanOrEqual(24);
    for (const req of r.requests) {
      expect(req.signatureOk).toBe(true);
      const body = AlertV1Schema.parse(JSON.parse(req.body));
      expect(body.id).toBe(req.key);
    }
    expect(
      r.requests
        .filter((q) => q.key === alerts[0]?.idempotencyKey)
        .map((q) => q.attempt)
        .slice(0, 4),
    ).toEqual(['1', '2', '3', '4']);
    const rows = await store.listAlerts(TENANT, 'delivered');
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.attempts >= 4 && row.deliveredAt !== null)).toBe(true);

    // Delivering the same alerts again sends nothing.
    const before = r.requests.length;
    for (const a of alerts) expect((await s.deliver(a)).status).toBe('delivered');
    expect(r.requests).toHaveLength(before);
  });

  it('two workers attempting one recorded key at once send it once: the store gives the attempt to one of them', async () => {
    const r = await receiver(() => 'ok');
    const alerts = makeAlerts(3, clock.now());
    // Separate sink instances share nothing in memory, as workers on two hosts would not.
    const [hostA, hostB] = [sink({ url: r.url }), sink({ url: r.url })];
    for (const a of alerts) await store.recordAlert(deliveryRecord(a, clock.now().toISOString()));

    const outcomes = await Promise.all(alerts.flatMap((a) => [hostA, hostB].map((host) => host.attempt(TENANT, a.idempotencyKey))));

    expect(r.requests.map((q) => q.key).sort()).toEqual(alerts.map((a) => a.idempotencyKey).sort());
    // Each key was sent by one of its two workers. The other lost the claim, or (on a server database,
    // where the calls interleave) read the row after the winner had claimed it (not due: 'scheduled')
    // or finished (delivered): never a second send.
    for (const [i, o] of outcomes.entries())
      expect([i, o]).toEqual([
        i,
        expect.objectContaining(
          o.status === 'delivered'
            ? { attempts: 1 }
            : {
                status: 'retry',
                attempts: 0,
                reason: expect.stringMatching(/^(another worker is attempting this delivery|scheduled)$/) as unknown,
              },
        ) as unknown,
      ]);
    expect(outcomes.filter((o) => o.status === 'delivered').length).toBeGreaterThanOrEqual(3);
    // The loser's job, run again when its retry is due, finds the delivery done and sends nothing.
    for (const a of alerts) expect(await hostB.attempt(TENANT, a.idempotencyKey)).toEqual({ status: 'delivered', attempts: 1 });
    expect(r.requests).toHaveLength(3);
  });

  it('attempting a key nobody recorded is an error naming it', async () => {
    await expect(sink({ url: 'http://127.0.0.1:9/never' }).attempt(TENANT, 'no-such-key')).rejects.toMatchObject({
      code: 'PIPELINE.UNKNOWN_ALERT',
      message: expect.stringContaining('no-such-key') as unknown,
    });
  });

  it('the documented recipe rejects a tampered body, a wrong secret and a stale timestamp', async () => {
    const r = await receiver(() => 'ok');
    const [alert] = makeAlerts(1, clock.now());
    await sink({ url: r.url }).deliver(alert as Alert);
    const req = r.requests[0];
    if (!req) throw new Error('nothing received');
    const header = req.header;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(req.body, header, SECRET, 300, clock.now().getTime())).toBe(true);
    expect(verify(`${req.body} `, header, SECRET, 300, clock.now().getTime())).toBe(false);
    expect(verify(req.body, header, 'other-secret', 300, clock.now().getTime())).toBe(false);
    expect(verify(req.body, header, SECRET, 300, clock.now().getTime() + 301_000)).toBe(false);
  });

  it('backs off with growing delays and dead-letters after 24 h, then replays once the receiver is back', async () => {
    let up = false;
    const r = await receiver(() => (up ? 'ok' : 'fail-503'));
    const s = sink({ url: r.url });
    const [alert] = makeAlerts(1, clock.now());
    if (!alert) throw new Error('no alert');
    const start = clock.now().getTime();
    const outcome = await s.settle(alert, sleep);
    expect(outcome.status).toBe('dead-lettered');
    const elapsed = clock.now().getTime() - start;
    expect(elapsed).toBeLessThanOrEqual(24 * 3_600_000);
    expect(elapsed).toBeGreaterThan(12 * 3_600_000);
    expect(r.processed.size).toBe(0);
    expect((await s.deadLetters(TENANT)).map((d) => d.idempotencyKey)).toEqual([alert.idempotencyKey]);

    up = true;
    const replayed = await s.replay(TENANT);
    expect(replayed).toEqual([{ idempotencyKey: alert.idempotencyKey, outcome: { status: 'delivered', attempts: outcome.attempts + 1 } }]);
    expect(r.processed.get(alert.idempotencyKey)).toBe(1);
    expect(await s.deadLetters(TENANT)).toEqual([]);
  });

  it('dead-letters at once on a 4xx that retrying cannot fix, and retries connection errors', async () => {
    const r = await receiver(() => 'reject-400');
    const [a1, a2] = makeAlerts(2, clock.now());
    if (!a1 || !a2) throw new Error('no alerts');
    expect(await sink({ url: r.url }).deliver(a1)).toMatchObject({ status: 'dead-lettered', attempts: 1 });

    const closed = await receiver(() => 'ok');
    const url = closed.url;
    await closed.stop();
    receivers.splice(receivers.indexOf(closed), 1);
    const outcome = await sink({ url }).deliver(a2);
    expect(outcome).toMatchObject({ status: 'retry', attempts: 1 });
    const row = (await store.listAlerts(TENANT, 'failed'))[0];
    expect(row?.lastError).toMatch(/network-error/);
    // Not due yet: retryDue sends nothing; once due it tries again.
    expect(await sink({ url }).retryDue(TENANT)).toEqual([]);
    clock.advance(3_600_000);
    expect((await sink({ url }).retryDue(TENANT))[0]).toMatchObject({ status: 'retry', attempts: 2 });
  });

  it('sends a Slack-compatible body when the endpoint asks for it', async () => {
    const r = await receiver(() => 'ok');
    const [alert] = makeAlerts(1, clock.now());
    expect(await sink({ url: r.url, format: 'slack' }).deliver(alert as Alert)).toEqual({ status: 'delivered', attempts: 1 });
    const body = JSON.parse(r.requests[0]?.body ?? '{}') as {
      text: string;
      blocks: unknown[];
      metadata: { event_payload: { id: string } };
    };
    expect(body.text).toContain('流失风险');
    expect(body.blocks.length).toBeGreaterThan(2);
    expect(body.metadata.event_payload.id).toBe(alert?.idempotencyKey);
    expect(r.requests[0]?.signatureOk).toBe(true);
  });
});
