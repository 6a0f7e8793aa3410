import IORedis, { type Redis } from 'ioredis';
import { RedisTenantLock } from '../../app/worker/tenant-lock';
import { redisUrl, uniquePrefix } from '../helpers/redis';

/** Two connections stand in for two worker processes on two hosts sharing one Redis. */
describe('RedisTenantLock: one score run of a tenant at a time across workers', () => {
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
  const timings = { leaseMs: 3_000, pollMs: 20, maxWaitMs: 5_000 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('never lets two holders of one key overlap, and lets other keys run alongside', async () => {
    const prefix = uniquePrefix('tenant-lock');
    const hostA = new RedisTenantLock(a, prefix, timings);
    const hostB = new RedisTenantLock(b, prefix, timings);
    let inside = 0;
    let most = 0;
    const spans: [string, number, number][] = [];
    const work = (name: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      const from = Date.now();
      await sleep(60);
      spans.push([name, from, Date.now()]);
      inside--;
    };
    await Promise.all([
      hostA.hold('score:t1', work('a1')),
      hostB.hold('score:t1', work('b1')),
      hostA.hold('score:t1', work('a2')),
      hostB.hold('score:t1', work('b2')),
    ]);
    expect(most).toBe(1);
    expect(spans).toHaveLength(4);
    // Another tenant does not wait for this one.
    const t1 = hostA.hold('score:t1', () => sleep(200));
    const started = Date.now();
    await hostB.hold('score:t2', () => Promise.resolve());
    expect(Date.now() - started).toBeLessThan(150);
    await t1;
  });

  it('frees the key when the work fails, and a crashed holder’s claim lapses after its lease', async () => {
    const prefix = uniquePrefix('tenant-lock');
    const hostA = new RedisTenantLock(a, prefix, timings);
    await expect(hostA.hold('score:t1', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await a.exists(`${prefix}:lock:score:t1`)).toBe(0);

    // A holder that died without releasing: its key is there with a short lease and nobody renews it.
    await a.set(`${prefix}:lock:score:t1`, 'dead-holder', 'PX', 300);
    const started = Date.now();
    await new RedisTenantLock(b, prefix, timings).hold('score:t1', () => Promise.resolve());
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('renews its lease while the work outlasts it, and a waiter gives up with PIPELINE.TENANT_BUSY', async () => {
    const prefix = uniquePrefix('tenant-lock');
    const short = { leaseMs: 300, pollMs: 20, maxWaitMs: 700 };
    const holder = new RedisTenantLock(a, prefix, short);
    const waiter = new RedisTenantLock(b, prefix, short);
    const held = holder.hold('score:t1', () => sleep(1_200)); // four leases long
    await sleep(50);
    await expect(waiter.hold('score:t1', () => Promise.resolve('ran'))).rejects.toMatchObject({
      code: 'PIPELINE.TENANT_BUSY',
      message: expect.stringContaining('score:t1') as unknown,
    });
    await held;
    expect(await waiter.hold('score:t1', () => Promise.resolve('ran'))).toBe('ran');
  });
});
