import { buildRecord, type AccountId, type CanonicalAccount, type TenantId } from '../../core';
import { SqliteStore } from '../../store';
import { SETTING_KEYS } from '../settings/tenant-settings';
import {
  currentModelEvaluation,
  defaultEvaluationOptions,
  fairnessChecks,
  storedModelEvaluation,
  textAblation,
  type ModelEvaluation,
} from './model-evaluation';

const tenantId = 'tenant-eval' as TenantId;

function account(n: number): CanonicalAccount {
  return buildRecord('account', {
    tenantId,
    id: `hubspot:${n}` as AccountId,
    name: `Account ${n}`,
    status: 'active',
    attributes: {},
    source: { provider: 'hubspot', externalId: String(n), modstamp: '2026-09-01T00:00:00.000Z' },
  });
}

describe('model evaluation cache', () => {
  it('serves the stored evaluation, says when the book moved on, and recomputes only when asked for a current one', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await store.upsertTenant({ id: tenantId, name: 'Eval', locale: 'en', createdAt: '2026-09-01T00:00:00.000Z' });
      await store.upsertRecords('account', [account(1), account(2)]);
      expect(await storedModelEvaluation(store, tenantId)).toBeNull();
      const stored = {
        computedAt: '2026-09-02T00:00:00.000Z',
        now: '2026-09-01T00:00:00.000Z',
        options: defaultEvaluationOptions,
        activeVersion: null,
        accounts: 2,
        status: 'not-enough-history',
        message: null,
        backtest: null,
        calibration: [],
        lift: [],
        metrics: { rocAuc: null, brier: null, ece: null, positives: 0, n: 2 },
      } satisfies ModelEvaluation;
      await store.putTenantSetting(tenantId, SETTING_KEYS.modelEvaluation, stored, 'test');

      expect(await storedModelEvaluation(store, tenantId)).toEqual({ evaluation: stored, stale: false });
      expect((await currentModelEvaluation(store, tenantId, new Date('2026-09-03T00:00:00.000Z'))).computedAt).toBe(stored.computedAt);
      expect((await storedModelEvaluation(store, tenantId, { ...defaultEvaluationOptions, horizonDays: 60 }))?.stale).toBe(true);

      await store.upsertRecords('account', [account(3)]);
      expect(await storedModelEvaluation(store, tenantId)).toEqual({ evaluation: stored, stale: true });
      const fresh = await currentModelEvaluation(store, tenantId, new Date('2026-09-03T00:00:00.000Z'));
      expect(fresh).toMatchObject({ computedAt: '2026-09-03T00:00:00.000Z', accounts: 3, status: 'not-enough-history' });
      expect(await storedModelEvaluation(store, tenantId)).toEqual({ evaluation: fresh, stale: false });
    } finally {
      await store.close();
    }
  });
});

describe('fairness in model metrics', () => {
  it('checks region (country), segment (industry), plan and language (attribute) wherever the book has two groups, at the alert threshold', () => {
    // 40 US accounts half flagged, 40 DE accounts a quarter flagged; one plan only; language on the attributes.
    const accounts = Array.from({ length: 80 }, (_, i) => ({
      ...account(i),
      country: i < 40 ? 'US' : 'DE',
      plan: 'pro',
      attributes: { language: i % 2 ? 'zh' : 'en' },
    }));
    const ids = accounts.map((a) => a.id as string);
    const predicted = accounts.map((_, i) => (i < 40 ? (i < 20 ? 0.8 : 0.2) : i < 50 ? 0.8 : 0.2));
    const labels = accounts.map((_, i) => (i % 4 === 0 ? 1 : 0));
    const checks = fairnessChecks(accounts, ids, predicted, labels, 0.6);
    expect(checks.map((c) => c.attribute)).toEqual(['region', 'language']);
    const region = checks[0];
    expect(region?.groups.map((g) => [g.group, g.selectionRate])).toEqual([
      ['DE', 0.25],
      ['US', 0.5],
    ]);
    expect(region?.fourFifthsRatio).toBeCloseTo(0.5, 12);
    expect(region?.flagged).toEqual(['DE']);
    expect(region?.warning?.zh).toContain('DE');
    expect(checks[1]?.flagged).toEqual([]);
    expect(checks[1]?.warning).toBeNull();
  });
});

describe('text ablation in the backtest', () => {
  it('reports what the text features add: higher ROC-AUC with texts that follow the outcome, and the count of texts it saw', () => {
    const now = '2026-09-01T00:00:00.000Z';
    // 120 accounts; every fourth churns inside the 30-day horizon. Structural fields carry no signal.
    const accounts = Array.from({ length: 120 }, (_, i) => ({
      ...account(i),
      customerSince: '2025-01-01T00:00:00.000Z',
      arr: 1000 + ((i * 37) % 11) * 100,
      ...(i % 4 === 0 ? { status: 'churned' as const, churnedAt: `2026-08-${String(5 + (i % 20)).padStart(2, '0')}T00:00:00.000Z` } : {}),
    }));
    // Texts before the as-of date (2026-08-02): churning accounts mostly negative, with noise both ways.
    const texts = accounts.flatMap((a, i) => {
      const angry = i % 4 === 0 ? i % 12 !== 0 : i % 9 === 0;
      return [0, 1].map((k) => ({
        accountId: String(a.id),
        at: `2026-07-${String(10 + k * 5)}T00:00:00.000Z`,
        kind: 'ticket' as const,
        score: angry ? -0.8 : 0.6,
        label: angry ? ('negative' as const) : ('positive' as const),
        topics: [],
        maskedText: angry ? 'still waiting' : 'thanks',
      }));
    });
    texts.push({
      accountId: String(accounts[1]?.id),
      at: '2026-08-20T00:00:00.000Z',
      kind: 'ticket',
      score: -0.9,
      label: 'negative',
      topics: [],
      maskedText: 'after the as-of date',
    });
    const ablation = textAblation({ accounts, texts }, now, { horizonDays: 30 });
    expect(ablation.textsBeforeAsOf).toBe(240);
    expect(ablation.accountsWithText).toBe(120);
    // Ideal with the texts ≈ 0.78 (2/3 of churners vs 1/9 of the others angry); without, nothing to learn.
    expect(ablation.rocAucWithText).toBeGreaterThan(0.62);
    expect(ablation.rocAucWithoutText).toBeLessThan(0.58);
    expect(ablation.rocAucWithText - ablation.rocAucWithoutText).toBeGreaterThan(0.1);
  });
});
