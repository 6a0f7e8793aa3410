import { fixedClock } from '../../core';
import { emptyCallStats, governedCall } from './governed-call';
import { HUBSPOT_LIMITS } from './provider-limits';
import {
  bucketForWindow,
  hubspotWindow,
  sharedGovernor,
  SlidingWindowGovernor,
  TokenBucketGovernor,
  type RateGovernor,
} from './rate-governor';

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

/** Send times of `n` calls made one after another through `g`. */
async function sendTimes(g: RateGovernor, t: ReturnType<typeof virtualTime>, n: number): Promise<number[]> {
  const sent: number[] = [];
  for (let i = 0; i < n; i++) {
    await g.acquire();
    sent.push(t.clock.now().getTime());
  }
  return sent;
}

/** Most sends in any window of `windowMs` (a send exactly `windowMs` after another is outside its window, as HubSpot counts). */
function busiestWindow(sent: readonly number[], windowMs: number): number {
  let worst = 0;
  for (let i = 0, j = 0; i < sent.length; i++) {
    while ((sent[i] as number) - (sent[j] as number) >= windowMs) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

describe('sliding-window governor (HubSpot rolling 10 s)', () => {
  it('never lets more than max into any window, and sustains nearly the full rate a token bucket gives away', async () => {
    const t = virtualTime();
    const log = await sendTimes(new SlidingWindowGovernor(hubspotWindow(100, 10_000), t.clock, t.sleep), t, 1_000);
    const u = virtualTime();
    const bucket = await sendTimes(new TokenBucketGovernor(bucketForWindow(100, 10_000, { burstShare: 0.05 }), u.clock, u.sleep), u, 1_000);
    expect(busiestWindow(log, 10_000)).toBe(100);
    // With the margin, no window even 10.25 s long holds more than 100.
    expect(busiestWindow(log, 10_250)).toBe(100);
    const elapsed = (s: number[]): number => (s.at(-1) as number) - (s[0] as number);
    // 900 sends after the first window at 100 per 10.25 s: 92.25 s; the bucket needs 995 / 9.5 per s = 104.7 s.
    expect(elapsed(log)).toBe(92_250);
    expect(elapsed(bucket) / elapsed(log)).toBeGreaterThan(1.13);
  });

  it('a 429 blocks every caller for the wait; a provider count above ours is logged as sent now', async () => {
    const t = virtualTime();
    const g = new SlidingWindowGovernor({ max: 10, windowMs: 1_000, marginMs: 0 }, t.clock, t.sleep);
    await g.penalise(5_000);
    const before = t.clock.now().getTime();
    await g.acquire();
    expect(t.clock.now().getTime() - before).toBe(5_000);
    // HubSpot says 2 left after our one request: 7 other requests are in its window.
    await g.capTo(2);
    expect(g.pending()).toBe(8);
    await g.acquire();
    await g.acquire();
    const full = t.clock.now().getTime();
    await g.acquire();
    expect(t.clock.now().getTime() - full).toBe(1_000);
    // A count at or below ours adds nothing.
    const h = new SlidingWindowGovernor({ max: 10, windowMs: 1_000, marginMs: 0 }, t.clock, t.sleep);
    await h.acquire();
    await h.capTo(9);
    expect(h.pending()).toBe(1);
  });
});

describe('sliding-window governor, late wakes', () => {
  it('a caller woken later than half the margin after its slot takes a fresh slot before sending', async () => {
    const t = virtualTime();
    let oversleep = 0;
    const g = new SlidingWindowGovernor({ max: 2, windowMs: 1_000, marginMs: 200 }, t.clock, (ms) => {
      t.clock.advance(ms + oversleep);
      return Promise.resolve();
    });
    await g.acquire();
    await g.acquire();
    // The third slot is at 1,200 ms; the event loop wakes us 300 ms late (beyond the 100 ms allowed).
    oversleep = 300;
    const t0 = t.clock.now().getTime();
    await g.acquire();
    oversleep = 0;
    // Woken at 1,500: late, so it took a fresh slot (free at once) and the missed one stays logged.
    expect(t.clock.now().getTime() - t0).toBe(1_500);
    expect(g.pending()).toBe(2);
    // The missed slot still counts: the next send waits until it is a window plus the margin old.
    await g.acquire();
    expect(t.clock.now().getTime() - t0).toBe(2_400);
  });

  it('a caller woken on time keeps its slot', async () => {
    const t = virtualTime();
    const g = new SlidingWindowGovernor({ max: 1, windowMs: 1_000, marginMs: 200 }, t.clock, t.sleep);
    await g.acquire();
    await g.acquire();
    expect(t.clock.now().getTime() - Date.parse('2026-01-01T00:00:00.000Z')).toBe(1_200);
  });
});

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
