import pino from 'pino';
import { buildRecord, type AccountId, type ScoreSet, type TenantId, type Store } from '../../core';
import { createHubSpotCardRouter } from '../../app/http/crm/hubspot-card.router';
import type { RecordAccessCheck } from '../../app/http/crm/crm-card.service';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { CardViewSchema } from '../../ui-extension/shared/card.view-model';
import { hubspotSignatureV3 } from '../../webhooks/inbound/hubspot-signature';
import { makeAccount } from '../helpers/records';

const A = 'tenant-a' as TenantId;
const B = 'tenant-b' as TenantId;
const SECRET = 'hubspot-client-secret-a';
const NOW = Date.parse('2026-11-02T00:00:00Z');

function score(tenantId: TenantId, accountId: string, probability: number, computedAt: string): ScoreSet {
  return {
    tenantId,
    accountId: accountId as AccountId,
    computedAt,
    modelVersion: 'run-7',
    churn: {
      probability,
      band: probability > 0.6 ? 'high' : 'low',
      model: { name: 'churn-gbdt', version: '3', kind: 'learned' },
      drivers: [
        {
          feature: 'tickets_90d',
          contribution: 12.3,
          direction: 'raises',
          text: { en: 'Support tickets (90 days): 9', zh: '支持工单（90 天）：9' },
        },
        {
          feature: 'logins_30d',
          contribution: -4.1,
          direction: 'lowers',
          text: { en: 'Logins (30 days): 40', zh: '登录次数（30 天）：40' },
        },
      ],
    },
    clv: {
      point: 5000,
      p10: 3000,
      p50: 5000,
      p90: 8000,
      currency: 'USD',
      horizonMonths: 12,
      method: 'contractual',
      model: { name: 'sbg', version: '1', kind: 'sbg' },
    },
    nextBestActions: [
      {
        actionId: 'exec-sponsor-call',
        rank: 1,
        score: 0.9,
        title: { en: 'Executive sponsor call', zh: '高管发起人电话' },
        reasons: [{ en: 'High risk', zh: '高风险' }],
      },
      {
        actionId: 'training',
        rank: 2,
        score: 0.5,
        title: { en: 'Training session', zh: '培训课程' },
        reasons: [{ en: 'Low usage', zh: '使用率低' }],
      },
    ],
  };
}

describe('HubSpot card routes (hubspot.fetch, signature v3)', () => {
  let store: Store;
  let opened: TestStore;
  let server: RunningServer;
  /** A fake of app/install/record-access.ts: user 7 sees everything, user 8 nothing. */
  const fakeAccess: jest.MockedFunction<RecordAccessCheck> = jest.fn<ReturnType<RecordAccessCheck>, Parameters<RecordAccessCheck>>(
    (_t, _p, userId) => Promise.resolve(userId === '7'),
  );

  beforeAll(async () => {
    opened = await openTestStore();
    store = opened.store;
    for (const id of [A, B]) await store.upsertTenant({ id, name: id, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    await store.upsertRecords('account', [
      makeAccount('101', { name: 'Acme <b>Corp</b>' }, A),
      makeAccount('102', {}, A),
      makeAccount('201', {}, B),
    ]);
    await store.upsertRecords('opportunity', [
      buildRecord('opportunity', {
        tenantId: A,
        id: 'hubspot:9001',
        source: { provider: 'hubspot', externalId: '9001', modstamp: '2026-01-01T00:00:00.000Z' },
        accountId: 'hubspot:101',
        name: 'Renewal 2027',
        kind: 'renewal',
        stage: 'open',
        closeDate: '2027-01-01',
        isClosed: false,
        isWon: false,
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
    ]);
    await store.appendScoreSets([
      score(A, 'hubspot:101', 0.4, '2026-10-25T00:00:00Z'),
      score(A, 'hubspot:101', 0.72, '2026-11-01T12:00:00Z'),
      score(B, 'hubspot:201', 0.9, '2026-11-01T00:00:00Z'),
    ]);
    const portals: Record<string, TenantId> = { '111': A, '222': B };
    const router = createHubSpotCardRouter({
      store,
      canUserSeeRecord: fakeAccess,
      clientSecrets: [SECRET],
      resolveTenant: (_p, portalId) => Promise.resolve(portals[portalId] ?? null),
      nowMs: () => NOW,
      now: () => new Date(NOW),
    });
    const app = createHttpApp({
      store,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: [],
      publicRouters: [{ path: '/crm/hubspot', router }],
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await opened.close();
  });

  /** What hubspot.fetch sends: HubSpot appends portalId/userId/userEmail/appId and signs the full URL. */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; secret?: string; timestamp?: number; tamper?: (url: string) => string } = {},
  ) {
    const url = `${server.url}${path}`;
    const body = options.body === undefined ? '' : JSON.stringify(options.body);
    const ts = String(options.timestamp ?? NOW - 1000);
    const signature = hubspotSignatureV3(options.secret ?? SECRET, method, url, body, ts);
    const target = options.tamper ? options.tamper(url) : url;
    return fetch(target, {
      method,
      headers: {
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': ts,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
    });
  }
  const cardPath = (objectType: string, objectId: string, portalId = '111', userId = '7') =>
    `/crm/hubspot/card?objectType=${objectType}&objectId=${objectId}&userId=${userId}&userEmail=rep%40example.com&appId=42&portalId=${portalId}`;

  it('answers card.v1 for a company the user may see', async () => {
    const response = await call('GET', cardPath('0-2', '101'));
    expect(response.status).toBe(200);
    const card = CardViewSchema.parse(await response.json());
    expect(card.account).toMatchObject({ externalId: '101', name: 'Acme <b>Corp</b>', provider: 'hubspot' });
    expect(card.churn).toMatchObject({ percent: 72, band: 'high', trend: { direction: 'rising', changePoints: 32 } });
    expect(card.clv).toMatchObject({ p10: 3000, p90: 8000 });
    expect(card.actions.map((a) => a.actionId)).toEqual(['exec-sponsor-call', 'training']);
    expect(fakeAccess).toHaveBeenLastCalledWith(A, 'hubspot', '7', 'account', '101');
  });

  it('shows a deal through its company', async () => {
    const card = CardViewSchema.parse(await (await call('GET', cardPath('deal', '9001'))).json());
    expect(card.account.externalId).toBe('101');
    expect(fakeAccess).toHaveBeenLastCalledWith(A, 'hubspot', '7', 'opportunity', '9001');
  });

  it('answers an empty card for a synced company that is not scored yet', async () => {
    const card = CardViewSchema.parse(await (await call('GET', cardPath('company', '102'))).json());
    expect(card.churn).toBeNull();
    expect(card.freshness.stale).toBe(true);
  });

  it('refuses a bad, missing, stale or replayed-elsewhere signature with 401', async () => {
    expect((await call('GET', cardPath('0-2', '101'), { secret: 'someone-else' })).status).toBe(401);
    expect((await call('GET', cardPath('0-2', '101'), { timestamp: NOW - 6 * 60_000 })).status).toBe(401);
    expect((await call('GET', cardPath('0-2', '101'), { timestamp: NOW + 6 * 60_000 })).status).toBe(401);
    // Signed for portal 111, sent for portal 222: the URL is part of what is signed.
    expect((await call('GET', cardPath('0-2', '101'), { tamper: (u) => u.replace('portalId=111', 'portalId=222') })).status).toBe(401);
    const unsigned = await fetch(`${server.url}${cardPath('0-2', '101')}`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: { code: 'HTTP.UNAUTHENTICATED' } });
  });

  it('answers 404 for another tenant’s record and for an unknown portal', async () => {
    expect((await call('GET', cardPath('0-2', '201'))).status).toBe(404);
    expect((await call('GET', cardPath('0-2', '101', '333'))).status).toBe(404);
  });

  it('answers 403 when HubSpot does not let the user see the record', async () => {
    const response = await call('GET', cardPath('0-2', '101', '111', '8'));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'HTTP.FORBIDDEN' } });
  });

  it('names the bad query parameter with 400', async () => {
    const response = await call('GET', '/crm/hubspot/card?objectType=ticket&objectId=1&userId=7&portalId=111');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining('objectType') } });
  });

  it('records done/dismiss feedback as an action outcome (and in the audit log) and stops offering that action', async () => {
    const response = await call('POST', cardPath('0-2', '101').replace('/card?', '/card/feedback?'), {
      body: { actionId: 'exec-sponsor-call', outcome: 'done' },
    });
    expect(response.status).toBe(200);
    const card = CardViewSchema.parse(await response.json());
    expect(card.actions.map((a) => a.actionId)).toEqual(['training']);
    expect(await store.listActionOutcomes(A, { accountId: 'hubspot:101' })).toEqual([
      expect.objectContaining({
        actionId: 'exec-sponsor-call',
        status: 'completed',
        recommendedAt: '2026-11-01T12:00:00.000Z',
        source: 'card',
      }),
    ]);
    expect((await store.listAudit(A, { limit: 5 }))[0]).toMatchObject({
      actor: 'hubspot:7',
      action: 'nba.completed',
      target: 'hubspot:101/exec-sponsor-call',
    });
    const reloaded = CardViewSchema.parse(await (await call('GET', cardPath('0-2', '101'))).json());
    expect(reloaded.actions.map((a) => a.actionId)).toEqual(['training']);
  });

  it('refuses feedback with a tampered body, on an unknown action, or by a user without access', async () => {
    const feedbackPath = cardPath('0-2', '101').replace('/card?', '/card/feedback?');
    const url = `${server.url}${feedbackPath}`;
    const ts = String(NOW);
    const signed = hubspotSignatureV3(SECRET, 'POST', url, JSON.stringify({ actionId: 'training', outcome: 'done' }), ts);
    const tampered = await fetch(url, {
      method: 'POST',
      headers: { 'x-hubspot-signature-v3': signed, 'x-hubspot-request-timestamp': ts, 'content-type': 'application/json' },
      body: JSON.stringify({ actionId: 'training', outcome: 'dismissed' }),
    });
    expect(tampered.status).toBe(401);
    expect((await call('POST', feedbackPath, { body: { actionId: 'no-such-action', outcome: 'dismissed' } })).status).toBe(404);
    expect((await call('POST', feedbackPath, { body: { actionId: 'training', outcome: 'maybe' } })).status).toBe(400);
    expect(
      (
        await call('POST', cardPath('0-2', '101', '111', '8').replace('/card?', '/card/feedback?'), {
          body: { actionId: 'training', outcome: 'dismissed' },
        })
      ).status,
    ).toBe(403);
  });
});
