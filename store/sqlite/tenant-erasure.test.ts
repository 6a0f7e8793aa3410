import Database from 'better-sqlite3';
import type { TenantId } from '../../core';
import { migrations } from './migrations';
import { migrate, SqliteStore } from './sqlite-store';

// Export and erasure as every adapter does them are in test/store/store-conformance.ts; this file keeps
// SQLite's own mechanism (the erasure_in_progress guard) and its token-table migration.

const GONE = 'tenant-gone' as TenantId;
const KEPT = 'tenant-kept' as TenantId;

describe('SQLite audit delete guard', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    for (const id of [GONE, KEPT]) {
      await store.upsertTenant({ id, name: id, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
      await store.appendAudit({ tenantId: id, at: '2026-01-02T00:00:00Z', actor: 'system', action: 'x', target: 'y', details: {} });
    }
  });
  afterEach(() => store.close());

  it('lets rows go only for the tenant whose erasure is in progress, and never allows updates', () => {
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE tenant_id = ?').run(GONE)).toThrow(/append-only/);
    store.db.prepare('INSERT INTO erasure_in_progress (tenant_id) VALUES (?)').run(GONE);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE tenant_id = ?').run(KEPT)).toThrow(/append-only/);
    expect(() => store.db.prepare('UPDATE audit_log SET actor = ? WHERE tenant_id = ?').run('x', GONE)).toThrow(/append-only/);
    expect(store.db.prepare('DELETE FROM audit_log WHERE tenant_id = ?').run(GONE).changes).toBe(1);
  });

  it('leaves no erasure_in_progress row behind an erasure', async () => {
    await store.eraseTenant(GONE, 'uninstall');
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM erasure_in_progress').get()).toEqual({ n: 0 });
    expect(await store.listAudit(KEPT)).toHaveLength(1);
  });
});

describe('api token migration', () => {
  it('keeps tokens issued before migration 4 (and later migrations apply on top)', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      migrations.filter((m) => m.version < 4),
    );
    db.prepare("INSERT INTO tenants VALUES ('t', 't', 'en', '2026-01-01')").run();
    db.prepare("INSERT INTO api_tokens VALUES ('h', 't', 'admin', 'old', '2026-01-01')").run();
    expect(migrate(db, migrations)).toEqual(migrations.filter((m) => m.version >= 4).map((m) => m.version));
    expect(db.prepare('SELECT role, label, crm_user_id FROM api_tokens').all()).toEqual([
      { role: 'admin', label: 'old', crm_user_id: null },
    ]);
    db.close();
  });
});
