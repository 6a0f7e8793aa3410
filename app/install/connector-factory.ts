import {
  type ConnectionId,
  type CrmConnector,
  type CrmTokens,
  type EntityName,
  type Provider,
  type Store,
  type TenantId,
} from '../../core';
import { entityNames } from '../../core';
import type { OpenConnectorInput } from '../../connectors/shared/crm-module';
import { registeredCrm, type CrmApps } from '../crm-modules';
import { resolveTenantAccountMapping } from '../settings/tenant-settings';
import { liveConnection } from './crm-http';
import type { InstallDeps } from './install.types';

/** Worker-side options the CRM module may use (shared rate limits, read-before-write, timeouts). */
export type ConnectorRuntime = Pick<
  OpenConnectorInput,
  'redis' | 'readBeforeWrite' | 'requestTimeoutMs' | 'requestsPerInterval' | 'namespace'
>;

/**
 * A connector for a stored connection (tokens decrypted by the store), built by its CRM's module
 * with the tenant's account mapping. Connectors refresh expired tokens themselves; `onTokens`
 * stores the new ones encrypted, keeping what a refresh answer leaves out (Salesforce never repeats
 * the refresh token). Install, workers and the CLI all open connectors here.
 */
export async function openStoredConnector(
  deps: { store: Store; clock: InstallDeps['clock']; apps: CrmApps },
  tenantId: TenantId,
  connectionId: ConnectionId,
  runtime: ConnectorRuntime = {},
): Promise<CrmConnector> {
  const connection = await liveConnection(deps, tenantId, connectionId);
  const { tokens, ...meta } = connection;
  const onTokens = async (next: CrmTokens): Promise<void> =>
    deps.store.saveConnection({ ...meta, updatedAt: deps.clock.now().toISOString() }, { ...tokens, ...next });
  const crm = registeredCrm(connection.provider);
  const accountMapping = await resolveTenantAccountMapping(deps.store, tenantId, connection.provider);
  return crm.bind(deps.apps).openConnector({ tenantId, connectionId, connection, onTokens, clock: deps.clock, accountMapping, ...runtime });
}

/** The connector install uses (schema, first backfill): the installing server's apps. */
export async function openConnector(deps: InstallDeps, tenantId: TenantId, connectionId: ConnectionId): Promise<CrmConnector> {
  return openStoredConnector({ store: deps.store, clock: deps.clock, apps: deps.settings }, tenantId, connectionId);
}

/** What a first backfill pulls: every entity (a connector answers an empty, done page for one it has no object for). */
export function backfillEntities(_provider: Provider): EntityName[] {
  return [...entityNames];
}
