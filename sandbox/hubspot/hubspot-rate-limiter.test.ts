import { fixedClock } from '../../core';
import { HubSpotRateLimiter } from './hubspot-rate-limiter';

describe('HubSpot rate limiter', () => {
  it('rolls the 10-second window: capacity returns as the oldest accepted requests age out', () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const limiter = new HubSpotRateLimiter('free', clock);
    const verdicts = [];
    for (let i = 0; i < 100; i++) {
      verdicts.push(limiter.take({ search: false, oauth: false }).ok);
      clock.advance(10);
    }
    expect(verdicts.every(Boolean)).toBe(true);
    expect(limiter.take({ search: false, oauth: false })).toMatchObject({ ok: false, policy: 'TEN_SECONDLY_ROLLING' });
    clock.advance(10_000 - 1000 + 1); // the first request (t=0) is now 10 s old
    const next = limiter.take({ search: false, oauth: false });
    expect(next.ok).toBe(true);
    expect(next.headers['X-HubSpot-RateLimit-Remaining']).toBe('0');
    expect(limiter.take({ search: false, oauth: false }).ok).toBe(false);
  });

  it('leaves the daily headers out for OAuth calls and enforces the per-second search limit', () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const limiter = new HubSpotRateLimiter('professional', clock, 2);
    const oauth = limiter.take({ search: true, oauth: true });
    expect(oauth.headers['X-HubSpot-RateLimit-Daily']).toBeUndefined();
    expect(oauth.headers['X-HubSpot-RateLimit-Max']).toBe('190');
    expect(limiter.take({ search: true, oauth: false }).ok).toBe(true);
    expect(limiter.take({ search: true, oauth: false })).toMatchObject({ ok: false, policy: 'SECONDLY' });
    clock.advance(1001);
    expect(limiter.take({ search: true, oauth: false }).ok).toBe(true);
  });
});
