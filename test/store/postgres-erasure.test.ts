import { Client } from 'pg';
import type { TenantId } from '../../core';
import { openPostgresStore, type PostgresStore } from '../../store/postgres/postgres-store';
import { startTestPostgres, type TestPostgres } from './postgres-server';

const tenant = 'tenant-1' as TenantId;
let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

/**
 * Workers on other connections keep writing a tenant's rows (audit entries, records) while an
 * erasure runs. Found by the install test on PostgreSQL: an audit row committed after the erasure had
 * emptied audit_log made the tenant's own delete fail on the foreign key. The erasure locks the
 * tenant row first, so such writers wait for it and then fail (the tenant is gone).
 */
describe('erasing a tenant on PostgreSQL while another connection writes its rows', () => {
  let store: PostgresStore;
  let database: Awaited<ReturnType<TestPostgres['createDatabase']>>;
  beforeEach(async () => {
    database = await server.createDatabase();
    store = await openPostgresStore({ url: database.url, poolSize: 4 });
    await store.upsertTenant({ id: tenant, name: 'T', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    await store.appendAudit({ tenantId: tenant, at: '2026-01-02T00:00:00Z', actor: 'system', action: 'sync', target: 't', details: {} });
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('waits for a writer’s open transaction, erases what it committed too, and leaves no row of the tenant', async () => {
    const writer = new Client({ connectionString: database.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO audit_log (tenant_id, at, actor, action, target, details) VALUES ($1, '2026-01-03T00:00:00.000Z', 'worker', 'sync.page', 'p', '{}'::jsonb)`,
        [tenant],
      );
      const erasure = store.eraseTenant(tenant, 'test');
      await new Promise((resolve) => setTimeout(resolve, 300)); // the erasure is now waiting on the writer
      await writer.query('COMMIT');
      const receipt = await erasure;
      expect(receipt.rowCounts).toMatchObject({ audit_log: 2, tenants: 1 });
      expect((await store.pool.query('SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1', [tenant])).rows[0]).toEqual({ n: 0 });
      // A write after the erasure is refused: the tenant is gone.
      await expect(
        store.appendAudit({ tenantId: tenant, at: '2026-01-04T00:00:00Z', actor: 'worker', action: 'late', target: 'p', details: {} }),
      ).rejects.toThrow();
    } finally {
      await writer.end();
    }
  });
});
