import {
  SuccessEngineError,
  type ConnectionId,
  type CrmConnector,
  type CrmTokens,
  type EntityName,
  type Provider,
  type TenantId,
} from '../../core';
import { entityNames } from '../../core';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import { liveConnection } from './crm-http';
import { salesforceSessionOptions } from './salesforce-session';
import type { InstallDeps } from './install.types';

export const DEFAULT_SALESFORCE_API_VERSION = '62.0';

/**
 * A connector for an installed connection, from its stored (decrypted) tokens. Connectors refresh
 * expired tokens themselves; `onTokens` stores the new ones encrypted, so the next job starts fresh.
 */
export async function openConnector(deps: InstallDeps, tenantId: TenantId, connectionId: ConnectionId): Promise<CrmConnector> {
  const connection = await liveConnection(deps, tenantId, connectionId);
  const { tokens, ...meta } = connection;
  const onTokens = async (next: CrmTokens): Promise<void> =>
    deps.store.saveConnection({ ...meta, updatedAt: deps.clock.now().toISOString() }, { ...tokens, ...next });
  if (connection.provider === 'hubspot') {
    const app = deps.settings.hubspot;
    return new HubSpotConnector({
      tenantId,
      portalKey: connection.externalOrgId,
      basePath: connection.baseUrl,
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
      ...(app ? { oauthClient: { clientId: app.clientId, clientSecret: app.clientSecret } } : {}),
      onTokens,
      clock: deps.clock,
    });
  }
  if (connection.provider === 'salesforce') {
    const app = deps.settings.salesforce;
    return new SalesforceConnector({
      tenantId,
      orgKey: connection.externalOrgId,
      instanceUrl: tokens.instanceUrl ?? connection.baseUrl,
      ...salesforceSessionOptions(tokens, app, connection.baseUrl),
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      version: app?.apiVersion ?? DEFAULT_SALESFORCE_API_VERSION,
      onTokens,
      clock: deps.clock,
    });
  }
  throw new SuccessEngineError('INSTALL.UNSUPPORTED', `no OAuth connector for provider ${connection.provider}`);
}

/** What a first backfill pulls: every entity (a connector answers an empty, done page for one it has no object for). */
export function backfillEntities(_provider: Provider): EntityName[] {
  return [...entityNames];
}
