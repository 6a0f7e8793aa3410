import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface AuthFailureLimits {
  /** Failed token checks one client address may make per window before it gets 429. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { maxFailures: 30, windowMs: 60_000 };

/**
 * Failed bearer-token attempts per client address in a fixed window (rate-limiter-flexible). Once an
 * address reaches the limit, every token check from it answers 429 until the window ends, valid
 * token or not, so guessing cannot tell a hit from a miss. On Redis the count is shared by every
 * serve process on every host (a count per process multiplies the limit by the number of hosts);
 * while Redis does not answer, each process counts on its own rather than let checks wait.
 */
export class AuthFailureLimiter {
  private readonly counter: RateLimiterAbstract;

  constructor(
    private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS,
    shared?: { redis: Redis; keyPrefix: string },
  ) {
    const window = { points: limits.maxFailures, duration: Math.max(1, Math.ceil(limits.windowMs / 1000)) };
    this.counter = shared
      ? new RateLimiterRedis({
          ...window,
          storeClient: shared.redis,
          keyPrefix: `${shared.keyPrefix}:auth-failures`,
          insuranceLimiter: new RateLimiterMemory(window),
        })
      : new RateLimiterMemory(window);
  }

  /** Milliseconds until `address` may try again; 0 when it may try now. */
  async blockedForMs(address: string): Promise<number> {
    const seen = await this.counter.get(address);
    return seen && seen.consumedPoints >= this.limits.maxFailures ? seen.msBeforeNext : 0;
  }

  async recordFailure(address: string): Promise<void> {
    await this.counter.penalty(address, 1);
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
export async function refuseIfLockedOut(req: Request, res: Response): Promise<boolean> {
  const limiter = limiterOf(res);
  const wait = (await limiter?.blockedForMs(clientAddress(req))) ?? 0;
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
export async function recordAuthFailure(req: Request, res: Response): Promise<void> {
  await limiterOf(res)?.recordFailure(clientAddress(req));
}
