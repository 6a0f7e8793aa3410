import type { Socket } from 'node:net';
import type { Express, Router } from 'express';
import IORedis, { type Redis } from 'ioredis';
import { systemClock } from '../../core';
import type { Store } from '../../core';
import { isShareable, type StoreLocation } from '../open-store';
import { createHubSpotWebhookHandler } from '../../webhooks/inbound/hubspot-webhook.handler';
import { MemorySeenEvents, type SeenEvents } from '../../webhooks/inbound/inbound.types';
import { createSalesforceWebhookHandler } from '../../webhooks/inbound/salesforce-webhook.handler';
import type { Logger } from '../log/logger';
import { DriftMonitor, driftInWorkerThread } from '../observability/drift-monitor';
import type { Metrics } from '../observability/metrics';
import { BullmqJobQueue, DEAD_LETTER_QUEUE } from '../queue/bullmq-queue';
import { queueNames } from '../queue/queue-map';
import { StoreConnectionDirectory } from './connection-directory';
import { driftRouter } from './drift.routes';
import { createInboundSyncEnqueuer } from './inbound-sync.enqueuer';
import { createInboundWebhooksDispatcher } from './inbound-webhooks.router';
import type { ProductRouter } from './product-routers';
import { createQueueBoard } from './queue-board';
import { RedisHealth } from './redis-health';
import type { AuthFailureLimits } from './auth-failure-limiter';
import { createHttpApp, listen, type FrontHandler, type ReadinessCheck, type ServerTimeouts } from './server';

export interface ServeOptions {
  store: Store;
  /** Where the store lives: drift reports then run in a worker thread with their own connection. */
  storeLocation?: StoreLocation;
  log: Logger;
  metrics: Metrics;
  host: string;
  port: number;
  /** Without it, nothing can be enqueued: inbound webhooks and Bull Board are off. */
  redisUrl?: string | undefined;
  queuePrefix?: string;
  /** HubSpot app client secrets (several during a rotation); none → the HubSpot endpoint is off. */
  hubspotClientSecrets?: readonly string[];
  /** The public base URL HubSpot calls; v3 signatures cover the full URL. */
  publicBaseUrl?: string | undefined;
  /** SE_METRICS_TOKEN: `/metrics` for scrapers on other hosts. */
  metricsToken?: string | undefined;
  /** Salesforce shared secrets; none → the Salesforce endpoint is off. */
  salesforceSecrets?: readonly string[];
  salesforceOrganizationIds?: readonly string[];
  operatorTenants?: readonly string[];
  /** More public routers built by the caller. */
  publicRouters?: { path: string; router: Router }[];
  /** Cards, console and install (app/http/product-routers.ts); given the queue when Redis is up. */
  productRouters?: (queue: BullmqJobQueue | null) => ProductRouter[];
  apiRouters?: Router[];
  /** In-flight requests get this long to finish on shutdown. Default 10 s. */
  drainMs?: number;
  /** Slow-client limits (default 30 s per request, 10 s for headers). */
  serverTimeouts?: ServerTimeouts;
  /** Failed token checks per address and window before 429 (default 30 a minute). */
  authFailureLimits?: AuthFailureLimits;
}

export type FeatureName =
  | 'score-api'
  | 'admin-api'
  | 'metrics'
  | 'drift'
  | 'queue'
  | 'hubspot-webhooks'
  | 'salesforce-webhooks'
  | 'queue-board'
  | ProductRouter['name'];

export interface FeatureState {
  on: boolean;
  /** Why it is off, or a detail when on. */
  detail: { en: string; zh: string };
}

export interface RunningServe {
  url: string;
  features: Record<FeatureName, FeatureState>;
  /** The composed app (its router stack is the route table the isolation tests are generated from). */
  app: Express;
  close(): Promise<void>;
}

const on = (en: string, zh: string): FeatureState => ({ on: true, detail: { en, zh } });
const off = (en: string, zh: string): FeatureState => ({ on: false, detail: { en, zh } });

/** Counts duplicates for the inbound metric while delegating dedupe to `inner`. */
function countingSeen(inner: SeenEvents, metrics: Metrics, provider: 'hubspot' | 'salesforce'): SeenEvents {
  return {
    claim: async (ids) => {
      const fresh = await inner.claim(ids);
      metrics.recordInbound(provider, 'duplicate', ids.length - fresh.length);
      return fresh;
    },
    release: (ids) => inner.release(ids),
  };
}

/**
 * `success-engine serve`: the HTTP surface of a deployment, composed from the store, an optional
 * Redis (queues), and the webhook secrets. Handlers read or enqueue; workers do the work.
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const { store, log, metrics } = options;
  const readiness: ReadinessCheck[] = [
    {
      name: 'store',
      check: () => store.ping(),
    },
  ];
  const features = {} as Record<FeatureName, FeatureState>;
  features['score-api'] = on(
    'GET /api/v1/scores, /api/v1/accounts/:id (bearer API token)',
    'GET /api/v1/scores、/api/v1/accounts/:id（需 API 令牌）',
  );
  features['admin-api'] = on('GET /api/v1/admin/* (admin token)', 'GET /api/v1/admin/*（需管理员令牌）');
  features.metrics = on('GET /metrics (Prometheus)', 'GET /metrics（Prometheus）');
  features.drift = on('GET /api/v1/admin/drift (PSI per feature)', 'GET /api/v1/admin/drift（各特征 PSI）');

  const publicRouters = [...(options.publicRouters ?? [])];
  let producer: BullmqJobQueue | null = null;
  let health: RedisHealth | null = null;
  let queueBoard: Router | undefined;
  let front: FrontHandler | undefined;
  const noRedis = (what: string, zh: string) =>
    off(`${what}: needs REDIS_URL (nothing can be queued without Redis)`, `${zh}：需要 REDIS_URL（没有 Redis 无法入队）`);

  let authFailureCounter: { redis: Redis; keyPrefix: string } | undefined;
  if (options.redisUrl) {
    producer = new BullmqJobQueue({ redisUrl: options.redisUrl, prefix: options.queuePrefix ?? 'se' });
    // Fails fast while Redis is away (no offline queue): token checks then count per process.
    const counterRedis = new IORedis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    counterRedis.on('error', () => undefined);
    authFailureCounter = { redis: counterRedis, keyPrefix: producer.prefix };
    health = new RedisHealth(options.redisUrl);
    readiness.push(health.readiness());
    features.queue = on(`BullMQ on Redis, prefix "${producer.prefix}"`, `Redis 上的 BullMQ，前缀 "${producer.prefix}"`);
    const queues = [...queueNames.map((n) => (producer as BullmqJobQueue).queue(n)), producer.queue(DEAD_LETTER_QUEUE)];
    // One warning per outage, not one per reconnect attempt; readiness reports the state.
    let warned = false;
    for (const q of queues) {
      q.on('error', (error: Error) => {
        if (warned) return;
        warned = true;
        log.warn({ err: error, queue: q.name }, 'queue connection error (Redis down?); webhooks answer 503 until it is back');
        setTimeout(() => (warned = false), 60_000).unref();
      });
    }
    queueBoard = createQueueBoard(queues);
    features['queue-board'] = on(
      '/admin/queues (admin token; browsers sign in at /admin/login)',
      '/admin/queues（需管理员令牌；浏览器在 /admin/login 登录）',
    );
    const redis = health;
    const enqueue = createInboundSyncEnqueuer({
      queue: producer,
      directory: new StoreConnectionDirectory(store),
      metrics,
      log: log.child({ component: 'inbound' }),
      queueUp: () => redis.isUp(),
    });
    const hubspotSecrets = options.hubspotClientSecrets ?? [];
    const salesforceSecrets = options.salesforceSecrets ?? [];
    const hubspot = hubspotSecrets.length
      ? createHubSpotWebhookHandler({
          clientSecret: hubspotSecrets,
          ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}),
          enqueue,
          clock: systemClock,
          seen: countingSeen(new MemorySeenEvents(), metrics, 'hubspot'),
        })
      : undefined;
    const salesforce = salesforceSecrets.length
      ? createSalesforceWebhookHandler({
          sharedSecret: salesforceSecrets,
          allowedOrganizationIds: options.salesforceOrganizationIds ?? [],
          enqueue,
          clock: systemClock,
          seen: countingSeen(new MemorySeenEvents(), metrics, 'salesforce'),
        })
      : undefined;
    features['hubspot-webhooks'] = hubspot
      ? on(
          `POST /webhooks/hubspot → incremental sync${options.publicBaseUrl ? '' : ' (no --public-url: signatures are checked against the Host header)'}`,
          `POST /webhooks/hubspot → 增量同步${options.publicBaseUrl ? '' : '（未设 --public-url：按 Host 头校验签名）'}`,
        )
      : off(
          'POST /webhooks/hubspot: no HubSpot client secret (--hubspot-secret-file)',
          'POST /webhooks/hubspot：未提供 HubSpot 客户端密钥（--hubspot-secret-file）',
        );
    features['salesforce-webhooks'] = salesforce
      ? on(
          'POST /webhooks/salesforce → incremental sync (scheduled incremental sync is the polling fallback)',
          'POST /webhooks/salesforce → 增量同步（定时增量同步为轮询兜底）',
        )
      : off(
          'POST /webhooks/salesforce: no shared secret (--salesforce-secret-file); the scheduled incremental sync still polls',
          'POST /webhooks/salesforce：未提供共享密钥（--salesforce-secret-file）；定时增量同步仍会轮询',
        );
    if (hubspot || salesforce) {
      const inboundLog = log.child({ component: 'inbound' });
      front = createInboundWebhooksDispatcher({
        ...(hubspot ? { hubspot } : {}),
        ...(salesforce ? { salesforce } : {}),
        // Answered before express: record what its middleware would have (duration; rejections at debug, counted by status in metrics).
        onAnswered: (route, status, seconds) => {
          metrics.httpDuration.observe({ method: 'POST', route, status: String(status) }, seconds);
          if (status >= 400 && inboundLog.isLevelEnabled('debug')) inboundLog.debug({ route, status }, 'inbound webhook rejected');
        },
        onError: (error, route) => inboundLog.error({ err: error, route }, 'inbound webhook failed'),
      });
    }
  } else {
    features.queue = noRedis('queues', '队列');
    features['hubspot-webhooks'] = noRedis('POST /webhooks/hubspot', 'POST /webhooks/hubspot');
    features['salesforce-webhooks'] = noRedis('POST /webhooks/salesforce', 'POST /webhooks/salesforce');
    features['queue-board'] = noRedis('Bull Board', 'Bull Board');
  }

  for (const product of options.productRouters?.(producer) ?? []) {
    if (product.router) publicRouters.push({ path: product.path, router: product.router });
    // Install mounts two routers; the first one's state names the feature.
    features[product.name] ??= product.router ? on(product.detail.en, product.detail.zh) : off(product.detail.en, product.detail.zh);
  }

  // A shared store is read from a worker thread; an in-memory one can only be read here.
  const location = options.storeLocation;
  const drift = new DriftMonitor({
    store,
    metrics,
    log: log.child({ component: 'drift' }),
    ...(location && isShareable(location) ? { compute: driftInWorkerThread(location) } : {}),
  });
  const app = createHttpApp({
    store,
    log,
    metrics,
    readiness,
    publicRouters,
    ...(queueBoard ? { queueBoard } : {}),
    operatorTenants: options.operatorTenants ?? [],
    apiRouters: [driftRouter(drift), ...(options.apiRouters ?? [])],
    publicUrl: options.publicBaseUrl,
    metricsToken: options.metricsToken,
    ...(options.authFailureLimits ? { authFailureLimits: options.authFailureLimits } : {}),
    ...(authFailureCounter ? { authFailureCounter } : {}),
  });
  const running = await listen(app, options.host, options.port, front, options.serverTimeouts);
  running.server.keepAliveTimeout = 65_000;
  const sockets = new Set<Socket>();
  running.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Stop accepting, let in-flight requests finish (their events are being enqueued), then
      // drop idle keep-alive sockets; whatever still hangs after the drain time is cut.
      const closed = new Promise<void>((resolve) => running.server.close(() => resolve()));
      running.server.closeIdleConnections();
      const idle = setInterval(() => running.server.closeIdleConnections(), 100);
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, options.drainMs ?? 10_000);
      await closed;
      clearInterval(idle);
      clearTimeout(timer);
      // Queues flush on close; a Redis that is down must not hold the process forever.
      authFailureCounter?.redis.disconnect();
      await Promise.race([Promise.all([producer?.close(), health?.close()]), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    })();
    return closing;
  };
  return { url: running.url, features, app, close };
}
