import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { SuccessEngineError } from '../../core';
import type { ApiPrincipal, ApiRole, Store, TenantRepository } from '../../core/ports/store.port';
import { recordAuthFailure, refuseIfLockedOut } from './auth-failure-limiter';

/** The caller of this request, set by `authenticate`; every handler scopes its reads to its tenant. */
export function principalOf(res: Response): ApiPrincipal {
  const principal = res.locals.principal as ApiPrincipal | undefined;
  if (!principal) throw new SuccessEngineError('HTTP.UNAUTHENTICATED', 'no API token');
  return principal;
}

/** `Authorization: Bearer se_…`: an API token issued for one tenant and role. */
export function authenticate(store: Pick<Store, 'resolveApiToken'>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (await refuseIfLockedOut(req, res)) return;
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match?.[1] ? await store.resolveApiToken(match[1]) : null;
    if (!principal) {
      if (match) await recordAuthFailure(req, res);
      res.set('WWW-Authenticate', 'Bearer realm="success-engine"');
      res.status(401).json({
        error: {
          code: 'HTTP.UNAUTHENTICATED',
          message: match ? 'the API token is not valid' : 'send an API token as "Authorization: Bearer <token>"',
        },
      });
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

/**
 * Rep tokens speak for one CRM user and open record cards only, which check what that user may see
 * in the CRM. Routes that read the whole tenant (the score API) or take the CRM user from a header
 * (the Salesforce card) refuse them: 403. Run after `authenticate`.
 */
export function refuseRepTokens(tokens: Pick<TenantRepository, 'resolveStaffToken'>): RequestHandler {
  return async (req, res, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (token && (await tokens.resolveStaffToken(token))?.role === 'rep') {
      res.status(403).json({
        error: {
          code: 'HTTP.FORBIDDEN',
          message: 'a rep token opens record cards only (/card/…), which check what the rep may see in the CRM',
        },
      });
      return;
    }
    next();
  };
}
