import path from 'node:path';
import { Connection } from 'jsforce';
import { fixedClock, type EntityName, type PulledPage, type SyncCursor, type TenantId } from '../../core';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import { SCORE_FIELDS, salesforceFieldName, type ScoreFieldKey } from '../../manifests/field-map';
import { startSalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import { sfDateTime } from '../../sandbox/salesforce/salesforce-state';
import { makeField, type SfOrgProfile } from '../../sandbox/salesforce/salesforce-schema';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { connectorContract, makeScore, type ContractHarness } from './connector-contract.suite';
import { callShares, emptyCallStats } from '../../connectors/shared/governed-call';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
const rows = readTelcoCsv(CSV);
const STATIC = '00D8d0000000SBX!sandbox-static-token';

const salesforceHarness = (org: SfOrgProfile) => async (): Promise<ContractHarness> => {
  const clock = fixedClock('2026-11-01T00:00:00.000Z');
  const sandbox = await startSalesforceSandbox({ seed: 4, accounts: 530, rows, clock, org });
  // The package's Task field for our key (the Account score fields are created by ensureSchema in this unmanaged org).
  sandbox.state.org.object('Task')?.fields.set('se_action_key__c', makeField('SE_Action_Key__c', 'string', { custom: true }));
  const tenantId = 'tenant-contract-salesforce' as TenantId;
  const accounts = sandbox.state.org.table('Account');
  const bump = (id: string, change: (r: Record<string, unknown>) => void): boolean => {
    clock.advance(1_000);
    const r = accounts.get(id);
    if (!r) return false;
    change(r);
    r.SystemModstamp = sfDateTime(clock.now().getTime());
    r.LastModifiedDate = r.SystemModstamp;
    return true;
  };
  return {
    tenantId,
    grant: { kind: 'private-app-token', token: STATIC },
    connector: () =>
      new SalesforceConnector({
        tenantId,
        orgKey: 'contract-sf',
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: null,
        pageSize: 200,
        clock,
        sleep: (ms) => {
          clock.advance(ms);
          return Promise.resolve();
        },
      }),
    accountIds: () => [...accounts.values()].filter((r) => !r.IsDeleted).map((r) => r.Id),
    // A vanilla org has no Tenure_Months__c: touch a standard field there.
    touchAccount: (id) =>
      Promise.resolve(
        bump(id, (r) => {
          if (org === 'vanilla') r.NumberOfEmployees = Number(r.NumberOfEmployees ?? 0) + 1;
          else r.Tenure_Months__c = Number(r.Tenure_Months__c ?? 0) + 1;
        }),
      ),
    deleteAccount: (id) =>
      Promise.resolve(
        bump(id, (r) => {
          r.IsDeleted = true;
        }),
      ),
    tasksOf: (id) =>
      [...sandbox.state.org.table('Task').values()]
        .filter((t) => t.WhatId === id && typeof t.SE_Action_Key__c === 'string')
        .map((t) => ({
          key: String(t.SE_Action_Key__c),
          ownerId: typeof t.OwnerId === 'string' ? t.OwnerId : null,
          subject: String(t.Subject),
        })),
    ownerOf: (id) => {
      const o = accounts.get(id)?.OwnerId;
      return typeof o === 'string' ? o : null;
    },
    entityCounts: () => {
      // A vanilla org has no Invoice__c object: nothing to pull there.
      const live = (...objects: string[]): number =>
        objects.reduce(
          (n, o) => n + (sandbox.state.org.object(o) ? [...sandbox.state.org.table(o).values()].filter((r) => !r.IsDeleted).length : 0),
          0,
        );
      return {
        contact: live('Contact'),
        opportunity: live('Opportunity'),
        ticket: live('Case'),
        activity: live('Task', 'Event'),
        transaction: live('Invoice__c'),
      };
    },
    readScores: (accountId) => {
      const r = accounts.get(accountId.replace(/^salesforce:/, ''));
      const first = SCORE_FIELDS[0];
      if (!r || !first || r[salesforceFieldName(first, null)] === undefined) return undefined;
      return Object.fromEntries(
        SCORE_FIELDS.map((f) => {
          const v = r[salesforceFieldName(f, null)];
          return [f.key, typeof v === 'string' || typeof v === 'number' ? String(v) : null];
        }),
      ) as Record<ScoreFieldKey, string | null>;
    },
    close: () => sandbox.close(),
  };
};
connectorContract('Salesforce sandbox (unmanaged, customised org)', salesforceHarness('customised'));
connectorContract('Salesforce sandbox (unmanaged, vanilla org)', salesforceHarness('vanilla'));

describe('Salesforce connector: every entity, deletions and the delete log', () => {
  const setup = async (): Promise<{
    sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
    clock: ReturnType<typeof fixedClock>;
    make: () => SalesforceConnector;
    pull: (entity: EntityName, from: SyncCursor | null) => Promise<{ ids: string[]; deleted: string[]; cursor: SyncCursor }>;
  }> => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const sandbox = await startSalesforceSandbox({ seed: 11, accounts: 30, rows, clock });
    const make = (): SalesforceConnector =>
      new SalesforceConnector({
        tenantId: 't' as TenantId,
        orgKey: `del-${Math.random()}`,
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: null,
        pageSize: 200,
        clock,
        sleep: (ms) => {
          clock.advance(ms);
          return Promise.resolve();
        },
      });
    const pull = async (entity: EntityName, from: SyncCursor | null): Promise<{ ids: string[]; deleted: string[]; cursor: SyncCursor }> => {
      let cursor = from;
      const ids: string[] = [];
      const deleted: string[] = [];
      for (let i = 0; i < 500; i++) {
        const page: PulledPage<EntityName> = await make().pullPage(entity, cursor);
        ids.push(...page.records.map((r) => r.source.externalId));
        deleted.push(...page.deletions.map((d) => d.externalId));
        cursor = JSON.parse(JSON.stringify(page.nextCursor)) as SyncCursor;
        if (page.done) return { ids, deleted, cursor };
      }
      throw new Error('pull did not finish');
    };
    return { sandbox, clock, make, pull };
  };

  it('picks up a changed Task and a changed Event in one activity pass, each once', async () => {
    const { sandbox, clock, pull } = await setup();
    try {
      const first = await pull('activity', null);
      const task = [...sandbox.state.org.table('Task').values()][5];
      const event = [...sandbox.state.org.table('Event').values()][2];
      if (!task || !event) throw new Error('no activities');
      clock.advance(60_000);
      for (const r of [task, event]) {
        r.Subject = `${String(r.Subject)} (edited)`;
        r.SystemModstamp = sfDateTime(clock.now());
      }
      clock.advance(1_000);
      const next = await pull('activity', first.cursor);
      expect(next.ids.sort()).toEqual([task.Id, event.Id].sort());
    } finally {
      await sandbox.close();
    }
  });

  it('reports rows purged from the Recycle Bin through getDeleted, which queryAll no longer returns', async () => {
    const { sandbox, clock, pull } = await setup();
    try {
      const first = await pull('contact', null);
      const [a, b] = [...sandbox.state.org.table('Contact').values()];
      if (!a || !b) throw new Error('no contacts');
      clock.advance(5 * 60_000);
      sandbox.state.org.softDelete(a.Id, clock.now().toISOString());
      sandbox.state.org.softDelete(b.Id, clock.now().toISOString());
      expect(sandbox.state.org.purgeRecycleBin()).toBe(2);
      clock.advance(3 * 60_000);
      const next = await pull('contact', first.cursor);
      expect(next.ids).toEqual([]);
      expect([...new Set(next.deleted)].sort()).toEqual([a.Id, b.Id].sort());
      // Covered: the following pass does not report them again.
      clock.advance(2 * 60_000);
      expect((await pull('contact', next.cursor)).deleted).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it('asks for a full reload (RESYNC_REQUIRED) when the delete log no longer covers the window', async () => {
    const { sandbox, clock, pull } = await setup();
    try {
      const first = await pull('opportunity', null);
      clock.advance(16 * 86_400_000);
      await expect(pull('opportunity', first.cursor)).rejects.toMatchObject({
        code: 'CONNECTOR.RESYNC_REQUIRED',
        details: { object: 'Opportunity' },
      });
      // A purge of the delete log after our window start has the same effect.
      const second = await pull('opportunity', null);
      clock.advance(60 * 60_000);
      sandbox.state.org.purgeDeleteLog(clock.now().getTime() - 60_000);
      await expect(pull('opportunity', second.cursor)).rejects.toMatchObject({ code: 'CONNECTOR.RESYNC_REQUIRED' });
    } finally {
      await sandbox.close();
    }
  });

  it('carries on from a v1 (accounts-only) cursor saved before this version', async () => {
    const { sandbox, make } = await setup();
    try {
      const page = await make().pullPage('account', { v: 1, since: null, until: null, lastStamp: null, lastId: null, locator: null });
      expect(page.records).toHaveLength(30);
      await expect(make().pullPage('account', { v: 9 })).rejects.toMatchObject({ code: 'CONNECTOR.BAD_CURSOR' });
    } finally {
      await sandbox.close();
    }
  });
});

describe('Salesforce connector: budget, namespace and per-record failures', () => {
  it('resumes from the keyset when the saved query locator has expired: no duplicates, no gaps', async () => {
    const sandbox = await startSalesforceSandbox({ seed: 6, accounts: 700, rows });
    try {
      const c = (): SalesforceConnector =>
        new SalesforceConnector({
          tenantId: 't' as TenantId,
          orgKey: 'locator',
          instanceUrl: sandbox.url,
          accessToken: STATIC,
          namespace: null,
          pageSize: 200,
        });
      const seen: string[] = [];
      let cursor: SyncCursor | null = null;
      for (let i = 0; i < 20; i++) {
        const page: PulledPage<'account'> = await c().pullPage('account', cursor);
        seen.push(...page.records.map((r) => r.source.externalId));
        // Every saved locator is stale by the time the next worker picks the job up.
        cursor =
          typeof page.nextCursor.locator === 'string'
            ? { ...page.nextCursor, locator: '/services/data/v62.0/query/01gEXPIRED-200' }
            : page.nextCursor;
        if (page.done) break;
      }
      expect(seen).toHaveLength(700);
      expect(new Set(seen).size).toBe(700);
    } finally {
      await sandbox.close();
    }
  }, 60_000);

  it('stops at its share of the daily API allocation (Sforce-Limit-Info) and hands the wait to the queue', async () => {
    const sandbox = await startSalesforceSandbox({ seed: 2, accounts: 60, rows, dailyApiRequests: 40 });
    try {
      const c = new SalesforceConnector({
        tenantId: 't' as TenantId,
        orgKey: 'budget',
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: null,
      });
      let cursor: SyncCursor | null = null;
      let pages = 0;
      // Poll for changes again and again: every pass costs one call until the budget runs out.
      const error = await (async () => {
        for (let i = 0; i < 100; i++) {
          const page: PulledPage<'account'> = await c.pullPage('account', cursor);
          pages++;
          cursor = page.nextCursor;
        }
        return undefined;
      })().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONNECTOR.RATE_LIMITED', details: { reason: 'budget' } });
      expect(pages).toBe(9); // 25% of 40 calls: one describe (trusted for 15 minutes), then 9 pages
      expect((await c.limits()).daily).toEqual({ max: 40, remaining: 30 });
    } finally {
      await sandbox.close();
    }
  });

  it('needs the package for namespaced fields, then writes them; locked rows come back as retryable failures', async () => {
    const probe = await startSalesforceSandbox({ seed: 3, accounts: 5, rows });
    const ids = [...probe.state.org.table('Account').keys()];
    await probe.close();
    const victim = ids[2] as string;
    const sandbox = await startSalesforceSandbox({
      seed: 3,
      accounts: 5,
      rows,
      namespace: 'succeng',
      faults: { lockedRecordIds: [victim] },
    });
    try {
      const c = new SalesforceConnector({
        tenantId: 't' as TenantId,
        orgKey: 'ns',
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: 'succeng',
      });
      await expect(c.ensureSchema()).rejects.toMatchObject({ code: 'CONNECTOR.SCHEMA_MISSING' });
      // The package install creates the namespaced fields and its permission set, assigned to no one:
      // the fields stay invisible until ensureSchema assigns the set to the integration user.
      sandbox.state.org.installPackageFields();
      const conn = new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: '62.0' });
      expect((await conn.sobject('Account').describe()).fields.map((f) => f.name)).not.toContain('succeng__SE_Churn_Probability__c');
      const schema = await c.ensureSchema();
      expect((await conn.query('SELECT Id FROM PermissionSetAssignment')).totalSize).toBe(1);
      expect(schema.created).toEqual([]);
      expect(schema.verified).toContain('succeng__SE_Churn_Probability__c');
      const results = await c.writeBack(ids.map((id) => makeScore('t' as TenantId, `salesforce:${id}`, 0.3)));
      expect(results.filter((r) => r.status === 'written')).toHaveLength(4);
      expect(results.find((r) => r.accountExternalId === victim)).toMatchObject({
        status: 'failed',
        code: 'CONNECTOR.UNABLE_TO_LOCK_ROW',
        retryable: true,
      });
      expect(sandbox.state.org.table('Account').get(ids[0] as string)?.succeng__SE_Risk_Band__c).toBe('medium');
    } finally {
      await sandbox.close();
    }
  });
});

describe('Salesforce connector: Bulk API 2.0', () => {
  it('backfills above the threshold through one Bulk query job, paged by locator, across restarts', async () => {
    const sandbox = await startSalesforceSandbox({ seed: 12, accounts: 5_000, rows, bulkPageSize: 1_500 });
    try {
      const stats = emptyCallStats();
      const make = (): SalesforceConnector =>
        new SalesforceConnector({
          tenantId: 't' as TenantId,
          orgKey: 'bulk-q',
          instanceUrl: sandbox.url,
          accessToken: STATIC,
          namespace: null,
          pageSize: 200,
          bulkPageSize: 1_500,
          stats,
        });
      const seen: string[] = [];
      let cursor: SyncCursor | null = null;
      const phases: unknown[] = [];
      for (let i = 0; i < 100; i++) {
        const page: PulledPage<'account'> = await make().pullPage('account', cursor);
        seen.push(...page.records.map((r) => r.source.externalId));
        cursor = JSON.parse(JSON.stringify(page.nextCursor)) as SyncCursor;
        phases.push(cursor.phase);
        if (page.done) break;
      }
      expect(phases).toContain('bulk');
      expect(seen).toHaveLength(5_000);
      expect(new Set(seen).size).toBe(5_000);
      // REST alone would need 25 pages of 200: describe, one page, create, poll, four result pages.
      expect(stats.calls).toBeLessThanOrEqual(9);
      // Bulk rows map to the same records (and hashes) as REST rows.
      const viaRest = await new SalesforceConnector({
        tenantId: 't' as TenantId,
        orgKey: 'bulk-q2',
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: null,
        bulkThreshold: 1_000_000,
      }).pullPage('account', null);
      const sample = viaRest.records[0];
      if (!sample) throw new Error('no account');
      const page2 = await (async () => {
        let c: SyncCursor | null = null;
        for (let i = 0; i < 100; i++) {
          const p: PulledPage<'account'> = await make().pullPage('account', c);
          const hit = p.records.find((r) => r.id === sample.id);
          if (hit) return hit;
          c = p.nextCursor;
          if (p.done) break;
        }
        return undefined;
      })();
      expect(page2?.dataHash).toBe(sample.dataHash);
    } finally {
      await sandbox.close();
    }
  }, 60_000);
});

describe('Salesforce connector: a write whose answer was lost is never applied twice', () => {
  const run = async (
    lost: number[],
    count: number,
    bulkThreshold?: number,
  ): Promise<{ written: number; applied: number[]; failedCalls: number }> => {
    const sandbox = await startSalesforceSandbox({
      seed: 13,
      accounts: count,
      rows,
      packageInstalled: true,
      lostAnswers: { requests: lost },
    });
    try {
      const stats = emptyCallStats();
      const c = new SalesforceConnector({
        tenantId: 't' as TenantId,
        orgKey: `lost-${lost.join('-')}-${count}`,
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: null,
        readBeforeWrite: false,
        stats,
        sleep: () => Promise.resolve(),
        ...(bulkThreshold === undefined ? {} : { bulkThreshold }),
      });
      await c.ensureSchema();
      const ids = [...sandbox.state.org.table('Account').keys()];
      const results = await c.writeBack(ids.map((id, i) => makeScore('t' as TenantId, `salesforce:${id}`, (i % 10) / 10)));
      return {
        written: results.filter((r) => r.status === 'written').length,
        applied: ids.map((id) => sandbox.state.org.writes.get(id) ?? 0),
        failedCalls: stats.failed,
      };
    } finally {
      await sandbox.close();
    }
  };

  it('Collections: the retry reads back and skips the records that landed', async () => {
    // Requests 1-5 are ensureSchema (find the permission set, identity ×2, its assignment, describe); 6 the first update (its answer is lost).
    const r = await run([6], 300);
    expect(r).toEqual({ written: 300, applied: Array.from({ length: 300 }, () => 1), failedCalls: 1 });
  }, 60_000);

  it('Bulk ingest: a lost close is checked, not repeated; a lost upload aborts the job and Collections write the rest', async () => {
    // After ensureSchema's 5: 6 create job, 7 upload, 8 close (answer lost): the job state shows it closed.
    const closed = await run([8], 400, 100);
    expect(closed.written).toBe(400);
    expect(closed.applied.every((n) => n === 1)).toBe(true);
    // 7 upload (answer lost): abort, read back (nothing applied), Collections write every record once.
    const uploaded = await run([7], 400, 100);
    expect(uploaded.written).toBe(400);
    expect(uploaded.applied.every((n) => n === 1)).toBe(true);
  }, 60_000);
});

describe('Salesforce tasks: a create whose answer was lost is looked up by key, not repeated', () => {
  it('creates each task once', async () => {
    // 1 find by key, 2 account owners, 3 create (answer lost), then the retry finds them by key.
    const sandbox = await startSalesforceSandbox({ seed: 14, accounts: 6, rows, packageInstalled: true, lostAnswers: { requests: [3] } });
    try {
      const c = new SalesforceConnector({
        tenantId: 't' as TenantId,
        orgKey: 'tasks-lost',
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: null,
        sleep: () => Promise.resolve(),
      });
      const ids = [...sandbox.state.org.table('Account').keys()];
      const results = await c.createTasks(
        ids.map((id, i) => ({
          accountId: `salesforce:${id}`,
          key: `k-${i}`,
          subject: 'Call',
          body: 'Why',
          dueDate: '2026-11-05',
          priority: 'normal' as const,
        })),
      );
      expect(results.map((r) => r.status)).toEqual(ids.map(() => 'created'));
      const tasks = [...sandbox.state.org.table('Task').values()].filter((t) => typeof t.SE_Action_Key__c === 'string');
      expect(tasks.map((t) => t.SE_Action_Key__c).sort()).toEqual(ids.map((_, i) => `k-${i}`).sort());
      for (const t of tasks) expect(t.OwnerId).toBe(sandbox.state.org.table('Account').get(String(t.WhatId))?.OwnerId);
      expect(c.stats.failed).toBe(1);
    } finally {
      await sandbox.close();
    }
  });
});

describe('Salesforce connector under injected faults (10k accounts)', () => {
  it('syncs and writes back every account once (Bulk ingest and Collections) through 5xx, resets, lost answers, token expiry and locked rows', async () => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const app = { clientId: 'se-consumer-key', clientSecret: 'se-consumer-secret' };
    const sandbox = await startSalesforceSandbox({
      seed: 8,
      accounts: 10_000,
      rows,
      clock,
      connectedApp: app,
      dailyApiRequests: 1_000_000,
      faults: {
        seed: 4,
        serverErrorRate: 0.05,
        dropRate: 0.03,
        rateLimitBursts: [{ afterRequest: 20, count: 2 }],
        expireTokensAtRequest: 9,
        lockRowRate: 0.01,
      },
      lostAnswers: { rate: 0.02, seed: 3 },
    });
    try {
      const stats = emptyCallStats();
      const redirectUri = 'https://app.example.com/sf/callback';
      let tokens: { accessToken?: string; refreshToken?: string } = {};
      const make = (): SalesforceConnector =>
        new SalesforceConnector({
          tenantId: 't' as TenantId,
          orgKey: 'faults',
          instanceUrl: sandbox.url,
          loginUrl: sandbox.url,
          namespace: null,
          clock,
          stats,
          oauthClient: { ...app, redirectUri },
          ...(tokens.accessToken ? { accessToken: tokens.accessToken } : {}),
          ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
          onTokens: (t) => {
            tokens = { accessToken: t.accessToken, refreshToken: t.refreshToken ?? tokens.refreshToken ?? '' };
          },
          sleep: (ms) => {
            clock.advance(ms);
            return Promise.resolve();
          },
        });
      const installer = make();
      await installer.authorise({ kind: 'authorization-code', code: sandbox.state.issueAuthCode(redirectUri), redirectUri });
      await installer.ensureSchema();
      const ids: string[] = [];
      let cursor: SyncCursor | null = null;
      for (let i = 0; i < 100; i++) {
        const page: PulledPage<'account'> = await make().pullPage('account', cursor);
        ids.push(...page.records.map((r) => r.id));
        cursor = page.nextCursor;
        if (page.done) break;
      }
      expect(ids).toHaveLength(10_000);
      expect(new Set(ids).size).toBe(10_000);
      const scores = ids.map((id, i) => makeScore('t' as TenantId, id, (i % 100) / 100));
      const writer = make();
      // 6,000 in one call (a Bulk API 2.0 ingest job), the rest 1,000 at a time (sObject Collections).
      let results = await writer.writeBack(scores.slice(0, 6_000));
      for (let i = 6_000; i < scores.length; i += 1_000) results.push(...(await writer.writeBack(scores.slice(i, i + 1_000))));
      // Locked rows come back as retryable per-record failures; the queue retries just those.
      for (let round = 0; round < 5 && results.some((r) => r.status === 'failed'); round++) {
        const failed = new Set(results.filter((r) => r.status === 'failed').map((r) => r.accountExternalId));
        expect(results.filter((r) => r.status === 'failed').every((r) => r.status === 'failed' && r.retryable)).toBe(true);
        const retried = await writer.writeBack(scores.filter((s) => failed.has(s.accountId.replace(/^salesforce:/, ''))));
        results = results.map((r) => retried.find((x) => x.accountExternalId === r.accountExternalId) ?? r);
      }
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
      const table = sandbox.state.org.table('Account');
      for (const [i, id] of ids.entries())
        expect(Number(table.get(id.replace(/^salesforce:/, ''))?.SE_Churn_Probability__c)).toBeCloseTo((i % 100) / 100, 6);
      // Every score applied exactly once, though answers were lost after the write landed.
      const applied = ids.map((id) => sandbox.state.org.writes.get(id.replace(/^salesforce:/, '')) ?? 0);
      expect(applied.filter((n) => n !== 1)).toEqual([]);
      expect((await writer.writeBack(scores)).every((r) => r.status === 'unchanged')).toBe(true);
      // Honest accounting: raw failed responses are the injected faults (they hit retries too, so their
      // share of calls exceeds the 10% rate); what the caller sees failed for good stays under 5%.
      const injected = sandbox.state.injected;
      const injectedTotal = injected.drops + injected.serverErrors + injected.rateLimits + injected.expiredSessions + injected.lostAnswers;
      const shares = callShares(stats);
      expect(injectedTotal).toBeGreaterThan(0);
      // Every raw failure is an injected one (jsforce refreshes some expired sessions itself, so fewer
      // reach us); beyond them, only consequences of lost answers (a replayed create finds its field made).
      expect(stats.failed - injectedTotal).toBeLessThanOrEqual(injected.lostAnswers);
      expect(shares.gaveUpShare).toBeLessThan(0.05);
      // No rate-limit answer of our own making (the governor keeps under the limit).
      expect(stats.byReason['rate-limited'] ?? 0).toBeLessThanOrEqual(injected.rateLimits);
      process.stdout.write(
        `salesforce 10k under faults: ${JSON.stringify({ calls: stats.calls, rawFailed: stats.failed, injected, injectedTotal, gaveUp: stats.gaveUp, gaveUpByReason: stats.gaveUpByReason, byReason: stats.byReason, ...shares, requests: sandbox.state.faults.requestCount })}\n`,
      );
    } finally {
      await sandbox.close();
    }
  }, 300_000);
});

describe('Salesforce connector: reads the org schema first (describe), findings instead of failed syncs', () => {
  type Pulled = {
    ids: string[];
    findings: NonNullable<PulledPage<EntityName>['findings']>;
    records: PulledPage<EntityName>['records'];
    cursor: SyncCursor;
  };
  const pullAll = async (c: () => SalesforceConnector, entity: EntityName, from: SyncCursor | null = null): Promise<Pulled> => {
    let cursor = from;
    const out: Pulled = { ids: [], findings: [], records: [], cursor: null as unknown as SyncCursor };
    for (let i = 0; i < 200; i++) {
      const page: PulledPage<EntityName> = await c().pullPage(entity, cursor);
      out.ids.push(...page.records.map((r) => r.source.externalId));
      out.records.push(...page.records);
      out.findings.push(...(page.findings ?? []));
      cursor = JSON.parse(JSON.stringify(page.nextCursor)) as SyncCursor;
      if (page.done) return { ...out, cursor };
    }
    throw new Error('pull did not finish');
  };
  const connectorFor = (
    sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>,
    clock: ReturnType<typeof fixedClock>,
    attributes?: string[],
  ) => {
    const c = new SalesforceConnector({
      tenantId: 't' as TenantId,
      orgKey: `schema-${Math.random()}`,
      instanceUrl: sandbox.url,
      accessToken: STATIC,
      namespace: null,
      pageSize: 200,
      clock,
      sleep: (ms) => {
        clock.advance(ms);
        return Promise.resolve();
      },
      ...(attributes ? { accountMapping: { attributes } } : {}),
    });
    return () => c;
  };

  it('on a vanilla org: no custom fields or invoice object queried, each one a named optional finding, every record read', async () => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const sandbox = await startSalesforceSandbox({ seed: 21, accounts: 40, rows, clock, org: 'vanilla' });
    try {
      const c = connectorFor(sandbox, clock);
      const contacts = await pullAll(c, 'contact');
      expect(contacts.ids).toHaveLength(sandbox.state.org.table('Contact').size);
      expect(contacts.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'CONNECTOR.FIELD_UNREADABLE', object: 'Contact', field: 'Primary_Contact__c', optional: true }),
          expect.objectContaining({ code: 'CONNECTOR.FIELD_UNREADABLE', object: 'Contact', field: 'Language__c', optional: true }),
        ]),
      );
      const invoices = await pullAll(c, 'transaction');
      expect(invoices.ids).toEqual([]);
      expect(invoices.findings).toEqual([
        expect.objectContaining({ code: 'CONNECTOR.OBJECT_UNREADABLE', object: 'Invoice__c', optional: true }),
      ]);
      const accounts = await pullAll(c, 'account');
      expect(accounts.ids).toHaveLength(40);
      // Multi-currency is off: CurrencyIsoCode is neither queried nor a finding.
      expect(accounts.findings.map((f) => f.field)).not.toContain('CurrencyIsoCode');
      expect(accounts.findings.map((f) => f.field)).toEqual(expect.arrayContaining(['Renewal_Date__c', 'Contract_Type__c']));
    } finally {
      await sandbox.close();
    }
  });

  it('on a multi-currency org, amounts carry their record currency', async () => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const sandbox = await startSalesforceSandbox({ seed: 22, accounts: 10, rows, clock, org: 'customised' });
    try {
      const opp = [...sandbox.state.org.table('Opportunity').values()][0];
      if (!opp) throw new Error('no opportunity seeded');
      opp.CurrencyIsoCode = 'EUR';
      const pulled = await pullAll(connectorFor(sandbox, clock), 'opportunity');
      const mine = pulled.records.find((r) => r.source.externalId === opp.Id) as { currency?: string } | undefined;
      expect(mine?.currency).toBe('EUR');
      expect(pulled.findings).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it('a field deleted from the org between two syncs is a named finding; the next sync reads every changed record without it', async () => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const sandbox = await startSalesforceSandbox({ seed: 23, accounts: 30, rows, clock });
    try {
      const c = connectorFor(sandbox, clock);
      const first = await pullAll(c, 'account');
      expect(first.findings).toEqual([]);
      expect(sandbox.state.org.deleteField('Account', 'Tenure_Months__c')).toBe(true);
      const changed = [...sandbox.state.org.table('Account').values()].slice(0, 3);
      clock.advance(60_000);
      for (const r of changed) r.SystemModstamp = sfDateTime(clock.now().getTime());
      clock.advance(60_000);
      const second = await pullAll(c, 'account', first.cursor);
      expect(second.findings).toEqual([
        expect.objectContaining({ code: 'CONNECTOR.FIELD_UNREADABLE', object: 'Account', field: 'Tenure_Months__c', optional: true }),
      ]);
      expect(second.ids.sort()).toEqual(changed.map((r) => r.Id).sort());
    } finally {
      await sandbox.close();
    }
  });

  it('a permission set removed from the integration user hides its field: a named finding, and the sync goes on', async () => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const sandbox = await startSalesforceSandbox({ seed: 24, accounts: 12, rows, clock });
    try {
      const org = sandbox.state.org;
      const account = org.object('Account');
      if (!account) throw new Error('no Account');
      org.addField(account, 'Health_Score__c', 'double');
      const ps = org.insert('PermissionSet', { Name: 'CS_Fields', Label: 'CS fields' }, '2026-01-01T00:00:00.000Z');
      org.insert(
        'FieldPermissions',
        { ParentId: ps.Id, SobjectType: 'Account', Field: 'Account.Health_Score__c', PermissionsRead: true, PermissionsEdit: false },
        '2026-01-01T00:00:00.000Z',
      );
      const assignment = org.insert(
        'PermissionSetAssignment',
        { AssigneeId: org.systemUserId, PermissionSetId: ps.Id },
        '2026-01-01T00:00:00.000Z',
      );
      for (const r of org.table('Account').values()) r.Health_Score__c = 7;
      const c = connectorFor(sandbox, clock, ['Health_Score__c']);
      const first = await pullAll(c, 'account');
      expect(first.findings).toEqual([]);
      expect(first.records.every((r) => (r as { attributes?: Record<string, unknown> }).attributes?.Health_Score__c === 7)).toBe(true);
      assignment.IsDeleted = true; // an admin removes the assignment
      const again = await pullAll(c, 'account');
      expect(again.findings).toEqual([
        expect.objectContaining({ code: 'CONNECTOR.FIELD_UNREADABLE', object: 'Account', field: 'Health_Score__c' }),
      ]);
      expect(again.ids).toHaveLength(12);
      expect(again.records.some((r) => (r as { attributes?: Record<string, unknown> }).attributes?.Health_Score__c !== undefined)).toBe(
        false,
      );
    } finally {
      await sandbox.close();
    }
  });
});
