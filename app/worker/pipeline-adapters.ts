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
import type { RedisEvalClient } from '../../connectors/shared/rate-governor';
import { isCrmProvider, type CrmApps } from '../crm-modules';
import { openStoredConnector, type ConnectorRuntime } from '../install/connector-factory';
import { SETTING_KEYS } from '../settings/tenant-settings';
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
  oauthApps?: CrmApps;
  /** Opens the configured text model (app/config); the built-in model without it. */
  openTextModel?: () => Promise<TextModel>;
  /** Namespace of our Salesforce fields: the managed package's unless given (null for an unmanaged org). */
  salesforceNamespace?: string | null;
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
  const connectors = new Map<string, { connector: CrmConnector; mappingVersion: string }>();
  const sinks = new Map<string, WebhookAlertSink>();

  const runtime: ConnectorRuntime = {
    ...(options.redis ? { redis: { client: options.redis, keyPrefix: prefix } } : {}),
    readBeforeWrite: true,
    ...(options.crmRequestTimeoutMs ? { requestTimeoutMs: options.crmRequestTimeoutMs } : {}),
    ...(options.hubspotRequestsPerInterval ? { requestsPerInterval: options.hubspotRequestsPerInterval } : {}),
    ...(options.salesforceNamespace !== undefined ? { namespace: options.salesforceNamespace } : {}),
  };
  const build = async (tenantId: TenantId, connectionId: ConnectionId): Promise<CrmConnector> => {
    const saved = await store.getConnection(tenantId, connectionId);
    if (!saved)
      throw new SuccessEngineError('PIPELINE.UNKNOWN_CONNECTION', `tenant ${tenantId} has no connection ${connectionId}`, {
        tenantId,
        connectionId,
      });
    if (!isCrmProvider(saved.provider))
      throw new SuccessEngineError(
        'PIPELINE.UNKNOWN_CONNECTION',
        `connection ${connectionId} of tenant ${tenantId} is a ${saved.provider} connection, which has no CRM connector`,
        { tenantId, connectionId },
      );
    return openStoredConnector({ store, clock, apps: options.oauthApps ?? {} }, tenantId, connectionId, runtime);
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
      // An admin's new field mapping reaches the next job: the connector is rebuilt when it changes.
      const mappingVersion = (await store.getTenantSetting(tenantId, SETTING_KEYS.fieldMapping))?.updatedAt ?? '';
      const cached = connectors.get(key);
      if (cached?.mappingVersion === mappingVersion) return cached.connector;
      const connector = await build(tenantId, connectionId);
      connectors.set(key, { connector, mappingVersion });
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
