import { SuccessEngineError, type ConnectionId, type TenantId } from '../../core';
import { getJson, type ConnectionRequest, type CrmResponse } from '../../connectors/shared/crm-http';
import { registeredCrm } from '../crm-modules';
import type { StoredConnection } from '../../core/ports/store.port';
import type { InstallDeps } from './install.types';

/** A live connection (tokens decrypted) or a coded error saying the tenant is not connected. */
export async function liveConnection(
  deps: Pick<InstallDeps, 'store'>,
  tenantId: TenantId,
  connectionId: ConnectionId,
): Promise<StoredConnection> {
  const connection = await deps.store.getConnection(tenantId, connectionId);
  if (!connection)
    throw new SuccessEngineError(
      'INSTALL.NOT_CONNECTED',
      `tenant ${tenantId} has no connection ${connectionId} (not installed, or uninstalled)`,
    );
  return connection;
}

const REFRESH_AHEAD_MS = 60_000;

/**
 * Refresh a connection's tokens and store them (encrypted). A refused refresh token means the
 * install is gone (uninstalled, revoked in the CRM): CONNECTOR.AUTH_REVOKED.
 */
export async function refreshConnection(deps: InstallDeps, connection: StoredConnection): Promise<StoredConnection> {
  const refreshToken = connection.tokens.refreshToken;
  if (!refreshToken)
    throw new SuccessEngineError(
      'CONNECTOR.AUTH_REVOKED',
      `connection ${connection.id} of tenant ${connection.tenantId} has no refresh token`,
    );
  const tokens = await registeredCrm(connection.provider).bind(deps.settings).refreshTokens(connection, deps.clock.now());
  const updated: StoredConnection = { ...connection, updatedAt: deps.clock.now().toISOString(), tokens };
  const { tokens: _t, ...meta } = updated;
  await deps.store.saveConnection(meta, tokens);
  return updated;
}

/**
 * A call to a CRM URL as the connection: refreshed ahead of a known expiry, and once more after a
 * 401 (Salesforce sessions have no stated expiry).
 */
export async function crmRequest(
  deps: InstallDeps,
  tenantId: TenantId,
  connectionId: ConnectionId,
  pathOrUrl: string,
  method: 'GET' | 'DELETE' = 'GET',
): Promise<CrmResponse> {
  let connection = await liveConnection(deps, tenantId, connectionId);
  const expiresAt = connection.tokens.expiresAt ? Date.parse(connection.tokens.expiresAt) : Number.POSITIVE_INFINITY;
  if (expiresAt - REFRESH_AHEAD_MS <= deps.clock.now().getTime()) connection = await refreshConnection(deps, connection);
  const url = (c: StoredConnection): string =>
    /^https?:/.test(pathOrUrl) ? pathOrUrl : `${c.tokens.instanceUrl ?? c.baseUrl}${pathOrUrl}`;
  let res = await getJson(url(connection), connection.tokens.accessToken, method);
  if (res.status === 401) {
    connection = await refreshConnection(deps, connection);
    res = await getJson(url(connection), connection.tokens.accessToken, method);
  }
  return res;
}

/** `crmRequest` bound to one connection, as CRM modules take it. */
export const connectionRequest =
  (deps: InstallDeps, tenantId: TenantId, connectionId: ConnectionId): ConnectionRequest =>
  (pathOrUrl, method) =>
    crmRequest(deps, tenantId, connectionId, pathOrUrl, method);
