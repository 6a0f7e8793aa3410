import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import { buildRecord, type AccountId, type ScoreSet, type TenantId } from '../../../core';
import { SqliteStore } from '../../../store';
import { createLogger } from '../../log/logger';
import { createMetrics } from '../../observability/metrics';
import { createHttpApp, listen, type RunningServer } from '../server';
import { listActionOutcomes } from './action-feedback';
import { InProcessJobQueue } from '../../queue/in-process-queue';
import { createPipelineAdapters } from '../../worker/pipeline-adapters';
import { createProcessors } from '../../worker/processors';
import { createConsoleRouter } from './console.router';
import { createWebCardRouter } from './web-card.router';

const T1 = 't1' as TenantId;
const T2 = 't2' as TenantId;
const A1 = 'hubspot:1' as AccountId;
const A2 = 'hubspot:2' as AccountId;

function account(tenantId: TenantId, id: AccountId) {
  return buildRecord('account', {
    tenantId,
    id,
    name: `Account ${id}`,
    status: 'active',
    source: { provider: 'hubspot', externalId: id.slice(8), modstamp: '2026-10-01T00:00:00.000Z' },
  });
}
function score(tenantId: TenantId, accountId: AccountId): ScoreSet {
  return {
    tenantId,
    accountId,
    computedAt: '2026-10-01T00:00:00.000Z',
    modelVersion: 'run-1',
    churn: {
      probability: 0.7,
      band: 'high',
      model: { name: 'churn', version: 'v1', kind: 'learned' },
      drivers: [{ feature: 'f', contribution: 5, direction: 'raises', text: { en: 'reason', zh: '原因' } }],
    },
    nextBestActions: [
      { actionId: 'business-review', rank: 1, score: 1, title: { en: 'QBR', zh: '业务回顾' }, reasons: [{ en: 'r', zh: 'r' }] },
    ],
  };
}

describe('web card and console routers (HTTP)', () => {
  const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
  let server: RunningServer;
  let reader: string;
  let admin: string;
  const start = async (routers: { path: string; router: Router }[]) => {
    await server?.close();
    server = await listen(
      createHttpApp({
        store,
        log: createLogger({ level: 'silent' }),
        metrics: createMetrics({ defaultMetrics: false }),
        readiness: [],
        publicRouters: routers,
      }),
      '127.0.0.1',
      0,
    );
  };
  const call = (p: string, token: string | null, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${server.url}${p}`, {
      method: init.method ?? 'GET',
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  beforeAll(async () => {
    for (const t of [T1, T2]) await store.upsertTenant({ id: t, name: t, locale: 'en', createdAt: '2026-01-01T00:00:00.000Z' });
    await store.upsertRecords('account', [account(T1, A1), account(T2, A2)]);
    await store.appendScoreSets([score(T1, A1), score(T2, A2)]);
    reader = await store.issueApiToken(T1, 'reader', 'r');
    admin = await store.issueApiToken(T1, 'admin', 'a');
    await start([
      { path: '/card', router: createWebCardRouter({ store, now: () => new Date('2026-10-01T02:00:00.000Z') }) },
      { path: '/console', router: createConsoleRouter({ store }) },
    ]);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('serves card.v1 to a tenant token and 404 for another tenant’s account', async () => {
    const ok = await call(`/card/api/accounts/${encodeURIComponent(A1)}`, reader);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { card: { version: string; churn: { percent: number } }; labels: { churn: { zh: string } } };
    expect(body.card.version).toBe('card.v1');
    expect(body.card.churn.percent).toBe(70);
    expect(body.labels.churn.zh).toBe('流失风险');
    expect((await call(`/card/api/accounts/${encodeURIComponent(A2)}`, reader)).status).toBe(404);
    expect((await call(`/card/api/accounts/${encodeURIComponent(A1)}`, null)).status).toBe(401);
  });

  it('records Done/Dismiss once per recommendation (the last answer wins) and refuses actions not recommended', async () => {
    const path = `/card/api/accounts/${encodeURIComponent(A1)}/actions/business-review/feedback`;
    expect((await call(path, reader, { method: 'POST', body: { status: 'completed' } })).status).toBe(201);
    expect((await call(path, reader, { method: 'POST', body: { status: 'dismissed' } })).status).toBe(201);
    expect(await listActionOutcomes(store, T1)).toEqual([
      expect.objectContaining({ accountId: A1, actionId: 'business-review', status: 'dismissed', completedAt: null, source: 'card' }),
    ]);
    expect((await call(path, reader, { method: 'POST', body: { status: 'maybe' } })).status).toBe(400);
    expect(
      (
        await call(`/card/api/accounts/${encodeURIComponent(A1)}/actions/win-back-offer/feedback`, reader, {
          method: 'POST',
          body: { status: 'completed' },
        })
      ).status,
    ).toBe(404);
    expect((await store.listAudit(T1)).filter((e) => e.action.startsWith('nba.')).map((e) => e.action)).toEqual([
      'nba.dismissed',
      'nba.completed',
    ]);
  });

  it('keeps the console API to admins and names the field at fault in a bad mapping', async () => {
    expect((await call('/console/api/overview', reader)).status).toBe(403);
    const bad = await call('/console/api/field-mapping', admin, {
      method: 'PUT',
      body: { salesforce: { renewalDate: { field: 'Renewal Date' } }, hubspot: { arr: { field: 'acv', scale: -1 } } },
    });
    expect(bad.status).toBe(400);
    const error = ((await bad.json()) as { error: { issues: { path: string }[] } }).error;
    expect(error.issues.map((i) => i.path).sort()).toEqual(['hubspot.arr.scale', 'salesforce.renewalDate.field']);
    expect(await store.getTenantSetting(T1, 'console.field-mapping')).toBeNull();
    const catalog = await call('/console/api/action-catalog', admin, {
      method: 'PUT',
      body: { overrides: [{ id: 'seat-upsell', enabled: false }] },
    });
    expect(catalog.status).toBe(200);
    const view = (await catalog.json()) as { catalog: { id: string; enabled: boolean }[] };
    expect(view.catalog.find((a) => a.id === 'seat-upsell')?.enabled).toBe(false);
    expect((await call('/console/api/erasure', admin, { method: 'POST', body: { confirm: 't1' } })).status).toBe(202);
  });

  it('runs the record-access check it is given on every card route', async () => {
    await start([
      {
        path: '/card',
        router: createWebCardRouter({
          store,
          recordAccess: (_req, res) => void res.status(403).json({ error: { code: 'ACCESS.RECORD_HIDDEN', message: 'hidden' } }),
        }),
      },
    ]);
    expect((await call(`/card/api/accounts/${encodeURIComponent(A1)}`, reader)).status).toBe(403);
    expect(
      (
        await call(`/card/api/accounts/${encodeURIComponent(A1)}/actions/business-review/feedback`, reader, {
          method: 'POST',
          body: { status: 'completed' },
        })
      ).status,
    ).toBe(403);
  });

  it('hands an explicit backtest re-run to the workers when there is a queue (202), and serves the stored one meanwhile', async () => {
    const queue = new InProcessJobQueue(createProcessors(createPipelineAdapters({ store })), () => Promise.resolve());
    await start([{ path: '/console', router: createConsoleRouter({ store, queue, now: () => new Date('2026-10-02T00:00:00.000Z') }) }]);
    const before = (
      (await (await call('/console/api/models', admin)).json()) as { evaluation: { computedAt: string; options: { horizonDays: number } } }
    ).evaluation;
    const res = await call('/console/api/models/evaluate', admin, { method: 'POST', body: { horizonDays: 60, alertThreshold: 0.5 } });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ queued: true, options: { horizonDays: 60, alertThreshold: 0.5 } });
    expect(queue.size).toBe(1);
    // Nothing was computed inside the request.
    expect(
      ((await (await call('/console/api/models', admin)).json()) as { evaluation: { computedAt: string } }).evaluation.computedAt,
    ).toBe(before.computedAt);
    await queue.drain();
    expect(queue.deadLetters).toEqual([]);
    const after = (
      (await (await call('/console/api/models', admin)).json()) as {
        evaluation: { options: { horizonDays: number; alertThreshold: number }; stale: boolean };
      }
    ).evaluation;
    expect(after).toMatchObject({ options: { horizonDays: 60, alertThreshold: 0.5 }, stale: false });
    expect((await store.listAudit(T1, { limit: 5 })).some((a) => a.action === 'console.backtest.queued')).toBe(true);
    // Bad options enqueue nothing.
    expect((await call('/console/api/models/evaluate', admin, { method: 'POST', body: { horizonDays: 3 } })).status).toBe(400);
    expect(queue.size).toBe(0);
  });
});
