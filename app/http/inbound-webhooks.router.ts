import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { InboundHandler } from '../../webhooks/inbound/hubspot-webhook.handler';
import type { InboundRequest } from '../../webhooks/inbound/inbound.types';

export interface InboundWebhooksRouterOptions {
  hubspot?: InboundHandler;
  salesforce?: InboundHandler;
  /** Larger bodies get 413 before any handler runs. */
  maxBodyBytes?: number;
}

function toInbound(req: Request): InboundRequest {
  return { method: req.method, url: req.originalUrl, headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) };
}

function mount(router: Router, path: string, handler: InboundHandler): void {
  // all(): wrong methods reach the handler too, which answers 405 with Allow.
  router.all(path, async (req: Request, res: Response) => {
    const out = await handler(toInbound(req));
    res.status(out.status).set(out.headers).send(out.body);
  });
}

/**
 * Inbound CRM webhooks behind a raw-body parser (signatures are over the exact bytes):
 * `POST /webhooks/hubspot`, `POST /webhooks/salesforce`. Parser errors (too large, bad
 * encoding, aborted) become 4xx, never 5xx.
 */
export function createInboundWebhooksRouter(options: InboundWebhooksRouterOptions): Router {
  const router = express.Router();
  const limit = options.maxBodyBytes ?? 1_048_576;
  router.use('/webhooks', express.raw({ type: () => true, limit, inflate: true }));
  if (options.hubspot) mount(router, '/webhooks/hubspot', options.hubspot);
  if (options.salesforce) mount(router, '/webhooks/salesforce', options.salesforce);
  const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    // Everything the body parser throws is about the request; anything else is ours and stays a 500.
    const type = (error as { type?: unknown } | null)?.type;
    if (clientError || (typeof type === 'string' && type.length > 0)) {
      res.status(clientError ? status : 400).json({ error: 'bad request body', type: typeof type === 'string' ? type : 'request' });
      return;
    }
    next(error);
  };
  router.use(onError);
  return router;
}
