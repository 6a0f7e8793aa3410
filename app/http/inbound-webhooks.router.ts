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

function mount(router: Router, path: string, handler: InboundHandler, limit: number): void {
  // all(): wrong methods reach the handler too, which answers 405 with Allow.
  router.all(path, (req: Request, res: Response, next: NextFunction) => {
    readRawBody(req, limit)
      .then(async (body) => {
        if (!body.ok) {
          // The rest of a rejected body is not worth reading: close the connection after answering.
          return reply(res, body.status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }, JSON.stringify({ error: body.error }));
        }
        const out = await handler({ method: req.method, url: req.originalUrl, headers: req.headers, rawBody: body.body });
        reply(res, out.status, out.headers, out.body);
      })
      .catch(next);
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
