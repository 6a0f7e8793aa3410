import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { ConnectionId, TenantId } from '../../core';
import { makeAccount } from '../../test/helpers/records';
import { migrations } from './migrations';
import { migrate, SqliteStore } from './sqlite-store';

const GONE = 'tenant-gone' as TenantId;
const KEPT = 'tenant-kept' as TenantId;

/** Every row of every table that mentions the id, in any column (ids inside JSON included). */
function rowsMentioning(db: Database.Database, needle: string): { table: string; row: unknown }[] {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  const hits: { table: string; row: unknown }[] = [];
  for (const table of tables) {
    for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
      if (Object.values(row).some((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)).includes(needle)))
        hits.push({ table, row });
    }
  }
  return hits;
}

function seed(store: SqliteStore, tenantId: TenantId): void {
  store.upsertTenant({ id: tenantId, name: tenantId, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
  store.markInstalled(tenantId, '2026-01-01T00:00:00Z');
  store.saveConnection(
    {
      id: 'hs' as ConnectionId,
      tenantId,
      provider: 'hubspot',
      externalOrgId: `portal-${tenantId}`,
      baseUrl: 'https://api.hubapi.com',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    },
    { accessToken: 'at', refreshToken: 'rt' },
  );
  store.upsertRecords('account', [makeAccount('1', {}, tenantId), makeAccount('2', {}, tenantId)]);
  store.upsertRecords('account', [makeAccount('1', { name: 'Renamed' }, tenantId)]);
  store.saveCursor(tenantId, 'hs' as ConnectionId, 'account', { after: 2 });
  store.appendAudit({
    tenantId,
    at: '2026-01-02T00:00:00Z',
    actor: 'system',
    action: 'install.completed',
    target: 'hubspot',
    details: { tenant: tenantId },
  });
  store.issueApiToken(tenantId, 'admin', 'installer');
  store.issueApiToken(tenantId, 'rep', 'rep-1', { crmUserId: '9000001' });
}

describe('tenant erasure', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
    seed(store, GONE);
    seed(store, KEPT);
  });
  afterEach(() => store.close());

  it('leaves no row mentioning the tenant in any table, and keeps the other tenant whole', () => {
    expect(rowsMentioning(store.db, GONE).length).toBeGreaterThan(8);
    const before = rowsMentioning(store.db, KEPT).length;
    const receipt = store.eraseTenant(GONE, 'hubspot app uninstalled');
    expect(rowsMentioning(store.db, GONE)).toEqual([]);
    expect(rowsMentioning(store.db, KEPT)).toHaveLength(before);
    expect(receipt.rowCounts).toMatchObject({
      tenants: 1,
      records: 2,
      record_versions: 3,
      audit_log: 1,
      api_tokens: 2,
      crm_connections: 1,
      sync_cursors: 1,
      tenant_lifecycle: 1,
    });
    expect(store.getTenant(GONE)).toBeNull();
  });

  it('refuses rows for the erased tenant afterwards (a job still running cannot bring it back)', () => {
    store.eraseTenant(GONE, 'uninstall');
    expect(() =>
      store.appendAudit({ tenantId: GONE, at: '2026-03-01T00:00:00Z', actor: 'sync', action: 'late', target: 'x', details: {} }),
    ).toThrow(/no such tenant/);
    expect(() => store.upsertRecords('account', [makeAccount('3', {}, GONE)])).toThrow(/FOREIGN KEY/);
    expect(() =>
      store.appendScoreSets([
        {
          tenantId: GONE,
          accountId: 'hubspot:1' as never,
          computedAt: '2026-03-01T00:00:00Z',
          modelVersion: 'v',
          nextBestActions: [],
          churn: { probability: 0.1, band: 'low', drivers: [], model: { name: 'h', version: '1', kind: 'health-score' } },
        },
      ]),
    ).toThrow(/FOREIGN KEY/);
    expect(rowsMentioning(store.db, GONE)).toEqual([]);
  });

  it('keeps a tenant-free receipt that the tenant id (and only it) can find', () => {
    store.eraseTenant(GONE, 'uninstall');
    const [receipt] = store.findErasures(GONE);
    expect(receipt?.reason).toBe('uninstall');
    expect(receipt?.tenantHash).not.toContain(GONE);
    expect(store.findErasures(KEPT)).toEqual([]);
    expect(() => store.db.prepare('DELETE FROM erasure_log').run()).toThrow(/append-only/);
  });

  it('still refuses audit deletes outside an erasure, and for other tenants during one', () => {
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE tenant_id = ?').run(KEPT)).toThrow(/append-only/);
    store.db.prepare('INSERT INTO erasure_in_progress (tenant_id) VALUES (?)').run(GONE);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE tenant_id = ?').run(KEPT)).toThrow(/append-only/);
    expect(() => store.db.prepare('UPDATE audit_log SET actor = ? WHERE tenant_id = ?').run('x', GONE)).toThrow(/append-only/);
  });

  it('exports every table of the tenant without secrets', () => {
    const rows = [...store.exportTenant(GONE)];
    const tables = new Set(rows.map((r) => r.table));
    for (const t of [
      'tenants',
      'records',
      'record_versions',
      'audit_log',
      'api_tokens',
      'crm_connections',
      'sync_cursors',
      'tenant_lifecycle',
    ])
      expect(tables).toContain(t);
    expect(rows.every((r) => r.table === 'tenants' || r.row.tenant_id === GONE)).toBe(true);
    expect(JSON.stringify(rows)).not.toMatch(/token_ciphertext|token_hash/);
  });

  it('schedules erasure on uninstall and lists tenants whose erasure is due', () => {
    store.markUninstalled(GONE, '2026-02-01T00:00:00Z', 'uninstall', '2026-02-02T00:00:00Z');
    expect(store.tenantLifecycle(GONE)).toMatchObject({ status: 'uninstalled', erasureDueAt: '2026-02-02T00:00:00.000Z' });
    expect(store.dueErasures('2026-02-01T23:59:59Z')).toEqual([]);
    expect(store.dueErasures('2026-02-02T00:00:00Z')).toEqual([GONE]);
  });
});

describe('api token roles', () => {
  it('binds rep tokens to a CRM user and shows rep/service as non-admin through the port', () => {
    const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
    seed(store, KEPT);
    const rep = store.issueApiToken(KEPT, 'rep', 'r', { crmUserId: '42' });
    const service = store.issueApiToken(KEPT, 'service', 's');
    expect(store.resolveStaffToken(rep)).toEqual({ tenantId: KEPT, role: 'rep', label: 'r', crmUserId: '42' });
    expect(store.resolveApiToken(rep)?.role).toBe('reader');
    expect(store.resolveApiToken(service)?.role).toBe('reader');
    expect(() => store.issueApiToken(KEPT, 'rep', 'no-user')).toThrow(/crmUserId/);
    store.close();
  });

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
