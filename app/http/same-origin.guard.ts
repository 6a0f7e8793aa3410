import type { RequestHandler } from 'express';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Anti-CSRF for browser writes: a POST/PUT/PATCH/DELETE that a browser says comes from another
 * site (`Sec-Fetch-Site: cross-site|same-site`, or an `Origin` whose host is not ours) gets 403.
 * The console and web card send their token in the Authorization header, which another origin
 * cannot add without a CORS preflight we never grant, and the Bull Board cookie is SameSite=Strict;
 * this is the third lock, and the one that holds for cookie writes in browsers that ignore
 * SameSite. Servers (CRMs, webhooks, curl) send neither header and pass. Both headers are
 * forbidden request headers, so page script cannot forge them
 * (https://fetch.spec.whatwg.org/#forbidden-request-header).
 */
export function sameOriginWrites(options: { publicUrl?: string | undefined } = {}): RequestHandler {
  const publicHost = options.publicUrl ? safeHost(options.publicUrl) : null;
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    // `req.host` honours X-Forwarded-Host only from the proxies the app trusts.
    const ours = new Set([req.get('host'), req.host, publicHost].filter((h): h is string => typeof h === 'string' && h !== ''));
    const crossSite = site === 'cross-site' || site === 'same-site';
    const foreignOrigin = origin !== undefined && !ours.has(safeHost(origin) ?? '');
    if (crossSite || foreignOrigin) {
      res.status(403).json({
        error: {
          code: 'HTTP.FORBIDDEN',
          message: `cross-origin ${req.method} refused${origin ? ` (Origin ${origin.slice(0, 100)})` : ''}: writes must come from this server's own pages`,
        },
      });
      return;
    }
    next();
  };
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
