import {
  entitySchemas,
  type AuthGrant,
  type CanonicalAccount,
  type CanonicalRecord,
  type CrmConnector,
  type EntityName,
  type ScoreSet,
  type SyncCursor,
  type TenantId,
} from '../../core';
import { SCORE_FIELDS, type ScoreFieldKey } from '../../manifests/field-map';

/**
 * One contract, every connector: each connector's test file builds a harness over its sandbox
 * (or files) and runs this suite. A new CRM is done when this suite is green against its sandbox.
 */
export interface ContractHarness {
  tenantId: TenantId;
  grant: AuthGrant;
  /** A new connector instance, as after a worker restart (state only in the cursor and the CRM). */
  connector(): CrmConnector;
  /** External ids of every live account in the source. */
  accountIds(): string[];
  /** Change an account in the source so an incremental pull must return it; false when the source is a snapshot. */
  touchAccount(externalId: string): Promise<boolean>;
  /** Delete an account in the source; false when the source can't. */
  deleteAccount(externalId: string): Promise<boolean>;
  /** What the source holds now in our score fields for an account, by canonical id (undefined when not written). */
  readScores(accountId: string): Record<ScoreFieldKey, string | null | undefined> | undefined;
  /** Tasks the source holds that carry our key and belong to this account (CRMs with tasks only). */
  tasksOf?(accountExternalId: string): { key: string; ownerId: string | null; subject: string }[];
  /** The account's owner in the source. */
  ownerOf?(accountExternalId: string): string | null;
  /** Live records per entity beyond accounts that the source holds (omit for account-only sources). */
  entityCounts?(): Partial<Record<Exclude<EntityName, 'account'>, number>>;
  close(): Promise<void>;
}

/** Pull any entity to `done`, a fresh connector per page (as queue workers would). */
export async function pullEntity(
  h: ContractHarness,
  entity: EntityName,
  from: SyncCursor | null = null,
): Promise<{ records: CanonicalRecord[]; deletions: string[]; rejected: string[]; cursor: SyncCursor | null }> {
  let cursor = from;
  const records: CanonicalRecord[] = [];
  const deletions: string[] = [];
  const rejected: string[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await h.connector().pullPage(entity, cursor);
    records.push(...page.records);
    deletions.push(...page.deletions.map((d) => d.externalId));
    rejected.push(...page.rejected.map((r) => r.reason));
    cursor = JSON.parse(JSON.stringify(page.nextCursor)) as SyncCursor;
    if (page.done) break;
  }
  return { records, deletions, rejected, cursor };
}

export function makeScore(tenantId: TenantId, accountId: string, probability: number, modelVersion = 'contract-1'): ScoreSet {
  const band = probability >= 0.75 ? 'critical' : probability >= 0.5 ? 'high' : probability >= 0.25 ? 'medium' : 'low';
  return {
    tenantId,
    accountId: accountId as ScoreSet['accountId'],
    computedAt: '2026-10-01T00:00:00.000Z',
    churn: {
      probability,
      band,
      drivers: [
        {
          feature: 'tenure_months',
          contribution: 12.5,
          direction: 'raises',
          value: 3,
          text: { en: 'Short tenure (3 months)', zh: '客户时长短（3 个月）' },
        },
        {
          feature: 'support_tickets_90d',
          contribution: -4,
          direction: 'lowers',
          value: 0,
          text: { en: 'No recent support tickets', zh: '近期无工单' },
        },
      ],
      model: { name: 'churn', version: modelVersion, kind: 'learned' },
    },
    clv: {
      point: 1200,
      p10: 800,
      p50: 1150,
      p90: 1700,
      currency: 'USD',
      horizonMonths: 12,
      method: 'contractual',
      model: { name: 'sbg', version: modelVersion, kind: 'sbg' },
    },
    nextBestActions: [
      {
        actionId: 'exec-call',
        rank: 1,
        score: 0.8,
        title: { en: 'Book an executive call', zh: '安排高层通话' },
        reasons: [{ en: 'Renewal in 30 days', zh: '30 天后续约' }],
      },
    ],
    modelVersion,
  };
}

/** Pull an entity to `done`, restarting with a fresh connector from the saved (JSON round-tripped) cursor after every page. */
export async function pullAll(
  h: ContractHarness,
  from: SyncCursor | null = null,
  restartEveryPage = true,
): Promise<{ accounts: CanonicalAccount[]; deletions: string[]; rejected: number; cursor: SyncCursor | null; pages: number }> {
  let cursor = from;
  let connector = h.connector();
  const accounts: CanonicalAccount[] = [];
  const deletions: string[] = [];
  let rejected = 0;
  let pages = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await connector.pullPage('account', cursor);
    pages++;
    accounts.push(...page.records);
    deletions.push(...page.deletions.map((d) => d.externalId));
    rejected += page.rejected.length;
    cursor = JSON.parse(JSON.stringify(page.nextCursor)) as SyncCursor;
    if (page.done) break;
    if (restartEveryPage) connector = h.connector();
  }
  return { accounts, deletions, rejected, cursor, pages };
}

export function connectorContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`CrmConnector contract: ${name}`, () => {
    let h: ContractHarness;
    let firstSync: Awaited<ReturnType<typeof pullAll>>;

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(() => h.close());

    it('authorises and reports limits as data', async () => {
      const c = h.connector();
      const tokens = await c.authorise(h.grant);
      expect(tokens.accessToken.length).toBeGreaterThan(0);
      const limits = await c.limits();
      expect(limits.provider).toBe(c.provider);
      expect(Number.isNaN(Date.parse(limits.observedAt))).toBe(false);
    });

    it('creates the score fields once, then only verifies them', async () => {
      const c = h.connector();
      await c.authorise(h.grant);
      const first = await c.ensureSchema();
      expect(first.created.length + first.verified.length).toBeGreaterThanOrEqual(SCORE_FIELDS.length);
      const second = await c.ensureSchema();
      expect(second.created).toEqual([]);
      expect(second.verified.length).toBeGreaterThanOrEqual(SCORE_FIELDS.length);
    });

    it('pulls every account exactly once, valid and hashed, across restarts from the saved cursor', async () => {
      firstSync = await pullAll(h);
      const ids = firstSync.accounts.map((a) => a.source.externalId);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...h.accountIds()].sort());
      for (const a of firstSync.accounts) {
        expect(entitySchemas.account.safeParse(a).success).toBe(true);
        expect(a.tenantId).toBe(h.tenantId);
        expect(a.id).toBe(`${a.id.split(':')[0]}:${a.id.split(':').slice(1).join(':')}`);
      }
      expect(firstSync.rejected).toBe(0);
    });

    it('pulls every other entity once, valid and linked to a live account, across restarts', async () => {
      const counts = h.entityCounts?.() ?? {};
      const accounts = new Set(h.accountIds().map((id) => `${h.connector().provider}:${id}`));
      for (const [entity, expected] of Object.entries(counts) as [Exclude<EntityName, 'account'>, number][]) {
        const pulled = await pullEntity(h, entity);
        expect({ entity, rejected: pulled.rejected }).toEqual({ entity, rejected: [] });
        const ids = pulled.records.map((r) => r.id);
        expect({ entity, unique: new Set(ids).size, total: ids.length }).toEqual({ entity, unique: expected, total: expected });
        for (const r of pulled.records) {
          expect(entitySchemas[entity].safeParse(r).success).toBe(true);
          if ('accountId' in r && r.accountId !== undefined) expect(accounts.has(r.accountId)).toBe(true);
        }
        // Nothing changed since: an incremental pass from the saved cursor is empty.
        const again = await pullEntity(h, entity, pulled.cursor);
        expect({ entity, again: again.records.length }).toEqual({ entity, again: 0 });
      }
    }, 120_000);

    it('creates the top action as a task for the account owner once per key, however often it is asked', async () => {
      const c = h.connector();
      if (!c.createTasks || !h.tasksOf) return;
      await c.authorise(h.grant);
      const ids = h.accountIds().slice(3, 8);
      const tasks = ids.map((id, i) => ({
        accountId: `${c.provider}:${id}`,
        key: `contract-key-${i}`,
        subject: `Book an executive call / 安排高层通话 ${i}`,
        body: 'Renewal in 30 days\n30 天后续约',
        dueDate: '2026-11-05',
        priority: 'high' as const,
      }));
      const first = await c.createTasks(tasks);
      expect(first.map((r) => r.status)).toEqual(ids.map(() => 'created'));
      // Again, from a fresh worker, plus one repeat inside the batch: nothing new.
      const again = await h.connector().createTasks?.([...tasks, tasks[0] as (typeof tasks)[number]]);
      expect(again?.map((r) => r.status)).toEqual([...ids.map(() => 'exists'), 'exists']);
      for (const [i, id] of ids.entries()) {
        const held = h.tasksOf(id);
        expect(held.map((t) => t.key)).toEqual([`contract-key-${i}`]);
        expect(held[0]?.subject).toContain('安排高层通话');
        if (h.ownerOf) expect(held[0]?.ownerId).toBe(h.ownerOf(id));
      }
      const bad = await c.createTasks([{ ...(tasks[0] as (typeof tasks)[number]), accountId: 'file:nope', key: 'contract-key-bad' }]);
      expect(bad[0]).toMatchObject({ status: 'failed', retryable: false });
    });

    it('continues incrementally from the cursor: changes come back, nothing else does', async () => {
      const ids = h.accountIds();
      const target = ids[Math.floor(ids.length / 2)] as string;
      const touched = await h.touchAccount(target);
      const gone = ids[1] as string;
      const deleted = await h.deleteAccount(gone);
      const next = await pullAll(h, firstSync.cursor);
      const changed = next.accounts.map((a) => a.source.externalId);
      if (touched) expect(changed).toContain(target);
      else expect(changed).toEqual([]);
      if (touched) expect(changed.length).toBeLessThanOrEqual(2);
      if (deleted) expect(next.deletions).toContain(gone);
      else expect(next.deletions).toEqual([]);
      // And a pull right after that finds nothing new.
      const quiet = await pullAll(h, next.cursor);
      expect(quiet.accounts.map((a) => a.source.externalId)).toEqual([]);
    });

    it('writes every score once; unchanged scores are not rewritten; a changed one is', async () => {
      const c = h.connector();
      await c.authorise(h.grant);
      await c.ensureSchema();
      const accounts = firstSync.accounts.filter((a) => h.accountIds().includes(a.source.externalId)).slice(0, 120);
      const scores = accounts.map((a, i) => makeScore(h.tenantId, a.id, (i % 100) / 100));
      const first = await c.writeBack(scores);
      expect(first).toHaveLength(scores.length);
      expect(first.every((r) => r.status === 'written')).toBe(true);
      for (const [i, a] of accounts.entries()) {
        const held = h.readScores(a.id);
        expect(held).toBeDefined();
        expect(Number(held?.churnProbability)).toBeCloseTo((i % 100) / 100, 6);
        expect(held?.riskBand).toBe(scores[i]?.churn.band);
        expect(held?.topDriversZh).toContain('客户时长短');
        expect(held?.modelVersion).toBe('contract-1');
      }
      const again = await c.writeBack(scores);
      expect(again.map((r) => r.status)).toEqual(scores.map(() => 'unchanged'));
      // A restarted worker (empty ledger) also recognises what is already written.
      const fresh = h.connector();
      await fresh.authorise(h.grant);
      const afterRestart = await fresh.writeBack(scores.slice(0, 10));
      expect(afterRestart.map((r) => r.status)).toEqual(scores.slice(0, 10).map(() => 'unchanged'));
      const changed = [...scores];
      changed[3] = makeScore(h.tenantId, accounts[3]?.id as string, 0.99);
      const third = await c.writeBack(changed);
      const id3 = accounts[3]?.id as string;
      expect(third.filter((r) => r.status === 'written').map((r) => r.accountExternalId)).toEqual([id3.slice(id3.indexOf(':') + 1)]);
      expect(Number(h.readScores(id3)?.churnProbability)).toBeCloseTo(0.99, 6);
    });
  });
}
