import type Database from 'better-sqlite3';
import type { ConnectionId, TenantId } from '../../core';

/** Which tenant and connection an inbound event belongs to. */
export interface ConnectionRef {
  tenantId: TenantId;
  connectionId: ConnectionId;
}

/**
 * Finds the connections installed for a CRM org (HubSpot portal id, Salesforce organization id).
 * The record-store port has no such lookup yet; this is the local port the inbound path needs.
 */
export interface ConnectionDirectory {
  resolve(provider: 'hubspot' | 'salesforce', orgId: string): ConnectionRef[];
}

/** A fixed map, for tests and the bench. Keys are `<provider>:<orgId>`. */
export class StaticConnectionDirectory implements ConnectionDirectory {
  constructor(private readonly entries: Readonly<Record<string, ConnectionRef[]>>) {}
  resolve(provider: 'hubspot' | 'salesforce', orgId: string): ConnectionRef[] {
    return this.entries[`${provider}:${provider === 'salesforce' ? orgId.slice(0, 15) : orgId}`] ?? [];
  }
}

interface CacheEntry {
  refs: ConnectionRef[];
  expires: number;
}

/**
 * The directory over the SQLite store's `crm_connections` table (read-only). Results are cached
 * briefly: the webhook path asks once per batch and a new install shows up within `ttlMs`.
 * Salesforce org ids compare on their 15-character form, since either form may arrive.
 */
export class SqliteConnectionDirectory implements ConnectionDirectory {
  private readonly query: Database.Statement<[{ provider: string; org: string }]>;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    db: Database.Database,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.query = db.prepare(
      `SELECT tenant_id, id FROM crm_connections
        WHERE provider = @provider AND (CASE WHEN @provider = 'salesforce' THEN substr(external_org_id, 1, 15) ELSE external_org_id END) = @org
        ORDER BY tenant_id, id`,
    );
  }

  resolve(provider: 'hubspot' | 'salesforce', orgId: string): ConnectionRef[] {
    const key = provider === 'salesforce' ? orgId.slice(0, 15) : orgId;
    const cacheKey = `${provider}:${key}`;
    const t = this.now();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > t) return hit.refs;
    const rows = this.query.all({ provider, org: key }) as { tenant_id: string; id: string }[];
    const refs = rows.map((r) => ({ tenantId: r.tenant_id as TenantId, connectionId: r.id as ConnectionId }));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { refs, expires: t + this.ttlMs });
    return refs;
  }
}
