import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { SuccessEngineError } from '../../core';
import type { Store, StaffPrincipal, StaffRole } from '../../core';
import { recordAuthFailure, refuseIfLockedOut } from '../http/auth-failure-limiter';

/**
 * Authentication for routes that need the full principal (rep tokens carry their CRM user). The
 * shared `authenticate` in app/http sees rep and service tokens as `reader`; this one sees the role.
 */
export function authenticateStaff(store: Pick<Store, 'resolveStaffToken'>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (await refuseIfLockedOut(req, res)) return;
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const principal = match?.[1] ? await store.resolveStaffToken(match[1]) : null;
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
    res.locals.staff = principal;
    next();
  };
}

export function staffOf(res: Response): StaffPrincipal {
  const principal = res.locals.staff as StaffPrincipal | undefined;
  if (!principal) throw new SuccessEngineError('HTTP.UNAUTHENTICATED', 'no API token');
  return principal;
}

/** 403 unless the caller's role is one of `roles`. */
export function requireStaffRole(...roles: StaffRole[]): RequestHandler {
  return (_req, res, next) => {
    const principal = staffOf(res);
    if (!roles.includes(principal.role)) {
      res
        .status(403)
        .json({ error: { code: 'HTTP.FORBIDDEN', message: `this needs a ${roles.join(' or ')} token; yours is ${principal.role}` } });
      return;
    }
    next();
  };
}
