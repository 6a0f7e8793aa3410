import { buildRecord, type AccountId, type CanonicalAccount, type TenantId } from '../../core';
import { SqliteRecordStore } from '../../store';
import { SETTING_KEYS } from '../settings/tenant-settings';
import { currentModelEvaluation, defaultEvaluationOptions, storedModelEvaluation, type ModelEvaluation } from './model-evaluation';

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
  it('serves the stored evaluation, says when the book moved on, and recomputes only when asked for a current one', () => {
    const store = new SqliteRecordStore({ path: ':memory:' });
    try {
      store.upsertTenant({ id: tenantId, name: 'Eval', locale: 'en', createdAt: '2026-09-01T00:00:00.000Z' });
      store.upsertRecords('account', [account(1), account(2)]);
      expect(storedModelEvaluation(store, tenantId)).toBeNull();
      const stored = { computedAt: '2026-09-02T00:00:00.000Z', now: '2026-09-01T00:00:00.000Z', options: defaultEvaluationOptions, activeVersion: null, accounts: 2, status: 'not-enough-history', message: null, backtest: null, calibration: [], lift: [], metrics: { rocAuc: null, brier: null, ece: null, positives: 0, n: 2 } } satisfies ModelEvaluation;
      store.putTenantSetting(tenantId, SETTING_KEYS.modelEvaluation, stored, 'test');

      expect(storedModelEvaluation(store, tenantId)).toEqual({ evaluation: stored, stale: false });
      expect(currentModelEvaluation(store, tenantId, new Date('2026-09-03T00:00:00.000Z')).computedAt).toBe(stored.computedAt);
      expect(storedModelEvaluation(store, tenantId, { ...defaultEvaluationOptions, horizonDays: 60 })?.stale).toBe(true);

      store.upsertRecords('account', [account(3)]);
      expect(storedModelEvaluation(store, tenantId)).toEqual({ evaluation: stored, stale: true });
      const fresh = currentModelEvaluation(store, tenantId, new Date('2026-09-03T00:00:00.000Z'));
      expect(fresh).toMatchObject({ computedAt: '2026-09-03T00:00:00.000Z', accounts: 3, status: 'not-enough-history' });
      expect(storedModelEvaluation(store, tenantId)).toEqual({ evaluation: fresh, stale: false });
    } finally {
      store.close();
    }
  });
});
