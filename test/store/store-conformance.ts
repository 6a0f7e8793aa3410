import { buildRecord, type AccountId, type ConnectionId, type CrmConnection, type ScoreSet, type TenantId } from '../../core';
import type { ActionOutcome } from '../../core/model/action-outcome.schema';
import type { AccountRange, AlertDelivery, AnalysedText, ModelVersion, RecordQuery, Store } from '../../core/ports/store.port';
import { makeAccount, TEST_TENANT } from '../helpers/records';

/** What a conformance run needs from an adapter: the store, and a little raw SQL for what no port shows. */
export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
  /**
   * Raw SQL without parameters, in the dialect SQLite and PostgreSQL share: to look at ciphertexts, to
   * prove the audit log refuses changes, to search every table after an erasure.
   */
  sql(text: string): Promise<Record<string, unknown>[]>;
  /** Every table of the database, ours and the migration runner's. */
  tables(): Promise<string[]>;
}

export interface OpenStoreOptions {
  /** Records per transaction in `upsertRecords`. */
  batchSize?: number;
  /** Open without a token encryption key. */
  withoutEncryptionKey?: boolean;
}

export type OpenStore = (options?: OpenStoreOptions) => Promise<OpenedStore>;

const OTHER_TENANT = 'tenant-2' as TenantId;
const T0 = '2026-01-01T00:00:00Z';

async function seedTenants(store: Store): Promise<void> {
  for (const id of [TEST_TENANT, OTHER_TENANT]) await store.upsertTenant({ id, name: id, locale: 'en', createdAt: T0 });
}

const connection = (id: string, overrides: Partial<CrmConnection> = {}): CrmConnection => ({
  id: id as ConnectionId,
  tenantId: TEST_TENANT,
  provider: 'salesforce',
  externalOrgId: '00D000000000001',
  baseUrl: 'https://example.my.salesforce.com',
  createdAt: T0,
  updatedAt: T0,
  ...overrides,
});

const ticket = (n: number, account: string, modstamp = T0, tenantId: TenantId = TEST_TENANT) =>
  buildRecord('ticket', {
    tenantId,
    id: `hubspot:t${n}`,
    source: { provider: 'hubspot', externalId: `t${n}`, modstamp },
    accountId: account,
    subject: `Ticket ${n}`,
    status: 'open',
    priority: 'high',
    createdAt: T0,
  });

const scoreSet = (account: string, at: string, p: number, tenantId: TenantId = TEST_TENANT): ScoreSet => ({
  tenantId,
  accountId: account as AccountId,
  computedAt: at,
  modelVersion: 'v1',
  nextBestActions: [],
  churn: { probability: p, band: 'low', drivers: [], model: { name: 'health', version: '1', kind: 'health-score' } },
});

const model = (version: string, overrides: Partial<ModelVersion> = {}): ModelVersion => ({
  tenantId: TEST_TENANT,
  task: 'churn',
  version,
  status: 'candidate',
  algorithm: 'gbdt',
  trainingWindow: { from: '2025-01-01', to: '2026-01-01' },
  metrics: { rocAuc: 0.85 },
  features: ['tenure', 'arr'],
  artifact: { trees: [{ split: 'arr', at: 1000.5 }], note: 'ünïcode 中文' },
  createdAt: T0,
  ...overrides,
});

const delivery = (key: string, overrides: Partial<AlertDelivery> = {}): AlertDelivery => ({
  tenantId: TEST_TENANT,
  idempotencyKey: key,
  accountId: 'hubspot:1' as AccountId,
  rule: 'risk-threshold',
  target: 'https://hooks.example.com',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: null,
  lastError: null,
  payload: { v: 1 },
  createdAt: T0,
  deliveredAt: null,
  ...overrides,
});

const outcome = (overrides: Partial<ActionOutcome> = {}): ActionOutcome => ({
  tenantId: TEST_TENANT,
  accountId: 'hubspot:1',
  actionId: 'qbr',
  arm: 'treatment',
  recommendedAt: '2026-11-01T00:00:00Z',
  status: 'open',
  completedAt: null,
  source: 'system',
  retained: null,
  ...overrides,
});

/**
 * The error a promise rejects with. Not jest's \`rejects.toThrow\`: better-sqlite3's native errors come
 * from the realm of the first test file a worker ran, so a later file's \`instanceof Error\` misses them.
 */
export async function failure(promise: Promise<unknown>): Promise<{ message: string; code?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { message: string; code?: unknown };
  }
  throw new Error('expected a rejection, got a result');
}

/** Every row of every table that mentions the needle in any column (ids inside JSON included). */
async function rowsMentioning(opened: OpenedStore, needle: string): Promise<{ table: string; row: unknown }[]> {
  const hits: { table: string; row: unknown }[] = [];
  for (const table of await opened.tables()) {
    for (const row of await opened.sql(`SELECT * FROM "${table}"`)) {
      const texts = Object.values(row).map((v) =>
        Buffer.isBuffer(v) ? v.toString('latin1') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
      );
      if (texts.some((text) => text.includes(needle))) hits.push({ table, row });
    }
  }
  return hits;
}

/**
 * The behaviour every `Store` adapter must have, port by port. Each adapter's test file calls this
 * with a function that opens a fresh, empty, migrated store.
 */
export function describeStoreConformance(name: string, openStore: OpenStore): void {
  describe(`${name} store conformance`, () => {
    let opened: OpenedStore;
    let store: Store;
    const extra: OpenedStore[] = [];

    async function open(options?: OpenStoreOptions): Promise<Store> {
      opened = await openStore(options);
      store = opened.store;
      await seedTenants(store);
      return store;
    }

    /** A second store for a test that needs other options; closed after the test. */
    async function openAnother(options: OpenStoreOptions): Promise<Store> {
      const another = await openStore(options);
      extra.push(another);
      await seedTenants(another.store);
      return another.store;
    }

    beforeEach(async () => {
      await open();
    });
    afterEach(async () => {
      await opened.cleanup();
      for (const another of extra.splice(0)) await another.cleanup();
    });

    describe('lifecycle', () => {
      it('answers a ping and describes itself without a password', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        expect(['sqlite', 'postgres']).toContain(store.description.kind);
        expect(store.description.location).not.toMatch(/:[^:@/]+@/);
      });
    });

    describe('TenantRepository: tenants', () => {
      it('upserts tenants, keeping the first creation instant, and lists them by id', async () => {
        await store.upsertTenant({ id: 'tenant-0' as TenantId, name: 'Zero', locale: 'zh', createdAt: '2026-01-01T08:00:00+08:00' });
        await store.upsertTenant({ id: 'tenant-0' as TenantId, name: 'Zero renamed', locale: 'en', createdAt: '2027-01-01T00:00:00Z' });
        expect(await store.getTenant('tenant-0' as TenantId)).toEqual({
          id: 'tenant-0',
          name: 'Zero renamed',
          locale: 'en',
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        expect((await store.listTenants()).map((t) => t.id)).toEqual(['tenant-0', TEST_TENANT, OTHER_TENANT]);
        expect(await store.getTenant('nobody' as TenantId)).toBeNull();
      });
    });

    describe('RecordRepository', () => {
      it('round-trips records and reports inserts, updates and unchanged rows, changed ids in input order', async () => {
        const accounts = ['1', '2', '3', '4', '5'].map((id) => makeAccount(id));
        const first = await store.upsertRecords('account', accounts);
        expect(first).toEqual({ inserted: 5, updated: 0, unchanged: 0, changedIds: accounts.map((a) => a.id) });
        expect(await store.getRecord(TEST_TENANT, 'account', 'hubspot:3')).toEqual(accounts[2]);

        const renamed = makeAccount('3', {
          name: 'Renamed',
          source: { provider: 'hubspot', externalId: '3', modstamp: '2026-02-01T00:00:00Z' },
        });
        const newcomer = makeAccount('0');
        const summary = await store.upsertRecords('account', [newcomer, ...accounts.slice(0, 2), renamed]);
        expect(summary).toEqual({ inserted: 1, updated: 1, unchanged: 2, changedIds: ['hubspot:0', 'hubspot:3'] });
        expect((await store.getRecord(TEST_TENANT, 'account', 'hubspot:3'))?.name).toBe('Renamed');
        expect(await store.countRecords(TEST_TENANT, 'account')).toBe(6);
        expect(await store.getRecord(TEST_TENANT, 'account', 'hubspot:nope')).toBeNull();
      });

      it('treats a new modstamp with the same content as unchanged', async () => {
        await store.upsertRecords('account', [makeAccount('1')]);
        const touched = makeAccount('1', { source: { provider: 'hubspot', externalId: '1', modstamp: '2026-05-01T00:00:00Z' } });
        expect(await store.upsertRecords('account', [touched])).toEqual({ inserted: 0, updated: 0, unchanged: 1, changedIds: [] });
      });

      it('applies the same record twice in one call in order: an insert, then an update', async () => {
        const v1 = makeAccount('1', { arr: 1 });
        const v2 = makeAccount('1', { arr: 2, source: { provider: 'hubspot', externalId: '1', modstamp: '2026-01-02T00:00:00Z' } });
        expect(await store.upsertRecords('account', [v1, v2, v2])).toEqual({
          inserted: 1,
          updated: 1,
          unchanged: 1,
          changedIds: ['hubspot:1', 'hubspot:1'],
        });
        expect((await store.getRecord(TEST_TENANT, 'account', 'hubspot:1'))?.arr).toBe(2);
        const asOf = await store.listRecords(TEST_TENANT, 'account', { modifiedAtOrBefore: '2026-01-01T12:00:00Z' });
        expect(asOf.map((a) => a.arr)).toEqual([1]);
      });

      it('keeps tenants apart', async () => {
        await store.upsertRecords('account', [makeAccount('1'), makeAccount('1', { name: 'Other' }, OTHER_TENANT)]);
        expect(await store.countRecords(TEST_TENANT, 'account')).toBe(1);
        expect(await store.countRecords(OTHER_TENANT, 'account')).toBe(1);
        expect((await store.getRecord(OTHER_TENANT, 'account', 'hubspot:1'))?.name).toBe('Other');
        expect((await store.getRecord(TEST_TENANT, 'account', 'hubspot:1'))?.name).toBe('Account 1');
        expect(await store.countRecords(TEST_TENANT, 'ticket')).toBe(0);
      });

      it('soft-deletes, hides deleted rows by default and revives on a later upsert', async () => {
        await store.upsertRecords('account', [makeAccount('1'), makeAccount('2')]);
        expect(await store.markDeleted(TEST_TENANT, 'account', 'hubspot', ['1', 'missing'], '2026-03-01T08:00:00+08:00')).toBe(1);
        expect(await store.markDeleted(TEST_TENANT, 'account', 'hubspot', ['1'], '2026-03-02T00:00:00Z')).toBe(0);
        expect(await store.markDeleted(TEST_TENANT, 'account', 'salesforce', ['2'], '2026-03-02T00:00:00Z')).toBe(0);
        expect((await store.listRecords(TEST_TENANT, 'account')).map((a) => a.id)).toEqual(['hubspot:2']);
        expect((await store.getRecord(TEST_TENANT, 'account', 'hubspot:1'))?.deletedAt).toBe('2026-03-01T00:00:00.000Z');
        expect((await store.listRecords(TEST_TENANT, 'account', { includeDeleted: true })).map((a) => [a.id, a.deletedAt ?? null])).toEqual(
          [
            ['hubspot:1', '2026-03-01T00:00:00.000Z'],
            ['hubspot:2', null],
          ],
        );
        expect(await store.countRecords(TEST_TENANT, 'account', { includeDeleted: true })).toBe(2);
        expect(await store.upsertRecords('account', [makeAccount('1')])).toMatchObject({ updated: 1, changedIds: ['hubspot:1'] });
        expect(await store.countRecords(TEST_TENANT, 'account')).toBe(2);
        expect((await store.getRecord(TEST_TENANT, 'account', 'hubspot:1'))?.deletedAt).toBeUndefined();
      });

      it('reads records as of an instant, ignoring later changes and deletions', async () => {
        const at = (iso: string) => ({ provider: 'hubspot' as const, externalId: '1', modstamp: iso });
        await store.upsertRecords('account', [makeAccount('1', { arr: 100, source: at('2026-01-01T00:00:00Z') })]);
        await store.upsertRecords('account', [makeAccount('1', { arr: 200, source: at('2026-02-01T00:00:00Z') })]);
        await store.upsertRecords('account', [
          makeAccount('2', { source: { provider: 'hubspot', externalId: '2', modstamp: '2026-03-01T00:00:00+08:00' } }),
        ]);
        await store.markDeleted(TEST_TENANT, 'account', 'hubspot', ['1'], '2026-04-01T00:00:00Z');

        const asOf = async (iso: string) =>
          (await store.listRecords(TEST_TENANT, 'account', { modifiedAtOrBefore: iso })).map((a) => [a.id, a.arr]);
        expect(await asOf('2025-12-31T23:59:59Z')).toEqual([]);
        expect(await asOf('2026-01-15T00:00:00Z')).toEqual([['hubspot:1', 100]]);
        // 2026-03-01T00:00+08:00 is 2026-02-28T16:00Z: offsets compare as instants.
        expect(await asOf('2026-02-28T15:59:59Z')).toEqual([['hubspot:1', 200]]);
        expect(await asOf('2026-02-28T16:00:00Z')).toEqual([
          ['hubspot:1', 200],
          ['hubspot:2', 12000],
        ]);
        expect(await asOf('2026-04-02T00:00:00Z')).toEqual([['hubspot:2', 12000]]);
        const withDeleted = await store.listRecords(TEST_TENANT, 'account', {
          modifiedAtOrBefore: '2026-04-02T00:00:00Z',
          includeDeleted: true,
        });
        expect(withDeleted.map((a) => [a.id, a.deletedAt ?? null])).toEqual([
          ['hubspot:1', '2026-04-01T00:00:00.000Z'],
          ['hubspot:2', null],
        ]);
      });

      it('filters point-in-time reads by account and pages them by id', async () => {
        await store.upsertRecords('ticket', [
          ticket(1, 'hubspot:a', '2026-01-01T00:00:00Z'),
          ticket(2, 'hubspot:b', '2026-01-01T00:00:00Z'),
          ticket(3, 'hubspot:a', '2026-01-01T00:00:00Z'),
          ticket(4, 'hubspot:a', '2026-06-01T00:00:00Z'),
        ]);
        const read = async (query: Parameters<Store['listRecords']>[2]) =>
          (await store.listRecords(TEST_TENANT, 'ticket', { modifiedAtOrBefore: '2026-02-01T00:00:00Z', ...query })).map((t) => t.id);
        expect(await read({ accountId: 'hubspot:a' as AccountId })).toEqual(['hubspot:t1', 'hubspot:t3']);
        expect(await read({ afterId: 'hubspot:t1', limit: 1 })).toEqual(['hubspot:t2']);
        expect(await read({ afterId: 'hubspot:t3' })).toEqual([]);
      });

      it('lists children by account and walks every page by keyset', async () => {
        const tickets = [1, 2, 3, 4, 5, 6, 7].map((n) => ticket(n, n % 2 === 0 ? 'hubspot:b' : 'hubspot:a'));
        await store.upsertRecords('ticket', [...tickets].reverse());
        expect((await store.listRecords(TEST_TENANT, 'ticket', { accountId: 'hubspot:a' as AccountId })).map((t) => t.id)).toEqual([
          'hubspot:t1',
          'hubspot:t3',
          'hubspot:t5',
          'hubspot:t7',
        ]);
        const pages: string[][] = [];
        let afterId: string | undefined;
        for (;;) {
          const page = await store.listRecords(TEST_TENANT, 'ticket', { limit: 3, ...(afterId ? { afterId } : {}) });
          if (page.length === 0) break;
          pages.push(page.map((t) => t.id));
          afterId = page.at(-1)?.id;
        }
        expect(pages).toEqual([['hubspot:t1', 'hubspot:t2', 'hubspot:t3'], ['hubspot:t4', 'hubspot:t5', 'hubspot:t6'], ['hubspot:t7']]);
      });

      it('orders ids bytewise (uppercase before lowercase, no locale rules)', async () => {
        const ids = ['b', 'B', 'a-2', 'a_1', 'A', 'a1'];
        await store.upsertRecords(
          'account',
          ids.map((id) => makeAccount(id)),
        );
        const listed = (await store.listRecords(TEST_TENANT, 'account')).map((a) => a.id.replace('hubspot:', ''));
        expect(listed).toEqual([...ids].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1)));
      });

      it('lands each batch of a large upsert whole: a bad record fails only its batch', async () => {
        const small = await openAnother({ batchSize: 3 });
        const good = ['1', '2', '3', '4', '5', '6'].map((id) => makeAccount(id));
        const orphan = { ...makeAccount('7'), tenantId: 'no-such-tenant' as TenantId };
        const eight = makeAccount('8');
        await failure(small.upsertRecords('account', [...good, orphan, eight]));
        // Batches of 3: [1,2,3] and [4,5,6] committed, [7,8] rolled back whole.
        expect(await small.countRecords(TEST_TENANT, 'account')).toBe(6);
        expect(await small.getRecord(TEST_TENANT, 'account', 'hubspot:8')).toBeNull();
        expect(await small.listRecords(TEST_TENANT, 'account', { modifiedAtOrBefore: '2030-01-01T00:00:00Z' })).toHaveLength(6);
      });

      it('lets concurrent upserts of the same records (in opposite orders) each land once', async () => {
        const accounts = Array.from({ length: 1500 }, (_, i) => makeAccount(String(i).padStart(4, '0')));
        const results = await Promise.all([
          store.upsertRecords('account', accounts),
          store.upsertRecords('account', [...accounts].reverse()),
          store.upsertRecords('account', accounts.slice(750)),
        ]);
        expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(1500);
        expect(results.reduce((n, r) => n + r.updated, 0)).toBe(0);
        expect(results.map((r) => r.inserted + r.unchanged)).toEqual([1500, 1500, 750]);
        expect(await store.countRecords(TEST_TENANT, 'account')).toBe(1500);
        expect(await store.listRecords(TEST_TENANT, 'account', { modifiedAtOrBefore: '2030-01-01T00:00:00Z' })).toHaveLength(1500);
      });

      it('upserts thousands of records in one call and finds them unchanged the second time', async () => {
        const many = Array.from({ length: 4500 }, (_, i) => makeAccount(String(i).padStart(5, '0')));
        expect(await store.upsertRecords('account', many)).toMatchObject({ inserted: 4500, updated: 0, unchanged: 0 });
        const again = await store.upsertRecords('account', many);
        expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 4500, changedIds: [] });
        expect(await store.countRecords(TEST_TENANT, 'account')).toBe(4500);
        expect((await store.getRecord(TEST_TENANT, 'account', 'hubspot:04499'))?.name).toBe('Account 04499');
      });
    });

    describe('CursorRepository', () => {
      const conn = 'conn-1' as ConnectionId;

      it('saves and replaces sync cursors per connection and entity', async () => {
        expect(await store.getCursor(TEST_TENANT, conn, 'account')).toBeNull();
        await store.saveCursor(TEST_TENANT, conn, 'account', { modstamp: '2026-01-01T00:00:00Z', lastId: '001' });
        await store.saveCursor(TEST_TENANT, conn, 'account', { modstamp: '2026-01-02T00:00:00Z', lastId: '002' });
        await store.saveCursor(TEST_TENANT, conn, 'ticket', { after: 7 });
        expect(await store.getCursor(TEST_TENANT, conn, 'account')).toEqual({ modstamp: '2026-01-02T00:00:00Z', lastId: '002' });
        expect(await store.getCursor(TEST_TENANT, conn, 'ticket')).toEqual({ after: 7 });
        expect(await store.getCursor(TEST_TENANT, 'conn-2' as ConnectionId, 'account')).toBeNull();
        expect(await store.getCursor(OTHER_TENANT, conn, 'account')).toBeNull();
      });

      it('reloads with mark and sweep: unseen live records of the provider are marked deleted', async () => {
        await store.upsertRecords('ticket', [
          ticket(1, 'hubspot:a'),
          ticket(2, 'hubspot:b'),
          ticket(3, 'hubspot:c'),
          ticket(4, 'hubspot:a'),
        ]);
        await store.markDeleted(TEST_TENANT, 'ticket', 'hubspot', ['t4'], '2026-01-05T00:00:00Z');
        await store.upsertRecords('ticket', [ticket(9, 'hubspot:z', T0, OTHER_TENANT)]);
        await store.saveCursor(TEST_TENANT, conn, 'ticket', { after: 3 });

        await store.beginResync(TEST_TENANT, conn, 'ticket', '2026-02-01T08:00:00+08:00', 'delete log expired');
        expect(await store.getCursor(TEST_TENANT, conn, 'ticket')).toBeNull();
        expect(await store.resyncInProgress(TEST_TENANT, conn, 'ticket')).toEqual({
          startedAt: '2026-02-01T00:00:00.000Z',
          reason: 'delete log expired',
        });
        expect(await store.resyncInProgress(TEST_TENANT, conn, 'account')).toBeNull();
        await store.recordResyncSeen(TEST_TENANT, conn, 'ticket', ['t1', 't3']);
        await store.recordResyncSeen(TEST_TENANT, conn, 'ticket', ['t1']);

        const swept = await store.finishResync(TEST_TENANT, conn, 'ticket', 'hubspot', '2026-02-02T00:00:00Z');
        expect(swept).toEqual({ deleted: 1, accountIds: ['hubspot:b'] });
        expect((await store.listRecords(TEST_TENANT, 'ticket')).map((t) => t.id)).toEqual(['hubspot:t1', 'hubspot:t3']);
        expect((await store.getRecord(TEST_TENANT, 'ticket', 'hubspot:t2'))?.deletedAt).toBe('2026-02-02T00:00:00.000Z');
        // An earlier deletion keeps its instant; the other tenant is untouched.
        expect((await store.getRecord(TEST_TENANT, 'ticket', 'hubspot:t4'))?.deletedAt).toBe('2026-01-05T00:00:00.000Z');
        expect(await store.countRecords(OTHER_TENANT, 'ticket')).toBe(1);
        expect(await store.resyncInProgress(TEST_TENANT, conn, 'ticket')).toBeNull();
        // Point-in-time reads see the sweep's deletion at its instant.
        const before = await store.listRecords(TEST_TENANT, 'ticket', { modifiedAtOrBefore: '2026-02-01T23:59:59Z' });
        expect(before.map((t) => t.id)).toEqual(['hubspot:t1', 'hubspot:t2', 'hubspot:t3']);
      });

      it('restarts the seen-set when a reload begins again, and leaves other providers alone', async () => {
        const sfTicket = buildRecord('ticket', {
          tenantId: TEST_TENANT,
          id: 'salesforce:500x',
          source: { provider: 'salesforce', externalId: '500x', modstamp: T0 },
          accountId: 'salesforce:001',
          subject: 'SF',
          status: 'open',
          priority: 'low',
          createdAt: T0,
        });
        await store.upsertRecords('ticket', [ticket(1, 'hubspot:a'), ticket(2, 'hubspot:a'), sfTicket]);
        await store.beginResync(TEST_TENANT, conn, 'ticket', '2026-02-01T00:00:00Z', 'first');
        await store.recordResyncSeen(TEST_TENANT, conn, 'ticket', ['t1', 't2']);
        await store.beginResync(TEST_TENANT, conn, 'ticket', '2026-02-03T00:00:00Z', 'again');
        expect((await store.resyncInProgress(TEST_TENANT, conn, 'ticket'))?.reason).toBe('again');
        await store.recordResyncSeen(TEST_TENANT, conn, 'ticket', ['t2']);
        expect(await store.finishResync(TEST_TENANT, conn, 'ticket', 'hubspot', '2026-02-04T00:00:00Z')).toEqual({
          deleted: 1,
          accountIds: ['hubspot:a'],
        });
        expect((await store.listRecords(TEST_TENANT, 'ticket')).map((t) => t.id)).toEqual(['hubspot:t2', 'salesforce:500x']);
      });
    });

    describe('ScoreRepository', () => {
      it('keeps every score set and answers history (newest first, limited) and latest per account', async () => {
        await store.appendScoreSets([
          scoreSet('a', '2026-01-01T00:00:00Z', 0.1),
          scoreSet('a', '2026-02-01T08:00:00+08:00', 0.4),
          scoreSet('b', '2026-01-15T00:00:00Z', 0.2),
          scoreSet('b', '2026-01-15T00:00:00Z', 0.3),
          scoreSet('a', '2026-09-01T00:00:00Z', 0.9, OTHER_TENANT),
        ]);
        expect((await store.scoreHistory(TEST_TENANT, 'a' as AccountId)).map((s) => s.churn.probability)).toEqual([0.4, 0.1]);
        expect((await store.scoreHistory(TEST_TENANT, 'a' as AccountId, { limit: 1 })).map((s) => s.churn.probability)).toEqual([0.4]);
        // Same instant: the one appended last is the latest.
        expect((await store.scoreHistory(TEST_TENANT, 'b' as AccountId)).map((s) => s.churn.probability)).toEqual([0.3, 0.2]);
        const latest = (await store.latestScores(TEST_TENANT)).map((s) => [s.accountId, s.churn.probability]).sort();
        expect(latest).toEqual([
          ['a', 0.4],
          ['b', 0.3],
        ]);
        expect(await store.latestScores('tenant-none' as TenantId)).toEqual([]);
      });

      it('keeps one active model per task and round-trips what a model carries', async () => {
        await store.registerModel(model('1'));
        await store.registerModel(model('2', { createdAt: '2026-02-01T00:00:00Z' }));
        await store.registerModel(model('1', { task: 'clv', status: 'active' }));
        expect(await store.activeModel(TEST_TENANT, 'churn')).toBeNull();
        expect(await store.activeModel(TEST_TENANT, 'clv')).toEqual({
          ...model('1', { task: 'clv', status: 'active' }),
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        await store.activateModel(TEST_TENANT, 'churn', '1');
        await store.activateModel(TEST_TENANT, 'churn', '2');
        expect((await store.activeModel(TEST_TENANT, 'churn'))?.version).toBe('2');
        expect((await store.listModels(TEST_TENANT, 'churn')).map((m) => [m.version, m.status])).toEqual([
          ['1', 'retired'],
          ['2', 'active'],
        ]);
        expect((await store.listModels(TEST_TENANT)).map((m) => `${m.task}:${m.version}`)).toEqual(['churn:1', 'churn:2', 'clv:1']);
        expect(await store.listModels(OTHER_TENANT)).toEqual([]);
        await expect(store.activateModel(TEST_TENANT, 'churn', '9')).rejects.toMatchObject({
          code: 'STORE.NOT_FOUND',
          message: expect.stringMatching(/no churn model version 9/),
        });
        expect((await store.activeModel(TEST_TENANT, 'churn'))?.version).toBe('2');
        await failure(store.registerModel(model('2')));
      });
    });

    describe('AlertRepository: alerts', () => {
      it('records an alert once per idempotency key and updates it by key', async () => {
        expect(await store.recordAlert(delivery('k1'))).toBe(true);
        expect(await store.recordAlert(delivery('k1', { payload: { v: 2 } }))).toBe(false);
        expect(await store.recordAlert(delivery('k1', { tenantId: OTHER_TENANT }))).toBe(true);
        await store.updateAlert(TEST_TENANT, 'k1', {
          status: 'failed',
          attempts: 1,
          lastError: 'HTTP 503',
          nextAttemptAt: '2026-01-01T00:05:00Z',
        });
        await store.updateAlert(TEST_TENANT, 'k1', {
          status: 'delivered',
          attempts: 2,
          lastError: null,
          nextAttemptAt: null,
          deliveredAt: '2026-01-01T00:06:00Z',
        });
        expect(await store.getAlert(TEST_TENANT, 'k1')).toEqual(
          delivery('k1', {
            status: 'delivered',
            attempts: 2,
            deliveredAt: '2026-01-01T00:06:00Z',
            createdAt: '2026-01-01T00:00:00.000Z',
          }),
        );
        expect(await store.getAlert(OTHER_TENANT, 'k1')).toMatchObject({ status: 'pending', attempts: 0 });
        await expect(store.updateAlert(TEST_TENANT, 'nope', { attempts: 1 })).rejects.toMatchObject({ code: 'STORE.NOT_FOUND' });
        expect(await store.getAlert(TEST_TENANT, 'nope')).toBeNull();
        expect(await store.getAlert('other-tenant' as TenantId, 'k1')).toBeNull();
      });

      it('gives the next attempt of a due delivery to one claimant, until its lease lapses', async () => {
        await store.recordAlert(delivery('c1', { nextAttemptAt: '2026-01-01T00:00:00.000Z' }));
        const claim = { expectedAttempts: 0, now: '2026-01-01T00:00:01.000Z', leaseUntil: '2026-01-01T00:01:00.000Z' };
        expect(await store.claimAlertAttempt(TEST_TENANT, 'c1', claim)).toBe(true);
        // A second worker, same moment: the lease holds it off.
        expect(await store.claimAlertAttempt(TEST_TENANT, 'c1', claim)).toBe(false);
        expect((await store.getAlert(TEST_TENANT, 'c1'))?.nextAttemptAt).toBe('2026-01-01T00:01:00.000Z');
        // The first worker died: after the lease, the attempt can be taken again.
        expect(await store.claimAlertAttempt(TEST_TENANT, 'c1', { ...claim, now: '2026-01-01T00:01:00.000Z' })).toBe(true);
        // A stale view (another worker already counted an attempt) and a finished delivery are refused.
        await store.updateAlert(TEST_TENANT, 'c1', { attempts: 1, status: 'failed', nextAttemptAt: '2026-01-01T00:00:00.000Z' });
        expect(await store.claimAlertAttempt(TEST_TENANT, 'c1', { ...claim, now: '2026-01-02T00:00:00.000Z' })).toBe(false);
        await store.updateAlert(TEST_TENANT, 'c1', { status: 'delivered' });
        expect(await store.claimAlertAttempt(TEST_TENANT, 'c1', { ...claim, expectedAttempts: 1, now: '2026-01-02T00:00:00.000Z' })).toBe(
          false,
        );
        expect(await store.claimAlertAttempt(TEST_TENANT, 'missing', claim)).toBe(false);
      });

      it('lists alerts oldest first, optionally by status', async () => {
        await store.recordAlert(delivery('late', { createdAt: '2026-01-03T00:00:00Z' }));
        await store.recordAlert(delivery('early', { createdAt: '2026-01-01T00:00:00Z', status: 'dead-lettered' }));
        await store.recordAlert(delivery('middle', { createdAt: '2026-01-02T00:00:00Z' }));
        expect((await store.listAlerts(TEST_TENANT)).map((a) => a.idempotencyKey)).toEqual(['early', 'middle', 'late']);
        expect((await store.listAlerts(TEST_TENANT, 'pending')).map((a) => a.idempotencyKey)).toEqual(['middle', 'late']);
        expect(await store.listAlerts(TEST_TENANT, 'delivered')).toEqual([]);
        expect(await store.listAlerts(OTHER_TENANT)).toEqual([]);
      });
    });

    describe('AlertRepository: action outcomes and task links', () => {
      it('keeps one outcome per recommendation: a second answer replaces the first', async () => {
        const dismissed = outcome({ status: 'dismissed', source: 'card' });
        await store.recordActionOutcome(dismissed, 'rep:1');
        await store.recordActionOutcome({ ...dismissed, status: 'completed', completedAt: '2026-11-02T00:00:00Z' }, 'rep:1');
        await store.recordActionOutcome({ ...dismissed, recommendedAt: '2026-11-08T00:00:00Z', retained: true }, 'rep:1');
        await store.recordActionOutcome(
          { ...dismissed, accountId: 'hubspot:2', arm: 'holdout', status: 'not-applicable', retained: false },
          'x',
        );
        // The filter compares instants: the same moment written with an offset finds the row.
        expect(await store.listActionOutcomes(TEST_TENANT, { accountId: 'hubspot:1', recommendedAt: '2026-11-01T08:00:00+08:00' })).toEqual(
          [{ ...dismissed, recommendedAt: '2026-11-01T00:00:00.000Z', status: 'completed', completedAt: '2026-11-02T00:00:00.000Z' }],
        );
        expect((await store.listActionOutcomes(TEST_TENANT)).map((o) => [o.accountId, o.recommendedAt, o.retained])).toEqual([
          ['hubspot:1', '2026-11-01T00:00:00.000Z', null],
          ['hubspot:2', '2026-11-01T00:00:00.000Z', false],
          ['hubspot:1', '2026-11-08T00:00:00.000Z', true],
        ]);
        expect(await store.listActionOutcomes(OTHER_TENANT)).toEqual([]);
        // A re-run recording its recommendation again leaves the answer alone.
        await store.recordActionOutcome({ ...dismissed, status: 'open', source: 'system' }, 'pipeline', { keepExisting: true });
        expect(
          (await store.listActionOutcomes(TEST_TENANT, { recommendedAt: '2026-11-01T00:00:00Z', accountId: 'hubspot:1' }))[0],
        ).toMatchObject({
          status: 'completed',
          source: 'card',
        });
      });

      it('answers open treatment rows through their linked CRM task, once', async () => {
        await store.recordActionOutcome(outcome(), 'pipeline');
        await store.recordActionOutcome(outcome({ accountId: 'hubspot:2' }), 'pipeline');
        await store.recordActionOutcome(outcome({ accountId: 'hubspot:3', arm: 'holdout', status: 'not-applicable' }), 'pipeline');
        const rec = (accountId: string) => ({ accountId, actionId: 'qbr', recommendedAt: '2026-11-01T08:00:00+08:00' });
        await store.linkActionTask(TEST_TENANT, rec('hubspot:1'), 'task-1');
        await store.linkActionTask(TEST_TENANT, rec('hubspot:2'), 'task-2');
        await store.linkActionTask(TEST_TENANT, rec('hubspot:3'), 'task-3');
        await store.linkActionTask(TEST_TENANT, rec('hubspot:missing'), 'task-4');

        const answered = await store.answerActionsByTask(TEST_TENANT, [
          { crmTaskId: 'task-1', status: 'completed', at: '2026-11-03T00:00:00Z' },
          { crmTaskId: 'task-2', status: 'dismissed', at: '2026-11-04T00:00:00Z' },
          { crmTaskId: 'task-3', status: 'completed', at: '2026-11-04T00:00:00Z' },
          { crmTaskId: 'task-unknown', status: 'completed', at: '2026-11-04T00:00:00Z' },
        ]);
        expect(answered).toBe(2);
        expect((await store.listActionOutcomes(TEST_TENANT)).map((o) => [o.accountId, o.status, o.completedAt, o.source])).toEqual([
          ['hubspot:1', 'completed', '2026-11-03T00:00:00.000Z', 'crm-task'],
          ['hubspot:2', 'dismissed', null, 'crm-task'],
          ['hubspot:3', 'not-applicable', null, 'system'],
        ]);
        expect(
          await store.answerActionsByTask(TEST_TENANT, [{ crmTaskId: 'task-1', status: 'dismissed', at: '2026-11-05T00:00:00Z' }]),
        ).toBe(0);
        expect(
          await store.answerActionsByTask(OTHER_TENANT, [{ crmTaskId: 'task-2', status: 'completed', at: '2026-11-05T00:00:00Z' }]),
        ).toBe(0);
      });
    });

    describe('TextRepository', () => {
      const analysis = (hash: string, modelId: string, label: 'positive' | 'negative', analysedAt: string) => ({
        contentHash: hash,
        modelId,
        label,
        score: label === 'positive' ? 0.75 : -0.5,
        topics: ['billing', '账单'],
        maskedText: `masked ${hash} <EMAIL>`,
        analysedAt,
      });

      it('stores analyses by content hash and model, replacing a re-read', async () => {
        await store.putTextAnalyses(TEST_TENANT, [analysis('h1', 'm1', 'positive', T0), analysis('h2', 'm1', 'negative', T0)]);
        await store.putTextAnalyses(TEST_TENANT, [analysis('h1', 'm1', 'negative', '2026-01-02T00:00:00Z')]);
        const found = await store.textAnalyses(TEST_TENANT, 'm1', ['h1', 'h1', 'h3']);
        expect(found).toEqual([analysis('h1', 'm1', 'negative', '2026-01-02T00:00:00.000Z')]);
        expect(await store.textAnalyses(TEST_TENANT, 'm2', ['h1', 'h2'])).toEqual([]);
        expect(await store.textAnalyses(OTHER_TENANT, 'm1', ['h1'])).toEqual([]);
        expect((await store.textAnalyses(TEST_TENANT, 'm1', ['h2', 'h1'])).map((a) => a.contentHash).sort()).toEqual(['h1', 'h2']);
      });

      it('keeps each record’s current text, and joins it to its latest analysis', async () => {
        const text = (recordId: string, at: string, hash: string, entity: 'ticket' | 'activity' = 'ticket') => ({
          entity,
          recordId,
          accountId: 'hubspot:a',
          kind: 'email' as const,
          at,
          contentHash: hash,
        });
        await store.putRecordTexts(TEST_TENANT, [text('t2', '2026-01-03T00:00:00Z', 'h2'), text('t1', '2026-01-02T00:00:00Z', 'h1')]);
        await store.putRecordTexts(TEST_TENANT, [
          text('a1', '2026-01-01T00:00:00Z', 'h9', 'activity'),
          text('t3', '2026-01-04T00:00:00Z', 'h3'),
        ]);
        await store.putRecordTexts(TEST_TENANT, [text('t2', '2026-01-05T08:00:00+08:00', 'h1')], [{ entity: 'ticket', recordId: 't3' }]);
        expect((await store.listRecordTexts(TEST_TENANT)).map((t) => [t.entity, t.recordId, t.contentHash, t.at])).toEqual([
          ['activity', 'a1', 'h9', '2026-01-01T00:00:00.000Z'],
          ['ticket', 't1', 'h1', '2026-01-02T00:00:00.000Z'],
          ['ticket', 't2', 'h1', '2026-01-05T00:00:00.000Z'],
        ]);
        await store.putTextAnalyses(TEST_TENANT, [
          analysis('h1', 'old-model', 'negative', '2026-01-06T00:00:00Z'),
          analysis('h1', 'new-model', 'positive', '2026-01-07T00:00:00Z'),
        ]);
        const analysed = await store.listAnalysedTexts(TEST_TENANT);
        // a1 (h9) was never read: left out. The latest reading of h1 counts.
        expect(analysed.map((a) => [a.recordId, a.modelId, a.label, a.score, a.topics])).toEqual([
          ['t1', 'new-model', 'positive', 0.75, ['billing', '账单']],
          ['t2', 'new-model', 'positive', 0.75, ['billing', '账单']],
        ]);
        expect(analysed[0]).toMatchObject({ entity: 'ticket', accountId: 'hubspot:a', kind: 'email', maskedText: 'masked h1 <EMAIL>' });
        expect(await store.listAnalysedTexts(OTHER_TENANT)).toEqual([]);
      });
    });

    describe('account ranges (chunked scoring reads one page of accounts and its related rows)', () => {
      // Byte order and a locale's order disagree on all of these: case, '-', '_', digits.
      const raw = ['a_1', 'B', 'a-1', 'z', 'a1', 'A', 'b-', 'a10', 'Z9', 'b', 'a', 'b_', 'a2'];
      const accountIds = raw.map((id) => `hubspot:${id}`);
      const bytewise = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
      const sorted = (ids: readonly string[]) => [...ids].sort(bytewise);
      const inRange = (id: string, range: AccountRange) =>
        (range.after === undefined || bytewise(id, range.after) > 0) && bytewise(id, range.through) <= 0;
      // Tickets 1…39, three per account, spread over the accounts.
      const ticketAccount = (n: number) => accountIds[n % accountIds.length] as string;
      const ticketNumbers = Array.from({ length: 39 }, (_, i) => i + 1);

      async function seedBook(): Promise<void> {
        await store.upsertRecords(
          'account',
          raw.map((id) => makeAccount(id)),
        );
        await store.upsertRecords(
          'ticket',
          ticketNumbers.map((n) => ticket(n, ticketAccount(n))),
        );
      }

      const ticketIds = async (query: RecordQuery) => (await store.listRecords(TEST_TENANT, 'ticket', query)).map((t) => t.id);
      const expectedTickets = (range: AccountRange) =>
        sorted(ticketNumbers.filter((n) => inRange(ticketAccount(n), range)).map((n) => `hubspot:t${n}`));

      it('reads records by a range of account ids: after exclusive, through inclusive, bytewise', async () => {
        await seedBook();
        const range = { after: 'hubspot:B', through: 'hubspot:a-1' };
        // Bytewise, B < Z9 < a < a-1 < a1 (a locale would say a < a-1 < a1 < B < Z9): after excludes B, through includes a-1.
        expect(sorted(accountIds).filter((id) => inRange(id, range))).toEqual(['hubspot:Z9', 'hubspot:a', 'hubspot:a-1']);
        const tickets = await store.listRecords(TEST_TENANT, 'ticket', { accounts: range });
        expect(sorted([...new Set(tickets.map((t) => t.accountId))])).toEqual(['hubspot:Z9', 'hubspot:a', 'hubspot:a-1']);
        expect(tickets.map((t) => t.id)).toEqual(expectedTickets(range));
        expect(tickets).toHaveLength(9);

        // Without `after`, from the first account.
        expect(await ticketIds({ accounts: { through: 'hubspot:B' } })).toEqual(expectedTickets({ through: 'hubspot:B' }));
        expect(await ticketIds({ accounts: { through: 'hubspot:B' } })).toHaveLength(6);
        // An empty range, and one past the last account.
        expect(await ticketIds({ accounts: { after: 'hubspot:a', through: 'hubspot:a' } })).toEqual([]);
        expect(await ticketIds({ accounts: { after: 'hubspot:z', through: 'hubspot:zz' } })).toEqual([]);
        // Accounts are their own account: the range reads them by id.
        const accounts = await store.listRecords(TEST_TENANT, 'account', { accounts: { after: 'hubspot:a1', through: 'hubspot:b-' } });
        expect(accounts.map((a) => a.id)).toEqual(['hubspot:a10', 'hubspot:a2', 'hubspot:a_1', 'hubspot:b', 'hubspot:b-']);
        // With keyset paging inside the range, and with one account.
        const all = expectedTickets(range);
        expect(await ticketIds({ accounts: range, afterId: all[2] as string, limit: 4 })).toEqual(all.slice(3, 7));
        expect(await ticketIds({ accounts: range, accountId: 'hubspot:a' as AccountId })).toEqual(
          expectedTickets({ after: 'hubspot:_', through: 'hubspot:a' }),
        );
        expect(await ticketIds({ accounts: range, accountId: 'hubspot:b' as AccountId })).toEqual([]);
        // Other tenants stay apart.
        expect(await store.listRecords(OTHER_TENANT, 'ticket', { accounts: range })).toEqual([]);
      });

      it('pages accounts by keyset and reads each page’s tickets, scores and texts by its range: each exactly once', async () => {
        await seedBook();
        await store.appendScoreSets(
          accountIds.flatMap((id, i) => [scoreSet(id, '2026-01-01T00:00:00Z', 0.1), scoreSet(id, '2026-02-01T00:00:00Z', i / 100)]),
        );
        await store.putRecordTexts(
          TEST_TENANT,
          ticketNumbers.map((n) => ({
            entity: 'ticket' as const,
            recordId: `hubspot:t${n}`,
            accountId: ticketAccount(n),
            kind: 'ticket' as const,
            at: new Date(Date.parse(T0) + n * 3_600_000).toISOString(),
            contentHash: `h${n % 5}`,
          })),
        );
        await store.putTextAnalyses(
          TEST_TENANT,
          [0, 1, 2, 3, 4].map((h) => ({
            contentHash: `h${h}`,
            modelId: 'm1',
            label: 'neutral' as const,
            score: 0,
            topics: [],
            maskedText: `text ${h}`,
            analysedAt: T0,
          })),
        );
        const wholeTexts = await store.listAnalysedTexts(TEST_TENANT);
        expect(wholeTexts).toHaveLength(39);

        const pages: string[][] = [];
        const tickets: string[] = [];
        const scores: string[] = [];
        const texts: AnalysedText[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listRecords(TEST_TENANT, 'account', { limit: 4, ...(after ? { afterId: after } : {}) });
          if (page.length === 0) break;
          const ids = page.map((a) => a.id);
          const range: AccountRange = { ...(after ? { after } : {}), through: ids.at(-1) as string };
          const pageTickets = await store.listRecords(TEST_TENANT, 'ticket', { accounts: range });
          // Only the page's own accounts' rows, nothing of a neighbour's.
          for (const t of pageTickets) expect(ids).toContain(t.accountId);
          const pageScores = await store.latestScores(TEST_TENANT, { accounts: range });
          expect(sorted(pageScores.map((s) => s.accountId))).toEqual(ids);
          const pageTexts = await store.listAnalysedTexts(TEST_TENANT, { accounts: range });
          for (const t of pageTexts) expect(ids).toContain(t.accountId);
          pages.push(ids);
          tickets.push(...pageTickets.map((t) => t.id));
          scores.push(...pageScores.map((s) => `${s.accountId}=${s.churn.probability}`));
          texts.push(...pageTexts);
          after = ids.at(-1);
        }
        expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 1]);
        expect(pages.flat()).toEqual(sorted(accountIds));
        expect(tickets).toHaveLength(39);
        expect(sorted(tickets)).toEqual(sorted(ticketNumbers.map((n) => `hubspot:t${n}`)));
        expect(sorted(scores)).toEqual(sorted(accountIds.map((id, i) => `${id}=${i / 100}`)));
        expect(texts).toHaveLength(39);
        expect(sorted(texts.map((t) => t.recordId))).toEqual(sorted(wholeTexts.map((t) => t.recordId)));
      });

      it('restricts latest scores to the range, latest per account', async () => {
        await store.appendScoreSets([
          scoreSet('hubspot:B', '2026-03-01T00:00:00Z', 0.2),
          scoreSet('hubspot:a', '2026-01-01T00:00:00Z', 0.3),
          scoreSet('hubspot:a', '2026-02-01T00:00:00Z', 0.4),
          scoreSet('hubspot:a-1', '2026-01-01T00:00:00Z', 0.5),
          scoreSet('hubspot:a_1', '2026-01-01T00:00:00Z', 0.6),
          scoreSet('hubspot:b', '2026-01-01T00:00:00Z', 0.7),
          scoreSet('hubspot:a', '2026-09-01T00:00:00Z', 0.9, OTHER_TENANT),
        ]);
        const latest = async (accounts: AccountRange) =>
          (await store.latestScores(TEST_TENANT, { accounts })).map((s) => [s.accountId, s.churn.probability]).sort();
        expect(await latest({ after: 'hubspot:B', through: 'hubspot:a-1' })).toEqual([
          ['hubspot:a', 0.4],
          ['hubspot:a-1', 0.5],
        ]);
        // a_1 sorts after a: outside.
        expect(await latest({ through: 'hubspot:a' })).toEqual([
          ['hubspot:B', 0.2],
          ['hubspot:a', 0.4],
        ]);
        expect(await latest({ after: 'hubspot:a-1', through: 'hubspot:a_1' })).toEqual([['hubspot:a_1', 0.6]]);
        expect(await latest({ after: 'hubspot:b', through: 'hubspot:z' })).toEqual([]);
        expect(await store.latestScores(TEST_TENANT)).toHaveLength(5);
      });

      it('restricts analysed texts to the range, oldest text first', async () => {
        const text = (recordId: string, accountId: string, at: string) => ({
          entity: 'ticket' as const,
          recordId,
          accountId,
          kind: 'email' as const,
          at,
          contentHash: 'h1',
        });
        await store.putRecordTexts(TEST_TENANT, [
          text('t1', 'hubspot:a-1', '2026-01-04T00:00:00Z'),
          text('t2', 'hubspot:B', '2026-01-01T00:00:00Z'),
          text('t3', 'hubspot:a', '2026-01-03T00:00:00Z'),
          text('t4', 'hubspot:a_1', '2026-01-02T00:00:00Z'),
          text('t5', 'hubspot:a', '2026-01-01T00:00:00Z'),
        ]);
        await store.putTextAnalyses(TEST_TENANT, [
          { contentHash: 'h1', modelId: 'm1', label: 'positive', score: 0.5, topics: [], maskedText: 'x', analysedAt: T0 },
        ]);
        const read = async (accounts: AccountRange) => (await store.listAnalysedTexts(TEST_TENANT, { accounts })).map((t) => t.recordId);
        expect(await read({ after: 'hubspot:B', through: 'hubspot:a-1' })).toEqual(['t5', 't3', 't1']);
        // Same instant: by entity, then record id.
        expect(await read({ through: 'hubspot:a' })).toEqual(['t2', 't5', 't3']);
        expect(await read({ after: 'hubspot:a-1', through: 'hubspot:b' })).toEqual(['t4']);
        expect(await read({ after: 'hubspot:a_1', through: 'hubspot:z' })).toEqual([]);
        expect(await store.listAnalysedTexts(OTHER_TENANT, { accounts: { through: 'hubspot:z' } })).toEqual([]);
      });

      it('combines the range with deletions and point-in-time reads (a moved ticket lands in one chunk only)', async () => {
        await seedBook();
        const first: AccountRange = { through: 'hubspot:B' };
        const second: AccountRange = { after: 'hubspot:B', through: 'hubspot:a-1' };
        // t5 (account A) is deleted; t1 (account B) moves to account a on 2026-03-01.
        expect(ticketAccount(5)).toBe('hubspot:A');
        expect(ticketAccount(1)).toBe('hubspot:B');
        await store.markDeleted(TEST_TENANT, 'ticket', 'hubspot', ['t5'], '2026-02-01T00:00:00Z');
        await store.upsertRecords('ticket', [ticket(1, 'hubspot:a', '2026-03-01T00:00:00Z')]);
        await store.upsertRecords('ticket', [ticket(40, 'hubspot:A', '2026-04-01T00:00:00Z')]);

        const without = (ids: string[], ...gone: string[]) => ids.filter((id) => !gone.includes(id));
        const firstNow = without(expectedTickets(first), 'hubspot:t1', 'hubspot:t5');
        expect(await ticketIds({ accounts: first })).toEqual(sorted([...firstNow, 'hubspot:t40']));
        expect(await ticketIds({ accounts: first, includeDeleted: true })).toEqual(sorted([...firstNow, 'hubspot:t5', 'hubspot:t40']));
        expect(await ticketIds({ accounts: second })).toEqual(sorted([...expectedTickets(second), 'hubspot:t1']));

        const asOf = (at: string, range: AccountRange, includeDeleted = false) =>
          ticketIds({ accounts: range, modifiedAtOrBefore: at, ...(includeDeleted ? { includeDeleted } : {}) });
        // Before the deletion and the move: as seeded.
        expect(await asOf('2026-01-15T00:00:00Z', first)).toEqual(expectedTickets(first));
        expect(await asOf('2026-01-15T00:00:00Z', second)).toEqual(expectedTickets(second));
        // After the deletion, before the move: t1 still belongs to B, t5 is gone unless asked for.
        const firstThen = without(expectedTickets(first), 'hubspot:t5');
        expect(await asOf('2026-02-15T00:00:00Z', first)).toEqual(firstThen);
        expect(await asOf('2026-02-15T00:00:00Z', first, true)).toEqual(expectedTickets(first));
        expect(await asOf('2026-02-15T00:00:00Z', second)).toEqual(expectedTickets(second));
        // After the move: t1 is read with its account then (a), in the second chunk only; t40 is not there yet.
        expect(await asOf('2026-03-15T00:00:00Z', first)).toEqual(without(firstThen, 'hubspot:t1'));
        const moved = await store.listRecords(TEST_TENANT, 'ticket', { accounts: second, modifiedAtOrBefore: '2026-03-15T00:00:00Z' });
        expect(moved.map((t) => t.id)).toEqual(sorted([...expectedTickets(second), 'hubspot:t1']));
        expect(moved.find((t) => t.id === 'hubspot:t1')?.accountId).toBe('hubspot:a');
        expect(await asOf('2026-04-15T00:00:00Z', first)).toEqual(sorted([...without(firstThen, 'hubspot:t1'), 'hubspot:t40']));
      });
    });

    describe('SettingsRepository', () => {
      it('keeps console settings per tenant, replacing a key in place', async () => {
        expect(await store.getTenantSetting(TEST_TENANT, 'alert-rules')).toBeNull();
        await store.putTenantSetting(TEST_TENANT, 'alert-rules', { threshold: 0.6 }, 'admin:ada');
        await store.putTenantSetting(TEST_TENANT, 'alert-rules', { threshold: 0.7, rules: [{ name: '规则', on: true }] }, 'admin:bo');
        await store.putTenantSetting(TEST_TENANT, 'list', [1, 'two', null], 'admin:bo');
        await store.putTenantSetting(TEST_TENANT, 'scalar', 'just text', 'admin:bo');
        const setting = await store.getTenantSetting(TEST_TENANT, 'alert-rules');
        expect(setting).toMatchObject({ value: { threshold: 0.7, rules: [{ name: '规则', on: true }] }, updatedBy: 'admin:bo' });
        expect(new Date(setting?.updatedAt ?? 'x').toISOString()).toBe(setting?.updatedAt);
        expect((await store.getTenantSetting(TEST_TENANT, 'list'))?.value).toEqual([1, 'two', null]);
        expect((await store.getTenantSetting(TEST_TENANT, 'scalar'))?.value).toBe('just text');
        expect(await store.getTenantSetting(OTHER_TENANT, 'alert-rules')).toBeNull();
      });
    });

    describe('TenantRepository: API tokens', () => {
      it('issues tokens scoped to a tenant and role, storing only their hash; re-issuing a label replaces', async () => {
        const token = await store.issueApiToken(TEST_TENANT, 'reader', 'card');
        expect(token).toMatch(/^se_[A-Za-z0-9_-]{43}$/);
        expect(await store.resolveApiToken(token)).toEqual({ tenantId: TEST_TENANT, role: 'reader', label: 'card' });
        expect(JSON.stringify(await opened.sql('SELECT * FROM api_tokens'))).not.toContain(token);
        expect(await store.resolveApiToken(`${token}x`)).toBeNull();
        const replacement = await store.issueApiToken(TEST_TENANT, 'admin', 'card');
        expect(await store.resolveApiToken(token)).toBeNull();
        expect((await store.resolveApiToken(replacement))?.role).toBe('admin');
        expect(await store.resolveStaffToken(replacement)).toEqual({
          tenantId: TEST_TENANT,
          role: 'admin',
          label: 'card',
          crmUserId: null,
        });
      });

      it('binds rep tokens to a CRM user and shows rep and service as non-admin through the port', async () => {
        const rep = await store.issueApiToken(TEST_TENANT, 'rep', 'r', { crmUserId: '42' });
        const service = await store.issueApiToken(TEST_TENANT, 'service', 's');
        expect(await store.resolveStaffToken(rep)).toEqual({ tenantId: TEST_TENANT, role: 'rep', label: 'r', crmUserId: '42' });
        expect(await store.resolveStaffToken(service)).toEqual({ tenantId: TEST_TENANT, role: 'service', label: 's', crmUserId: null });
        expect((await store.resolveApiToken(rep))?.role).toBe('reader');
        expect((await store.resolveApiToken(service))?.role).toBe('reader');
        await expect(store.issueApiToken(TEST_TENANT, 'rep', 'no-user')).rejects.toMatchObject({ code: 'CORE.VALIDATION_FAILED' });
        expect(await store.resolveStaffToken('se_unknown')).toBeNull();
      });

      it('revokes every token of one tenant', async () => {
        const a = await store.issueApiToken(TEST_TENANT, 'admin', 'a');
        await store.issueApiToken(TEST_TENANT, 'reader', 'b');
        const other = await store.issueApiToken(OTHER_TENANT, 'admin', 'a');
        expect(await store.revokeApiTokens(TEST_TENANT)).toBe(2);
        expect(await store.resolveApiToken(a)).toBeNull();
        expect((await store.resolveApiToken(other))?.tenantId).toBe(OTHER_TENANT);
        expect(await store.revokeApiTokens(TEST_TENANT)).toBe(0);
      });
    });

    describe('TenantRepository: install lifecycle and OAuth nonces', () => {
      it('schedules erasure on uninstall and lists tenants whose erasure is due', async () => {
        expect(await store.tenantLifecycle(TEST_TENANT)).toBeNull();
        await store.markInstalled(TEST_TENANT, '2026-01-01T08:00:00+08:00');
        expect(await store.tenantLifecycle(TEST_TENANT)).toEqual({
          tenantId: TEST_TENANT,
          status: 'installed',
          installedAt: '2026-01-01T00:00:00.000Z',
          uninstalledAt: null,
          uninstallReason: null,
          erasureDueAt: null,
        });
        await store.markUninstalled(TEST_TENANT, '2026-02-01T00:00:00Z', 'uninstall', '2026-02-02T00:00:00Z');
        // Never marked installed: an uninstall still schedules its erasure.
        await store.markUninstalled(OTHER_TENANT, '2026-02-01T00:00:00Z', 'gone', '2026-01-20T00:00:00Z');
        expect(await store.tenantLifecycle(TEST_TENANT)).toMatchObject({
          status: 'uninstalled',
          uninstalledAt: '2026-02-01T00:00:00.000Z',
          uninstallReason: 'uninstall',
          erasureDueAt: '2026-02-02T00:00:00.000Z',
        });
        expect(await store.dueErasures('2026-01-19T23:59:59Z')).toEqual([]);
        expect(await store.dueErasures('2026-02-01T23:59:59Z')).toEqual([OTHER_TENANT]);
        expect(await store.dueErasures('2026-02-02T08:00:00+08:00')).toEqual([OTHER_TENANT, TEST_TENANT]);
        // Reinstalling cancels the erasure.
        await store.markInstalled(TEST_TENANT, '2026-02-01T12:00:00Z');
        expect(await store.tenantLifecycle(TEST_TENANT)).toMatchObject({ status: 'installed', erasureDueAt: null, uninstallReason: null });
        expect(await store.dueErasures('2026-03-01T00:00:00Z')).toEqual([OTHER_TENANT]);
      });

      it('claims an OAuth nonce once', async () => {
        expect(await store.claimOAuthNonce('n-1', T0)).toBe(true);
        expect(await store.claimOAuthNonce('n-1', '2026-01-02T00:00:00Z')).toBe(false);
        expect(await store.claimOAuthNonce('n-2', T0)).toBe(true);
      });
    });

    describe('TenantRepository: CRM connections', () => {
      it('stores tokens encrypted and reads them back; lists connections without tokens', async () => {
        await store.saveConnection(connection('conn-1'), { accessToken: 'access-123', refreshToken: 'refresh-456' });
        const raw = await opened.sql('SELECT token_ciphertext FROM crm_connections');
        expect(raw).toHaveLength(1);
        const blob = raw[0]?.token_ciphertext as Buffer;
        expect(Buffer.isBuffer(blob)).toBe(true);
        expect(blob.includes(Buffer.from('access-123'))).toBe(false);
        expect(await store.getConnection(TEST_TENANT, 'conn-1' as ConnectionId)).toEqual({
          ...connection('conn-1'),
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          tokens: { accessToken: 'access-123', refreshToken: 'refresh-456' },
        });
        await store.saveConnection(connection('conn-1', { baseUrl: 'https://new.my.salesforce.com', updatedAt: '2026-02-01T00:00:00Z' }), {
          accessToken: 'access-789',
        });
        await store.saveConnection(connection('conn-0', { provider: 'hubspot', externalOrgId: '123' }), { accessToken: 'hs' });
        const listed = await store.listConnections(TEST_TENANT);
        expect(listed.map((c) => [c.id, c.baseUrl, c.createdAt, c.updatedAt])).toEqual([
          ['conn-0', 'https://example.my.salesforce.com', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
          ['conn-1', 'https://new.my.salesforce.com', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
        ]);
        expect(JSON.stringify(listed)).not.toContain('access');
        expect((await store.getConnection(TEST_TENANT, 'conn-1' as ConnectionId))?.tokens).toEqual({ accessToken: 'access-789' });
        expect(await store.getConnection(OTHER_TENANT, 'conn-1' as ConnectionId)).toBeNull();
      });

      it('rejects a ciphertext moved to another row', async () => {
        await store.saveConnection(connection('conn-1'), { accessToken: 'one' });
        await store.saveConnection(connection('conn-2'), { accessToken: 'two' });
        await opened.sql(
          "UPDATE crm_connections SET token_ciphertext = (SELECT token_ciphertext FROM crm_connections WHERE id = 'conn-2') WHERE id = 'conn-1'",
        );
        await expect(store.getConnection(TEST_TENANT, 'conn-1' as ConnectionId)).rejects.toMatchObject({ code: 'STORE.DECRYPT_FAILED' });
        expect((await store.getConnection(TEST_TENANT, 'conn-2' as ConnectionId))?.tokens.accessToken).toBe('two');
      });

      it('refuses to save or read tokens without a key, and refuses invalid tokens', async () => {
        const keyless = await openAnother({ withoutEncryptionKey: true });
        expect((await failure(keyless.saveConnection(connection('conn-1'), { accessToken: 'a' }))).message).toMatch(/SE_ENCRYPTION_KEY/);
        expect(await keyless.listConnections(TEST_TENANT)).toEqual([]);
        await expect(store.saveConnection(connection('conn-1'), { accessToken: '' })).rejects.toMatchObject({
          code: 'CORE.VALIDATION_FAILED',
        });
      });

      it('deletes a connection once', async () => {
        await store.saveConnection(connection('conn-1'), { accessToken: 'a' });
        expect(await store.deleteConnection(OTHER_TENANT, 'conn-1' as ConnectionId)).toBe(false);
        expect(await store.deleteConnection(TEST_TENANT, 'conn-1' as ConnectionId)).toBe(true);
        expect(await store.deleteConnection(TEST_TENANT, 'conn-1' as ConnectionId)).toBe(false);
        expect(await store.getConnection(TEST_TENANT, 'conn-1' as ConnectionId)).toBeNull();
      });

      it('finds connections by CRM org: Salesforce ids on their 15-character form, HubSpot ids exactly', async () => {
        await store.saveConnection(connection('sf-b', { externalOrgId: '00D5g000004abcDEAY' }), { accessToken: 'a' });
        await store.saveConnection(connection('sf-a', { tenantId: OTHER_TENANT, externalOrgId: '00D5g000004abcD' }), { accessToken: 'a' });
        await store.saveConnection(connection('sf-a', { externalOrgId: '00D5g000004abcD' }), { accessToken: 'a' });
        await store.saveConnection(connection('sf-other', { externalOrgId: '00D5g000004abcE' }), { accessToken: 'a' });
        await store.saveConnection(connection('hs', { provider: 'hubspot', externalOrgId: '1234567' }), { accessToken: 'a' });
        const expected = [
          { tenantId: TEST_TENANT, connectionId: 'sf-a' },
          { tenantId: TEST_TENANT, connectionId: 'sf-b' },
          { tenantId: OTHER_TENANT, connectionId: 'sf-a' },
        ];
        expect(await store.findConnectionsByOrg('salesforce', '00D5g000004abcD')).toEqual(expected);
        expect(await store.findConnectionsByOrg('salesforce', '00D5g000004abcDEAY')).toEqual(expected);
        // Case matters in a 15-character id.
        expect(await store.findConnectionsByOrg('salesforce', '00D5g000004ABCD')).toEqual([]);
        expect(await store.findConnectionsByOrg('hubspot', '1234567')).toEqual([{ tenantId: TEST_TENANT, connectionId: 'hs' }]);
        expect(await store.findConnectionsByOrg('hubspot', '123456')).toEqual([]);
        expect(await store.findConnectionsByOrg('hubspot', '00D5g000004abcD')).toEqual([]);
      });
    });

    describe('AuditRepository: audit log', () => {
      const entry = (action: string, at: string) => ({
        tenantId: TEST_TENANT,
        at,
        actor: 'admin@acme',
        action,
        target: 'conn-1',
        details: { provider: 'salesforce', nested: { n: 1 } },
      });

      it('appends entries and lists them newest first', async () => {
        await store.appendAudit(entry('connection.created', '2026-01-01T08:00:00+08:00'));
        await store.appendAudit(entry('connection.updated', '2026-01-02T00:00:00Z'));
        await store.appendAudit(entry('connection.deleted', '2026-01-03T00:00:00Z'));
        expect((await store.listAudit(TEST_TENANT)).map((e) => e.action)).toEqual([
          'connection.deleted',
          'connection.updated',
          'connection.created',
        ]);
        expect(await store.listAudit(TEST_TENANT, { limit: 1 })).toEqual([entry('connection.deleted', '2026-01-03T00:00:00.000Z')]);
        expect((await store.listAudit(TEST_TENANT)).at(-1)?.at).toBe('2026-01-01T00:00:00.000Z');
        expect(await store.listAudit(OTHER_TENANT)).toEqual([]);
      });

      it('keeps the audit log append-only and refuses rows for unknown tenants', async () => {
        await store.appendAudit(entry('connection.created', T0));
        expect((await failure(opened.sql("UPDATE audit_log SET actor = 'someone-else'"))).message).toMatch(/append-only/);
        expect((await failure(opened.sql('DELETE FROM audit_log'))).message).toMatch(/append-only/);
        await failure(store.appendAudit({ ...entry('x', T0), tenantId: 'no-such-tenant' as TenantId }));
        expect(await store.listAudit(TEST_TENANT)).toHaveLength(1);
      });
    });

    describe('AuditRepository: export and erasure', () => {
      const GONE = TEST_TENANT;
      const KEPT = OTHER_TENANT;

      async function seed(tenantId: TenantId): Promise<void> {
        await store.markInstalled(tenantId, T0);
        await store.saveConnection(
          connection('hs', { tenantId, provider: 'hubspot', externalOrgId: `portal-${tenantId}`, baseUrl: 'https://api.hubapi.com' }),
          { accessToken: 'secret-access', refreshToken: 'secret-refresh' },
        );
        await store.upsertRecords('account', [makeAccount('1', {}, tenantId), makeAccount('2', {}, tenantId)]);
        await store.upsertRecords('account', [makeAccount('1', { name: 'Renamed' }, tenantId)]);
        await store.saveCursor(tenantId, 'hs' as ConnectionId, 'account', { after: 2 });
        await store.appendAudit({
          tenantId,
          at: '2026-01-02T00:00:00Z',
          actor: 'system',
          action: 'install.completed',
          target: 'hubspot',
          details: { tenant: tenantId },
        });
        await store.issueApiToken(tenantId, 'admin', 'installer');
        await store.issueApiToken(tenantId, 'rep', 'rep-1', { crmUserId: '9000001' });
        await store.appendScoreSets([scoreSet('hubspot:1', T0, 0.3, tenantId)]);
        await store.putTenantSetting(tenantId, 'k', { tenant: tenantId }, 'admin');
        await store.recordAlert(delivery('k1', { tenantId }));
        await store.registerModel(model('1', { tenantId }));
        await store.recordActionOutcome(outcome({ tenantId }), 'pipeline');
        await store.beginResync(tenantId, 'hs' as ConnectionId, 'ticket', T0, 'r');
        await store.recordResyncSeen(tenantId, 'hs' as ConnectionId, 'ticket', ['t1']);
        await store.putTextAnalyses(tenantId, [
          { contentHash: 'h', modelId: 'm', label: 'neutral', score: 0, topics: [], maskedText: 'x', analysedAt: T0 },
        ]);
        await store.putRecordTexts(tenantId, [
          { entity: 'ticket', recordId: 't1', accountId: 'hubspot:1', kind: 'email', at: T0, contentHash: 'h' },
        ]);
      }

      beforeEach(async () => {
        await seed(GONE);
        await seed(KEPT);
      });

      it('finds every tenant table from the schema', async () => {
        expect(await store.tenantTables()).toEqual([
          'action_outcomes',
          'alert_deliveries',
          'api_tokens',
          'audit_log',
          'crm_connections',
          'models',
          'record_texts',
          'record_versions',
          'records',
          'resync_seen',
          'resyncs',
          'score_sets',
          'sync_cursors',
          'tenant_lifecycle',
          'tenant_settings',
          'text_analyses',
        ]);
      });

      it('exports every table of the tenant without secrets', async () => {
        const rows: { table: string; row: Record<string, unknown> }[] = [];
        for await (const row of store.exportTenant(GONE)) rows.push(row);
        expect(rows[0]).toEqual({ table: 'tenants', row: expect.objectContaining({ id: GONE, name: GONE }) });
        const counts = new Map<string, number>();
        for (const r of rows) counts.set(r.table, (counts.get(r.table) ?? 0) + 1);
        expect(Object.fromEntries(counts)).toEqual({
          tenants: 1,
          action_outcomes: 1,
          alert_deliveries: 1,
          api_tokens: 2,
          audit_log: 1,
          crm_connections: 1,
          models: 1,
          record_texts: 1,
          record_versions: 3,
          records: 2,
          resync_seen: 1,
          resyncs: 1,
          score_sets: 1,
          sync_cursors: 1,
          tenant_lifecycle: 1,
          tenant_settings: 1,
          text_analyses: 1,
        });
        expect(rows.every((r) => r.table === 'tenants' || r.row.tenant_id === GONE)).toBe(true);
        expect(JSON.stringify(rows)).not.toMatch(/token_ciphertext|token_hash|secret-access/);
        expect(rows.find((r) => r.table === 'crm_connections')?.row).toMatchObject({ id: 'hs', external_org_id: `portal-${GONE}` });
        await expect(
          (async () => {
            for await (const row of store.exportTenant('no-such-tenant' as TenantId)) void row;
          })(),
        ).rejects.toMatchObject({ code: 'STORE.NOT_FOUND' });
      });

      it('lets other work use the store while an export is half read (two exports at once, a write between rows)', async () => {
        const first = store.exportTenant(GONE)[Symbol.asyncIterator]();
        const second = store.exportTenant(KEPT)[Symbol.asyncIterator]();
        // Both are inside a table (past the tenants row) when the other work runs.
        for (let i = 0; i < 3; i++) {
          expect((await first.next()).done).toBe(false);
          expect((await second.next()).done).toBe(false);
        }
        await store.appendAudit({
          tenantId: KEPT,
          at: '2026-11-02T00:00:00.000Z',
          actor: 'test',
          action: 'export.read',
          target: 't',
          details: {},
        });
        expect((await store.listTenants()).map((t) => t.id)).toEqual(expect.arrayContaining([GONE, KEPT]));
        let rest = 0;
        while (!(await first.next()).done) rest++;
        while (!(await second.next()).done) rest++;
        expect(rest).toBeGreaterThan(10);
      });

      it('erases every row mentioning the tenant in any table, keeps the other tenant whole and counts what went', async () => {
        expect((await rowsMentioning(opened, GONE)).length).toBeGreaterThan(15);
        const before = (await rowsMentioning(opened, KEPT)).length;
        const receipt = await store.eraseTenant(GONE, 'hubspot app uninstalled');
        expect(await rowsMentioning(opened, GONE)).toEqual([]);
        expect(await rowsMentioning(opened, KEPT)).toHaveLength(before);
        expect(receipt.rowCounts).toEqual({
          tenants: 1,
          action_outcomes: 1,
          alert_deliveries: 1,
          api_tokens: 2,
          audit_log: 1,
          crm_connections: 1,
          models: 1,
          record_texts: 1,
          record_versions: 3,
          records: 2,
          resync_seen: 1,
          resyncs: 1,
          score_sets: 1,
          sync_cursors: 1,
          tenant_lifecycle: 1,
          tenant_settings: 1,
          text_analyses: 1,
        });
        expect(receipt.reason).toBe('hubspot app uninstalled');
        expect(await store.getTenant(GONE)).toBeNull();
        expect(await store.listAudit(KEPT)).toHaveLength(1);
      });

      it('refuses rows for the erased tenant afterwards (a job still running cannot bring it back)', async () => {
        await store.eraseTenant(GONE, 'uninstall');
        await failure(
          store.appendAudit({ tenantId: GONE, at: '2026-03-01T00:00:00Z', actor: 'sync', action: 'late', target: 'x', details: {} }),
        );
        await failure(store.upsertRecords('account', [makeAccount('3', {}, GONE)]));
        await failure(store.appendScoreSets([scoreSet('hubspot:1', '2026-03-01T00:00:00Z', 0.1, GONE)]));
        await failure(store.putTenantSetting(GONE, 'k', 1, 'x'));
        expect(await rowsMentioning(opened, GONE)).toEqual([]);
      });

      it('keeps tenant-free receipts that the tenant id (and only it) can find, oldest first', async () => {
        const first = await store.eraseTenant(GONE, 'uninstall');
        await store.upsertTenant({ id: GONE, name: 'back', locale: 'en', createdAt: T0 });
        const second = await store.eraseTenant(GONE, 'again');
        const receipts = await store.findErasures(GONE);
        expect(receipts).toEqual([first, second]);
        expect(second.rowCounts).toEqual({ tenants: 1 });
        expect(first.salt).not.toBe(second.salt);
        expect(first.tenantHash).not.toContain(GONE);
        expect(await store.findErasures(KEPT)).toEqual([]);
        expect((await failure(opened.sql('DELETE FROM erasure_log'))).message).toMatch(/append-only/);
        expect((await failure(opened.sql("UPDATE erasure_log SET reason = 'x'"))).message).toMatch(/append-only/);
        expect(await store.findErasures(GONE)).toHaveLength(2);
      });

      it('still refuses audit deletes outside an erasure', async () => {
        expect((await failure(opened.sql(`DELETE FROM audit_log WHERE tenant_id = '${KEPT}'`))).message).toMatch(/append-only/);
        expect(await store.listAudit(KEPT)).toHaveLength(1);
      });
    });
  });
}
