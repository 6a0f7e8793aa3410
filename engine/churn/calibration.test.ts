import fc from 'fast-check';
import { applyCalibrator, chooseCalibrator, fitCenteredIsotonic, fitIsotonic, fitPlatt, supportedBounds } from './calibration';
import { seededRandom, sigmoid } from './random';

function sample(n: number, seed: number, distort: (z: number) => number) {
  const random = seededRandom(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = (random() - 0.5) * 8;
    scores.push(z);
    labels.push(random() < distort(z) ? 1 : 0);
  }
  return { scores, labels };
}

describe('calibration', () => {
  it('isotonic and Platt outputs never decrease as the score increases', () => {
    const { scores, labels } = sample(500, 3, (z) => sigmoid(0.5 * z - 1));
    const calibrators = [fitIsotonic(scores, labels), fitPlatt(scores, labels)];
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (s, delta) => {
        for (const c of calibrators) expect(applyCalibrator(c, s + delta)).toBeGreaterThanOrEqual(applyCalibrator(c, s) - 1e-12);
      }),
    );
  });

  it('isotonic fit is a non-decreasing step function in [0, 1]', () => {
    const { scores, labels } = sample(300, 5, (z) => sigmoid(z));
    const iso = fitIsotonic(scores, labels);
    if (iso.kind !== 'isotonic') throw new Error('expected isotonic');
    for (let k = 1; k < iso.y.length; k++) {
      expect(iso.y[k]).toBeGreaterThanOrEqual(iso.y[k - 1] as number);
      expect(iso.x[k]).toBeGreaterThanOrEqual(iso.x[k - 1] as number);
    }
    expect(Math.min(...iso.y)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...iso.y)).toBeLessThanOrEqual(1);
  });

  it('Platt recovers a known slope and intercept', () => {
    const { scores, labels } = sample(20000, 7, (z) => sigmoid(0.5 * z - 1));
    const platt = fitPlatt(scores, labels);
    if (platt.kind !== 'platt') throw new Error('expected platt');
    expect(platt.a).toBeCloseTo(0.5, 1);
    expect(platt.b).toBeCloseTo(-1, 1);
  });

  it('prefers no calibration for already calibrated scores and a calibrator for distorted ones', () => {
    const calibrated = sample(4000, 11, (z) => sigmoid(z));
    const distorted = sample(4000, 13, (z) => sigmoid(0.3 * z - 1.5));
    const choice = chooseCalibrator(distorted.scores, distorted.labels);
    expect(choice.calibrator.kind).not.toBe('none');
    expect(choice.brierByKind.none).toBeGreaterThan(Math.min(choice.brierByKind.platt, choice.brierByKind.isotonic));
    const kept = chooseCalibrator(calibrated.scores, calibrated.labels);
    expect(kept.brierByKind.none).toBeLessThanOrEqual(kept.brierByKind.isotonic + 1e-3);
  });
});

describe('centred isotonic calibration', () => {
  const { scores, labels } = sample(2000, 17, (z) => sigmoid(1.5 * z - 2));

  it('keeps accounts ordered within a block: distinct scores get distinct probabilities', () => {
    const iso = fitCenteredIsotonic(scores, labels);
    const step = fitIsotonic(scores, labels);
    const distinct = (c: typeof iso) => new Set(scores.map((s) => applyCalibrator(c, s))).size;
    expect(distinct(step)).toBeLessThan(100);
    expect(distinct(iso)).toBeGreaterThan(1900);
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 1e-3, max: 5, noNaN: true }), (s, delta) => {
        expect(applyCalibrator(iso, s + delta)).toBeGreaterThanOrEqual(applyCalibrator(iso, s));
      }),
    );
  });

  it('never says 0 % or 100 %, even far outside the scores it was fitted on', () => {
    const iso = fitCenteredIsotonic(scores, labels);
    const { min, max } = supportedBounds(scores.length);
    for (const s of [-1e6, -40, 40, 1e6]) {
      const p = applyCalibrator(iso, s);
      expect(p).toBeGreaterThanOrEqual(min);
      expect(p).toBeLessThanOrEqual(max);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
    const chosen = chooseCalibrator(scores, labels).calibrator;
    expect(applyCalibrator(chosen, 1e6)).toBeLessThan(1);
    expect(applyCalibrator(chosen, -1e6)).toBeGreaterThan(0);
  });

  it('stays calibrated: mean predicted rate matches the observed rate by decile', () => {
    const iso = fitCenteredIsotonic(scores, labels);
    const order = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
    for (let d = 0; d < 10; d++) {
      const part = order.slice(d * 200, (d + 1) * 200);
      const predicted = part.reduce((s, i) => s + applyCalibrator(iso, scores[i] as number), 0) / part.length;
      const observed = part.reduce((s, i) => s + (labels[i] as number), 0) / part.length;
      expect(Math.abs(predicted - observed)).toBeLessThan(0.06);
    }
  });
});
