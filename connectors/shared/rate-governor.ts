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

/**
 * A provider's rolling window (HubSpot: at most `max` requests in any 10 s) kept as a log of
 * send slots: a request may go once the `max`-th newest slot is a window (plus `marginMs`) old.
 * Unlike a token bucket, which must hold back its burst from the rate to stay under the window,
 * this sustains the full max ÷ window. `marginMs` absorbs the spread between our slot and the
 * provider's arrival time (network, a busy event loop). No maintained library keeps such a log
 * with reservations across processes, so it is written here (one Lua script for Redis below).
 */
export interface WindowConfig {
  max: number;
  windowMs: number;
  marginMs: number;
}

/** HubSpot's rolling window for an app's tier, with the margin we keep for arrival spread. */
export function hubspotWindow(max: number, intervalMs: number): WindowConfig {
  return { max, windowMs: intervalMs, marginMs: WINDOW_MARGIN_MS };
}
/**
 * 250 ms on a 10 s window (2.5 % of the rate): a send can leave later than its slot when the event
 * loop is busy (a page of the book being scored in the same process, about 0.2 s).
 */
const WINDOW_MARGIN_MS = 250;

/** In-process rolling-window log with reservations (sorted: slots are handed out in order). */
export class SlidingWindowGovernor implements RateGovernor {
  private readonly slots: number[] = [];
  private blockedUntil = 0;

  constructor(
    private readonly config: WindowConfig,
    private readonly clock: Clock = { now: () => new Date() },
    private readonly sleep: Sleep = realSleep,
  ) {}

  private forget(now: number): void {
    const span = this.config.windowMs + this.config.marginMs;
    let drop = 0;
    while (drop < this.slots.length && (this.slots[drop] as number) <= now - span) drop++;
    if (drop) this.slots.splice(0, drop);
  }

  acquire(cost = 1): Promise<void> {
    return sendOnTime((c) => Promise.resolve(this.take(c)), cost, this.config, this.clock, this.sleep);
  }

  private take(cost: number): number {
    const now = this.clock.now().getTime();
    this.forget(now);
    const span = this.config.windowMs + this.config.marginMs;
    let at = Math.max(now, this.blockedUntil, this.slots.at(-1) ?? now);
    for (let i = 0; i < cost; i++) {
      const n = this.slots.length;
      if (n >= this.config.max) at = Math.max(at, (this.slots[n - this.config.max] as number) + span);
      this.slots.push(at);
    }
    return at - now;
  }

  penalise(waitMs: number): Promise<void> {
    this.blockedUntil = Math.max(this.blockedUntil, this.clock.now().getTime() + waitMs);
    return Promise.resolve();
  }

  /** The provider counts more in its window than we sent (another client of the app): count the difference as sent now. */
  capTo(remaining: number): Promise<void> {
    const now = this.clock.now().getTime();
    this.forget(now);
    const used = this.slots.filter((s) => s <= now).length;
    const missing = this.config.max - remaining - used;
    if (missing > 0) {
      const at = this.slots.findIndex((s) => s > now);
      this.slots.splice(at < 0 ? this.slots.length : at, 0, ...new Array<number>(missing).fill(now));
    }
    return Promise.resolve();
  }

  /** For tests: slots still in the window or reserved ahead. */
  pending(): number {
    this.forget(this.clock.now().getTime());
    return this.slots.length;
  }
}

/** Late wakes (a busy event loop) after which a caller takes a new slot before sending anyway. */
const MAX_LATE_RETAKES = 3;

/**
 * Sleep until the reserved slot, then check we are not late: a send more than half the margin after
 * its slot could land in the provider's next window beside sends that kept time, so a late caller
 * takes a fresh slot (the missed one stays logged, as if sent). Time is measured from before the
 * reservation, so a slow answer from Redis counts as lateness too.
 */
async function sendOnTime(
  take: (cost: number) => Promise<number>,
  cost: number,
  config: WindowConfig,
  clock: Clock,
  sleep: Sleep,
): Promise<void> {
  for (let retakes = 0; ; retakes++) {
    const asked = clock.now().getTime();
    const wait = await take(cost);
    if (wait > 0) await sleep(wait);
    const late = clock.now().getTime() - (asked + Math.max(0, wait));
    if (late <= config.marginMs / 2 || retakes >= MAX_LATE_RETAKES) return;
  }
}

const processWindows = new Map<string, SlidingWindowGovernor>();

/** One in-process rolling-window governor per key, like `sharedGovernor`. */
export function sharedWindowGovernor(key: string, config: WindowConfig, clock?: Clock, sleep?: Sleep): SlidingWindowGovernor {
  let governor = processWindows.get(key);
  if (!governor) {
    governor = new SlidingWindowGovernor(config, clock, sleep);
    processWindows.set(key, governor);
  }
  return governor;
}

// The same log in a sorted set (score = slot ms, member = a counter), the clock Redis's own.
// KEYS: the log, the block-until key, the member counter. Returns the wait in ms for 'take'.
const WINDOW_LUA = `
local log, blockKey, seqKey = KEYS[1], KEYS[2], KEYS[3]
local max = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local op = ARGV[3]
local arg = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', log, '-inf', now - span)
local blocked = tonumber(redis.call('GET', blockKey) or '0')
local wait = 0
if op == 'take' then
  local at = math.max(now, blocked)
  local last = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
  if last[2] then at = math.max(at, tonumber(last[2])) end
  for i = 1, arg do
    local n = redis.call('ZCARD', log)
    if n >= max then
      local edge = redis.call('ZRANGE', log, n - max, n - max, 'WITHSCORES')
      at = math.max(at, tonumber(edge[2]) + span)
    end
    redis.call('ZADD', log, at, redis.call('INCR', seqKey))
  end
  wait = at - now
elseif op == 'penalise' then
  if now + arg > blocked then redis.call('SET', blockKey, now + arg, 'PX', arg + ttl) end
elseif op == 'cap' then
  local missing = max - arg - redis.call('ZCOUNT', log, '-inf', now)
  for i = 1, missing do redis.call('ZADD', log, now, redis.call('INCR', seqKey)) end
end
redis.call('PEXPIRE', log, ttl)
redis.call('PEXPIRE', seqKey, ttl)
return wait
`;

/** The rolling-window log kept in Redis, so every worker of a tenant (processes on many hosts) shares one window. */
export class RedisSlidingWindowGovernor implements RateGovernor {
  private readonly keys: [string, string, string];
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisEvalClient,
    key: string,
    private readonly config: WindowConfig,
    private readonly sleep: Sleep = realSleep,
    private readonly clock: Clock = { now: () => new Date() },
  ) {
    // One hash tag: the three keys live in one Redis Cluster slot.
    this.keys = [`{${key}}:log`, `{${key}}:blocked`, `{${key}}:seq`];
    this.ttlMs = Math.max(60_000, 2 * (config.windowMs + config.marginMs));
  }

  private async run(op: 'take' | 'penalise' | 'cap', arg: number): Promise<number> {
    const span = this.config.windowMs + this.config.marginMs;
    const wait = await this.redis.eval(WINDOW_LUA, 3, ...this.keys, this.config.max, span, op, arg, this.ttlMs);
    return typeof wait === 'number' ? wait : Number(wait);
  }

  acquire(cost = 1): Promise<void> {
    return sendOnTime((c) => this.run('take', c), cost, this.config, this.clock, this.sleep);
  }

  async penalise(waitMs: number): Promise<void> {
    await this.run('penalise', waitMs);
  }

  async capTo(remaining: number): Promise<void> {
    await this.run('cap', remaining);
  }
}
