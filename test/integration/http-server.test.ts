import pino from 'pino';
import type { AccountId, ScoreSet, TenantId, Store } from '../../core';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { makeAccount } from '../helpers/records';

const A = 'tenant-a' as TenantId;
const B = 'tenant-b' as TenantId;

function score(
  tenantId: TenantId,
  accountId: string,
  probability: number,
  band: ScoreSet['churn']['band'],
  computedAt = '2026-11-01T00:00:00Z',
): ScoreSet {
  return {
    tenantId,
    accountId: accountId as AccountId,
    computedAt,
    modelVersion: 'v1',
    nextBestActions: [],
    churn: { probability, band, drivers: [], model: { name: 'health', version: '1', kind: 'health-score' } },
  };
}

describe('HTTP server', () => {
  let store: Store;
  let opened: TestStore;
  let server: RunningServer;
  let redisUp = true;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    opened = await openTestStore();
    store = opened.store;
    for (const id of [A, B]) await store.upsertTenant({ id, name: id, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    await store.upsertRecords('account', [makeAccount('1', {}, A), makeAccount('2', {}, A), makeAccount('9', {}, B)]);
    await store.appendScoreSets([
      score(A, 'hubspot:1', 0.2, 'low', '2026-10-01T00:00:00Z'),
      score(A, 'hubspot:1', 0.7, 'high'),
      score(A, 'hubspot:2', 0.4, 'medium'),
      score(B, 'hubspot:9', 0.9, 'critical'),
    ]);
    tokens.readerA = await store.issueApiToken(A, 'reader', 'card');
    tokens.adminA = await store.issueApiToken(A, 'admin', 'console');
    tokens.readerB = await store.issueApiToken(B, 'reader', 'card');
    await store.appendAudit({
      tenantId: A,
      at: '2026-11-01T00:00:00Z',
      actor: 'system',
      action: 'sync.completed',
      target: 'hubspot',
      details: {},
    });
    const app = createHttpApp({
      store,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: [
        { name: 'store', check: () => Promise.resolve() },
        { name: 'redis', check: () => (redisUp ? Promise.resolve() : Promise.reject(new Error('connection refused'))) },
      ],
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await opened.close();
  });

  const get = (path: string, token?: string) =>
    fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('answers health, and readiness from its dependency checks', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await get('/readyz')).status).toBe(200);
    redisUp = false;
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      checks: [
        { name: 'store', ok: true },
        { name: 'redis', ok: false, error: 'connection refused' },
      ],
    });
    redisUp = true;
  });

  it('asks for a token, and refuses a wrong one', async () => {
    const missing = await get('/api/v1/scores');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect((await get('/api/v1/scores', 'se_not-a-token')).status).toBe(401);
  });

  it('serves the tenant’s latest scores, riskiest first, filtered by band', async () => {
    const all = (await (await get('/api/v1/scores', tokens.readerA)).json()) as { scores: ScoreSet[] };
    expect(all.scores.map((s) => [s.accountId, s.churn.probability])).toEqual([
      ['hubspot:1', 0.7],
      ['hubspot:2', 0.4],
    ]);
    const high = (await (await get('/api/v1/scores?band=high', tokens.readerA)).json()) as { scores: ScoreSet[] };
    expect(high.scores.map((s) => s.accountId)).toEqual(['hubspot:1']);
  });

  it('names the bad query parameter', async () => {
    const response = await get('/api/v1/scores?band=amber', tokens.readerA);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'HTTP.BAD_REQUEST', message: expect.stringContaining('"band"') } });
  });

  it('shows an account with its score and trend, only to its own tenant', async () => {
    const own = await get('/api/v1/accounts/hubspot:1', tokens.readerA);
    expect(own.status).toBe(200);
    const body = (await own.json()) as { account: { name: string }; score: ScoreSet; trend: { probability: number }[] };
    expect(body.account.name).toBe('Account 1');
    expect(body.score.churn.probability).toBe(0.7);
    expect(body.trend.map((t) => t.probability)).toEqual([0.2, 0.7]);
    expect((await get('/api/v1/accounts/hubspot:1', tokens.readerB)).status).toBe(404);
    const other = await get('/api/v1/accounts/hubspot:1/scores', tokens.readerB);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: { code: 'HTTP.NOT_FOUND', message: 'no account hubspot:1' } });
  });

  it('keeps admin routes for admin tokens', async () => {
    expect((await get('/api/v1/admin/audit', tokens.readerA)).status).toBe(403);
    const audit = await get('/api/v1/admin/audit', tokens.adminA);
    expect(await audit.json()).toMatchObject({ entries: [{ action: 'sync.completed' }] });
  });

  it('exposes Prometheus metrics with route labels, not raw paths', async () => {
    const text = await (await get('/metrics')).text();
    expect(text).toContain('se_http_request_duration_seconds_count{method="GET",route="/api/v1/accounts/:accountId",status="200"}');
    expect(text).not.toContain('hubspot:1');
  });

  it('answers /metrics (it names tenants) only to direct loopback requests without SE_METRICS_TOKEN', async () => {
    expect((await get('/metrics')).status).toBe(200);
    for (const header of ['x-forwarded-for', 'forwarded']) {
      const proxied = await fetch(`${server.url}/metrics`, { headers: { [header]: '203.0.113.7' } });
      expect([header, proxied.status]).toEqual([header, 403]);
      expect(await proxied.json()).toMatchObject({
        error: { code: 'HTTP.FORBIDDEN', message: expect.stringContaining('SE_METRICS_TOKEN') },
      });
    }
  });

  it('with SE_METRICS_TOKEN, /metrics wants that bearer token from anywhere', async () => {
    const token = 'metrics-token-0123456789';
    const app = createHttpApp({
      store,
      log: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      readiness: [],
      metricsToken: token,
    });
    const guarded = await listen(app, '127.0.0.1', 0);
    try {
      const scrape = (headers: Record<string, string>) => fetch(`${guarded.url}/metrics`, { headers }).then((r) => r.status);
      expect(await scrape({})).toBe(401);
      expect(await scrape({ authorization: 'Bearer metrics-token-wrong-0000' })).toBe(401);
      expect(await scrape({ authorization: `Bearer ${token}` })).toBe(200);
      expect(await scrape({ authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.7' })).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('answers unknown routes with JSON 404', async () => {
    const response = await get('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'HTTP.NOT_FOUND' } });
  });
});
