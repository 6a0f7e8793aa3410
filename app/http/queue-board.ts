import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { ApiPrincipal, Store } from '../../core/ports/store.port';
import { recordAuthFailure, refuseIfLockedOut } from './auth-failure-limiter';

export const BOARD_PATH = '/admin/queues';
const COOKIE = 'se_admin';

/**
 * Bull Board answers its API errors as `{error: {key, options}, code}`; rewritten into the API's
 * `{"error":{"code","message"}}` (its own key kept as `detail`) so every 4xx has one shape.
 */
export function boardErrorShape(): RequestHandler {
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const error = (body as { error?: unknown } | null)?.error;
      const shaped =
        typeof error === 'object' &&
        error !== null &&
        typeof (error as { code?: unknown }).code === 'string' &&
        typeof (error as { message?: unknown }).message === 'string';
      if (res.statusCode < 400 || shaped) return json(body);
      const key = (error as { key?: unknown } | undefined)?.key;
      return json({
        error: {
          code: res.statusCode === 404 ? 'HTTP.NOT_FOUND' : res.statusCode >= 500 ? 'HTTP.INTERNAL' : 'HTTP.BAD_REQUEST',
          message:
            typeof key === 'string'
              ? `queue board: ${key}`
              : typeof (body as { message?: unknown }).message === 'string'
                ? String((body as { message: string }).message)
                : 'queue board request failed',
          detail: body,
        },
      });
    };
    next();
  };
}

/** Why Bull Board would answer 500 for this value, or undefined when it is safe to hand over. */
function unsafeForBoard(value: unknown): string | undefined {
  if (typeof value === 'string') {
    // Bull Board joins an error's key and options with NUL and splits them again: a NUL in the value breaks its JSON.
    if (value.includes('\u0000')) return 'a query value holds a NUL character';
    try {
      decodeURIComponent(value);
      return undefined;
    } catch {
      return 'a query value holds a "%" that is not percent-encoding';
    }
  }
  const values = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value) : [];
  for (const v of values) {
    const why = unsafeForBoard(v);
    if (why) return why;
  }
  return undefined;
}

/**
 * Values Bull Board answers with a 500, refused here with 400: a stray `%` (it decodes some
 * already-decoded values a second time, `activeQueue` and the scheduler's queue name: "URI
 * malformed"), and a NUL (its error messages use NUL as a separator).
 */
export function boardQueryGuard(): RequestHandler {
  return (req, res, next) => {
    const why = unsafeForBoard(req.query) ?? unsafeForBoard(req.path);
    if (why) {
      res.status(400).json({ error: { code: 'HTTP.BAD_REQUEST', message: `queue board: ${why}` } });
      return;
    }
    next();
  };
}

/** Bull Board over the given queues, as an express router to mount at `BOARD_PATH` behind `adminGate`. */
export function createQueueBoard(queues: readonly Queue[], basePath = BOARD_PATH): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Success Engine' } },
  });
  return serverAdapter.getRouter() as Router;
}

function cookieToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export interface AdminGateOptions {
  store: Pick<Store, 'resolveApiToken'>;
  /**
   * Tenants whose admins operate the deployment. Bull Board shows every tenant's jobs, so on a
   * shared deployment only these tenants' admin tokens may open it; empty means any admin token.
   */
  operatorTenants: readonly string[];
}

function allowed(principal: ApiPrincipal | null, options: AdminGateOptions): 'ok' | 'unauthenticated' | 'forbidden' {
  if (!principal) return 'unauthenticated';
  if (principal.role !== 'admin') return 'forbidden';
  if (options.operatorTenants.length > 0 && !options.operatorTenants.includes(principal.tenantId)) return 'forbidden';
  return 'ok';
}

/**
 * Admin authentication for operator pages: an admin API token as `Authorization: Bearer`, or the
 * `se_admin` cookie set by `POST /admin/login` (a browser cannot add the header to Bull Board's
 * own requests). No token or an unknown one → 401; a reader token, or another tenant's admin
 * when operator tenants are set → 403.
 */
export function adminGate(options: AdminGateOptions): RequestHandler {
  return async (req, res, next) => {
    if (await refuseIfLockedOut(req, res)) return;
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const token = match?.[1] ?? cookieToken(req);
    const principal = token ? await options.store.resolveApiToken(token) : null;
    if (token && !principal) await recordAuthFailure(req, res);
    const verdict = allowed(principal, options);
    if (verdict === 'ok') {
      res.locals.principal = principal;
      next();
      return;
    }
    if (verdict === 'unauthenticated') {
      res.set('WWW-Authenticate', 'Bearer realm="success-engine"');
      if (req.accepts(['json', 'html']) === 'html' && req.method === 'GET') {
        res.redirect(303, '/admin/login');
        return;
      }
      res.status(401).json({
        error: {
          code: 'HTTP.UNAUTHENTICATED',
          message: token
            ? 'the API token is not valid'
            : 'send an admin API token as "Authorization: Bearer <token>" or sign in at /admin/login',
        },
      });
      return;
    }
    res.status(403).json({ error: { code: 'HTTP.FORBIDDEN', message: 'this needs an operator admin token' } });
  };
}

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Success Engine admin / 管理员登录</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input{width:100%;padding:.5rem;margin:.5rem 0}button{padding:.5rem 1rem}</style></head>
<body><h1>Success Engine</h1><p>Sign in with an admin API token / 使用管理员 API 令牌登录</p>
<form method="post" action="/admin/login"><label for="token">API token / 令牌</label><input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Sign in / 登录</button></form></body></html>`;

/** `GET/POST /admin/login`, `POST /admin/logout`: the cookie that lets a browser open Bull Board. */
export function adminLoginRouter(options: AdminGateOptions): Router {
  const router = express.Router();
  router.get('/login', (_req, res) => {
    res.type('html').send(LOGIN_PAGE);
  });
  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    if (await refuseIfLockedOut(req, res)) return;
    const token =
      typeof (req.body as { token?: unknown } | undefined)?.token === 'string' ? (req.body as { token: string }).token.trim() : '';
    const principal = token ? await options.store.resolveApiToken(token) : null;
    if (token && !principal) await recordAuthFailure(req, res);
    const verdict = allowed(principal, options);
    if (verdict !== 'ok') {
      res
        .status(verdict === 'unauthenticated' ? 401 : 403)
        .type('html')
        .send(
          LOGIN_PAGE.replace(
            '<form',
            `<p role="alert">${verdict === 'unauthenticated' ? 'Unknown token / 令牌无效' : 'This needs an operator admin token / 需要运维管理员令牌'}</p><form`,
          ),
        );
      return;
    }
    res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/admin', maxAge: 8 * 3600 * 1000 });
    res.redirect(303, `${BOARD_PATH}/`);
  });
  router.post('/logout', (req, res) => {
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/admin' });
    res.redirect(303, '/admin/login');
  });
  return router;
}
