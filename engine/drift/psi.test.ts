import fc from 'fast-check';
import { isSuccessEngineError } from '../../core';
import type { FeatureTable } from '../features/feature-table';
import { featureTableDrift } from './feature-drift';
import { categoricalPsi, numericPsi, psiFromCounts, psiLevel } from './psi';

// By hand: shares e = (.25, .25, .25, .25), a = (.1, .2, .3, .4):
// (.1−.25)·ln(.1/.25) + (.2−.25)·ln(.2/.25) + (.3−.25)·ln(.3/.25) + (.4−.25)·ln(.4/.25)
// = 0.137444 + 0.011157 + 0.009116 + 0.070501 = 0.228217
const HAND_PSI = 0.228217;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('psiFromCounts', () => {
  it('matches the hand-computed PSI, from counts or from shares', () => {
    expect(psiFromCounts([25, 25, 25, 25], [10, 20, 30, 40])).toBeCloseTo(HAND_PSI, 6);
    expect(psiFromCounts([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(HAND_PSI, 6);
  });

  it('counts an empty bin as epsilon: e = (.5, .5, 0), a = (.4, .4, .2) → 1.564049', () => {
    // (.4−.5)·ln(.8)·2 + (.2−.0001)·ln(.2/.0001) = 0.044629 + 1.519420
    expect(psiFromCounts([50, 50, 0], [40, 40, 20])).toBeCloseTo(1.564049, 5);
  });

  it('is zero for identical distributions, positive otherwise, and symmetric in this form', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 12 }),
        (x, y) => {
          const n = Math.min(x.length, y.length);
          const e = x.slice(0, n);
          const a = y.slice(0, n);
          expect(psiFromCounts(e, e)).toBeCloseTo(0, 12);
          expect(psiFromCounts(e, a)).toBeGreaterThanOrEqual(-1e-12);
          expect(psiFromCounts(e, a)).toBeCloseTo(psiFromCounts(a, e), 9);
        },
      ),
    );
  });

  it('rejects mismatched, negative or empty inputs by name', () => {
    expect(() => psiFromCounts([1, 2], [1])).toThrow(/same number of bins/);
    expect(() => psiFromCounts([1, -2], [1, 1])).toThrow(/reference count of bin 1/);
    expect(() => psiFromCounts([1, 1], [0, 0])).toThrow(/current sample is empty/);
  });
});

describe('numericPsi', () => {
  it('bins at the reference quartiles (25.75, 50.5, 75.25) and reproduces the hand PSI', () => {
    const reference = range(1, 100);
    const current = [...range(1, 10), ...range(26, 45), ...range(51, 75), ...range(51, 55), ...range(76, 100), ...range(76, 90)];
    const r = numericPsi(reference, current, { bins: 4 });
    expect(r.bins.map((b) => b.label)).toEqual(['≤ 25.75', '(25.75, 50.5]', '(50.5, 75.25]', '> 75.25']);
    expect(r.bins.map((b) => b.actual)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(r.psi).toBeCloseTo(HAND_PSI, 6);
    expect(r.level).toBe('moderate');
  });

  it('keeps missing values as a bin of their own', () => {
    const r = numericPsi([1, 2, 3, 4, NaN, NaN, NaN, NaN], [1, 2, 3, 4, 1, 2, 3, 4], { bins: 2 });
    expect(r.bins.at(-1)).toEqual({ label: 'missing', expected: 0.5, actual: 0 });
    expect(r.level).toBe('significant');
  });

  it('merges repeated quantiles (a mostly-zero feature) instead of making empty bins', () => {
    const r = numericPsi([...Array<number>(90).fill(0), ...range(1, 10)], [...Array<number>(90).fill(0), ...range(1, 10)]);
    expect(r.psi).toBeCloseTo(0, 12);
    expect(r.bins.length).toBeLessThan(10);
  });

  it('does not move when the same distribution is resampled, and grows with a shift', () => {
    const ref = range(0, 999).map((i) => Math.sin(i) * 10);
    expect(numericPsi(ref, ref.slice().reverse()).psi).toBeCloseTo(0, 12);
    expect(
      numericPsi(
        ref,
        ref.map((x) => x + 2),
      ).psi,
    ).toBeLessThan(
      numericPsi(
        ref,
        ref.map((x) => x + 5),
      ).psi,
    );
  });

  it('rejects empty samples and bad bin counts', () => {
    expect.assertions(3);
    try {
      numericPsi([], [1]);
    } catch (error) {
      expect(isSuccessEngineError(error, 'ENGINE.BAD_INPUT')).toBe(true);
      expect((error as Error).message).toMatch(/reference sample is empty/);
    }
    expect(() => numericPsi([1, 2], [1], { bins: 1 })).toThrow(/bins must be an integer ≥ 2/);
  });
});

describe('categoricalPsi', () => {
  it('bins by level, including levels only one side has', () => {
    const reference = [
      ...Array<string>(25).fill('a'),
      ...Array<string>(25).fill('b'),
      ...Array<string>(25).fill('c'),
      ...Array<null>(25).fill(null),
    ];
    const current = [
      ...Array<string>(10).fill('a'),
      ...Array<string>(20).fill('b'),
      ...Array<string>(30).fill('c'),
      ...Array<null>(40).fill(null),
    ];
    const r = categoricalPsi(reference, current);
    expect(r.psi).toBeCloseTo(HAND_PSI, 6);
    expect(categoricalPsi(['a', 'a'], ['a', 'z']).bins.map((b) => b.label)).toEqual(['a', 'z']);
  });
});

describe('featureTableDrift', () => {
  const table = (values: number[], levels: string[], codes: number[]): FeatureTable => ({
    rowCount: values.length,
    columns: [
      { kind: 'numeric', name: 'tenure', values: Float64Array.from(values) },
      { kind: 'categorical', name: 'plan', levels, codes: Int32Array.from(codes) },
    ],
  });

  it('reports PSI per feature, worst first, and names features it cannot compare', () => {
    const reference = table(
      range(1, 100),
      ['basic', 'pro'],
      range(1, 100).map((i) => i % 2),
    );
    const current = table(
      range(1, 100).map((x) => x + 50),
      ['pro', 'basic'],
      range(1, 100).map((i) => i % 2),
    );
    const { drift, skipped } = featureTableDrift(reference, current, { features: ['plan', 'tenure', 'seats'] });
    expect(drift.map((d) => d.feature)).toEqual(['tenure', 'plan']);
    // Codes mean different levels in the two tables: compared by label, the plan mix is unchanged.
    expect(drift[1]?.psi).toBeCloseTo(0, 12);
    expect(drift[0]?.level).toBe('significant');
    expect(skipped).toEqual(['seats']);
  });

  it('fails clearly on an empty table', () => {
    expect(() => featureTableDrift({ rowCount: 0, columns: [] }, table([1], ['a'], [0]))).toThrow(/reference feature table has no rows/);
  });
});

describe('psiLevel', () => {
  it('uses the 0.1 / 0.25 conventions', () => {
    expect([0, 0.099, 0.1, 0.249, 0.25, 3].map(psiLevel)).toEqual([
      'stable',
      'stable',
      'moderate',
      'moderate',
      'significant',
      'significant',
    ]);
  });
});
