import type { RequestHandler } from 'express';
import { SuccessEngineError, type Provider, type TenantId } from '../../core';
import { connectionRequest } from './crm-http';
import { CRM_PROVIDERS, isCrmProvider, registeredCrm, type CrmProvider } from '../crm-modules';
import type { StaffPrincipal } from '../../core';
import type { InstallDeps } from './install.types';

/** A CRM record a card is about: a company/Account or a deal/Opportunity. */
export interface RecordRef {
  provider: Provider;
  objectType: 'account' | 'opportunity';
  /** The CRM's own id (HubSpot object id, Salesforce record id). */
  externalId: string;
}

export interface AccessDecision {
  allowed: boolean;
  /** Why, for logs and the 403 body: owner, team, unassigned, view-all, shared, hidden, unknown-user… */
  reason: string;
  cached: boolean;
}

/** `hubspot:123` → provider and external id (canonical ids are `<provider>:<externalId>`). */
export function recordRefFromCanonicalId(canonicalId: string, objectType: RecordRef['objectType'] = 'account'): RecordRef {
  const at = canonicalId.indexOf(':');
  const provider = canonicalId.slice(0, at);
  if (at < 1 || !isCrmProvider(provider))
    throw new SuccessEngineError(
      'HTTP.BAD_REQUEST',
      `record id ${canonicalId} is not a CRM record id (expected ${CRM_PROVIDERS.map((p) => `${p}:<id>`).join(' or ')})`,
    );
  return { provider, objectType, externalId: canonicalId.slice(at + 1) };
}

/**
 * Whether a CRM user may see a record, asked of the CRM itself by its module (its own sharing
 * model) and cached briefly (default 60 s: a card renders several requests; sharing changes reach
 * us within a minute).
 */
export class RecordAccessChecker {
  private readonly decisions = new Map<string, { allowed: boolean; reason: string; at: number }>();
  private readonly lookups = new Map<string, { value: unknown; at: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly deps: InstallDeps,
    options: { ttlMs?: number; maxEntries?: number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  async canUserSeeRecord(tenantId: TenantId, crmUserId: string, record: RecordRef): Promise<AccessDecision> {
    const key = `${tenantId}|${record.provider}|${crmUserId}|${record.objectType}|${record.externalId}`;
    const now = this.deps.clock.now().getTime();
    const hit = this.decisions.get(key);
    if (hit && now - hit.at < this.ttlMs) return { allowed: hit.allowed, reason: hit.reason, cached: true };
    const connection = (await this.deps.store.listConnections(tenantId)).find((c) => c.provider === record.provider);
    let decision: { allowed: boolean; reason: string };
    try {
      decision = !connection
        ? { allowed: false, reason: 'not-connected' }
        : await registeredCrm(record.provider)
            .bind(this.deps.settings)
            .canUserSee(
              connectionRequest(this.deps, tenantId, connection.id),
              (what, load) => this.lookup(tenantId, what, load),
              crmUserId,
              record,
            );
    } catch (error) {
      // Our CRM access is gone (uninstalled, revoked): nobody sees cards; not cached, a reconnect fixes it.
      if (error instanceof SuccessEngineError && error.code === 'CONNECTOR.AUTH_REVOKED')
        return { allowed: false, reason: 'crm-access-revoked', cached: false };
      throw error;
    }
    if (this.decisions.size >= this.maxEntries) this.decisions.delete(this.decisions.keys().next().value as string);
    this.decisions.set(key, { ...decision, at: now });
    return { ...decision, cached: false };
  }

  /** The card routes' `RecordAccessCheck` (app/http/crm/crm-card.service.ts): the same answer as a boolean. */
  readonly check = async (
    tenantId: TenantId,
    provider: CrmProvider,
    crmUserId: string,
    objectType: RecordRef['objectType'],
    externalId: string,
  ): Promise<boolean> => (await this.canUserSeeRecord(tenantId, crmUserId, { provider, objectType, externalId })).allowed;

  /** The principal of an API token (for guards mounted without `authenticateStaff`). */
  async principalOf(token: string): Promise<StaffPrincipal | null> {
    return this.deps.store.resolveStaffToken(token);
  }

  /** Forget cached answers (all, or one tenant's), e.g. after an admin changes sharing. */
  invalidate(tenantId?: TenantId): void {
    for (const map of [this.decisions, this.lookups])
      for (const key of [...map.keys()]) if (!tenantId || key.startsWith(`${tenantId}|`)) map.delete(key);
  }

  private async lookup<T>(tenantId: TenantId, what: string, load: () => Promise<T>): Promise<T> {
    const key = `${tenantId}|${what}`;
    const now = this.deps.clock.now().getTime();
    const hit = this.lookups.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as T;
    const value = await load();
    this.lookups.set(key, { value, at: now });
    return value;
  }
}

/**
 * For card routes with a record in the path (canonical id, `hubspot:123`). The caller is either
 * an API token (`authenticateStaff` ran, or the Bearer token is resolved here) or a CRM request
 * whose signature the card routes verified, leaving `res.locals.tenantId` and `res.locals.crmUserId`.
 * Tenant admins pass; reps are checked as their own CRM user; any other caller needs the CRM user of
 * a verified CRM request. 403 `ACCESS.RECORD_HIDDEN` when the CRM says no.
 */
export function requireRecordAccess(
  checker: RecordAccessChecker,
  options: { param?: string; objectType?: RecordRef['objectType'] } = {},
): RequestHandler {
  const param = options.param ?? 'accountId';
  return async (req, res, next) => {
    try {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      const staff = (res.locals.staff as StaffPrincipal | undefined) ?? (bearer ? await checker.principalOf(bearer) : null);
      const tenantId = staff?.tenantId ?? (typeof res.locals.tenantId === 'string' ? (res.locals.tenantId as TenantId) : null);
      if (!tenantId) {
        res.status(401).json({ error: { code: 'HTTP.UNAUTHENTICATED', message: 'send an API token, or a signed CRM request' } });
        return;
      }
      if (staff?.role === 'admin') {
        next();
        return;
      }
      const crmUserId = staff?.crmUserId ?? (typeof res.locals.crmUserId === 'string' ? res.locals.crmUserId : null);
      if (!crmUserId) {
        res.status(403).json({
          error: {
            code: 'ACCESS.NO_CRM_USER',
            message: 'record cards need the CRM user who is looking (a rep token, or a verified CRM request)',
          },
        });
        return;
      }
      const raw = req.params[param];
      const record = recordRefFromCanonicalId(typeof raw === 'string' ? raw : '', options.objectType ?? 'account');
      const decision = await checker.canUserSeeRecord(tenantId, crmUserId, record);
      if (!decision.allowed) {
        res.status(403).json({
          error: {
            code: 'ACCESS.RECORD_HIDDEN',
            message: `CRM user ${crmUserId} cannot see this record in ${record.provider} (${decision.reason})`,
          },
        });
        return;
      }
      next();
    } catch (error) {
      if (error instanceof SuccessEngineError && error.code === 'HTTP.BAD_REQUEST') {
        res.status(400).json({ error: { code: error.code, message: error.message } });
        return;
      }
      // Fail closed: when the CRM cannot answer, the card is not shown.
      if (error instanceof SuccessEngineError && error.code.startsWith('CONNECTOR.')) {
        res
          .status(503)
          .set('Retry-After', '30')
          .json({
            error: { code: 'ACCESS.CRM_UNAVAILABLE', message: `could not ask the CRM whether this user sees the record (${error.code})` },
          });
        return;
      }
      next(error);
    }
  };
}
