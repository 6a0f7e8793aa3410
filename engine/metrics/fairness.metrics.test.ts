import { fairnessByGroup, fairnessWarning, MISSING_GROUP } from './fairness.metrics';

/** n rows of one group: `selected` of them at 0.9, the rest at 0.1; the first `churned` churned. */
function rows(group: string | null, n: number, selected: number, churned: number) {
  return Array.from({ length: n }, (_, i) => ({ group, p: i < selected ? 0.9 : 0.1, label: i < churned ? 1 : 0 }));
}

function report(data: { group: string | null; p: number; label: number }[], threshold = 0.6) {
  return fairnessByGroup(
    'region',
    data.map((r) => r.p),
    data.map((r) => r.label),
    data.map((r) => r.group),
    threshold,
  );
}

describe('fairness by group', () => {
  it('selection rate at the threshold, impact ratio against the most-selected group, calibration per group', () => {
    const r = report([...rows('EMEA', 40, 20, 10), ...rows('APAC', 50, 15, 25)]);
    const emea = r.groups.find((g) => g.group === 'EMEA');
    const apac = r.groups.find((g) => g.group === 'APAC');
    expect(emea).toMatchObject({
      accounts: 40,
      selected: 20,
      selectionRate: 0.5,
      impactRatio: 1,
      observedRate: 0.25,
      belowFourFifths: false,
    });
    expect(emea?.meanPredicted).toBeCloseTo((20 * 0.9 + 20 * 0.1) / 40, 12);
    expect(apac).toMatchObject({ accounts: 50, selected: 15, selectionRate: 0.3, observedRate: 0.5, belowFourFifths: true });
    expect(apac?.impactRatio).toBeCloseTo(0.6, 12);
    expect(r.fourFifthsRatio).toBeCloseTo(0.6, 12);
    expect(r.flagged).toEqual(['APAC']);
    // Bigger groups first.
    expect(r.groups.map((g) => g.group)).toEqual(['APAC', 'EMEA']);
  });

  it('a ratio of exactly 0.8 passes, just under fails', () => {
    expect(report([...rows('a', 50, 25, 0), ...rows('b', 50, 20, 0)]).flagged).toEqual([]);
    expect(report([...rows('a', 50, 25, 0), ...rows('b', 50, 19, 0)]).flagged).toEqual(['b']);
  });

  it('the threshold decides who is selected (at or above)', () => {
    const data = [...rows('a', 30, 30, 0), ...rows('b', 30, 0, 0)].map((r, i) => ({ ...r, p: i < 30 ? 0.6 : 0.59 }));
    expect(report(data, 0.6).groups.map((g) => g.selectionRate)).toEqual([1, 0]);
    expect(report(data, 0.5).groups.map((g) => g.selectionRate)).toEqual([1, 1]);
  });

  it('small groups are shown but neither warned on nor set the reference rate', () => {
    const r = report([...rows('big-a', 40, 20, 0), ...rows('big-b', 40, 18, 0), ...rows('tiny', 5, 5, 0), ...rows('tiny-none', 5, 0, 0)]);
    expect(r.groups.find((g) => g.group === 'tiny')).toMatchObject({ small: true, belowFourFifths: false });
    expect(r.groups.find((g) => g.group === 'tiny-none')).toMatchObject({ small: true, belowFourFifths: false, impactRatio: 0 });
    expect(r.fourFifthsRatio).toBeCloseTo(0.9, 12);
    expect(r.flagged).toEqual([]);
  });

  it('blank and absent values form one "(missing)" group; nothing selected gives no ratio', () => {
    const r = report([...rows(null, 25, 0, 1), ...rows('  ', 5, 0, 0), ...rows('x', 30, 0, 0)]);
    expect(r.groups.find((g) => g.group === MISSING_GROUP)?.accounts).toBe(30);
    expect(r.fourFifthsRatio).toBeNull();
    expect(r.groups.every((g) => g.impactRatio === null)).toBe(true);
    expect(fairnessWarning(r)).toBeNull();
  });

  it('warns in English and Chinese naming the groups', () => {
    const warning = fairnessWarning(report([...rows('EMEA', 40, 20, 0), ...rows('APAC', 50, 5, 0)]));
    expect(warning?.en).toContain('APAC');
    expect(warning?.en).toContain('60%');
    expect(warning?.zh).toContain('APAC');
    expect(warning?.zh).toContain('五分之四');
  });

  it('rejects mismatched lengths and thresholds outside (0, 1)', () => {
    expect(() => fairnessByGroup('plan', [0.1], [0, 1], ['a'], 0.5)).toThrow(/differ in length/);
    expect(() => fairnessByGroup('plan', [0.1], [0], ['a'], 1)).toThrow(/between 0 and 1/);
  });
});
