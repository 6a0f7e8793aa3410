import { ChurnScoreSchema } from '../../core';
import type { FeatureTable } from '../features/feature-table';
import { driverText, riskBand, scoreChurn, topDrivers } from './churn-drivers';
import { trainChurnModel } from './churn-model';
import { seededRandom, sigmoid } from './random';

function table(n: number): { table: FeatureTable; labels: Uint8Array } {
  const random = seededRandom(8);
  const tickets = new Float64Array(n);
  const noise = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    tickets[i] = Math.floor(random() * 10);
    noise[i] = random();
    labels[i] = random() < sigmoid((tickets[i] as number) - 5) ? 1 : 0;
  }
  return { table: { rowCount: n, columns: [{ kind: 'numeric', name: 'tickets30', values: tickets }, { kind: 'numeric', name: 'noise', values: noise }] }, labels };
}

describe('churn drivers', () => {
  const data = table(800);
  const model = trainChurnModel(data.table, data.labels, Uint32Array.from({ length: 800 }, (_, i) => i), { gbdt: { nTrees: 60 } });

  it('names the feature that drives risk, with direction and bilingual text', () => {
    const highRow = Array.from(data.table.columns[0]?.kind === 'numeric' ? data.table.columns[0].values : []).indexOf(9);
    const [explanation] = model.explain(data.table, [highRow]);
    if (!explanation) throw new Error('no explanation');
    const drivers = topDrivers(explanation, data.table, highRow, { wording: { tickets30: { label: { en: 'Support tickets in 30 days', zh: '30 天内工单数' } } } });
    expect(drivers[0]).toMatchObject({ feature: 'tickets30', direction: 'raises', value: 9 });
    expect(drivers[0]?.contribution).toBeGreaterThan(5);
    expect(drivers[0]?.text.en).toMatch(/^Support tickets in 30 days: 9 \(\+\d+\.\d pts\)$/);
    expect(drivers[0]?.text.zh).toMatch(/^30 天内工单数：9（\+\d+\.\d 个百分点）$/);
  });

  it('reads custom CRM fields (attr_ features) as words, booleans as yes/no, not as raw column names', () => {
    expect(driverText('attr_paperless_billing', 'true', 4.26)).toEqual({ en: 'Paperless billing: yes (+4.3 pts)', zh: 'CRM 字段「paperless_billing」：是（+4.3 个百分点）' });
    expect(driverText('attr_PaymentMethod', 'Electronic check', 2)).toEqual({ en: 'Payment method: Electronic check (+2.0 pts)', zh: 'CRM 字段「PaymentMethod」：Electronic check（+2.0 个百分点）' });
    expect(driverText('attr_seats_used', 12, -1).en).toBe('Seats used: 12 (−1.0 pts)');
    expect(driverText('attr_total_revenue', 820.5, 1).zh).toBe('CRM 字段「total_revenue」：821（+1.0 个百分点）');
  });

  it('produces ChurnScores that satisfy the core schema', () => {
    const scores = scoreChurn(model, { name: 'churn', version: 't1', kind: 'learned' }, data.table, [0, 1, 2, 3]);
    for (const s of scores) expect(() => ChurnScoreSchema.parse(s)).not.toThrow();
  });

  it('words missing values and negative contributions, and bands probabilities', () => {
    expect(driverText('nps', null, -3.21)).toEqual({ en: 'nps: unknown (−3.2 pts)', zh: 'nps：未知（−3.2 个百分点）' });
    expect(riskBand(0.05)).toBe('low');
    expect(riskBand(0.2)).toBe('medium');
    expect(riskBand(0.4)).toBe('high');
    expect(riskBand(0.9)).toBe('critical');
  });
});
