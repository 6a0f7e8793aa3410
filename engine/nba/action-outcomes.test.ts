import { measureLift, recordOutcome, wilsonInterval, type ActionOutcome } from './action-outcomes';

function rows(arm: 'treatment' | 'holdout', n: number, retained: number): ActionOutcome[] {
  return Array.from({ length: n }, (_, i) => ({
    tenantId: 't1',
    accountId: `${arm}-${i}`,
    actionId: 'x',
    arm,
    recommendedAt: '2026-01-01T00:00:00Z',
    status: arm === 'holdout' ? 'not-applicable' : 'completed',
    completedAt: null,
    source: 'system',
    retained: i < retained,
  }));
}

describe('outcomes and lift', () => {
  it('records outcomes as data, replacing the same recommendation and validating fields', () => {
    const [first] = rows('treatment', 1, 0) as [ActionOutcome];
    let list = recordOutcome([], first);
    list = recordOutcome(list, { ...first, retained: true, status: 'completed', completedAt: '2026-02-01T00:00:00Z' });
    expect(list).toHaveLength(1);
    expect(list[0]?.retained).toBe(true);
    expect(() => recordOutcome(list, { ...first, recommendedAt: 'yesterday' })).toThrow(/recommendedAt/);
  });

  it('reports the retention difference with a Newcombe interval that contains it', () => {
    const lift = measureLift([...rows('treatment', 200, 170), ...rows('holdout', 100, 70)], 'x');
    expect(lift.lift).toBeCloseTo(0.85 - 0.7, 10);
    expect(lift.interval?.lower).toBeLessThan(0.15);
    expect(lift.interval?.upper).toBeGreaterThan(0.15);
    // A clear effect at this size excludes zero; a 99% interval is wider than the 95% one.
    expect(lift.interval?.lower).toBeGreaterThan(0);
    const wide = measureLift([...rows('treatment', 200, 170), ...rows('holdout', 100, 70)], 'x', 0.99);
    expect((wide.interval?.upper ?? 0) - (wide.interval?.lower ?? 0)).toBeGreaterThan(
      (lift.interval?.upper ?? 0) - (lift.interval?.lower ?? 0),
    );
  });

  it('gives no lift without both arms and ignores outcomes not yet known', () => {
    const pending = rows('holdout', 5, 0).map((r) => ({ ...r, retained: null }));
    const lift = measureLift([...rows('treatment', 10, 5), ...pending], 'x');
    expect(lift.holdout.n).toBe(0);
    expect(lift.lift).toBeNull();
    expect(lift.interval).toBeNull();
  });

  it('has Wilson bounds inside [0, 1] that match a known value', () => {
    const w = wilsonInterval(0, 10, 1.959963984540054);
    expect(w.lower).toBe(0);
    expect(w.upper).toBeCloseTo(0.2775, 4);
  });
});
