import type { Request, RequestHandler, Response } from 'express';

export interface AuthFailureLimits {
  /** Failed token checks one client address may make per window before it gets 429. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { maxFailures: 30, windowMs: 60_000 };
/** Past this many tracked addresses, expired windows are swept so a spray of addresses cannot grow memory without bound. */
const SWEEP_AT = 10_000;

/**
 * Failed bearer-token attempts per client address in a fixed window. Once an address reaches the
 * limit, every token check from it answers 429 until the window ends, valid token or not, so
 * guessing cannot tell a hit from a miss. In memory, per serve process: a counter this small is
 * simpler written than pulled in (express-rate-limit counts every request, not failures).
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `address` may try again; 0 when it may try now. */
  blockedForMs(address: string): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    const left = w.start + this.limits.windowMs - this.now();
    if (left <= 0) {
      this.windows.delete(address);
      return 0;
    }
    return w.failures >= this.limits.maxFailures ? left : 0;
  }

  recordFailure(address: string): void {
    const t = this.now();
    const w = this.windows.get(address);
    if (w && t - w.start < this.limits.windowMs) w.failures += 1;
    else {
      if (this.windows.size >= SWEEP_AT) this.sweep(t);
      this.windows.set(address, { start: t, failures: 1 });
    }
  }

  private sweep(t: number): void {
    for (const [address, w] of this.windows) if (t - w.start >= this.limits.windowMs) this.windows.delete(address);
  }
}

const LOCALS_KEY = 'authFailureLimiter';

/** Puts the app's one limiter where every token check (console, cards, API, Bull Board, install) finds it. */
export function provideAuthFailureLimiter(limiter: AuthFailureLimiter): RequestHandler {
  return (_req, res, next) => {
    res.locals[LOCALS_KEY] = limiter;
    next();
  };
}

function limiterOf(res: Response): AuthFailureLimiter | undefined {
  return res.locals[LOCALS_KEY] as AuthFailureLimiter | undefined;
}

/** The client address (`req.ip` follows the app's trust-proxy setting). */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Answers 429 and returns true when the caller's address is locked out of token checks. */
export function refuseIfLockedOut(req: Request, res: Response): boolean {
  const limiter = limiterOf(res);
  const wait = limiter?.blockedForMs(clientAddress(req)) ?? 0;
  if (wait <= 0) return false;
  res.set('Retry-After', String(Math.ceil(wait / 1000)));
  res.status(429).json({
    error: {
      code: 'HTTP.RATE_LIMITED',
      message: `too many failed token checks from this address; try again in ${Math.ceil(wait / 1000)} s`,
    },
  });
  return true;
}

/** Counts a failed token check (an unknown token; a missing header is not a guess). */
export function recordAuthFailure(req: Request, res: Response): void {
  limiterOf(res)?.recordFailure(clientAddress(req));
}
