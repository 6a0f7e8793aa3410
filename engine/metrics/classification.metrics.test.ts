import { brierScore, calibrationTable, classificationReport, expectedCalibrationError, prAuc, rocAuc } from './classification.metrics';

// Hand-worked example: positives score 0.9, 0.7, 0.6; negatives 0.8, 0.55, 0.4.
const scores = [0.9, 0.8, 0.7, 0.6, 0.55, 0.4];
const labels = [1, 0, 1, 1, 0, 0];

describe('classification metrics', () => {
  it('ROC-AUC counts correctly ordered positive/negative pairs (7 of 9)', () => {
    expect(rocAuc(scores, labels)).toBeCloseTo(7 / 9, 12);
  });

  it('ROC-AUC gives half credit to ties and is NaN with one class', () => {
    expect(rocAuc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
    expect(rocAuc([0.3, 0.5, 0.5, 0.1], [0, 1, 0, 0])).toBeCloseTo((1 + 0.5 + 1) / 3, 12);
    expect(rocAuc([0.2, 0.4], [1, 1])).toBeNaN();
  });

  it('PR-AUC is average precision: 1/3·1 + 1/3·2/3 + 1/3·3/4', () => {
    expect(prAuc(scores, labels)).toBeCloseTo(29 / 36, 12);
  });

  it('Brier is the mean squared error of the probabilities', () => {
    expect(brierScore(scores, labels)).toBeCloseTo((0.01 + 0.64 + 0.09 + 0.16 + 0.3025 + 0.16) / 6, 12);
  });

  it('ECE weights each bin gap by its share of rows', () => {
    // One row per bin here, so ECE is the mean absolute gap.
    expect(expectedCalibrationError(scores, labels)).toBeCloseTo((0.1 + 0.8 + 0.3 + 0.4 + 0.55 + 0.4) / 6, 12);
    const table = calibrationTable([0.05, 0.05, 0.15, 1], [0, 1, 0, 1]);
    expect(table).toHaveLength(10);
    expect(table[0]).toMatchObject({ count: 2, meanPredicted: 0.05, observedRate: 0.5 });
    expect(table[9]).toMatchObject({ count: 1, meanPredicted: 1, observedRate: 1 });
    expect(table[5]?.count).toBe(0);
  });

  it('report counts rows and positives, and rejects mismatched inputs', () => {
    const report = classificationReport(scores, labels);
    expect(report).toMatchObject({ n: 6, positives: 3 });
    expect(() => rocAuc([0.1], [1, 0])).toThrow(/differ in length/);
  });
});
