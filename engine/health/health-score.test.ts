import { ChurnScoreSchema } from '../../core';
import type { FeatureTable } from '../features/feature-table';
import { defaultHealthConfig, scoreHealth, useHealthScore, type HealthConfig } from './health-score';

const table: FeatureTable = {
  rowCount: 3,
  columns: [
    { kind: 'numeric', name: 'days_since_activity', values: Float64Array.from([5, 120, Number.NaN]) },
    { kind: 'numeric', name: 'nps', values: Float64Array.from([60, -40, Number.NaN]) },
    { kind: 'categorical', name: 'plan', codes: Int32Array.from([0, 1, 1]), levels: ['enterprise', 'team'] },
  ],
};
const ref = { name: 'health', version: 'default' };

describe('health score (cold start)', () => {
  it('ranks a silent detractor above an engaged promoter and labels itself health-score', () => {
    const [healthy, risky, unknown] = scoreHealth(table, [0, 1, 2], ref);
    expect(healthy?.probability).toBe(0);
    expect(risky?.probability).toBe(1);
    expect(unknown?.probability).toBe(0.5);
    expect(risky?.band).toBe('critical');
    for (const s of [healthy, risky, unknown]) {
      expect(s?.model.kind).toBe('health-score');
      expect(() => ChurnScoreSchema.parse(s)).not.toThrow();
    }
    const sum = (risky?.drivers ?? []).reduce((a, d) => a + d.contribution, 0);
    expect(sum).toBeCloseTo(50, 9);
    expect(risky?.drivers[0]?.text.en).toMatch(/^Last contact: 120 days \(health score, \+\d+\.\d pts\)$/);
    expect(risky?.drivers[0]?.text.zh).toContain('健康评分');
  });

  it('applies weights and per-segment thresholds', () => {
    const config: HealthConfig = {
      components: [
        { feature: 'days_since_activity', weight: 3, good: 0, bad: 100 },
        { feature: 'nps', weight: 1, good: 100, bad: -100 },
      ],
      segmentBy: 'plan',
      segments: { team: { components: { days_since_activity: { good: 0, bad: 200 } } } },
    };
    const [a, b] = scoreHealth(table, [0, 1], ref, config);
    expect(a?.probability).toBeCloseTo((3 * 0.05 + 1 * 0.2) / 4, 12);
    // team segment: 120/200 = 0.6 instead of 1.
    expect(b?.probability).toBeCloseTo((3 * 0.6 + 1 * 0.7) / 4, 12);
  });

  it('is used until a tenant has enough outcomes of both kinds', () => {
    expect(useHealthScore(10, 1000)).toBe(true);
    expect(useHealthScore(500, 20)).toBe(true);
    expect(useHealthScore(30, 100)).toBe(false);
    expect(defaultHealthConfig.components.length).toBeGreaterThan(5);
  });
});
