import type { AccountId, Alert, TenantId } from '../../core';
import { AlertV1Schema, toAlertV1, toSlackPayload } from './alert-payload.schema';
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from './retry-schedule';
import { classify, routeOf } from './webhook-alert.sink';

const alert: Alert = {
  idempotencyKey: 'k1',
  tenantId: 't1' as TenantId,
  accountId: 'hubspot:1' as AccountId,
  rule: 'risk-jump',
  severity: 'critical',
  title: { en: 'Risk jumped', zh: '风险上升' },
  reasons: [{ en: 'From 40% to 80%', zh: '从 40% 升至 80%' }],
  ownerId: 'u1',
  raisedAt: '2026-06-01T12:00:00.000Z',
  data: { accountName: 'Acme', target: 'team:emea' },
};

describe('alert.v1 payload', () => {
  it('maps an alert to the versioned schema, keeping both languages', () => {
    const v1 = toAlertV1(alert, routeOf(alert));
    expect(AlertV1Schema.parse(v1)).toEqual(v1);
    expect(v1).toMatchObject({ schema: 'alert.v1', id: 'k1', accountName: 'Acme', owner: { id: 'u1' }, route: 'team:emea' });
    expect(routeOf({ ...alert, data: {} })).toBe('owner:u1');
  });

  it('renders a Slack body with text fallback and blocks in both languages', () => {
    const slack = toSlackPayload(toAlertV1(alert, 'owner:u1')) as { text: string; blocks: { type: string }[] };
    expect(slack.text).toContain('Risk jumped');
    expect(slack.text).toContain('风险上升');
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
  });
});

describe('retry policy', () => {
  it('draws full-jitter delays under an exponential ceiling capped at maxDelay', () => {
    const p = DEFAULT_RETRY_POLICY;
    expect(backoffDelayMs(1, p, () => 0.999999)).toBe(Math.floor(0.999999 * p.baseDelayMs));
    expect(backoffDelayMs(3, p, () => 0.5)).toBe(Math.floor(0.5 * p.baseDelayMs * 4));
    expect(backoffDelayMs(50, p, () => 0.5)).toBe(Math.floor(0.5 * p.maxDelayMs));
    expect(backoffDelayMs(2, p, () => 0)).toBe(1);
  });

  it('classifies answers into delivered, retryable and permanent', () => {
    const r = (status: number) => classify({ kind: 'response', status, body: '' }).kind;
    expect([200, 204, 409].map(r)).toEqual(['delivered', 'delivered', 'delivered']);
    expect([408, 425, 429, 500, 503].map(r)).toEqual(['retryable', 'retryable', 'retryable', 'retryable', 'retryable']);
    expect([301, 400, 401, 404, 410].map(r)).toEqual(['permanent', 'permanent', 'permanent', 'permanent', 'permanent']);
    expect(classify({ kind: 'timeout', message: 'slow' }).kind).toBe('retryable');
  });
});
