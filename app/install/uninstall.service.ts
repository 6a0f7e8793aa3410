import { SuccessEngineError, type ConnectionId, type TenantId } from '../../core';
import type { ErasureReceipt } from '../../core';
import { getJson, postForm } from '../../connectors/shared/crm-http';
import { isCrmProvider, registeredCrm } from '../crm-modules';
import { connectionRequest, refreshConnection } from './crm-http';
import { DEFAULT_ERASURE_GRACE_MS, type InstallDeps } from './install.types';

export type UninstallReason = 'hubspot-app-uninstalled' | 'salesforce-token-revoked' | 'admin-uninstall';

export interface UninstallResult {
  tenantId: TenantId;
  erasureDueAt: string;
  /** What the CRM said to our revocation, per connection ("skipped" when the CRM signalled it). */
  revoked: Record<string, string>;
  /** Present when the grace period is zero: erased at once. */
  receipt?: ErasureReceipt;
}

/**
 * Uninstall a tenant: revoke and forget its CRM tokens now (no further CRM access), keep its data
 * for the admin's export until `erasureDueAt`, when `eraseDueTenants` deletes every row.
 * Idempotent: a second signal for the same tenant changes nothing.
 */
export async function uninstallTenant(
  deps: InstallDeps,
  tenantId: TenantId,
  reason: UninstallReason,
  options: { actor: string; revokeAtCrm: boolean },
): Promise<UninstallResult> {
  const lifecycle = await deps.store.tenantLifecycle(tenantId);
  if (!(await deps.store.getTenant(tenantId))) throw new SuccessEngineError('STORE.NOT_FOUND', `no tenant ${tenantId}`);
  if (lifecycle?.status === 'uninstalled' && lifecycle.erasureDueAt) return { tenantId, erasureDueAt: lifecycle.erasureDueAt, revoked: {} };
  const revoked: Record<string, string> = {};
  for (const meta of await deps.store.listConnections(tenantId)) {
    revoked[meta.id] = options.revokeAtCrm ? await revokeAtCrm(deps, tenantId, meta.id) : 'skipped';
    await deps.store.deleteConnection(tenantId, meta.id);
  }
  const now = deps.clock.now();
  const erasureDueAt = new Date(now.getTime() + (deps.settings.erasureGraceMs ?? DEFAULT_ERASURE_GRACE_MS)).toISOString();
  await deps.store.markUninstalled(tenantId, now.toISOString(), reason, erasureDueAt);
  await deps.store.appendAudit({
    tenantId,
    at: now.toISOString(),
    actor: options.actor,
    action: 'uninstall.received',
    target: reason,
    details: { erasureDueAt, revoked },
  });
  const result: UninstallResult = { tenantId, erasureDueAt, revoked };
  if ((deps.settings.erasureGraceMs ?? DEFAULT_ERASURE_GRACE_MS) === 0) result.receipt = await deps.store.eraseTenant(tenantId, reason);
  return result;
}

/** Erase every uninstalled tenant whose grace period is over (run by a schedule, e.g. hourly). */
export async function eraseDueTenants(deps: InstallDeps): Promise<ErasureReceipt[]> {
  const now = deps.clock.now().toISOString();
  const receipts: ErasureReceipt[] = [];
  for (const tenantId of await deps.store.dueErasures(now)) {
    const reason = (await deps.store.tenantLifecycle(tenantId))?.uninstallReason ?? 'uninstalled';
    receipts.push(await deps.store.eraseTenant(tenantId, reason));
  }
  return receipts;
}

async function revokeAtCrm(deps: InstallDeps, tenantId: TenantId, connectionId: ConnectionId): Promise<string> {
  const connection = await deps.store.getConnection(tenantId, connectionId);
  if (!connection) return 'no tokens';
  if (!isCrmProvider(connection.provider)) return 'not an OAuth connection';
  try {
    return await registeredCrm(connection.provider)
      .bind(deps.settings)
      .revoke(connection, connectionRequest(deps, tenantId, connectionId));
  } catch (error) {
    // Best effort: the tokens are deleted here either way.
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * HubSpot signals an uninstall as an `app_lifecycle_event` / `APP_UNINSTALL` entry in the app's
 * webhooks journal, which apps poll with a client-credentials token. The offset is kept in memory:
 * after a restart the journal is read from the start again, which is safe because an event only
 * acts on an install older than itself (a later reinstall is left alone).
 */
export class HubSpotUninstallPoller {
  private offset: string | null = null;
  private appToken: { token: string; expiresAt: number } | null = null;

  constructor(private readonly deps: InstallDeps) {}

  /** Reads every journal entry after the last one seen; returns the tenants uninstalled. */
  async poll(): Promise<UninstallResult[]> {
    const app = this.deps.settings.hubspot;
    if (!app) return [];
    const results: UninstallResult[] = [];
    for (;;) {
      const token = await this.token();
      const pointer = await getJson(
        `${app.apiBaseUrl}/webhooks-journal/journal/2026-03/${this.offset === null ? 'earliest' : `offset/${this.offset}/next`}`,
        token,
      );
      if (pointer.status === 404 || pointer.status === 204 || pointer.body === null) return results;
      if (pointer.status !== 200)
        throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot webhooks journal answered ${pointer.status}`);
      const { url, currentOffset } = pointer.body as { url: string; currentOffset: string };
      const file = await getJson(url, token);
      if (file.status !== 200) throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot journal file answered ${file.status}`);
      for (const event of (file.body as { journalEvents?: { type?: string; action?: string; portalId?: number; occurredAt?: string }[] })
        .journalEvents ?? []) {
        if (event.type !== 'app_lifecycle_event' || event.action !== 'APP_UNINSTALL' || event.portalId === undefined) continue;
        const [found] = await this.deps.store.findConnectionsByOrg('hubspot', String(event.portalId));
        if (!found) continue;
        const connection = (await this.deps.store.listConnections(found.tenantId)).find((c) => c.id === found.connectionId);
        if (connection && event.occurredAt && Date.parse(event.occurredAt) < Date.parse(connection.createdAt)) continue;
        results.push(
          await uninstallTenant(this.deps, found.tenantId, 'hubspot-app-uninstalled', {
            actor: `hubspot-portal:${event.portalId}`,
            revokeAtCrm: false,
          }),
        );
      }
      this.offset = currentOffset;
    }
  }

  private async token(): Promise<string> {
    const app = this.deps.settings.hubspot;
    if (!app) throw new SuccessEngineError('INSTALL.NOT_CONFIGURED', 'the hubspot app is not configured on this server');
    const now = this.deps.clock.now().getTime();
    if (this.appToken && this.appToken.expiresAt - 60_000 > now) return this.appToken.token;
    const res = await postForm(`${app.apiBaseUrl}/oauth/v1/token`, {
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      scope: 'developer.webhooks_journal.read',
    });
    const body = res.body as { access_token?: string; expires_in?: number };
    if (res.status !== 200 || !body.access_token)
      throw new SuccessEngineError('CONNECTOR.AUTH_REVOKED', `HubSpot refused the app's client credentials (${res.status})`);
    this.appToken = { token: body.access_token, expiresAt: now + (body.expires_in ?? 1800) * 1000 };
    return body.access_token;
  }
}

/**
 * Salesforce has no uninstall callback we can rely on (a package UninstallHandler cannot call out),
 * but uninstalling the package or revoking our connected app in Setup kills the refresh token.
 * This probe (run by a schedule, and by workers on CONNECTOR.AUTH_REVOKED) refreshes the token;
 * `invalid_grant` uninstalls the tenant.
 */
export async function probeSalesforceInstall(deps: InstallDeps, tenantId: TenantId): Promise<UninstallResult | null> {
  const connection = (await deps.store.listConnections(tenantId)).find((c) => c.provider === 'salesforce');
  if (!connection) return null;
  const stored = await deps.store.getConnection(tenantId, connection.id);
  if (!stored) return null;
  try {
    await refreshConnection(deps, stored);
    return null;
  } catch (error) {
    if (error instanceof SuccessEngineError && error.code === 'CONNECTOR.AUTH_REVOKED')
      return uninstallTenant(deps, tenantId, 'salesforce-token-revoked', {
        actor: `salesforce-org:${connection.externalOrgId}`,
        revokeAtCrm: false,
      });
    throw error;
  }
}
