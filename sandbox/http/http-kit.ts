import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SuccessEngineError } from '../../core';

/** A tiny router over node:http: the sandboxes need exact control of status, headers and bytes. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  params: Record<string, string>;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON with `Content-Type: application/json;charset=utf-8`. */
  json?: unknown;
  /** Sent as-is; set the content type in headers. */
  text?: string;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** The handler and params for a request, or whether only the method was wrong. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    const segments = path.split('/').filter(Boolean);
    let wrongMethod = false;
    for (const route of this.routes) {
      if (route.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < route.parts.length && ok; i++) {
        const p = route.parts[i] as string;
        const s = segments[i] as string;
        if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(s);
        else if (p !== s) ok = false;
      }
      if (!ok) continue;
      if (route.method !== method) {
        wrongMethod = true;
        continue;
      }
      return { handler: route.handler, params };
    }
    return wrongMethod ? 'method' : undefined;
  }
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** What the server does with one request: answer, or drop the connection without a byte (fault injection). */
export type Dispatch = (req: SandboxRequest) => Promise<SandboxResponse | 'drop'>;

export async function listen(dispatch: Dispatch, port = 0, host = '127.0.0.1'): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    void serve(req, res, dispatch);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, dispatch: Dispatch): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'http://sandbox.local');
  const request: SandboxRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody: Buffer.concat(chunks).toString('utf8'),
    params: {},
  };
  let answer: SandboxResponse | 'drop';
  try {
    answer = await dispatch(request);
  } catch (error) {
    answer = { status: 500, json: { message: error instanceof Error ? error.message : String(error), errorCode: 'UNKNOWN_EXCEPTION' } };
  }
  if (answer === 'drop') {
    req.socket.destroy();
    return;
  }
  const headers: Record<string, string> = { ...(answer.headers ?? {}) };
  let payload = '';
  if (answer.json !== undefined) {
    payload = JSON.stringify(answer.json);
    headers['Content-Type'] ??= 'application/json;charset=utf-8';
  } else if (answer.text !== undefined) payload = answer.text;
  res.writeHead(answer.status, headers);
  res.end(payload);
}

/** JSON body or a coded error the server turns into a vendor-shaped 400. */
export function parseJsonBody(req: SandboxRequest): unknown {
  if (req.rawBody.trim() === '') return undefined;
  try {
    return JSON.parse(req.rawBody) as unknown;
  } catch (error) {
    throw new SuccessEngineError('SANDBOX.BAD_JSON', `request body is not valid JSON: ${(error as Error).message}`, {}, { cause: error });
  }
}

export function parseForm(req: SandboxRequest): URLSearchParams {
  return new URLSearchParams(req.rawBody);
}

/** Deterministic UUID-shaped ids for correlation/request ids (no randomness, so runs replay). */
export function uuidSequence(prefix: number): () => string {
  let n = 0;
  return () => {
    n++;
    const hex = (prefix >>> 0).toString(16).padStart(8, '0') + n.toString(16).padStart(24, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** A delay that does not keep the process alive: a hung request must not hold a test run open after its server closes. */
export const unrefDelay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
