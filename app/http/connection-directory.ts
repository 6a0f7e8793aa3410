import type { CrmProvider } from '../crm-modules';
import type { ConnectionRef, TenantRepository } from '../../core';

export type { ConnectionRef };

/** Finds the connections installed for a CRM org (HubSpot portal id, Salesforce organization id). */
export interface ConnectionDirectory {
  resolve(provider: CrmProvider, orgId: string): Promise<ConnectionRef[]>;
}

/** A fixed map, for tests and the bench. Keys are `<provider>:<orgId>`. */
export class StaticConnectionDirectory implements ConnectionDirectory {
  constructor(private readonly entries: Readonly<Record<string, ConnectionRef[]>>) {}
  resolve(provider: CrmProvider, orgId: string): Promise<ConnectionRef[]> {
    return Promise.resolve(this.entries[`${provider}:${provider === 'salesforce' ? orgId.slice(0, 15) : orgId}`] ?? []);
  }
}

interface CacheEntry {
  refs: ConnectionRef[];
  expires: number;
}

/**
 * The directory over the store's connections. Results are cached briefly: the webhook path asks once
 * per batch and a new install shows up within `ttlMs`.
 */
export class StoreConnectionDirectory implements ConnectionDirectory {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly connections: Pick<TenantRepository, 'findConnectionsByOrg'>,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(provider: CrmProvider, orgId: string): Promise<ConnectionRef[]> {
    const cacheKey = `${provider}:${provider === 'salesforce' ? orgId.slice(0, 15) : orgId}`;
    const t = this.now();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > t) return hit.refs;
    const refs = await this.connections.findConnectionsByOrg(provider, orgId);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { refs, expires: t + this.ttlMs });
    return refs;
  }
}
