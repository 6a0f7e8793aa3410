import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { SuccessEngineError } from '../../core';
import type { ApiPrincipal, ApiRole, RecordStore } from '../../core/ports/record-store.port';

/** The caller of this request, set by `authenticate`; every handler scopes its reads to its tenant. */
export function principalOf(res: Response): ApiPrincipal {
  const principal = res.locals.principal as ApiPrincipal | undefined;
  if (!principal) throw new SuccessEngineError('HTTP.UNAUTHENTICATED', 'no API token');
  return principal;
}

/** `Authorization: Bearer se_…`: an API token issued for one tenant and role. */
export function authenticate(store: Pick<RecordStore, 'resolveApiToken'>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match?.[1] ? store.resolveApiToken(match[1]) : null;
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer realm="success-engine"');
      res.status(401).json({ error: { code: 'HTTP.UNAUTHENTICATED', message: match ? 'the API token is not valid' : 'send an API token as "Authorization: Bearer <token>"' } });
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

export function requireRole(role: ApiRole): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (role === 'admin' && principal.role !== 'admin') {
      res.status(403).json({ error: { code: 'HTTP.FORBIDDEN', message: 'this needs an admin token' } });
      return;
    }
    next();
  };
}
