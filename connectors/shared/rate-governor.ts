import type { Clock } from '../../core';

/** Bucket shape: a burst of `capacity`, refilled at `refillPerSecond`. */
export interface BucketConfig {
  capacity: number;
  refillPerSecond: number;
}

/**
 * Pick a bucket that can never exceed a rolling window of `max` per `intervalMs`:
 * in any window at most capacity + rate × interval requests pass, so that sum is kept at max × share.
 */
export function bucketForWindow(
  max: number,
  intervalMs: number,
  options: { burstShare?: number; safetyShare?: number } = {},
): BucketConfig {
  const budget = Math.max(1, Math.floor(max * (options.safetyShare ?? 1)));
  const capacity = Math.max(1, Math.floor(budget * (options.burstShare ?? 0.1)));
  return { capacity, refillPerSecond: ((budget - capacity) * 1000) / intervalMs };
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Paces calls of one tenant to one provider; shared by every connector instance (and worker) of that tenant. */
export interface RateGovernor {
  /** Wait until `cost` requests may be sent (reserves them). */
  acquire(cost?: number): Promise<void>;
  /** The provider said stop: nobody sends for `waitMs`. */
  penalise(waitMs: number): Promise<void>;
  /** The provider said only `remaining` are left in its window: hold the bucket at or below that. */
  capTo(remaining: number): Promise<void>;
}

/**
 * In-process token bucket with reservations: tokens may go negative, and each caller sleeps
 * exactly for its own deficit, so waiting callers are served in arrival order without polling.
 */
export class TokenBucketGovernor implements RateGovernor {
  private tokens: number;
  private updatedMs: number;
  private readonly perMs: number;

  constructor(
    private readonly config: BucketConfig,
    private readonly clock: Clock = { now: () => new Date() },
    private readonly sleep: Sleep = realSleep,
  ) {
    this.tokens = config.capacity;
    this.updatedMs = clock.now().getTime();
    this.perMs = config.refillPerSecond / 1000;
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    this.tokens = Math.min(this.config.capacity, this.tokens + Math.max(0, now - this.updatedMs) * this.perMs);
    this.updatedMs = now;
  }

  async acquire(cost = 1): Promise<void> {
    this.refill();
    this.tokens -= cost;
    if (this.tokens < 0) await this.sleep(Math.ceil(-this.tokens / this.perMs));
  }

  penalise(waitMs: number): Promise<void> {
    this.refill();
    this.tokens = Math.min(this.tokens, -waitMs * this.perMs);
    return Promise.resolve();
  }

  capTo(remaining: number): Promise<void> {
    this.refill();
    this.tokens = Math.min(this.tokens, remaining);
    return Promise.resolve();
  }

  /** For tests and metrics. */
  available(): number {
    this.refill();
    return this.tokens;
  }
}

const processGovernors = new Map<string, TokenBucketGovernor>();

/** One in-process governor per key (e.g. `hubspot:<portalId>`), so every connector of a tenant shares it. */
export function sharedGovernor(key: string, config: BucketConfig, clock?: Clock, sleep?: Sleep): TokenBucketGovernor {
  let governor = processGovernors.get(key);
  if (!governor) {
    governor = new TokenBucketGovernor(config, clock, sleep);
    processGovernors.set(key, governor);
  }
  return governor;
}

/** The slice of an ioredis connection we need; keeps connectors free of a hard Redis dependency. */
export interface RedisEvalClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// Atomic take/penalise/cap on one hash; the clock is Redis's own (TIME), so workers on hosts
// with skewed clocks still agree. Returns the wait in ms for 'take'.
const BUCKET_LUA = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local op = ARGV[3]
local arg = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil or ts == nil then tokens = capacity; ts = now end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * perMs)
local wait = 0
if op == 'take' then
  tokens = tokens - arg
  if tokens < 0 then wait = math.ceil(-tokens / perMs) end
elseif op == 'penalise' then
  tokens = math.min(tokens, -arg * perMs)
elseif op == 'cap' then
  tokens = math.min(tokens, arg)
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', key, ttl)
return wait
`;

/** The same bucket kept in Redis, so all workers of a tenant (BullMQ processes on many hosts) share one budget. */
export class RedisTokenBucketGovernor implements RateGovernor {
  private readonly perMs: number;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisEvalClient,
    private readonly key: string,
    private readonly config: BucketConfig,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.perMs = config.refillPerSecond / 1000;
    // Long enough to remember a penalty; an idle bucket is full anyway.
    this.ttlMs = Math.max(60_000, Math.ceil((config.capacity / this.perMs) * 2));
  }

  private async run(op: 'take' | 'penalise' | 'cap', arg: number): Promise<number> {
    const wait = await this.redis.eval(BUCKET_LUA, 1, this.key, this.config.capacity, this.perMs, op, arg, this.ttlMs);
    return typeof wait === 'number' ? wait : Number(wait);
  }

  async acquire(cost = 1): Promise<void> {
    const wait = await this.run('take', cost);
    if (wait > 0) await this.sleep(wait);
  }

  async penalise(waitMs: number): Promise<void> {
    await this.run('penalise', waitMs);
  }

  async capTo(remaining: number): Promise<void> {
    await this.run('cap', remaining);
  }
}
