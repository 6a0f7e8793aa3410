import type { Express } from 'express';

/** One route of the composed app: a method and a full path pattern (`/card/api/accounts/:accountId`). */
export interface RouteEntry {
  method: string;
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[]; router?: { stack?: LayerLike[] } };
}

const join = (base: string, part: string): string => `${base}/${part}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/**
 * The route table of an express 5 app, read from its router stack (router@2 layers keep the
 * `rawPath` they were mounted at). Routers mounted at a path are walked into, so a route added to
 * any product router shows up here. Third-party mounts named in `opaque` (Bull Board) are listed
 * once as `ALL <mount>/*`.
 */
export function routeTable(app: Express, opaque: readonly string[] = []): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: LayerLike[], base: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = join(base, String(layer.route.path));
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path });
        continue;
      }
      const inner = layer.handle?.stack ?? layer.handle?.router?.stack;
      const mount = typeof layer.rawPath === 'string' ? join(base, layer.rawPath) : base;
      if (opaque.includes(mount)) {
        if (!out.some((r) => r.path === `${mount}/*`)) out.push({ method: 'ALL', path: `${mount}/*` });
        continue;
      }
      // Middleware mounted at a path that may answer by itself (static assets): one entry for the mount.
      if (!inner) {
        if (layer.rawPath !== '/' && mount !== base && !out.some((r) => r.path === `${mount}/*`))
          out.push({ method: 'GET', path: `${mount}/*` });
        continue;
      }
      walk(inner, mount);
    }
  };
  const router = (app as unknown as { router: { stack: LayerLike[] } }).router;
  walk(router.stack, '');
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
