import type { Clock } from '../../core';

/**
 * HubSpot's per-app limits: a 10-second rolling window and a daily count per account.
 * https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 */
export const HUBSPOT_TIERS = {
  free: { perTenSeconds: 100, daily: 250_000 },
  starter: { perTenSeconds: 100, daily: 250_000 },
  professional: { perTenSeconds: 190, daily: 625_000 },
  enterprise: { perTenSeconds: 190, daily: 1_000_000 },
  'api-add-on': { perTenSeconds: 250, daily: 1_000_000 },
} as const;
export type HubSpotTier = keyof typeof HUBSPOT_TIERS;

export const TEN_SECONDS_MS = 10_000;
/** The search endpoints have their own, lower limit (per account, per second). */
export const SEARCH_PER_SECOND = 5;

export type RateVerdict =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; policy: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY'; headers: Record<string, string> };

export class HubSpotRateLimiter {
  // Timestamps of accepted requests within the last window, per app; rejected requests are not counted.
  private readonly windows = new Map<string, number[]>();
  private searchWindow: number[] = [];
  private day = '';
  private dailyUsed = 0;
  private readonly perTen: number;
  private readonly daily: number;

  constructor(
    tier: HubSpotTier,
    private readonly clock: Clock,
    private readonly searchPerSecond = SEARCH_PER_SECOND,
  ) {
    this.perTen = HUBSPOT_TIERS[tier].perTenSeconds;
    this.daily = HUBSPOT_TIERS[tier].daily;
  }

  /** Counts one request. OAuth-authorised calls don't carry the daily pair of headers. */
  take(options: { search: boolean; oauth: boolean; app?: string }): RateVerdict {
    const now = this.clock.now().getTime();
    const today = new Date(now).toISOString().slice(0, 10);
    if (today !== this.day) {
      this.day = today;
      this.dailyUsed = 0;
    }
    const app = options.app ?? 'app';
    const window = (this.windows.get(app) ?? []).filter((t) => t > now - TEN_SECONDS_MS);
    this.windows.set(app, window);
    const headers = (remaining: number, dailyRemaining: number): Record<string, string> => ({
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS_MS),
      'X-HubSpot-RateLimit-Max': String(this.perTen),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, remaining)),
      ...(options.oauth
        ? {}
        : { 'X-HubSpot-RateLimit-Daily': String(this.daily), 'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, dailyRemaining)) }),
    });
    if (this.dailyUsed >= this.daily) return { ok: false, policy: 'DAILY', headers: headers(this.perTen - window.length, 0) };
    if (window.length >= this.perTen)
      return { ok: false, policy: 'TEN_SECONDLY_ROLLING', headers: headers(0, this.daily - this.dailyUsed) };
    if (options.search) {
      this.searchWindow = this.searchWindow.filter((t) => t > now - 1000);
      if (this.searchWindow.length >= this.searchPerSecond)
        return { ok: false, policy: 'SECONDLY', headers: headers(this.perTen - window.length, this.daily - this.dailyUsed) };
      this.searchWindow.push(now);
    }
    window.push(now);
    this.dailyUsed++;
    return { ok: true, headers: headers(this.perTen - window.length, this.daily - this.dailyUsed) };
  }
}
