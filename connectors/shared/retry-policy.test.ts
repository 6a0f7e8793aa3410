import { isSuccessEngineError } from '../../core';
import { HUBSPOT_LIMITS, SALESFORCE_LIMITS } from './provider-limits';
import { backoffMs, connectorError, decideRetry } from './retry-policy';

const noJitter = (): number => 0.5;

describe('decideRetry', () => {
  it('waits the HubSpot interval on a ten-secondly 429 without spending an attempt', () => {
    const d = decideRetry(HUBSPOT_LIMITS, {
      attempt: 1,
      status: 429,
      headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' },
      body: { policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten_secondly_rolling limit.' },
    });
    expect(d).toEqual({ retry: true, waitMs: 10_000, reason: 'rate-limited', countsAsAttempt: false });
  });

  it('honours Retry-After and the secondly search limit', () => {
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: 1, status: 429, headers: { 'retry-after': '3' } }).waitMs).toBe(3_000);
    expect(
      decideRetry(HUBSPOT_LIMITS, {
        attempt: 1,
        status: 429,
        body: { policyName: 'SECONDLY', message: 'You have reached your secondly limit.' },
      }).waitMs,
    ).toBe(1_000);
  });

  it('stops on a daily limit, for HubSpot 429 DAILY and Salesforce REQUEST_LIMIT_EXCEEDED', () => {
    const hs = decideRetry(HUBSPOT_LIMITS, { attempt: 1, status: 429, body: { policyName: 'DAILY' } });
    expect(hs).toMatchObject({ retry: false, reason: 'daily-limit' });
    expect(hs.waitMs).toBeGreaterThan(0);
    const sf = decideRetry(SALESFORCE_LIMITS, {
      attempt: 1,
      status: 403,
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }],
    });
    expect(sf.reason).toBe('daily-limit');
    expect(connectorError(sf, 'query', { attempt: 1, status: 403 }).code).toBe('CONNECTOR.RATE_LIMITED');
  });

  it('waits and retries on a Salesforce concurrent-request limit (REQUEST_LIMIT_EXCEEDED is not always the daily one)', () => {
    const d = decideRetry(SALESFORCE_LIMITS, {
      attempt: 1,
      status: 403,
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }],
    });
    expect(d).toMatchObject({ retry: true, reason: 'rate-limited', countsAsAttempt: false });
  });

  it('backs off exponentially on 5xx and network errors, then gives up after the last attempt', () => {
    const waits = [1, 2, 3, 4, 5].map((attempt) => decideRetry(HUBSPOT_LIMITS, { attempt, status: 503 }, noJitter));
    for (const w of waits) expect(w).toMatchObject({ retry: true, reason: 'server-error' });
    for (let i = 1; i < waits.length; i++) expect(waits[i]!.waitMs).toBeGreaterThanOrEqual(waits[i - 1]!.waitMs);
    expect(waits[4]!.waitMs).toBeLessThanOrEqual(HUBSPOT_LIMITS.backoffCapMs);
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: 2, networkCode: 'ECONNRESET' }, noJitter)).toMatchObject({
      retry: true,
      reason: 'network',
    });
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: HUBSPOT_LIMITS.maxAttempts, status: 500 })).toMatchObject({
      retry: false,
      reason: 'attempts-exhausted',
    });
  });

  it('asks for a refresh on 401 (revoked once attempts run out); 403, 404 and 400 are final', () => {
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: 1, status: 401, body: { category: 'EXPIRED_AUTHENTICATION' } })).toMatchObject({
      retry: true,
      waitMs: 0,
      reason: 'auth-expired',
    });
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: 3, status: 401 })).toMatchObject({ retry: true, reason: 'auth-expired' });
    const revoked = decideRetry(HUBSPOT_LIMITS, { attempt: HUBSPOT_LIMITS.maxAttempts, status: 401 });
    expect(revoked).toMatchObject({ retry: false, reason: 'auth-revoked' });
    expect(connectorError(revoked, 'x', { attempt: HUBSPOT_LIMITS.maxAttempts, status: 401 }).code).toBe('CONNECTOR.AUTH_REVOKED');
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: 1, status: 403 }).reason).toBe('permission-denied');
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: 1, status: 404 }).reason).toBe('not-found');
    expect(decideRetry(HUBSPOT_LIMITS, { attempt: 1, status: 400 }).reason).toBe('bad-request');
  });

  it('keeps jittered backoff within half to full of the exponential step', () => {
    for (const r of [0, 0.3, 0.999]) {
      const w = backoffMs(HUBSPOT_LIMITS, 3, () => r);
      expect(w).toBeGreaterThanOrEqual(HUBSPOT_LIMITS.backoffBaseMs * 2);
      expect(w).toBeLessThanOrEqual(HUBSPOT_LIMITS.backoffBaseMs * 4);
    }
  });

  it('carries waitMs on rate-limit errors for the queue', () => {
    const d = decideRetry(HUBSPOT_LIMITS, { attempt: 1, status: 429 });
    const e = connectorError(d, 'batch update', { attempt: 1, status: 429 });
    expect(isSuccessEngineError(e, 'CONNECTOR.RATE_LIMITED')).toBe(true);
    expect(e.details.waitMs).toBe(HUBSPOT_LIMITS.rateLimitWaitMs);
  });
});
