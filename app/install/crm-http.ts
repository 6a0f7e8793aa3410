import { SuccessEngineError, type ConnectionId, type CrmTokens, type TenantId } from '../../core';
import type { StoredConnection } from '../../core/ports/store.port';
import type { InstallDeps } from './install.types';

/**
 * The few raw CRM calls install, uninstall and record access make (token exchange, identity,
 * revocation, visibility), with refresh on expiry. Sync and write-back go through connectors.
 */
export interface CrmResponse {
  status: number;
  body: unknown;
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<CrmResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await readBody(res) };
}

export async function getJson(url: string, accessToken: string, method = 'GET'): Promise<CrmResponse> {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
  return { status: res.status, body: await readBody(res) };
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

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
  let tokens: CrmTokens;
  if (connection.provider === 'hubspot') {
    const app = deps.settings.hubspot;
    if (!app) throw new SuccessEngineError('CONFIG.INVALID', 'HubSpot app credentials are not configured');
    const res = await postForm(`${app.apiBaseUrl}/oauth/v1/token`, {
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: refreshToken,
    });
    const body = res.body as { access_token?: string; refresh_token?: string; expires_in?: number };
    if (res.status === 400)
      throw new SuccessEngineError('CONNECTOR.AUTH_REVOKED', `HubSpot refused the refresh token of tenant ${connection.tenantId}`, {
        response: res.body,
      });
    if (res.status !== 200 || !body.access_token)
      throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot token refresh answered ${res.status}`);
    tokens = {
      ...connection.tokens,
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? refreshToken,
      expiresAt: new Date(deps.clock.now().getTime() + (body.expires_in ?? 1800) * 1000).toISOString(),
    };
  } else if (connection.provider === 'salesforce') {
    const app = deps.settings.salesforce;
    if (!app) throw new SuccessEngineError('CONFIG.INVALID', 'Salesforce connected app credentials are not configured');
    const res = await postForm(`${app.loginUrl}/services/oauth2/token`, {
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: refreshToken,
    });
    const body = res.body as { access_token?: string; instance_url?: string; error?: string };
    if (res.status === 400 && body.error === 'invalid_grant')
      throw new SuccessEngineError(
        'CONNECTOR.AUTH_REVOKED',
        `Salesforce refused the refresh token of tenant ${connection.tenantId} (revoked, or the app was uninstalled)`,
        { response: res.body },
      );
    if (res.status !== 200 || !body.access_token)
      throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `Salesforce token refresh answered ${res.status}`);
    tokens = { ...connection.tokens, accessToken: body.access_token, ...(body.instance_url ? { instanceUrl: body.instance_url } : {}) };
  } else {
    throw new SuccessEngineError('INSTALL.UNSUPPORTED', `provider ${connection.provider} has no OAuth refresh`);
  }
  const updated: StoredConnection = { ...connection, updatedAt: deps.clock.now().toISOString(), tokens };
  const { tokens: _t, ...meta } = updated;
  await deps.store.saveConnection(meta, tokens);
  return updated;
}

/**
 * GET a CRM URL as the connection: refreshed ahead of a known expiry, and once more after a 401
 * (Salesforce sessions have no stated expiry).
 */
export async function crmGet(deps: InstallDeps, tenantId: TenantId, connectionId: ConnectionId, pathOrUrl: string): Promise<CrmResponse> {
  let connection = await liveConnection(deps, tenantId, connectionId);
  const expiresAt = connection.tokens.expiresAt ? Date.parse(connection.tokens.expiresAt) : Number.POSITIVE_INFINITY;
  if (expiresAt - REFRESH_AHEAD_MS <= deps.clock.now().getTime()) connection = await refreshConnection(deps, connection);
  const url = (c: StoredConnection): string =>
    /^https?:/.test(pathOrUrl) ? pathOrUrl : `${c.tokens.instanceUrl ?? c.baseUrl}${pathOrUrl}`;
  let res = await getJson(url(connection), connection.tokens.accessToken);
  if (res.status === 401) {
    connection = await refreshConnection(deps, connection);
    res = await getJson(url(connection), connection.tokens.accessToken);
  }
  return res;
}
