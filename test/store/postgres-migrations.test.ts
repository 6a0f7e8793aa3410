import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { ConnectionId, TenantId } from '../../core';
import { TokenCipher } from '../../store';
import { migratePostgres } from '../../store/postgres/migrate';
import { postgresMigrations } from '../../store/postgres/migrations';
import { openPostgresStore } from '../../store/postgres/postgres-store';
import { tokenAad } from '../../store/shared/store-rules';
import { makeAccount } from '../helpers/records';
import { startTestPostgres, type TestPostgres } from './postgres-server';
import { failure } from './store-conformance';

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const versions = (pool: Pool) =>
  pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version').then((r) => r.rows.map((row) => row.version));

/** A database of its own and a raw pool on it; both go after the test. */
async function freshDatabase(): Promise<{ url: string; pool: Pool; done(): Promise<void> }> {
  const database = await server.createDatabase();
  const pool = new Pool({ connectionString: database.url, max: 2 });
  return {
    url: database.url,
    pool,
    async done() {
      await pool.end();
      await database.drop();
    },
  };
}

describe('PostgreSQL migrations', () => {
  it('bring a database at an older schema (version 3) up to date with its data intact', async () => {
    const db = await freshDatabase();
    const key = randomBytes(32);
    try {
      expect(
        await migratePostgres(
          db.pool,
          postgresMigrations.filter((m) => m.version <= 3),
        ),
      ).toEqual([1, 2, 3]);
      const account = makeAccount('1', { name: 'Kept' }, 'old' as TenantId);
      const ciphertext = new TokenCipher(key).encrypt(JSON.stringify({ accessToken: 'old-access' }), tokenAad('old', 'hs'));
      await db.pool.query(
        `INSERT INTO tenants VALUES ('old', 'Old tenant', 'zh', '2025-06-01T00:00:00.000Z'), ('gone', 'Gone', 'en', '2025-01-01T00:00:00.000Z')`,
      );
      await db.pool.query(
        `INSERT INTO records VALUES ('old', 'account', 'hubspot', '1', 'hubspot:1', 'hubspot:1', $1, '2025-06-01T00:00:00.000Z', NULL, $2, '2025-06-01T00:00:00.000Z')`,
        [account.dataHash, JSON.stringify(account)],
      );
      await db.pool.query(
        `INSERT INTO record_versions (tenant_id, entity, id, account_id, modstamp, data) VALUES ('old', 'account', 'hubspot:1', 'hubspot:1', '2025-06-01T00:00:00.000Z', $1)`,
        [JSON.stringify(account)],
      );
      await db.pool.query(
        `INSERT INTO crm_connections VALUES ('old', 'hs', 'hubspot', '4242', 'https://api.hubapi.com', $1, '2025-06-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z')`,
        [ciphertext],
      );
      await db.pool.query(`INSERT INTO api_tokens VALUES ('hash-1', 'old', 'admin', 'installer', '2025-06-01T00:00:00.000Z')`);
      await db.pool.query(
        `INSERT INTO tenant_settings VALUES ('old', 'alert-rules', '{"threshold": 0.6}', '2025-06-01T00:00:00.000Z', 'admin')`,
      );
      // Audit rows outlived their tenant before erasure existed: migration 5's foreign key must not trip on them.
      await db.pool.query(
        `INSERT INTO audit_log (tenant_id, at, actor, action, target, details) VALUES
           ('old', '2025-06-01T00:00:00.000Z', 'admin', 'install.completed', 'hubspot', '{}'),
           ('gone', '2025-01-02T00:00:00.000Z', 'admin', 'install.completed', 'hubspot', '{}')`,
      );
      await db.pool.query(`DELETE FROM tenants WHERE id = 'gone'`);

      const store = await openPostgresStore({ url: db.url, encryptionKey: key, poolSize: 2 });
      try {
        expect(await versions(db.pool)).toEqual(postgresMigrations.map((m) => m.version));
        const old = 'old' as TenantId;
        expect(await store.getTenant(old)).toEqual({ id: 'old', name: 'Old tenant', locale: 'zh', createdAt: '2025-06-01T00:00:00.000Z' });
        expect(await store.getRecord(old, 'account', 'hubspot:1')).toEqual(account);
        expect(await store.upsertRecords('account', [account])).toMatchObject({ unchanged: 1 });
        expect((await store.listRecords(old, 'account', { modifiedAtOrBefore: '2025-07-01T00:00:00Z' })).map((a) => a.name)).toEqual([
          'Kept',
        ]);
        expect((await store.getConnection(old, 'hs' as ConnectionId))?.tokens).toEqual({ accessToken: 'old-access' });
        expect((await store.getTenantSetting(old, 'alert-rules'))?.value).toEqual({ threshold: 0.6 });
        expect(await store.listAudit(old)).toHaveLength(1);
        expect((await db.pool.query(`SELECT role, label, crm_user_id FROM api_tokens`)).rows).toEqual([
          { role: 'admin', label: 'installer', crm_user_id: null },
        ]);
        // What the newer migrations added works on the old data.
        const rep = await store.issueApiToken(old, 'rep', 'rep-1', { crmUserId: '77' });
        expect((await store.resolveStaffToken(rep))?.crmUserId).toBe('77');
        await store.markInstalled(old, '2025-06-01T00:00:00Z');
        await store.putRecordTexts(old, [
          { entity: 'ticket', recordId: 't', accountId: 'hubspot:1', kind: 'email', at: '2025-06-01T00:00:00Z', contentHash: 'h' },
        ]);
        expect(await store.listRecordTexts(old)).toHaveLength(1);
        // Erasure works over rows written before the erasure machinery existed.
        expect((await store.eraseTenant(old, 'uninstall')).rowCounts).toMatchObject({
          records: 1,
          audit_log: 1,
          api_tokens: 2,
          crm_connections: 1,
        });
      } finally {
        await store.close();
      }
    } finally {
      await db.done();
    }
  });

  it('run exactly once when several workers open the same empty database at the same moment', async () => {
    const db = await freshDatabase();
    try {
      const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore({ url: db.url, poolSize: 1 })));
      expect(await versions(db.pool)).toEqual(postgresMigrations.map((m) => m.version));
      await stores[0]?.upsertTenant({ id: 't' as TenantId, name: 't', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
      expect((await stores[3]?.listTenants())?.map((t) => t.id)).toEqual(['t']);
      for (const store of stores) await store.close();
      // Opening again applies nothing.
      expect(await migratePostgres(db.pool, postgresMigrations)).toEqual([]);
    } finally {
      await db.done();
    }
  });

  it('refuse a database written by a newer version', async () => {
    const db = await freshDatabase();
    try {
      await migratePostgres(db.pool, postgresMigrations);
      await db.pool.query(`INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`);
      const error = await failure(openPostgresStore({ url: db.url }));
      expect(error).toMatchObject({ code: 'STORE.MIGRATION_FAILED', message: expect.stringMatching(/newer Success Engine/) });
    } finally {
      await db.done();
    }
  });

  it('roll back a failing migration whole and keep the ones before it', async () => {
    const db = await freshDatabase();
    try {
      const broken = [
        ...postgresMigrations,
        { version: 99, name: 'broken', sql: 'CREATE TABLE half (x integer); SELECT * FROM no_such_table;' },
      ];
      const error = await failure(migratePostgres(db.pool, broken));
      expect(error).toMatchObject({
        code: 'STORE.MIGRATION_FAILED',
        message: expect.stringMatching(/migration 99 \(broken\) failed: .*no_such_table/),
      });
      expect((await db.pool.query(`SELECT to_regclass('half') AS t`)).rows).toEqual([{ t: null }]);
      expect(await versions(db.pool)).toEqual(postgresMigrations.map((m) => m.version));
      // The lock was let go: another run gets it.
      expect(await migratePostgres(db.pool, postgresMigrations)).toEqual([]);
    } finally {
      await db.done();
    }
  });
});
