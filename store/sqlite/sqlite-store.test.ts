import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildRecord, type AccountId, type ConnectionId, type ScoreSet, type TenantId } from '../../core';
import { makeAccount, TEST_TENANT } from '../../test/helpers/records';
import { migrations } from './migrations';
import { migrate, SqliteStore } from './sqlite-store';

const OTHER_TENANT = 'tenant-2' as TenantId;

function openStore(batchSize?: number): SqliteStore {
  const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32), ...(batchSize ? { batchSize } : {}) });
  for (const id of [TEST_TENANT, OTHER_TENANT]) store.upsertTenant({ id, name: id, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
  return store;
}

describe('migrations', () => {
  it('build the whole schema from an empty database, once', () => {
    const db = new Database(':memory:');
    expect(migrate(db, migrations)).toEqual(migrations.map((m) => m.version));
    expect(migrate(db, migrations)).toEqual([]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'tenants',
        'crm_connections',
        'records',
        'record_versions',
        'sync_cursors',
        'score_sets',
        'models',
        'alert_deliveries',
        'audit_log',
      ]),
    );
    db.close();
  });

  it('refuse a database written by a newer version', () => {
    const db = new Database(':memory:');
    migrate(db, migrations);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01')").run();
    expect(() => migrate(db, migrations)).toThrow(/newer Success Engine/);
    db.close();
  });

  it('roll back a failing migration whole', () => {
    const db = new Database(':memory:');
    const broken = [...migrations, { version: 99, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, broken)).toThrow(/migration 99 \(broken\) failed/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: migrations.at(-1)?.version });
    db.close();
  });

  it('use WAL on a file database', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'se-store-'));
    const store = new SqliteStore({ path: path.join(dir, 'nested', 'db.sqlite') });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('SqliteStore records', () => {
  let store: SqliteStore;
  beforeEach(() => (store = openStore(3)));
  afterEach(() => store.close());

  it('round-trips records and reports inserts, updates and unchanged rows', () => {
    const accounts = ['1', '2', '3', '4', '5'].map((id) => makeAccount(id));
    expect(store.upsertRecords('account', accounts)).toMatchObject({ inserted: 5, updated: 0, unchanged: 0 });
    expect(store.getRecord(TEST_TENANT, 'account', 'hubspot:3')).toEqual(accounts[2]);

    const renamed = makeAccount('3', {
      name: 'Renamed',
      source: { provider: 'hubspot', externalId: '3', modstamp: '2026-02-01T00:00:00Z' },
    });
    const summary = store.upsertRecords('account', [...accounts.slice(0, 2), renamed]);
    expect(summary).toEqual({ inserted: 0, updated: 1, unchanged: 2, changedIds: ['hubspot:3'] });
    expect(store.getRecord(TEST_TENANT, 'account', 'hubspot:3')?.name).toBe('Renamed');
    expect(store.countRecords(TEST_TENANT, 'account')).toBe(5);
  });

  it('treats a new modstamp with the same content as unchanged', () => {
    store.upsertRecords('account', [makeAccount('1')]);
    const touched = makeAccount('1', { source: { provider: 'hubspot', externalId: '1', modstamp: '2026-05-01T00:00:00Z' } });
    expect(store.upsertRecords('account', [touched]).unchanged).toBe(1);
  });

  it('keeps tenants apart', () => {
    store.upsertRecords('account', [makeAccount('1'), makeAccount('1', {}, OTHER_TENANT)]);
    expect(store.countRecords(TEST_TENANT, 'account')).toBe(1);
    expect(store.countRecords(OTHER_TENANT, 'account')).toBe(1);
    expect(store.getRecord(OTHER_TENANT, 'account', 'hubspot:1')?.tenantId).toBe(OTHER_TENANT);
  });

  it('soft-deletes, hides deleted rows by default and revives on a later upsert', () => {
    store.upsertRecords('account', [makeAccount('1'), makeAccount('2')]);
    expect(store.markDeleted(TEST_TENANT, 'account', 'hubspot', ['1', 'missing'], '2026-03-01T00:00:00Z')).toBe(1);
    expect(store.markDeleted(TEST_TENANT, 'account', 'hubspot', ['1'], '2026-03-02T00:00:00Z')).toBe(0);
    expect(store.listRecords(TEST_TENANT, 'account').map((a) => a.id)).toEqual(['hubspot:2']);
    expect(store.getRecord(TEST_TENANT, 'account', 'hubspot:1')?.deletedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(store.countRecords(TEST_TENANT, 'account', { includeDeleted: true })).toBe(2);
    store.upsertRecords('account', [makeAccount('1')]);
    expect(store.countRecords(TEST_TENANT, 'account')).toBe(2);
  });

  it('reads records as of an instant, ignoring later changes and deletions', () => {
    const at = (iso: string) => ({ provider: 'hubspot' as const, externalId: '1', modstamp: iso });
    store.upsertRecords('account', [makeAccount('1', { arr: 100, source: at('2026-01-01T00:00:00Z') })]);
    store.upsertRecords('account', [makeAccount('1', { arr: 200, source: at('2026-02-01T00:00:00Z') })]);
    store.upsertRecords('account', [
      makeAccount('2', { source: { provider: 'hubspot', externalId: '2', modstamp: '2026-03-01T00:00:00+08:00' } }),
    ]);
    store.markDeleted(TEST_TENANT, 'account', 'hubspot', ['1'], '2026-04-01T00:00:00Z');

    const asOf = (iso: string) => store.listRecords(TEST_TENANT, 'account', { modifiedAtOrBefore: iso }).map((a) => [a.id, a.arr]);
    expect(asOf('2025-12-31T23:59:59Z')).toEqual([]);
    expect(asOf('2026-01-15T00:00:00Z')).toEqual([['hubspot:1', 100]]);
    expect(asOf('2026-02-28T16:00:00Z')).toEqual([
      ['hubspot:1', 200],
      ['hubspot:2', 12000],
    ]);
    expect(asOf('2026-04-02T00:00:00Z')).toEqual([['hubspot:2', 12000]]);
  });

  it('lists children by account and pages by id', () => {
    const ticket = (n: number, account: string) =>
      buildRecord('ticket', {
        tenantId: TEST_TENANT,
        id: `hubspot:t${n}`,
        source: { provider: 'hubspot', externalId: `t${n}`, modstamp: '2026-01-01T00:00:00Z' },
        accountId: account,
        subject: `Ticket ${n}`,
        status: 'open',
        priority: 'high',
        createdAt: '2026-01-01T00:00:00Z',
      });
    store.upsertRecords('ticket', [ticket(1, 'hubspot:a'), ticket(2, 'hubspot:b'), ticket(3, 'hubspot:a')]);
    expect(store.listRecords(TEST_TENANT, 'ticket', { accountId: 'hubspot:a' as AccountId }).map((t) => t.id)).toEqual([
      'hubspot:t1',
      'hubspot:t3',
    ]);
    expect(store.listRecords(TEST_TENANT, 'ticket', { afterId: 'hubspot:t1', limit: 1 }).map((t) => t.id)).toEqual(['hubspot:t2']);
  });

  it('lands each batch of a large upsert whole: a bad record fails only its batch', () => {
    const good = ['1', '2', '3', '4', '5', '6'].map((id) => makeAccount(id));
    const orphan = { ...makeAccount('7'), tenantId: 'no-such-tenant' as TenantId };
    expect(() => store.upsertRecords('account', [...good, orphan])).toThrow(/FOREIGN KEY/);
    // Batches of 3: [1,2,3] and [4,5,6] committed, [7] rolled back.
    expect(store.countRecords(TEST_TENANT, 'account')).toBe(6);
  });
});

describe('SqliteStore connections, cursors, scores, models, alerts, audit', () => {
  let store: SqliteStore;
  beforeEach(() => (store = openStore()));
  afterEach(() => store.close());

  const connection = {
    id: 'conn-1' as ConnectionId,
    tenantId: TEST_TENANT,
    provider: 'salesforce' as const,
    externalOrgId: '00D000000000001',
    baseUrl: 'https://example.my.salesforce.com',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };

  it('stores tokens encrypted and reads them back', () => {
    store.saveConnection(connection, { accessToken: 'access-123', refreshToken: 'refresh-456' });
    const raw = store.db.prepare('SELECT token_ciphertext FROM crm_connections').get() as { token_ciphertext: Buffer };
    expect(raw.token_ciphertext.includes(Buffer.from('access-123'))).toBe(false);
    expect(store.getConnection(TEST_TENANT, connection.id)?.tokens).toEqual({ accessToken: 'access-123', refreshToken: 'refresh-456' });
  });

  it('rejects tampered token ciphertext in the database', () => {
    store.saveConnection(connection, { accessToken: 'access-123' });
    const raw = store.db.prepare('SELECT token_ciphertext FROM crm_connections').get() as { token_ciphertext: Buffer };
    const at = raw.token_ciphertext.length - 2;
    raw.token_ciphertext.writeUInt8(raw.token_ciphertext.readUInt8(at) ^ 0xff, at);
    store.db.prepare('UPDATE crm_connections SET token_ciphertext = ?').run(raw.token_ciphertext);
    expect(() => store.getConnection(TEST_TENANT, connection.id)).toThrow(expect.objectContaining({ code: 'STORE.DECRYPT_FAILED' }));
  });

  it('refuses to save tokens without a key', () => {
    const keyless = new SqliteStore({ path: ':memory:' });
    keyless.upsertTenant({ id: TEST_TENANT, name: 't', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    expect(() => keyless.saveConnection(connection, { accessToken: 'a' })).toThrow(/SE_ENCRYPTION_KEY/);
    keyless.close();
  });

  it('keeps console settings per tenant, replacing a key in place', () => {
    store.putTenantSetting(TEST_TENANT, 'alert-rules', { threshold: 0.6 }, 'admin:ada');
    store.putTenantSetting(TEST_TENANT, 'alert-rules', { threshold: 0.7 }, 'admin:bo');
    expect(store.getTenantSetting(TEST_TENANT, 'alert-rules')).toMatchObject({ value: { threshold: 0.7 }, updatedBy: 'admin:bo' });
    expect(store.getTenantSetting(OTHER_TENANT, 'alert-rules')).toBeNull();
  });

  it('keeps one outcome per recommendation: a second answer replaces the first', () => {
    const outcome = {
      tenantId: TEST_TENANT,
      accountId: 'hubspot:1',
      actionId: 'qbr',
      arm: 'treatment' as const,
      recommendedAt: '2026-11-01T00:00:00Z',
      status: 'dismissed' as const,
      completedAt: null,
      source: 'card' as const,
      retained: null,
    };
    store.recordActionOutcome(outcome, 'rep:1');
    store.recordActionOutcome({ ...outcome, status: 'completed', completedAt: '2026-11-02T00:00:00Z' }, 'rep:1');
    store.recordActionOutcome({ ...outcome, recommendedAt: '2026-11-08T00:00:00Z', retained: true }, 'rep:1');
    expect(store.listActionOutcomes(TEST_TENANT, { accountId: 'hubspot:1', recommendedAt: '2026-11-01T00:00:00.000Z' })).toEqual([
      { ...outcome, recommendedAt: '2026-11-01T00:00:00.000Z', status: 'completed', completedAt: '2026-11-02T00:00:00.000Z' },
    ]);
    expect(store.listActionOutcomes(TEST_TENANT).map((o) => o.retained)).toEqual([null, true]);
    expect(store.listActionOutcomes(OTHER_TENANT)).toEqual([]);
    // A re-run recording its recommendation again leaves the answer alone.
    store.recordActionOutcome({ ...outcome, status: 'open', source: 'system' }, 'pipeline', { keepExisting: true });
    expect(store.listActionOutcomes(TEST_TENANT, { recommendedAt: '2026-11-01T00:00:00Z' })[0]).toMatchObject({
      status: 'completed',
      source: 'card',
    });
  });

  it('saves and replaces sync cursors', () => {
    expect(store.getCursor(TEST_TENANT, connection.id, 'account')).toBeNull();
    store.saveCursor(TEST_TENANT, connection.id, 'account', { modstamp: '2026-01-01T00:00:00Z', lastId: '001' });
    store.saveCursor(TEST_TENANT, connection.id, 'account', { modstamp: '2026-01-02T00:00:00Z', lastId: '002' });
    expect(store.getCursor(TEST_TENANT, connection.id, 'account')).toEqual({ modstamp: '2026-01-02T00:00:00Z', lastId: '002' });
  });

  it('keeps every score set and answers history and latest', () => {
    const score = (account: string, at: string, p: number): ScoreSet => ({
      tenantId: TEST_TENANT,
      accountId: account as AccountId,
      computedAt: at,
      modelVersion: 'v1',
      nextBestActions: [],
      churn: { probability: p, band: 'low', drivers: [], model: { name: 'health', version: '1', kind: 'health-score' } },
    });
    store.appendScoreSets([
      score('a', '2026-01-01T00:00:00Z', 0.1),
      score('a', '2026-02-01T00:00:00Z', 0.4),
      score('b', '2026-01-15T00:00:00Z', 0.2),
    ]);
    expect(store.scoreHistory(TEST_TENANT, 'a' as AccountId).map((s) => s.churn.probability)).toEqual([0.4, 0.1]);
    expect(
      store
        .latestScores(TEST_TENANT)
        .map((s) => [s.accountId, s.churn.probability])
        .sort(),
    ).toEqual([
      ['a', 0.4],
      ['b', 0.2],
    ]);
  });

  it('keeps one active model per task', () => {
    const model = (version: string) => ({
      tenantId: TEST_TENANT,
      task: 'churn',
      version,
      status: 'candidate' as const,
      algorithm: 'gbdt',
      trainingWindow: { from: '2025-01-01', to: '2026-01-01' },
      metrics: { rocAuc: 0.85 },
      features: ['tenure'],
      artifact: { trees: [] },
      createdAt: '2026-01-01T00:00:00Z',
    });
    store.registerModel(model('1'));
    store.registerModel(model('2'));
    expect(store.activeModel(TEST_TENANT, 'churn')).toBeNull();
    store.activateModel(TEST_TENANT, 'churn', '1');
    store.activateModel(TEST_TENANT, 'churn', '2');
    expect(store.activeModel(TEST_TENANT, 'churn')?.version).toBe('2');
    expect(store.listModels(TEST_TENANT, 'churn').map((m) => m.status)).toEqual(['retired', 'active']);
    expect(() => store.activateModel(TEST_TENANT, 'churn', '9')).toThrow(/no churn model version 9/);
  });

  it('records an alert once per idempotency key', () => {
    const delivery = {
      tenantId: TEST_TENANT,
      idempotencyKey: 'k1',
      accountId: 'hubspot:1' as AccountId,
      rule: 'risk-threshold',
      target: 'https://hooks.example.com',
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      payload: { v: 1 },
      createdAt: '2026-01-01T00:00:00Z',
      deliveredAt: null,
    };
    expect(store.recordAlert(delivery)).toBe(true);
    expect(store.recordAlert({ ...delivery, payload: { v: 2 } })).toBe(false);
    store.updateAlert(TEST_TENANT, 'k1', { status: 'delivered', attempts: 2, deliveredAt: '2026-01-01T00:01:00Z' });
    expect(store.listAlerts(TEST_TENANT, 'delivered')).toEqual([expect.objectContaining({ attempts: 2, payload: { v: 1 } })]);
    expect(() => store.updateAlert(TEST_TENANT, 'nope', { attempts: 1 })).toThrow(/no alert delivery nope/);
    expect(store.getAlert(TEST_TENANT, 'k1')).toMatchObject({ idempotencyKey: 'k1', status: 'delivered', payload: { v: 1 } });
    expect(store.getAlert(TEST_TENANT, 'nope')).toBeNull();
    expect(store.getAlert('other-tenant' as TenantId, 'k1')).toBeNull();
  });

  it('issues API tokens scoped to a tenant and role, storing only their hash', () => {
    const token = store.issueApiToken(TEST_TENANT, 'reader', 'card');
    expect(token).toMatch(/^se_[A-Za-z0-9_-]{43}$/);
    expect(store.resolveApiToken(token)).toEqual({ tenantId: TEST_TENANT, role: 'reader', label: 'card' });
    expect(JSON.stringify(store.db.prepare('SELECT * FROM api_tokens').all())).not.toContain(token);
    expect(store.resolveApiToken(`${token}x`)).toBeNull();
    const replacement = store.issueApiToken(TEST_TENANT, 'admin', 'card');
    expect(store.resolveApiToken(token)).toBeNull();
    expect(store.resolveApiToken(replacement)?.role).toBe('admin');
  });

  it('keeps the audit log append-only', () => {
    store.appendAudit({
      tenantId: TEST_TENANT,
      at: '2026-01-01T00:00:00Z',
      actor: 'admin@acme',
      action: 'connection.created',
      target: 'conn-1',
      details: { provider: 'salesforce' },
    });
    expect(store.listAudit(TEST_TENANT)).toHaveLength(1);
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'someone-else'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });
});
