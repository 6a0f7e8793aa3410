import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { InboundHandler } from '../../webhooks/inbound/hubspot-webhook.handler';

export interface InboundWebhooksRouterOptions {
  hubspot?: InboundHandler;
  salesforce?: InboundHandler;
  /** Larger bodies (after decompression) get 413 before any handler runs. */
  maxBodyBytes?: number;
}

type BodyResult = { ok: true; body: Buffer } | { ok: false; status: 400 | 413 | 415; error: string };

const DECODERS: Record<string, (() => NodeJS.ReadWriteStream) | null> = {
  identity: null,
  gzip: createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The raw-body parser: the exact bytes (signatures are over them), decompressed when the sender
 * says so, capped at `limit`. A lean reader rather than `express.raw()`, whose per-request cost
 * was most of the endpoint's CPU time in `bench/webhooks.bench.ts`; failures are 4xx values.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
    const decoder = DECODERS[encoding];
    if (decoder === undefined) {
      req.resume();
      resolve({ ok: false, status: 415, error: `unsupported content-encoding ${encoding}` });
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (decoder === null && Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve({ ok: false, status: 413, error: 'body too large' });
      return;
    }
    const stream: Readable | NodeJS.ReadWriteStream = decoder ? req.pipe(decoder()) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      if (!result.ok) {
        stream.removeAllListeners('data');
        req.resume();
      }
      resolve(result);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, status: 413, error: 'body too large' });
      else chunks.push(chunk);
    });
    stream.on('end', () => finish({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) }));
    stream.on('error', () => finish({ ok: false, status: 400, error: 'unreadable body' }));
    req.on('error', () => finish({ ok: false, status: 400, error: 'request aborted' }));
  });
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  // An explicit length avoids chunked encoding: header and body leave in one write.
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'HTTP.BAD_REQUEST',
  401: 'HTTP.UNAUTHENTICATED',
  403: 'HTTP.FORBIDDEN',
  404: 'HTTP.NOT_FOUND',
  405: 'HTTP.METHOD_NOT_ALLOWED',
  413: 'HTTP.BAD_REQUEST',
  415: 'HTTP.BAD_REQUEST',
  429: 'HTTP.RATE_LIMITED',
  503: 'HTTP.UNAVAILABLE',
};

/** The API's error shape, `{"error":{"code","message"}}`, plus whatever else the handler said (e.g. `reason`). */
export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: { code: CODE_BY_STATUS[status] ?? 'HTTP.INTERNAL', message, ...extra } });
}

/** The webhook handlers answer errors as `{error: "<text>", …}`; served here in the API's shape. */
function inApiShape(status: number, body: string): string {
  if (status < 400) return body;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (typeof parsed.error !== 'string') return body;
    const { error, ...extra } = parsed;
    return errorBody(status, error, extra);
  } catch {
    return errorBody(status, body.slice(0, 200));
  }
}

/** How far past the limit a rejected body is still read (and dropped) so its sender sees the answer. */
const LINGER_FACTOR = 4;

/** Reads, hands to the handler, answers: the whole inbound request, shared by the router and the dispatcher. */
async function serveInbound(
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
  handler: InboundHandler,
  limit: number,
): Promise<number> {
  const body = await readRawBody(req, limit);
  if (!body.ok) {
    // Closing at once resets a sender still writing its body, which then never reads the 413
    // (EPIPE). A body at most LINGER_FACTOR × the limit is read to its end and dropped (the
    // connection stays open); anything larger, or of unknown length, is cut after the answer.
    const declared = Number(req.headers['content-length']);
    const linger = Number.isFinite(declared) && declared <= LINGER_FACTOR * limit;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      ...(linger ? {} : { connection: 'close' }),
    };
    reply(res, body.status, headers, errorBody(body.status, body.error));
    return body.status;
  }
  const out = await handler({ method: req.method ?? 'GET', url, headers: req.headers, rawBody: body.body });
  reply(res, out.status, out.headers, inApiShape(out.status, out.body));
  return out.status;
}

function mount(router: Router, path: string, handler: InboundHandler, limit: number): void {
  // all(): wrong methods reach the handler too, which answers 405 with Allow.
  router.all(path, (req: Request, res: Response, next: NextFunction) => {
    serveInbound(req, res, req.originalUrl, handler, limit).catch(next);
  });
}

/**
 * Inbound CRM webhooks, over the raw request bytes: `POST /webhooks/hubspot`,
 * `POST /webhooks/salesforce`. Body problems (too large, bad or unknown encoding, aborted) are 4xx.
 */
export function createInboundWebhooksRouter(options: InboundWebhooksRouterOptions): Router {
  const router = express.Router();
  const limit = options.maxBodyBytes ?? 1_048_576;
  if (options.hubspot) mount(router, '/webhooks/hubspot', options.hubspot, limit);
  if (options.salesforce) mount(router, '/webhooks/salesforce', options.salesforce, limit);
  return router;
}

export interface InboundDispatcherOptions extends InboundWebhooksRouterOptions {
  /** Called once per answered request (metrics, logs). */
  onAnswered?: (route: string, status: number, seconds: number) => void;
  /** A handler that throws (a bug) ends here; the request gets a bare 500. */
  onError?: (error: unknown, route: string) => void;
}

/**
 * The same endpoints in front of express: `(req, res) => handled`. The webhook path is the one
 * answered thousands of times a second; express's router and middleware stack were a tenth of
 * its CPU in `bench/webhooks.bench.ts`, and nothing there (JSON parsing, auth, security headers)
 * applies to it. Anything else returns false and goes on to the express app.
 */
export function createInboundWebhooksDispatcher(options: InboundDispatcherOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = options.maxBodyBytes ?? 1_048_576;
  const routes = new Map<string, InboundHandler>();
  if (options.hubspot) routes.set('/webhooks/hubspot', options.hubspot);
  if (options.salesforce) routes.set('/webhooks/salesforce', options.salesforce);
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const handler = routes.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
    if (!handler) return false;
    const started = process.hrtime.bigint();
    serveInbound(req, res, url, handler, limit).then(
      (status) => options.onAnswered?.(path, status, Number(process.hrtime.bigint() - started) / 1e9),
      (error: unknown) => {
        options.onError?.(error, path);
        if (!res.headersSent) reply(res, 500, { 'content-type': 'application/json; charset=utf-8' }, errorBody(500, 'internal error'));
        else res.destroy();
        options.onAnswered?.(path, 500, Number(process.hrtime.bigint() - started) / 1e9);
      },
    );
    return true;
  };
}
