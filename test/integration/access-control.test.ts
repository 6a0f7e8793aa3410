import { randomBytes } from 'node:crypto';
import express from 'express';
import pino from 'pino';
import type { AccountId, ConnectionId, ScoreSet, TenantId, Store } from '../../core';
import { RecordAccessChecker, requireRecordAccess } from '../../app/install/record-access';
import { createTenantAdminRouter } from '../../app/install/install.router';
import type { InstallDeps } from '../../app/install/install.types';
import { authenticateStaff } from '../../app/install/staff-auth.middleware';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import type { InProcessJobQueue } from '../../app/queue/in-process-queue';
import { startHubSpotSandbox, startSalesforceSandbox, type HubSpotSandbox, type SalesforceSandbox } from '../../sandbox';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { makeAccount } from '../helpers/records';
import { offsetClock, smallBook } from './install-harness';
import { HUBSPOT_REQUIRED_SCOPES } from '../../manifests/crm-manifests';

const A = 'hubspot-tenant-a' as TenantId;
const B = 'salesforce-tenant-b' as TenantId;

function score(tenantId: TenantId, accountId: string): ScoreSet {
  return {
    tenantId,
    accountId: accountId as AccountId,
    computedAt: '2026-11-01T00:00:00Z',
    modelVersion: 'v1',
    nextBestActions: [],
    churn: { probability: 0.5, band: 'medium', drivers: [], model: { name: 'health', version: '1', kind: 'health-score' } },
  };
}

/** Every request is scoped to its tenant; admin routes need admins; reps see cards only for records their CRM shows them. */
describe('access control', () => {
  let hubspot: HubSpotSandbox;
  let salesforce: SalesforceSandbox;
  let store: Store;
  let opened: TestStore;
  let server: RunningServer;
  let checker: RecordAccessChecker;
  const t: Record<string, string> = {};
  const book = smallBook(24, 3);

  beforeAll(async () => {
    hubspot = await startHubSpotSandbox({ book, tier: 'api-add-on' });
    salesforce = await startSalesforceSandbox({ book });
    opened = await openTestStore({ encryptionKey: randomBytes(32) });
    store = opened.store;
    const at = '2026-11-01T00:00:00Z';
    for (const id of [A, B]) {
      await store.upsertTenant({ id, name: id, locale: 'en', createdAt: at });
      await store.markInstalled(id, at);
    }
    // Private-app / static tokens stand in for OAuth here; install-*.test.ts covers the OAuth path.
    await store.saveConnection(
      {
        id: 'hubspot' as ConnectionId,
        tenantId: A,
        provider: 'hubspot',
        externalOrgId: String(hubspot.state.portal.portalId),
        baseUrl: hubspot.url,
        createdAt: at,
        updatedAt: at,
      },
      { accessToken: 'pat-na1-sandbox-0000' },
    );
    await store.saveConnection(
      {
        id: 'salesforce' as ConnectionId,
        tenantId: B,
        provider: 'salesforce',
        externalOrgId: salesforce.state.org.orgId,
        baseUrl: salesforce.url,
        createdAt: at,
        updatedAt: at,
      },
      { accessToken: '00D8d0000000SBX!sandbox-static-token', instanceUrl: salesforce.url },
    );
    await store.upsertRecords('account', [makeAccount('101', {}, A), makeAccount('102', {}, A)]);
    await store.upsertRecords('account', [makeAccount('901', {}, B)]);
    await store.appendScoreSets([score(A, 'hubspot:101'), score(B, 'hubspot:901')]);
    await store.appendAudit({ tenantId: B, at, actor: 'system', action: 'secret-of-b', target: 'b', details: {} });
    t.adminA = await store.issueApiToken(A, 'admin', 'console');
    t.readerA = await store.issueApiToken(A, 'reader', 'card');
    t.serviceA = await store.issueApiToken(A, 'service', 'proxy');
    t.adminB = await store.issueApiToken(B, 'admin', 'console');

    const deps: InstallDeps = {
      store,
      queue: {} as InProcessJobQueue,
      settings: { stateSecret: randomBytes(32), publicBaseUrl: 'http://unused' },
      clock: offsetClock(),
    };
    checker = new RecordAccessChecker(deps, { ttlMs: 60_000 });
    // A stand-in for the card routes (another room): the guard in front of a record's card.
    const cards = express.Router();
    cards.get('/:accountId', authenticateStaff(store), requireRecordAccess(checker), (req, res) => {
      res.json({ card: req.params.accountId });
    });
    // Card routes that verified a CRM request signature put the tenant and CRM user in res.locals.
    const signed = express.Router();
    signed.get(
      '/:accountId',
      (req, res, next) => {
        if (req.get('x-verified-tenant')) res.locals.tenantId = req.get('x-verified-tenant');
        if (req.get('x-verified-user')) res.locals.crmUserId = req.get('x-verified-user');
        next();
      },
      requireRecordAccess(checker),
      (req, res) => {
        res.json({ card: req.params.accountId });
      },
    );
    const app = createHttpApp({
      store,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: [],
      publicRouters: [
        { path: '/api/v1/tenant', router: createTenantAdminRouter(deps) },
        { path: '/cards', router: cards },
        { path: '/signed-cards', router: signed },
      ],
    });
    server = await listen(app, '127.0.0.1', 0);
    server.server.keepAliveTimeout = 120_000;
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await opened.close();
    await hubspot.close();
    await salesforce.close();
  });

  const call = (path: string, token?: string, method = 'GET') =>
    fetch(`${server.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  describe('tenant scoping', () => {
    it('does not show another tenant’s account, scores or audit', async () => {
      expect((await call('/api/v1/accounts/hubspot:901', t.readerA)).status).toBe(404);
      expect((await call('/api/v1/accounts/hubspot:901/scores', t.readerA)).status).toBe(404);
      const mine = (await (await call('/api/v1/scores', t.readerA)).json()) as { scores: ScoreSet[] };
      expect(mine.scores.map((s) => s.tenantId)).toEqual([A]);
      const audit = (await (await call('/api/v1/admin/audit', t.adminA)).json()) as { entries: { action: string }[] };
      expect(audit.entries.map((e) => e.action)).not.toContain('secret-of-b');
    });

    it('exports only the caller’s tenant, and erasing needs the caller’s own tenant id', async () => {
      const text = await (await call('/api/v1/tenant/export', t.adminA)).text();
      expect(text).toContain(A);
      expect(text).not.toContain(B);
      expect(text).not.toContain('hubspot:901');
      expect((await call(`/api/v1/tenant?confirm=${B}`, t.adminA, 'DELETE')).status).toBe(400);
      expect(await store.getTenant(B)).not.toBeNull();
    });
  });

  describe('admin routes', () => {
    it.each([
      ['GET', '/api/v1/admin/audit'],
      ['GET', '/api/v1/admin/models'],
      ['GET', '/api/v1/tenant/export'],
      ['GET', '/api/v1/tenant/lifecycle'],
      ['POST', '/api/v1/tenant/uninstall'],
      ['DELETE', `/api/v1/tenant?confirm=${A}`],
    ])('%s %s: 401 without a token, 403 for reader, rep and service tokens (and 200 for an admin GET)', async (method, path) => {
      const rep = await store.issueApiToken(A, 'rep', `rep-${method}-${path}`, { crmUserId: '9000001' });
      expect((await call(path, undefined, method)).status).toBe(401);
      expect((await call(path, 'se_not-a-token', method)).status).toBe(401);
      for (const token of [t.readerA, rep, t.serviceA]) expect([path, (await call(path, token, method)).status]).toEqual([path, 403]);
      if (method === 'GET') expect((await call(path, t.adminA, method)).status).toBe(200);
      expect(await store.getTenant(A)).not.toBeNull();
      expect((await store.tenantLifecycle(A))?.status).toBe('installed');
    });
  });

  describe('reps see cards only for records their CRM lets them see', () => {
    it('HubSpot: own and team records yes, the other team’s no, super admins everything', async () => {
      const portal = hubspot.state.portal;
      const owners = portal.owners;
      const users = hubspot.state.install?.users;
      const me = owners[0];
      const teammate = owners[2];
      const otherTeam = owners[1];
      expect(me && teammate && otherTeam && users?.get(String(me.userId))?.primaryTeamId).toBe(
        users?.get(String(teammate?.userId))?.primaryTeamId,
      );
      const companyOf = (ownerId: string) => [...portal.table('companies').values()].find((c) => c.properties.hubspot_owner_id === ownerId);
      const mine = companyOf(me?.id ?? '');
      const team = companyOf(teammate?.id ?? '');
      const theirs = companyOf(otherTeam?.id ?? '');
      expect(mine && team && theirs).toBeTruthy();
      const rep = await store.issueApiToken(A, 'rep', 'hs-rep', { crmUserId: String(me?.userId) });
      expect((await call(`/cards/hubspot:${mine?.id}`, rep)).status).toBe(200);
      expect((await call(`/cards/hubspot:${team?.id}`, rep)).status).toBe(200);
      const hidden = await call(`/cards/hubspot:${theirs?.id}`, rep);
      expect(hidden.status).toBe(403);
      expect(((await hidden.json()) as { error: { code: string } }).error.code).toBe('ACCESS.RECORD_HIDDEN');
      const superAdmin = await store.issueApiToken(A, 'rep', 'hs-super', { crmUserId: '1' });
      expect((await call(`/cards/hubspot:${theirs?.id}`, superAdmin)).status).toBe(200);
      const stranger = await store.issueApiToken(A, 'rep', 'hs-stranger', { crmUserId: '123456' });
      expect((await call(`/cards/hubspot:${mine?.id}`, stranger)).status).toBe(403);
      // A service token with no verified CRM user cannot open cards; the tenant admin can.
      expect((await call(`/cards/hubspot:${mine?.id}`, t.serviceA)).status).toBe(403);
      expect((await call(`/cards/hubspot:${theirs?.id}`, t.adminA)).status).toBe(200);

      // Deals follow their owner too; `check` is the boolean form the card routes take.
      const dealOf = (ownerId: string) => [...portal.table('deals').values()].find((d) => d.properties.hubspot_owner_id === ownerId);
      expect(await checker.check(A, 'hubspot', String(me?.userId), 'opportunity', dealOf(me?.id ?? '')?.id ?? '')).toBe(true);
      expect(await checker.check(A, 'hubspot', String(me?.userId), 'opportunity', dealOf(otherTeam?.id ?? '')?.id ?? '')).toBe(false);

      // The same guard behind a verified CRM request (no API token), and with neither: 401.
      const signedAs = (id: string, user: string) =>
        fetch(`${server.url}/signed-cards/hubspot:${id}`, { headers: { 'x-verified-tenant': A, 'x-verified-user': user } });
      expect((await signedAs(mine?.id ?? '', String(me?.userId))).status).toBe(200);
      expect((await signedAs(theirs?.id ?? '', String(me?.userId))).status).toBe(403);
      expect((await fetch(`${server.url}/signed-cards/hubspot:${mine?.id}`)).status).toBe(401);
      expect((await call(`/signed-cards/hubspot:${theirs?.id}`, rep)).status).toBe(403);
    });

    it('refuses cards (and does not cache) when our CRM access was revoked', async () => {
      const C = 'hubspot-tenant-c' as TenantId;
      const at = '2026-11-01T00:00:00Z';
      await store.upsertTenant({ id: C, name: C, locale: 'en', createdAt: at });
      await store.saveConnection(
        {
          id: 'hubspot' as ConnectionId,
          tenantId: C,
          provider: 'hubspot',
          externalOrgId: 'c',
          baseUrl: hubspot.url,
          createdAt: at,
          updatedAt: at,
        },
        { accessToken: 'revoked-at', refreshToken: 'revoked-rt' },
      );
      const deps: InstallDeps = {
        store,
        queue: {} as InProcessJobQueue,
        clock: offsetClock(),
        settings: {
          stateSecret: randomBytes(32),
          publicBaseUrl: 'http://unused',
          hubspot: {
            clientId: 'sandbox-client-id',
            clientSecret: 'sandbox-client-secret',
            authorizeUrl: `${hubspot.url}/oauth/authorize`,
            apiBaseUrl: hubspot.url,
            scopes: Object.keys(HUBSPOT_REQUIRED_SCOPES),
          },
        },
      };
      const revokedChecker = new RecordAccessChecker(deps);
      const company = [...hubspot.state.portal.table('companies').keys()][0] ?? '';
      expect(await revokedChecker.canUserSeeRecord(C, '1', { provider: 'hubspot', objectType: 'account', externalId: company })).toEqual({
        allowed: false,
        reason: 'crm-access-revoked',
        cached: false,
      });
      expect(
        (await revokedChecker.canUserSeeRecord(C, '1', { provider: 'hubspot', objectType: 'account', externalId: company })).cached,
      ).toBe(false);
    });

    it('Salesforce: UserRecordAccess decides (owner yes, others no, manual share yes), answers cached briefly', async () => {
      const org = salesforce.state.org;
      const accounts = [...org.table('Account').values()];
      const first = accounts[0];
      const owner = String(first?.OwnerId);
      const other = accounts.find((a) => a.OwnerId !== owner);
      const rep = await store.issueApiToken(B, 'rep', 'sf-rep', { crmUserId: owner });
      expect((await call(`/cards/salesforce:${first?.Id}`, rep)).status).toBe(200);
      expect((await call(`/cards/salesforce:${other?.Id}`, rep)).status).toBe(403);

      const used = salesforce.state.apiUsage().used;
      expect((await call(`/cards/salesforce:${other?.Id}`, rep)).status).toBe(403);
      expect(salesforce.state.apiUsage().used).toBe(used);

      salesforce.state.install?.shares.set(String(other?.Id), new Set([owner]));
      expect((await call(`/cards/salesforce:${other?.Id}`, rep)).status).toBe(403);
      checker.invalidate(B);
      expect((await call(`/cards/salesforce:${other?.Id}`, rep)).status).toBe(200);
      // A rep of tenant B asking about a HubSpot record has no HubSpot connection in B.
      expect((await call('/cards/hubspot:101', rep)).status).toBe(403);
      // Ids that are not ids never reach SOQL.
      expect((await call(`/cards/salesforce:${encodeURIComponent("001' OR Id != '")}`, rep)).status).toBe(403);
    });
  });
});
