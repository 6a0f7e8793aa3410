import type { AppConfig } from '../config/config';
import {
  SuccessEngineError,
  systemClock,
  type Clock,
  type ConnectionId,
  type CrmConnector,
  type Store,
  type TenantId,
  type TextModel,
} from '../../core';
import path from 'node:path';
import { openTextModel } from '../../engine/text/text-model.factory';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import {
  HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL,
  HUBSPOT_RATE_INTERVAL_MS,
  HUBSPOT_SEARCH_REQUESTS_PER_SECOND,
} from '../../connectors/shared/provider-limits';
import {
  hubspotWindow,
  RedisSlidingWindowGovernor,
  RedisTokenBucketGovernor,
  type RateGovernor,
  type RedisEvalClient,
} from '../../connectors/shared/rate-governor';
import { salesforceSessionOptions } from '../install/salesforce-session';
import { WebhookAlertSink, type WebhookEndpoint } from '../../webhooks/outbound/webhook-alert.sink';
import { LocalTenantLock, RedisTenantLock, type TenantLock } from './tenant-lock';

/** What processors call: the store, a connector per saved connection, an alert sink per tenant. */
export interface PipelineAdapters {
  store: Store;
  clock: Clock;
  connector(tenantId: TenantId, connectionId: ConnectionId): Promise<CrmConnector>;
  alertSink(tenantId: TenantId): WebhookAlertSink;
  /** The local text model, opened once per process on first use. */
  textModel(): Promise<TextModel>;
  /** Stops the text model's worker threads, if it was opened. */
  closeTextModel(): Promise<void>;
  /** One score run of a tenant at a time, across every worker sharing the Redis (or this process, without one). */
  tenantLock: TenantLock;
}

/** Opens the text model the process configuration names (models folder, remote models); falls back to the built-in one. */
export function textModelFromConfig(
  config: Pick<AppConfig, 'modelsDir' | 'allowRemoteModels' | 'dataDir'>,
  onNote?: (message: string) => void,
): () => Promise<TextModel> {
  return () =>
    openTextModel({
      modelsDir: config.modelsDir,
      defaultModelsDir: path.join(config.dataDir, 'models'),
      allowRemoteModels: config.allowRemoteModels,
      ...(onNote ? { onNote } : {}),
    });
}

export interface PipelineAdapterOptions {
  store: Store;
  /**
   * Redis for the rate governors: every worker of a tenant, in any process on any host, draws
   * from one bucket per connection. Without it the bucket is per process (one-shot runs).
   */
  redis?: RedisEvalClient;
  /** Key prefix of the governors' buckets and the tenant locks (the deployment's BullMQ prefix). */
  keyPrefix?: string;
  /** HubSpot requests per 10 s of the app's tier (public app: 100). */
  hubspotRequestsPerInterval?: number;
  /** A CRM call without a byte for this long is dropped and retried (config: SE_CRM_REQUEST_TIMEOUT_SECONDS). */
  crmRequestTimeoutMs?: number;
  /** Where a tenant's alerts go, by route (`owner:<id>`, `team:<name>`). */
  alertEndpointFor?: (tenantId: TenantId, route: string) => WebhookEndpoint | undefined;
  clock?: Clock;
  /**
   * The marketplace apps' OAuth clients (config: SE_HUBSPOT_CLIENT_*, SE_SALESFORCE_CLIENT_*), which
   * connectors need to refresh an installed connection's tokens; without them a refresh fails.
   */
  oauthApps?: {
    hubspot?: { clientId: string; clientSecret: string } | undefined;
    salesforce?: { clientId: string; clientSecret: string; loginUrl: string; apiVersion?: string | undefined } | undefined;
  };
  /** Opens the configured text model (app/config); the built-in model without it. */
  openTextModel?: () => Promise<TextModel>;
  /** Namespace of our Salesforce fields: the managed package's unless given (null for an unmanaged org). */
  salesforceNamespace?: string | null;
}

/** The OAuth apps from the process configuration (the same ones install uses). */
export function oauthAppsFromConfig(
  config: Pick<
    AppConfig,
    'hubspotClientId' | 'hubspotClientSecret' | 'salesforceClientId' | 'salesforceClientSecret' | 'salesforceLoginUrl'
  >,
): NonNullable<PipelineAdapterOptions['oauthApps']> {
  return {
    hubspot:
      config.hubspotClientId && config.hubspotClientSecret
        ? { clientId: config.hubspotClientId, clientSecret: config.hubspotClientSecret }
        : undefined,
    salesforce:
      config.salesforceClientId && config.salesforceClientSecret
        ? { clientId: config.salesforceClientId, clientSecret: config.salesforceClientSecret, loginUrl: config.salesforceLoginUrl }
        : undefined,
  };
}

/**
 * Real adapters built from the saved connections: tokens are decrypted by the store, refreshed
 * tokens are saved back encrypted. One connector per connection per process, so its write ledger
 * (what was last written) is shared by that process's jobs; `readBeforeWrite` covers the rest
 * (another process, a restart), so a retried write-back batch never re-applies.
 */
export function createPipelineAdapters(options: PipelineAdapterOptions): PipelineAdapters {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const prefix = options.keyPrefix ?? 'se';
  const connectors = new Map<string, CrmConnector>();
  const sinks = new Map<string, WebhookAlertSink>();
  const redisGovernor = (key: string, config: { capacity: number; refillPerSecond: number }): RateGovernor | undefined =>
    options.redis ? new RedisTokenBucketGovernor(options.redis, `${prefix}:rate:${key}`, config) : undefined;

  const build = async (tenantId: TenantId, connectionId: ConnectionId): Promise<CrmConnector> => {
    const saved = await store.getConnection(tenantId, connectionId);
    if (!saved)
      throw new SuccessEngineError('PIPELINE.UNKNOWN_CONNECTION', `tenant ${tenantId} has no connection ${connectionId}`, {
        tenantId,
        connectionId,
      });
    const { tokens } = saved;
    // A refresh answer may leave out the refresh token (Salesforce never repeats it): keep what it does not replace.
    const onTokens = async (next: typeof tokens): Promise<void> =>
      store.saveConnection({ ...saved, updatedAt: clock.now().toISOString() }, { ...tokens, ...next });
    const apps = options.oauthApps ?? {};
    const key = `${tenantId}:${connectionId}`;
    if (saved.provider === 'hubspot') {
      const perInterval = options.hubspotRequestsPerInterval ?? HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL;
      // HubSpot counts a rolling 10 s window: a log of send slots sustains its full rate (a token bucket holds back its burst).
      const governor = options.redis
        ? new RedisSlidingWindowGovernor(
            options.redis,
            `${prefix}:rate:hubspot:${key}`,
            hubspotWindow(perInterval, HUBSPOT_RATE_INTERVAL_MS),
          )
        : undefined;
      const searchGovernor = redisGovernor(`hubspot-search:${key}`, {
        capacity: 1,
        refillPerSecond: HUBSPOT_SEARCH_REQUESTS_PER_SECOND - 1,
      });
      return new HubSpotConnector({
        tenantId,
        portalKey: key,
        basePath: saved.baseUrl,
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
        ...(apps.hubspot ? { oauthClient: { clientId: apps.hubspot.clientId, clientSecret: apps.hubspot.clientSecret } } : {}),
        onTokens,
        requestsPerInterval: perInterval,
        ...(options.crmRequestTimeoutMs ? { requestTimeoutMs: options.crmRequestTimeoutMs } : {}),
        readBeforeWrite: true,
        clock,
        ...(governor ? { governor } : {}),
        ...(searchGovernor ? { searchGovernor } : {}),
      });
    }
    if (saved.provider === 'salesforce') {
      // Salesforce has no request window, only a daily allocation the connector budgets itself.
      return new SalesforceConnector({
        tenantId,
        orgKey: key,
        instanceUrl: tokens.instanceUrl ?? saved.baseUrl,
        ...salesforceSessionOptions(tokens, apps.salesforce, saved.baseUrl),
        ...(apps.salesforce?.apiVersion ? { version: apps.salesforce.apiVersion } : {}),
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        onTokens,
        ...(options.salesforceNamespace !== undefined ? { namespace: options.salesforceNamespace } : {}),
        readBeforeWrite: true,
        clock,
      });
    }
    throw new SuccessEngineError(
      'PIPELINE.UNKNOWN_CONNECTION',
      `connection ${connectionId} of tenant ${tenantId} is a ${saved.provider} connection, which has no CRM connector`,
      { tenantId, connectionId },
    );
  };

  let textModel: Promise<TextModel> | undefined;
  return {
    store,
    clock,
    tenantLock: options.redis ? new RedisTenantLock(options.redis, prefix) : new LocalTenantLock(),
    textModel() {
      // The shipped model unless the process configures another: the built-in one reads no sentiment.
      textModel ??= options.openTextModel
        ? options.openTextModel()
        : openTextModel({ backend: 'shipped', modelsDir: undefined, allowRemoteModels: false });
      return textModel;
    },
    async closeTextModel() {
      const opened = textModel;
      textModel = undefined;
      if (opened) await (await opened).close();
    },
    async connector(tenantId, connectionId) {
      const key = `${tenantId}\u0000${connectionId}`;
      let connector = connectors.get(key);
      if (!connector) {
        connector = await build(tenantId, connectionId);
        connectors.set(key, connector);
      }
      return connector;
    },
    alertSink(tenantId) {
      let sink = sinks.get(tenantId);
      if (!sink) {
        sink = new WebhookAlertSink({ store, clock, endpointFor: (route) => options.alertEndpointFor?.(tenantId, route) });
        sinks.set(tenantId, sink);
      }
      return sink;
    },
  };
}
