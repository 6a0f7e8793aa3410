import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ConnectionId, TenantId } from '../../core';
import { makeAccount, TEST_TENANT } from '../../test/helpers/records';
import { failure } from '../../test/store/store-conformance';
import { migrations } from './migrations';
import { migrate, SqliteStore } from './sqlite-store';

// What every adapter does is in test/store/store-conformance.ts; this file keeps what only SQLite has.

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

  it('use WAL on a file database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'se-store-'));
    const store = new SqliteStore({ path: path.join(dir, 'nested', 'db.sqlite') });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bring a file at an older schema up to date with its data intact', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'se-store-'));
    const file = path.join(dir, 'old.sqlite');
    const old = new Database(file);
    migrate(
      old,
      migrations.filter((m) => m.version <= 5),
    );
    old.prepare("INSERT INTO tenants VALUES ('t', 'Old tenant', 'zh', '2025-06-01T00:00:00.000Z')").run();
    old
      .prepare(
        `INSERT INTO records VALUES ('t', 'account', 'hubspot', '1', 'hubspot:1', 'hubspot:1', 'h1', '2025-06-01T00:00:00.000Z', NULL, ?, '2025-06-01T00:00:00.000Z')`,
      )
      .run(JSON.stringify(makeAccount('1', {}, 't' as TenantId)));
    old
      .prepare(
        "INSERT INTO audit_log (tenant_id, at, actor, action, target, details) VALUES ('t', '2025-06-01T00:00:00.000Z', 'a', 'x', 'y', '{}')",
      )
      .run();
    old.close();

    const store = new SqliteStore({ path: file });
    expect(await store.getTenant('t' as TenantId)).toMatchObject({ name: 'Old tenant', locale: 'zh' });
    expect((await store.getRecord('t' as TenantId, 'account', 'hubspot:1'))?.name).toBe('Account 1');
    expect(await store.listAudit('t' as TenantId)).toHaveLength(1);
    expect(
      (store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version),
    ).toEqual(migrations.map((m) => m.version));
    // The newer tables work on the old data.
    await store.recordActionOutcome(
      {
        tenantId: 't',
        accountId: 'hubspot:1',
        actionId: 'qbr',
        arm: 'treatment',
        recommendedAt: '2026-01-01T00:00:00Z',
        status: 'open',
        completedAt: null,
        source: 'system',
        retained: null,
      },
      'pipeline',
    );
    expect(await store.listActionOutcomes('t' as TenantId)).toHaveLength(1);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('SqliteStore specifics', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
    await store.upsertTenant({ id: TEST_TENANT, name: 't', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
  });
  afterEach(() => store.close());

  it('names the foreign key a record for an unknown tenant breaks', async () => {
    expect((await failure(store.upsertRecords('account', [makeAccount('1', {}, 'nobody' as TenantId)]))).message).toMatch(/FOREIGN KEY/);
  });

  it('refuses audit rows for a tenant that does not exist, by name', async () => {
    expect(
      (
        await failure(
          store.appendAudit({
            tenantId: 'nobody' as TenantId,
            at: '2026-01-01T00:00:00Z',
            actor: 'a',
            action: 'x',
            target: 'y',
            details: {},
          }),
        )
      ).message,
    ).toMatch(/no such tenant/);
  });

  it('rejects a tampered token ciphertext', async () => {
    await store.saveConnection(
      {
        id: 'conn-1' as ConnectionId,
        tenantId: TEST_TENANT,
        provider: 'salesforce',
        externalOrgId: '00D000000000001',
        baseUrl: 'https://example.my.salesforce.com',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      },
      { accessToken: 'access-123' },
    );
    const raw = store.db.prepare('SELECT token_ciphertext FROM crm_connections').get() as { token_ciphertext: Buffer };
    const at = raw.token_ciphertext.length - 2;
    raw.token_ciphertext.writeUInt8(raw.token_ciphertext.readUInt8(at) ^ 0xff, at);
    store.db.prepare('UPDATE crm_connections SET token_ciphertext = ?').run(raw.token_ciphertext);
    await expect(store.getConnection(TEST_TENANT, 'conn-1' as ConnectionId)).rejects.toMatchObject({ code: 'STORE.DECRYPT_FAILED' });
  });

  it('describes itself by its path', () => {
    expect(store.description).toEqual({ kind: 'sqlite', location: ':memory:' });
  });

  it('reads a range of accounts through the account indexes (no statistics, as in production)', async () => {
    // The statements the adapter really runs, with their parameters, explained afterwards.
    const ran: { sql: string; params: unknown[] }[] = [];
    const prepare = store.db.prepare.bind(store.db);
    const spy = jest.spyOn(store.db, 'prepare').mockImplementation((sql: string) => {
      const statement = prepare(sql);
      const all = statement.all.bind(statement);
      statement.all = (...params: unknown[]) => {
        ran.push({ sql, params });
        return all(...params);
      };
      return statement;
    });
    const accounts = { after: 'hubspot:a', through: 'hubspot:m' };
    const plan = async (read: () => Promise<unknown>): Promise<string> => {
      ran.length = 0;
      await read();
      const last = ran.at(-1);
      if (!last) throw new Error('no statement ran');
      const rows = prepare(`EXPLAIN QUERY PLAN ${last.sql}`).all(...last.params) as { detail: string }[];
      return rows.map((r) => r.detail).join('\n');
    };
    try {
      for (const query of [{ accounts }, { accounts: { through: 'hubspot:m' } }, { accounts, afterId: 'hubspot:t1', limit: 50 }]) {
        const records = await plan(() => store.listRecords(TEST_TENANT, 'ticket', query));
        expect(records).toMatch(/USING INDEX records_by_account \(tenant_id=\? AND entity=\? AND account_id/);
      }
      expect(await plan(() => store.latestScores(TEST_TENANT, { accounts }))).toMatch(
        /USING INDEX score_sets_by_account \(tenant_id=\? AND account_id>\? AND account_id<\?\)/,
      );
      expect(await plan(() => store.listAnalysedTexts(TEST_TENANT, { accounts }))).toMatch(
        /USING INDEX record_texts_by_account \(tenant_id=\? AND account_id>\? AND account_id<\?\)/,
      );
    } finally {
      spy.mockRestore();
    }
  });
});
