import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import type { RecordStore } from '../../core/ports/record-store.port';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import { authenticate, requireRole } from './auth.middleware';
import { errorHandler } from './http-errors';
import { scoreApiRouter } from './score-api.routes';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HttpDeps {
  store: RecordStore;
  log: Logger;
  metrics: Metrics;
  /** Dependencies that must answer before the server takes traffic (store, Redis). */
  readiness: ReadinessCheck[];
  /** Routers mounted before authentication (inbound webhooks check their own signatures). */
  publicRouters?: { path: string; router: Router }[];
  /** Bull Board, mounted behind admin authentication when queues run on Redis. */
  queueBoard?: Router;
}

/**
 * The HTTP surface: health and readiness, Prometheus metrics, inbound webhooks, and the score and
 * admin APIs. Handlers validate and read or enqueue; they never call a CRM or the engine inline.
 */
export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: routeLabel(req), status: String(res.statusCode) }));
    next();
  });

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
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  for (const { path, router } of deps.publicRouters ?? []) app.use(path, router);

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(authenticate(deps.store));
  api.use(scoreApiRouter(deps.store));
  app.use('/api/v1', api);

  if (deps.queueBoard) app.use('/admin/queues', authenticate(deps.store), requireRole('admin'), deps.queueBoard);

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'HTTP.NOT_FOUND', message: `no route for ${req.method} ${req.path}` } });
  });
  app.use(errorHandler(deps.log));
  return app;
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

export function listen(app: express.Express, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) {
        reject(error);
        return;
      }
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        server,
        close: () => new Promise<void>((done, fail) => server.close((e) => (e ? fail(e) : done()))),
      });
    });
  });
}
