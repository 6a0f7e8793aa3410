import path from 'node:path';
import { fixedClock, type EntityName, type PulledPage, type SyncCursor, type TenantId } from '../../core';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import { HUBSPOT_REQUIRED_SCOPES } from '../../manifests/crm-manifests';
import { SCORE_FIELDS, type ScoreFieldKey } from '../../manifests/field-map';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.server';
import type { FaultPlan } from '../../sandbox/faults';
import { generateBook, generateBundles } from '../../sandbox/seed/book.generator';
import type { AccountBundle } from '../../sandbox/seed/book.types';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { callShares, emptyCallStats, type CallStats } from '../../connectors/shared/governed-call';
import { countScoreWrites } from '../helpers/crm-watch';
import { connectorContract, makeScore, pullAll, type ContractHarness } from './connector-contract.suite';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
const rows = readTelcoCsv(CSV);
const TOKEN = 'pat-na1-sandbox-0000';
let portals = 0;

interface HubSpotHarness extends ContractHarness {
  sandbox: HubSpotSandbox;
  clock: ReturnType<typeof fixedClock>;
}

/** A sandbox on a virtual clock: the connector's sleeps advance it, so 10-second rate waits cost no real time. */
async function hubspotHarness(options: {
  accounts: number;
  faults?: FaultPlan;
  oauth?: boolean;
  companiesOnly?: boolean;
  stats?: CallStats;
  portal?: 'vanilla' | 'customised';
  requestTimeoutMs?: number;
}): Promise<HubSpotHarness> {
  const clock = fixedClock('2026-11-01T00:00:00.000Z');
  const seed = { seed: 7, accounts: options.accounts, rows };
  // Companies only keeps a 10k-account portal small and quick to build.
  const book = options.companiesOnly
    ? { ...generateBook({ ...seed, accounts: 0 }), bundles: accountsOnly(generateBundles(seed)) }
    : generateBook(seed);
  const sandbox = await startHubSpotSandbox({
    book,
    tier: 'free',
    clock,
    ...(options.portal ? { portal: options.portal } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const tenantId = 'tenant-contract-hubspot' as TenantId;
  const portalKey = `contract-${++portals}`;
  const sleep = (ms: number): Promise<void> => {
    clock.advance(ms);
    return Promise.resolve();
  };
  const oauthClient = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' };
  const grant = options.oauth
    ? {
        kind: 'authorization-code' as const,
        code: sandbox.state.issueAuthCode('https://app.example.com/oauth', Object.keys(HUBSPOT_REQUIRED_SCOPES)),
        redirectUri: 'https://app.example.com/oauth',
      }
    : { kind: 'private-app-token' as const, token: TOKEN };
  let tokens: { accessToken: string; refreshToken?: string; expiresAt?: string } = { accessToken: TOKEN };
  const companies = sandbox.state.portal.table('companies');
  return {
    sandbox,
    clock,
    tenantId,
    grant,
    connector: () =>
      new HubSpotConnector({
        tenantId,
        portalKey,
        basePath: sandbox.url,
        ...(tokens.accessToken === TOKEN && options.oauth ? {} : { accessToken: tokens.accessToken }),
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
        oauthClient,
        onTokens: (t) => {
          tokens = {
            accessToken: t.accessToken,
            ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
            ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}),
          };
        },
        clock,
        sleep,
        random: () => 0.5,
        ...(options.stats ? { stats: options.stats } : {}),
        ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      }),
    accountIds: () => [...companies.values()].filter((c) => !c.archived).map((c) => c.id),
    touchAccount: (id) => {
      clock.advance(1_000);
      const c = companies.get(id);
      if (!c) return Promise.resolve(false);
      const now = clock.now().toISOString();
      Object.assign(c.properties, {
        plan_note: null,
        tenure_months: String(Number(c.properties.tenure_months ?? 0) + 1),
        hs_lastmodifieddate: now,
      });
      c.updatedAt = now;
      return Promise.resolve(true);
    },
    deleteAccount: (id) => {
      clock.advance(1_000);
      const c = companies.get(id);
      if (!c) return Promise.resolve(false);
      c.archived = true;
      c.archivedAt = clock.now().toISOString();
      return Promise.resolve(true);
    },
    tasksOf: (id) =>
      sandbox.state.portal.associationsOf('companies', id, 'tasks').flatMap(([taskId]) => {
        const t = sandbox.state.portal.table('tasks').get(taskId);
        const key = t?.properties.se_action_key;
        return t && typeof key === 'string' && key !== ''
          ? [{ key, ownerId: t.properties.hubspot_owner_id ?? null, subject: String(t.properties.hs_task_subject) }]
          : [];
      }),
    ownerOf: (id) => companies.get(id)?.properties.hubspot_owner_id ?? null,
    entityCounts: () => {
      if (options.companiesOnly) return {};
      const live = (...types: string[]): number =>
        types.reduce((n, t) => n + [...sandbox.state.portal.table(t as 'contacts').values()].filter((o) => !o.archived).length, 0);
      return {
        contact: live('contacts'),
        opportunity: live('deals'),
        ticket: live('tickets'),
        activity: live('notes', 'calls', 'emails', 'meetings', 'tasks'),
        transaction: live('invoices'),
      };
    },
    readScores: (accountId) => {
      const c = companies.get(accountId.replace(/^hubspot:/, ''));
      if (!c || c.properties[SCORE_FIELDS[0]?.hubspot ?? ''] === undefined) return undefined;
      return Object.fromEntries(SCORE_FIELDS.map((f) => [f.key, c.properties[f.hubspot]])) as Record<
        ScoreFieldKey,
        string | null | undefined
      >;
    },
    close: () => sandbox.close(),
  };
}

connectorContract('HubSpot sandbox (customised portal)', () => hubspotHarness({ accounts: 230 }));
connectorContract('HubSpot sandbox (vanilla portal)', () => hubspotHarness({ accounts: 120, portal: 'vanilla' }));

describe('HubSpot connector under injected faults (10k accounts)', () => {
  it('syncs and writes back every account once through 429s, 5xx, resets and token expiry, and never trips the real rate limit', async () => {
    const stats = emptyCallStats();
    const injected429 = [
      { afterRequest: 30, count: 3 },
      { afterRequest: 150, count: 2 },
      { afterRequest: 260, count: 2 },
    ];
    const h = await hubspotHarness({
      accounts: 10_000,
      companiesOnly: true,
      oauth: true,
      stats,
      faults: { seed: 5, serverErrorRate: 0.05, dropRate: 0.03, rateLimitBursts: injected429, expireTokensAtRequest: 120 },
    });
    try {
      const installer = h.connector();
      await installer.authorise(h.grant);
      await installer.ensureSchema();
      const sync = await pullAll(h);
      const ids = sync.accounts.map((a) => a.source.externalId);
      expect(ids).toHaveLength(10_000);
      expect(new Set(ids).size).toBe(10_000);
      expect([...ids].sort()).toEqual(h.accountIds().sort());

      const scores = sync.accounts.map((a, i) => makeScore(h.tenantId, a.id, ((i * 37) % 100) / 100));
      const writer = h.connector();
      const results = await writer.writeBack(scores);
      expect(results.filter((r) => r.status !== 'written')).toEqual([]);
      expect(new Set(results.map((r) => r.accountExternalId)).size).toBe(10_000);
      // Read the sandbox's state: every company holds exactly the score we sent.
      for (const [i, a] of sync.accounts.entries())
        expect(Number(h.readScores(a.id)?.churnProbability)).toBeCloseTo(((i * 37) % 100) / 100, 6);
      // Nothing is written a second time.
      expect((await writer.writeBack(scores)).every((r) => r.status === 'unchanged')).toBe(true);

      const injectedTotal = injected429.reduce((n, b) => n + b.count, 0);
      expect(stats.byReason['rate-limited'] ?? 0).toBeLessThanOrEqual(injectedTotal); // no 429 of our own making
      expect(stats.byReason['auth-expired']).toBe(1);
      expect((stats.byReason['server-error'] ?? 0) + (stats.byReason.network ?? 0)).toBeGreaterThan(0);
      expect(stats.byReason['attempts-exhausted']).toBeUndefined();
      // Raw failures are the injected faults (they also hit retries); failed for good stays under 5%.
      const shares = callShares(stats);
      expect(shares.gaveUpShare).toBeLessThan(0.05);
      process.stdout.write(
        `hubspot 10k under faults: ${JSON.stringify({ calls: stats.calls, rawFailed: stats.failed, gaveUp: stats.gaveUp, byReason: stats.byReason, injected429: injectedTotal, ...shares, requests: h.sandbox.state.faults.requestCount })}\n`,
      );
    } finally {
      await h.close();
    }
  }, 300_000);

  it('gives up on calls HubSpot never answers and retries them, and never writes twice when an answer is lost', async () => {
    const stats = emptyCallStats();
    // Hung calls are held 10 min (past the test's own timeout) and dropped unapplied; lost answers are applied, then the connection closes.
    const h = await hubspotHarness({
      accounts: 1_000,
      companiesOnly: true,
      stats,
      requestTimeoutMs: 250,
      faults: { seed: 11, hangRate: 0.1, hangMs: 600_000, answerLostRate: 0.1 },
    });
    try {
      const writes = countScoreWrites(h.sandbox);
      await h.connector().ensureSchema();
      const sync = await pullAll(h);
      expect(sync.accounts.map((a) => a.source.externalId).sort()).toEqual(h.accountIds().sort());
      const scores = sync.accounts.map((a, i) => makeScore(h.tenantId, a.id, (i % 10) / 10));
      const results = await h.connector().writeBack(scores);
      expect(results.filter((r) => r.status !== 'written')).toEqual([]);
      expect(writes.size).toBe(1_000);
      expect([...writes.values()].filter((n) => n !== 1)).toEqual([]);
      const injected = h.sandbox.state.faults.injected;
      expect(injected.hang).toBeGreaterThan(0);
      expect(injected['answer-lost']).toBeGreaterThan(0);
      expect(stats.byReason.network ?? 0).toBeGreaterThanOrEqual(injected.hang + injected['answer-lost']);
    } finally {
      await h.close();
    }
  }, 120_000);

  it('a sync killed mid-way restarts from the saved cursor with no duplicates and no gaps', async () => {
    // A long 5xx burst outlasts the retry budget: the pull fails like a crashed worker would.
    const h = await hubspotHarness({
      accounts: 1_000,
      companiesOnly: true,
      faults: { seed: 9, serverErrorBursts: [{ afterRequest: 4, count: 8 }] },
    });
    try {
      const seen: string[] = [];
      let cursor: SyncCursor | null = null;
      let crashes = 0;
      for (let guard = 0; guard < 100; guard++) {
        try {
          const page = await h.connector().pullPage('account', cursor);
          seen.push(...page.records.map((r) => r.source.externalId));
          cursor = JSON.parse(JSON.stringify(page.nextCursor)) as SyncCursor;
          if (page.done) break;
        } catch (error) {
          expect(error).toMatchObject({ code: 'CONNECTOR.UNAVAILABLE' });
          crashes++;
        }
      }
      expect(crashes).toBeGreaterThan(0);
      expect(seen).toHaveLength(1_000);
      expect(new Set(seen).size).toBe(1_000);
    } finally {
      await h.close();
    }
  }, 120_000);
});

describe('HubSpot connector: every entity and the search cap', () => {
  it('pulls contacts, deals, tickets, engagements and invoices linked to their companies, then picks up changes by search', async () => {
    const h = await hubspotHarness({ accounts: 40 });
    try {
      const portal = h.sandbox.state.portal;
      const companyIds = new Set(h.accountIds().map((id) => `hubspot:${id}`));
      const expected = {
        contact: ['contacts'],
        opportunity: ['deals'],
        ticket: ['tickets'],
        activity: ['notes', 'calls', 'emails', 'meetings', 'tasks'],
        transaction: ['invoices'],
      } as const;
      const cursors = new Map<string, SyncCursor | null>();
      for (const [entity, types] of Object.entries(expected) as [keyof typeof expected, readonly string[]][]) {
        const seen: { id: string; accountId?: string }[] = [];
        let cursor: SyncCursor | null = null;
        for (let guard = 0; guard < 500; guard++) {
          const page: PulledPage<EntityName> = await h.connector().pullPage(entity, cursor);
          expect(page.rejected).toEqual([]);
          seen.push(...page.records.map((r) => ({ id: r.id, ...('accountId' in r && r.accountId ? { accountId: r.accountId } : {}) })));
          cursor = page.nextCursor;
          if (page.done) break;
        }
        cursors.set(entity, cursor);
        const total = types.reduce((n, t) => n + portal.table(t as 'contacts').size, 0);
        expect(new Set(seen.map((s) => s.id)).size).toBe(total);
        expect(seen).toHaveLength(total);
        for (const s of seen) expect(companyIds.has(s.accountId ?? '')).toBe(true);
      }
      // A deal changes: the incremental pass finds it through search and still links it to its company.
      h.clock.advance(5_000);
      const deal = [...portal.table('deals').values()][3];
      if (!deal) throw new Error('no deal');
      deal.properties.amount = '4242';
      deal.properties.hs_lastmodifieddate = h.clock.now().toISOString();
      const changed: { id: string; amount?: number; accountId: string }[] = [];
      let cursor = cursors.get('opportunity') ?? null;
      for (let guard = 0; guard < 50; guard++) {
        const page = await h.connector().pullPage('opportunity', cursor);
        changed.push(
          ...page.records.map((r) => ({ id: r.id, accountId: r.accountId, ...(r.amount === undefined ? {} : { amount: r.amount }) })),
        );
        cursor = page.nextCursor;
        if (page.done) break;
      }
      expect(changed).toEqual([{ id: `hubspot:${deal.id}`, amount: 4242, accountId: expect.stringMatching(/^hubspot:\d+$/) }]);
      expect(companyIds.has(changed[0]?.accountId ?? '')).toBe(true);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('windows an incremental pass of more than 10,000 changes under the search cap without losing any', async () => {
    const h = await hubspotHarness({ accounts: 10_500, companiesOnly: true });
    try {
      const first = await pullAll(h, null, false);
      expect(first.accounts).toHaveLength(10_500);
      for (const c of h.sandbox.state.portal.table('companies').values()) {
        h.clock.advance(1);
        const now = h.clock.now().toISOString();
        c.properties.tenure_months = String(Number(c.properties.tenure_months ?? 0) + 1);
        c.properties.hs_lastmodifieddate = now;
        c.updatedAt = now;
      }
      h.clock.advance(1_000);
      const next = await pullAll(h, first.cursor, false);
      const ids = new Set(next.accounts.map((a) => a.source.externalId));
      expect(ids.size).toBe(10_500);
      // Only the one boundary record per window slide is read twice.
      expect(next.accounts.length - ids.size).toBeLessThanOrEqual(2);
    } finally {
      await h.close();
    }
  }, 120_000);
});

/** Keeps only the account of each generated bundle, without holding the full bundles in memory. */
function accountsOnly(bundles: Iterable<AccountBundle>): AccountBundle[] {
  const out: AccountBundle[] = [];
  for (const b of bundles) out.push({ account: b.account, contacts: [], deals: [], tickets: [], activities: [], transactions: [] });
  return out;
}
