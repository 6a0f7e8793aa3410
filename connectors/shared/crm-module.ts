import type { Clock, ConnectionId, CrmConnector, CrmTokens, EntityName, Provider, TenantId } from '../../core';
import type { StoredConnection } from '../../core/ports/store.port';
import type { ConnectionRequest } from './crm-http';
import type { AccountFieldMapping } from './field-mapping';
import type { ProviderLimitProfile } from './provider-limits';
import type { RedisEvalClient } from './rate-governor';

/**
 * Everything the product knows about one CRM, in that CRM's folder (`connectors/<crm>/<crm>.module.ts`),
 * registered once in `app/crm-modules.ts`. Install, workers, record access and inbound events read
 * the CRM from here; nothing outside the module branches on the provider.
 *
 * `App` is the product's own OAuth app in that CRM's marketplace (client id, secret, URLs), from
 * config; `bind` closes over it so callers never handle one CRM's settings with another's code.
 */
export interface CrmModule<App> extends SourceModule {
  /** How a new tenant is named ("HubSpot portal 123"). */
  orgLabel(orgId: string): string;
  readonly limits: ProviderLimitProfile;
  /** The CRM's object names in webhooks and change events → our entities; others are not synced. */
  readonly inboundEntities: Readonly<Record<string, EntityName>>;
  bind(app: App | undefined): CrmBinding;
}

/** What every source of records declares, CRMs and file imports alike. */
export interface SourceModule {
  readonly provider: Provider;
  /** Product-facing name ("HubSpot"). */
  readonly label: string;
  /** Canonical account field ← source field; an admin overrides any of them per tenant. */
  readonly defaultAccountMapping: AccountFieldMapping;
  /** What an admin may type as a field name of this source (checked before it is saved). */
  readonly fieldName: { pattern: RegExp; rule: string };
}

/** A CRM module with the product's app for that CRM (which may be absent: not configured on this server). */
export interface CrmBinding {
  /** Where "Install" sends the admin: the CRM's consent page. */
  authorizeUrl(redirectUri: string, state: string): string;
  /** Trade the OAuth callback's code for tokens, and learn which org/portal and user installed. */
  exchangeCode(code: string, redirectUri: string, now: Date): Promise<ExchangedInstall>;
  /** New tokens from the refresh token; `CONNECTOR.AUTH_REVOKED` when the CRM refuses it. */
  refreshTokens(connection: StoredConnection, now: Date): Promise<CrmTokens>;
  /** End our access in the CRM (best effort); returns what the CRM answered, for the audit log. */
  revoke(connection: StoredConnection, request: ConnectionRequest): Promise<string>;
  /** The one connector factory: install, workers and the CLI all build connectors here. */
  openConnector(input: OpenConnectorInput): CrmConnector;
  /** Whether a CRM user may see a record, asked of the CRM (its own sharing model). */
  canUserSee(request: ConnectionRequest, lookup: CachedLookup, crmUserId: string, record: CrmRecordRef): Promise<AccessAnswer>;
}

export interface ExchangedInstall {
  orgId: string;
  installerId: string;
  baseUrl: string;
  tokens: CrmTokens;
}

export interface OpenConnectorInput {
  tenantId: TenantId;
  connectionId: ConnectionId;
  connection: StoredConnection;
  /** Stores refreshed tokens (encrypted) so the next job starts with them. */
  onTokens: (next: CrmTokens) => Promise<void>;
  clock: Clock;
  /** The tenant's account mapping (defaults with the admin's overrides). */
  accountMapping?: AccountFieldMapping;
  /** Under BullMQ: share rate limits across processes through Redis; without it, limits are per process. */
  redis?: { client: RedisEvalClient; keyPrefix: string };
  /** Re-read current CRM values before a write the process has no ledger entry for (workers). */
  readBeforeWrite?: boolean;
  requestTimeoutMs?: number;
  /** The app tier's request window, where the CRM has one. */
  requestsPerInterval?: number;
  /** The managed package's namespace prefix, where the CRM has packages. */
  namespace?: string | null;
}

export interface CrmRecordRef {
  objectType: 'account' | 'opportunity';
  externalId: string;
}

export interface AccessAnswer {
  allowed: boolean;
  /** Why, for logs and the 403 body: owner, team, unassigned, view-all, hidden, unknown-user… */
  reason: string;
}

/** A short-lived cache for lookups a visibility check repeats (users, teams, owners). */
export type CachedLookup = <T>(what: string, load: () => Promise<T>) => Promise<T>;
