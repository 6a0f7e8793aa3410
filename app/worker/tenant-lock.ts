import { randomBytes } from 'node:crypto';
import { SuccessEngineError } from '../../core';
import type { RedisEvalClient } from '../../connectors/shared/rate-governor';

/**
 * One holder of a tenant's named work at a time, in any process on any host. Scoring needs it: a
 * run reads the tenant's alert history (cooldowns, each owner's weekly budget) when it starts and
 * spends it as it goes, so two runs overlapping (a nightly score and a sync's, on two workers) would
 * both spend the same budget. A waiter polls until the holder is done.
 */
export interface TenantLock {
  hold<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export interface TenantLockTimings {
  /** How long a holder's claim lasts unless renewed; a crashed holder's claim lapses then. */
  leaseMs: number;
  /** How often a waiter asks again. */
  pollMs: number;
  /** How long a waiter waits before giving up with PIPELINE.TENANT_BUSY (its job retries). */
  maxWaitMs: number;
}

// Renewed from the event loop every 15 s. Scoring yields between slices of 200 accounts (longest
// block 0.7 s at 100k; the BG/NBD fit, about 20 s, is the longest single step), so the lease lapses
// only with a dead holder: within a minute, about when BullMQ hands its job to another worker.
export const TENANT_LOCK_TIMINGS: TenantLockTimings = { leaseMs: 60_000, pollMs: 250, maxWaitMs: 30 * 60_000 };

/** Within one process (the in-process queue, `sync`/`score` without Redis): a promise chain per key. */
export class LocalTenantLock implements TenantLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async hold<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

// Take: SET NX with a lease. Renew and release only while the value is still this holder's token,
// so a holder whose lease lapsed can neither extend nor free a newer holder's claim.
const TAKE_LUA = `return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0`;
const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Across processes and hosts: a Redis key per tenant and work, leased and renewed while the work runs. */
export class RedisTenantLock implements TenantLock {
  constructor(
    private readonly redis: RedisEvalClient,
    private readonly prefix: string,
    private readonly timings: TenantLockTimings = TENANT_LOCK_TIMINGS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async hold<T>(key: string, work: () => Promise<T>): Promise<T> {
    const redisKey = `${this.prefix}:lock:${key}`;
    const token = randomBytes(12).toString('hex');
    await this.take(redisKey, token, key);
    const renew = setInterval(() => {
      this.redis.eval(RENEW_LUA, 1, redisKey, token, this.timings.leaseMs).catch(() => undefined);
    }, this.timings.leaseMs / 4);
    renew.unref();
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE_LUA, 1, redisKey, token).catch(() => undefined);
    }
  }

  private async take(redisKey: string, token: string, key: string): Promise<void> {
    const started = Date.now();
    while (Number(await this.redis.eval(TAKE_LUA, 1, redisKey, token, this.timings.leaseMs)) !== 1) {
      if (Date.now() - started >= this.timings.maxWaitMs)
        throw new SuccessEngineError(
          'PIPELINE.TENANT_BUSY',
          `${key} has been held by another worker for ${Math.round(this.timings.maxWaitMs / 1000)} s; the job will retry`,
          { key },
        );
      await this.sleep(this.timings.pollMs);
    }
  }
}
