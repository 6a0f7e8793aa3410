import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import helmet from 'helmet';
import type { Store } from '../../core/ports/store.port';
import type { Logger } from '../log/logger';
import { requestLogging } from '../observability/log-context';
import type { Metrics } from '../observability/metrics';
import { authenticate, refuseRepTokens } from './auth.middleware';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AuthFailureLimiter, provideAuthFailureLimiter, type AuthFailureLimits } from './auth-failure-limiter';
import { errorHandler } from './http-errors';
import { adminGate, adminLoginRouter, BOARD_PATH, boardErrorShape, boardQueryGuard } from './queue-board';
import { sameOriginWrites } from './same-origin.guard';
import { scoreApiRouter } from './score-api.routes';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HttpDeps {
  store: Store;
  log: Logger;
  metrics: Metrics;
  /** Dependencies that must answer before the server takes traffic (store, Redis). */
  readiness: ReadinessCheck[];
  /** Routers mounted before authentication (inbound webhooks check their own signatures). */
  publicRouters?: { path: string; router: Router }[];
  /** Bull Board, mounted behind admin authentication when queues run on Redis. */
  queueBoard?: Router;
  /** Tenants whose admin tokens may open Bull Board (it shows every tenant's jobs); empty = any admin. */
  operatorTenants?: readonly string[];
  /** More `/api/v1` routers, mounted after authentication (each checks its own role). */
  apiRouters?: Router[];
  /** Failed token checks per client address and window before 429 (default 30 a minute). */
  authFailureLimits?: AuthFailureLimits;
  /** Where every serve process counts failed token checks together (Redis); per process without it. */
  authFailureCounter?: { redis: Redis; keyPrefix: string };
  /** The public URL browsers use, when a proxy in front changes the Host (same-origin checks). */
  publicUrl?: string | undefined;
  /** Bearer token Prometheus sends for `/metrics`; without it only direct loopback requests are answered. */
  metricsToken?: string | undefined;
}

/** API responses are JSON: nothing may load from them. */
const apiHelmet = helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });
/** Bull Board's UI and the login page: own scripts only, inline styles, Google fonts for the board. */
const boardHelmet = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
      fontSrc: ["'self'", 'https://fonts.gstatic.com'],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
});

/**
 * The HTTP surface: health and readiness, Prometheus metrics, inbound webhooks, and the score and
 * admin APIs. Handlers validate and read or enqueue; they never call a CRM or the engine inline.
 */
export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: routeLabel(req), status: String(res.statusCode) }));
    next();
  });
  app.use(requestLogging(deps.log));
  app.use(provideAuthFailureLimiter(new AuthFailureLimiter(deps.authFailureLimits, deps.authFailureCounter)));
  app.use(sameOriginWrites({ publicUrl: deps.publicUrl }));

  // Inbound webhooks first: machine-to-machine JSON on the hottest path, where browser security
  // headers protect nothing (see bench/webhooks.bench.ts).
  for (const { path, router } of deps.publicRouters ?? []) app.use(path, router);
  app.use(apiHelmet);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      deps.readiness.map(async (r) => {
        try {
          await r.check();
          return { name: r.name, ok: true };
        } catch (error) {
          return { name: r.name, ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: results });
  });
  app.get('/metrics', metricsGate(deps.metricsToken), async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(authenticate(deps.store));
  api.use(refuseRepTokens(deps.store));
  api.use(scoreApiRouter(deps.store));
  for (const router of deps.apiRouters ?? []) api.use(router);
  app.use('/api/v1', api);

  if (deps.queueBoard) {
    const gate = { store: deps.store, operatorTenants: deps.operatorTenants ?? [] };
    app.use('/admin', boardHelmet, adminLoginRouter(gate));
    // Our JSON parser before Bull Board's, so a bad body gets our error shape rather than its own.
    app.use(
      BOARD_PATH,
      boardHelmet,
      adminGate(gate),
      express.json({ limit: '1mb' }),
      boardErrorShape(),
      boardQueryGuard(),
      deps.queueBoard,
    );
  }

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'HTTP.NOT_FOUND', message: `no route for ${req.method} ${req.path}` } });
  });
  app.use(errorHandler(deps.log));
  return app;
}

/**
 * `/metrics` names tenants (labels of job and drift series), so it is not for the internet: with a
 * token, a scraper must send it; without one, only a request made on this host straight to the
 * server (loopback socket, no proxy header) is answered.
 */
function metricsGate(token: string | undefined): express.RequestHandler {
  const expected = token ? createHash('sha256').update(token).digest() : undefined;
  return (req, res, next) => {
    if (expected) {
      const sent = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
      if (timingSafeEqual(createHash('sha256').update(sent).digest(), expected)) return next();
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      res
        .status(401)
        .json({ error: { code: 'HTTP.UNAUTHENTICATED', message: 'send SE_METRICS_TOKEN as "Authorization: Bearer <token>"' } });
      return;
    }
    const direct = isLoopback(req.socket.remoteAddress) && req.get('x-forwarded-for') === undefined && req.get('forwarded') === undefined;
    if (direct) return next();
    res.status(403).json({
      error: { code: 'HTTP.FORBIDDEN', message: '/metrics answers loopback only; set SE_METRICS_TOKEN to scrape from another host' },
    });
  };
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

/** Low-cardinality route label for metrics: the matched route pattern, never the raw path. */
function routeLabel(req: express.Request): string {
  const route = (req.route as { path?: string } | undefined)?.path;
  return route ? `${req.baseUrl}${route}` : 'unmatched';
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Answers a request before express when it returns true (the inbound webhook dispatcher). */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Slow clients: the whole request (headers and body) must arrive within `requestTimeoutMs`, the
 * headers within `headersTimeoutMs`; past either node answers 408 and closes the socket, so a
 * client trickling bytes (slowloris) cannot hold a connection. Node's defaults are 300 s and 60 s,
 * far longer than any request here needs (bodies are capped at 1 MB).
 */
export interface ServerTimeouts {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 };

export function listen(
  app: express.Express,
  host: string,
  port: number,
  front?: FrontHandler,
  timeouts: ServerTimeouts = DEFAULT_SERVER_TIMEOUTS,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(
      {
        requestTimeout: timeouts.requestTimeoutMs,
        headersTimeout: Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs),
        connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeoutMs),
      },
      front ? (req, res) => void (front(req, res) || app(req, res)) : app,
    );
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        server,
        close: () => new Promise<void>((done, fail) => server.close((e) => (e ? fail(e) : done()))),
      });
    });
  });
}

/**
 * Fail at once when host:port cannot be bound (in use, not allowed), before any long work starts;
 * the listening socket is closed again straight away. Port 0 is always free.
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = http.createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
