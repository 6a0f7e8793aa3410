import IORedis, { type Redis } from 'ioredis';
import { RedisSlidingWindowGovernor, RedisTokenBucketGovernor } from '../../connectors/shared/rate-governor';
import { redisUrl, uniquePrefix } from '../helpers/redis';

/** Two connections stand in for two workers of one tenant; sleeps are recorded, not slept. */
describe('Redis token bucket shared by workers of a tenant', () => {
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new IORedis(redisUrl());
    b = new IORedis(redisUrl());
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
  });

  const governor = (redis: Redis, key: string, waits: number[]): RedisTokenBucketGovernor =>
    new RedisTokenBucketGovernor(redis, key, { capacity: 5, refillPerSecond: 10 }, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    });

  it('spends one budget across workers: the burst is shared and later callers queue behind it', async () => {
    const key = `${uniquePrefix('governor')}:hubspot:portal-1`;
    const waitsA: number[] = [];
    const waitsB: number[] = [];
    const ga = governor(a, key, waitsA);
    const gb = governor(b, key, waitsB);
    for (let i = 0; i < 5; i++) await ga.acquire();
    expect(waitsA).toEqual([]);
    // Worker B finds the burst gone: it must wait about one refill interval (100 ms at 10/s).
    await gb.acquire();
    expect(waitsB).toHaveLength(1);
    expect(waitsB[0]).toBeGreaterThan(0);
    expect(waitsB[0]).toBeLessThanOrEqual(100);
    for (let i = 0; i < 10; i++) await (i % 2 ? ga : gb).acquire();
    const all = [...waitsB.slice(1), ...waitsA].length;
    expect(all).toBe(10);
    // Reservations stack up: the 16th request overall waits about a second (11 over capacity at 10/s).
    const last = Math.max(...waitsA, ...waitsB);
    expect(last).toBeGreaterThan(900);
    expect(last).toBeLessThanOrEqual(1_100);
  });

  it('a 429 seen by one worker pauses the others', async () => {
    const key = `${uniquePrefix('governor')}:hubspot:portal-2`;
    const waitsB: number[] = [];
    await governor(a, key, []).penalise(10_000);
    await governor(b, key, waitsB).acquire();
    expect(waitsB[0]).toBeGreaterThanOrEqual(10_000);
  });

  it('capTo holds the shared bucket at what the provider reports remaining', async () => {
    const key = `${uniquePrefix('governor')}:hubspot:portal-3`;
    const waits: number[] = [];
    await governor(a, key, []).capTo(1);
    const gb = governor(b, key, waits);
    await gb.acquire();
    expect(waits).toEqual([]);
    await gb.acquire();
    expect(waits).toHaveLength(1);
  });
});

/** HubSpot's rolling window as a log in Redis: two connections stand in for two workers; sleeps are recorded, not slept. */
describe('Redis sliding-window log shared by workers of a tenant', () => {
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new IORedis(redisUrl());
    b = new IORedis(redisUrl());
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
  });
  const config = { max: 10, windowMs: 10_000, marginMs: 250 };
  const governor = (redis: Redis, key: string, waits: number[]): RedisSlidingWindowGovernor =>
    new RedisSlidingWindowGovernor(redis, key, config, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    });

  it('hands out the whole window at once across workers, then one slot per slot leaving the window', async () => {
    const key = `${uniquePrefix('window')}:hubspot:portal-1`;
    const waitsA: number[] = [];
    const waitsB: number[] = [];
    const ga = governor(a, key, waitsA);
    const gb = governor(b, key, waitsB);
    for (let i = 0; i < 10; i++) await (i % 2 ? ga : gb).acquire();
    expect([...waitsA, ...waitsB]).toEqual([]);
    // The 11th and 12th wait for the 1st and 2nd slots to be a window plus the margin old.
    await ga.acquire();
    await gb.acquire();
    for (const wait of [waitsA[0], waitsB[0]]) {
      expect(wait).toBeGreaterThan(9_900);
      expect(wait).toBeLessThanOrEqual(10_250);
    }
  });

  it('a 429 seen by one worker pauses the others; a provider count above ours fills the log', async () => {
    const paused = `${uniquePrefix('window')}:hubspot:portal-2`;
    const waitsB: number[] = [];
    await governor(a, paused, []).penalise(10_000);
    await governor(b, paused, waitsB).acquire();
    expect(waitsB[0]).toBeGreaterThan(9_900);

    const capped = `${uniquePrefix('window')}:hubspot:portal-3`;
    const waits: number[] = [];
    await governor(a, capped, []).capTo(1);
    const gb = governor(b, capped, waits);
    await gb.acquire();
    expect(waits).toEqual([]);
    await gb.acquire();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(10_000);
  });
});
