import pino from 'pino';
import { buildRecord, type AccountId, type ScoreSet, type TenantId, type Store } from '../../core';
import type { RecordAccessCheck } from '../../app/http/crm/crm-card.service';
import { createSalesforceCardRouter, salesforceId18 } from '../../app/http/crm/salesforce-card.router';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { CardViewSchema } from '../../ui-extension/shared/card.view-model';
import { makeAccount } from '../helpers/records';

const A = 'tenant-a' as TenantId;
const B = 'tenant-b' as TenantId;
const ACCOUNT_A = '001000000000001AAA';
const ACCOUNT_B = '001000000000002AAA';
const OPP_A = '006000000000001AAA';
const REP = '005000000000001AAA';
const OTHER_REP = '005000000000009AAA';

function sfAccount(externalId: string, tenantId: TenantId) {
  return makeAccount(
    externalId,
    { id: `salesforce:${externalId}`, source: { provider: 'salesforce', externalId, modstamp: '2026-01-01T00:00:00.000Z' } },
    tenantId,
  );
}

function score(tenantId: TenantId, externalId: string): ScoreSet {
  return {
    tenantId,
    accountId: `salesforce:${externalId}` as AccountId,
    computedAt: '2026-11-01T00:00:00Z',
    modelVersion: 'run-1',
    churn: { probability: 0.35, band: 'medium', drivers: [], model: { name: 'health', version: '1', kind: 'health-score' } },
    nextBestActions: [
      {
        actionId: 'business-review',
        rank: 1,
        score: 0.4,
        title: { en: 'Business review', zh: '业务回顾' },
        reasons: [{ en: 'Renewal soon', zh: '即将续约' }],
      },
    ],
  };
}

describe('Salesforce card routes (Named Credential with a per-tenant API token)', () => {
  let store: Store;
  let opened: TestStore;
  let server: RunningServer;
  const tokens = { a: '', b: '' };
  /** A fake of app/install/record-access.ts: only REP sees records. */
  const fakeAccess: jest.MockedFunction<RecordAccessCheck> = jest.fn<ReturnType<RecordAccessCheck>, Parameters<RecordAccessCheck>>(
    (_t, _p, userId) => Promise.resolve(userId === REP),
  );

  beforeAll(async () => {
    opened = await openTestStore();
    store = opened.store;
    for (const id of [A, B]) await store.upsertTenant({ id, name: id, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    await store.upsertRecords('account', [sfAccount(ACCOUNT_A, A), sfAccount(ACCOUNT_B, B)]);
    await store.upsertRecords('opportunity', [
      buildRecord('opportunity', {
        tenantId: A,
        id: `salesforce:${OPP_A}`,
        source: { provider: 'salesforce', externalId: OPP_A, modstamp: '2026-01-01T00:00:00.000Z' },
        accountId: `salesforce:${ACCOUNT_A}`,
        name: 'Renewal',
        kind: 'renewal',
        stage: 'Prospecting',
        closeDate: '2027-01-01',
        isClosed: false,
        isWon: false,
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
    ]);
    await store.appendScoreSets([score(A, ACCOUNT_A), score(B, ACCOUNT_B)]);
    tokens.a = await store.issueApiToken(A, 'reader', 'salesforce-named-credential');
    tokens.b = await store.issueApiToken(B, 'reader', 'salesforce-named-credential');
    const router = createSalesforceCardRouter({
      store,
      tokens: store,
      canUserSeeRecord: fakeAccess,
      now: () => new Date('2026-11-01T06:00:00Z'),
    });
    const app = createHttpApp({
      store,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: [],
      publicRouters: [{ path: '/crm/salesforce', router }],
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await opened.close();
  });

  const call = (path: string, options: { token?: string; user?: string; body?: unknown } = {}) =>
    fetch(`${server.url}/crm/salesforce${path}`, {
      method: options.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        'x-se-user-id': options.user ?? REP,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });

  it('answers card.v1 for an Account, and for an Opportunity through its Account', async () => {
    const response = await call(`/card?objectType=Account&recordId=${ACCOUNT_A}`, { token: tokens.a });
    expect(response.status).toBe(200);
    const card = CardViewSchema.parse(await response.json());
    expect(card.account).toMatchObject({ provider: 'salesforce', externalId: ACCOUNT_A });
    expect(card.churn?.band).toBe('medium');
    const viaOpp = CardViewSchema.parse(await (await call(`/card?objectType=Opportunity&recordId=${OPP_A}`, { token: tokens.a })).json());
    expect(viaOpp.account.externalId).toBe(ACCOUNT_A);
    expect(fakeAccess).toHaveBeenLastCalledWith(A, 'salesforce', REP, 'opportunity', OPP_A);
  });

  it('accepts 15-character ids (LWC and Apex may send either form)', async () => {
    const card = CardViewSchema.parse(
      await (await call(`/card?objectType=Account&recordId=${ACCOUNT_A.slice(0, 15)}`, { token: tokens.a })).json(),
    );
    expect(card.account.externalId).toBe(ACCOUNT_A);
    expect(salesforceId18('001000000000001')).toBe(ACCOUNT_A);
  });

  it('refuses a missing or unknown token with 401', async () => {
    expect((await call(`/card?objectType=Account&recordId=${ACCOUNT_A}`)).status).toBe(401);
    expect((await call(`/card?objectType=Account&recordId=${ACCOUNT_A}`, { token: 'se_forged' })).status).toBe(401);
  });

  it('answers 404 for another tenant’s record: the token decides the tenant', async () => {
    expect((await call(`/card?objectType=Account&recordId=${ACCOUNT_B}`, { token: tokens.a })).status).toBe(404);
    expect((await call(`/card?objectType=Account&recordId=${ACCOUNT_A}`, { token: tokens.b })).status).toBe(404);
  });

  it('answers 403 when Salesforce sharing hides the record from the user', async () => {
    expect((await call(`/card?objectType=Account&recordId=${ACCOUNT_A}`, { token: tokens.a, user: OTHER_REP })).status).toBe(403);
  });

  it('asks for the user id header and a known object type (400)', async () => {
    expect((await call(`/card?objectType=Account&recordId=${ACCOUNT_A}`, { token: tokens.a, user: 'nobody' })).status).toBe(400);
    expect((await call(`/card?objectType=Case&recordId=${ACCOUNT_A}`, { token: tokens.a })).status).toBe(400);
  });

  it('records dismiss feedback and answers the card without that action', async () => {
    const response = await call(`/card/feedback?objectType=Account&recordId=${ACCOUNT_A}`, {
      token: tokens.a,
      body: { actionId: 'business-review', outcome: 'dismissed' },
    });
    expect(response.status).toBe(200);
    expect(CardViewSchema.parse(await response.json()).actions).toEqual([]);
    expect((await store.listAudit(A, { limit: 1 }))[0]).toMatchObject({ actor: `salesforce:${REP}`, action: 'nba.dismissed' });
    expect(await store.listActionOutcomes(A)).toEqual([expect.objectContaining({ actionId: 'business-review', status: 'dismissed' })]);
    expect(await store.listActionOutcomes(B)).toEqual([]);
  });
});
