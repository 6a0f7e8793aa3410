import type { Redis } from 'ioredis';
import type { Clock, Store, TenantId } from '../../core';
import type { WebhookEndpoint } from '../../webhooks/outbound/webhook-alert.sink';
import type { Logger } from '../log/logger';
import { recordJob } from '../observability/metrics';
import {
  BullmqJobQueue,
  redisConnection,
  startWorkers,
  throttledRedisWarning,
  type WorkerPool,
  type WorkerTuning,
} from '../queue/bullmq-queue';
import { createPipelineAdapters, type PipelineAdapterOptions, type PipelineAdapters } from './pipeline-adapters';
import { createProcessors, type ProcessorHooks } from './processors';

export interface WorkerRuntimeOptions extends WorkerTuning {
  redisUrl: string;
  prefix?: string;
  store: Store;
  log: Logger;
  hubspotRequestsPerInterval?: number;
  crmRequestTimeoutMs?: number;
  alertEndpointFor?: (tenantId: TenantId, route: string) => WebhookEndpoint | undefined;
  hooks?: ProcessorHooks;
  clock?: Clock;
  oauthApps?: PipelineAdapterOptions['oauthApps'];
  openTextModel?: PipelineAdapterOptions['openTextModel'];
  salesforceNamespace?: PipelineAdapterOptions['salesforceNamespace'];
}

export interface WorkerRuntime {
  producer: BullmqJobQueue;
  pool: WorkerPool;
  adapters: PipelineAdapters;
  /** Graceful: stop taking jobs, let active ones finish, then disconnect. `force` does not wait for active jobs (Redis away). */
  close(options?: { force?: boolean }): Promise<void>;
  /** Drop every Redis connection at once, whatever is pending (after a close that could not finish). */
  abandon(): void;
}

/** BullMQ workers for every queue with the real processors; any number of these share one Redis. */
export function startWorkerRuntime(options: WorkerRuntimeOptions): WorkerRuntime {
  const prefix = options.prefix ?? 'se';
  const warn = throttledRedisWarning(options.log, options.redisUrl);
  const governorRedis: Redis = redisConnection(options.redisUrl, warn);
  const producer = new BullmqJobQueue({ redisUrl: options.redisUrl, prefix });
  const adapters = createPipelineAdapters({
    store: options.store,
    redis: governorRedis,
    keyPrefix: prefix,
    ...(options.hubspotRequestsPerInterval ? { hubspotRequestsPerInterval: options.hubspotRequestsPerInterval } : {}),
    ...(options.crmRequestTimeoutMs ? { crmRequestTimeoutMs: options.crmRequestTimeoutMs } : {}),
    ...(options.alertEndpointFor ? { alertEndpointFor: options.alertEndpointFor } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.oauthApps ? { oauthApps: options.oauthApps } : {}),
    ...(options.openTextModel ? { openTextModel: options.openTextModel } : {}),
    ...(options.salesforceNamespace !== undefined ? { salesforceNamespace: options.salesforceNamespace } : {}),
  });
  const pool = startWorkers({
    redisUrl: options.redisUrl,
    prefix,
    processors: createProcessors(adapters, options.hooks),
    log: options.log,
    producer,
    onRedisError: warn,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
    onJobFinished: (queue, outcome, seconds) => recordJob(queue, outcome, seconds),
  });
  let closing: Promise<void> | undefined;
  return {
    producer,
    pool,
    adapters,
    close(closeOptions = {}) {
      closing ??= (async () => {
        await pool.close(closeOptions);
        await adapters.closeTextModel();
        await producer.close();
        governorRedis.disconnect();
      })();
      return closing;
    },
    abandon() {
      pool.abandon();
      producer.abandon();
      governorRedis.disconnect();
    },
  };
}
