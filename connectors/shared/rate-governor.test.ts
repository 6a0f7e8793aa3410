import { fixedClock } from '../../core';
import { emptyCallStats, governedCall } from './governed-call';
import { HUBSPOT_LIMITS } from './provider-limits';
import { bucketForWindow, sharedGovernor, TokenBucketGovernor } from './rate-governor';

function virtualTime(): { clock: ReturnType<typeof fixedClock>; sleep: (ms: number) => Promise<void>; slept: number[] } {
  const clock = fixedClock('2026-01-01T00:00:00.000Z');
  const slept: number[] = [];
  return {
    clock,
    slept,
    sleep: (ms) => {
      slept.push(ms);
      clock.advance(ms);
      return Promise.resolve();
    },
  };
}

describe('token bucket governor', () => {
  it('never lets more than max requests into any rolling window', async () => {
    const t = virtualTime();
    const config = bucketForWindow(100, 10_000);
    const g = new TokenBucketGovernor(config, t.clock, t.sleep);
    const sent: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      await g.acquire();
      sent.push(t.clock.now().getTime());
    }
    let worst = 0;
    for (let i = 0, j = 0; i < sent.length; i++) {
      while ((sent[i] as number) - (sent[j] as number) >= 10_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(100);
    // and it is not needlessly slow: 1,000 calls at 100/10 s take about 100 s
    const elapsed = (sent.at(-1) as number) - (sent[0] as number);
    expect(elapsed).toBeLessThan(1_000 * 100 * 1.12);
  });

  it('makes every caller wait out a penalty and caps tokens to what the provider reports', async () => {
    const t = virtualTime();
    const g = new TokenBucketGovernor({ capacity: 10, refillPerSecond: 10 }, t.clock, t.sleep);
    await g.penalise(5_000);
    const before = t.clock.now().getTime();
    await g.acquire();
    expect(t.clock.now().getTime() - before).toBeGreaterThanOrEqual(5_000);
    t.clock.advance(10_000);
    expect(g.available()).toBe(10);
    await g.capTo(2);
    expect(g.available()).toBe(2);
  });

  it('is shared per key within the process', () => {
    const a = sharedGovernor('hubspot:test-portal', { capacity: 1, refillPerSecond: 1 });
    const b = sharedGovernor('hubspot:test-portal', { capacity: 5, refillPerSecond: 5 });
    expect(a).toBe(b);
  });
});

describe('governedCall', () => {
  it('retries 5xx and resets, waits out 429s without spending attempts, counts calls and failures', async () => {
    const t = virtualTime();
    const g = new TokenBucketGovernor({ capacity: 100, refillPerSecond: 100 }, t.clock, t.sleep);
    const answers: (number | 'reset' | 'ok')[] = [429, 503, 'reset', 429, 'ok'];
    const stats = emptyCallStats();
    const result = await governedCall(
      'test',
      () => {
        const next = answers.shift();
        if (next === 'ok') return Promise.resolve(42);
        return Promise.reject(Object.assign(new Error('failed'), { code: next === 'reset' ? 'ECONNRESET' : next }));
      },
      {
        limits: { ...HUBSPOT_LIMITS, maxAttempts: 3 },
        governor: g,
        sleep: t.sleep,
        stats,
        describe: (e) => {
          const c = (e as { code: number | string }).code;
          return typeof c === 'number' ? { status: c } : { networkCode: c };
        },
      },
    );
    expect(result).toBe(42);
    expect(stats).toEqual({
      calls: 5,
      failed: 4,
      gaveUp: 0,
      gaveUpByReason: {},
      byReason: { 'rate-limited': 2, 'server-error': 1, network: 1 },
    });
    expect(t.slept.filter((ms) => ms >= HUBSPOT_LIMITS.rateLimitWaitMs)).toHaveLength(2);
  });

  it('refreshes the token on 401 and replays once; throws AUTH_REVOKED on the second 401', async () => {
    const t = virtualTime();
    const g = new TokenBucketGovernor({ capacity: 100, refillPerSecond: 100 }, t.clock, t.sleep);
    let refreshed = 0;
    const options = {
      limits: HUBSPOT_LIMITS,
      governor: g,
      sleep: t.sleep,
      stats: emptyCallStats(),
      describe: () => ({ status: 401, body: { category: 'EXPIRED_AUTHENTICATION' } }),
      refreshAuth: () => {
        refreshed++;
        return Promise.resolve();
      },
    };
    await expect(governedCall('x', () => Promise.reject(new Error('401')), options)).rejects.toMatchObject({
      code: 'CONNECTOR.AUTH_REVOKED',
    });
    expect(refreshed).toBe(1);
    // Two raw failures, one call failed for good.
    expect(options.stats).toMatchObject({ calls: 2, failed: 2, gaveUp: 1, gaveUpByReason: { 'auth-revoked': 1 } });
  });

  it('hands a persistent rate limit to the queue as RATE_LIMITED with waitMs', async () => {
    const t = virtualTime();
    const g = new TokenBucketGovernor({ capacity: 100, refillPerSecond: 100 }, t.clock, t.sleep);
    const err = governedCall('x', () => Promise.reject(new Error('429')), {
      limits: HUBSPOT_LIMITS,
      governor: g,
      sleep: t.sleep,
      stats: emptyCallStats(),
      describe: () => ({ status: 429 }),
      maxRateLimitWaits: 2,
    });
    await expect(err).rejects.toMatchObject({ code: 'CONNECTOR.RATE_LIMITED', details: { waitMs: HUBSPOT_LIMITS.rateLimitWaitMs } });
  });
});
