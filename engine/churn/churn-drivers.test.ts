import { ChurnScoreSchema } from '../../core';
import type { FeatureTable } from '../features/feature-table';
import { catalogWording } from '../features/feature-catalog';
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
  return {
    table: {
      rowCount: n,
      columns: [
        { kind: 'numeric', name: 'tickets30', values: tickets },
        { kind: 'numeric', name: 'noise', values: noise },
      ],
    },
    labels,
  };
}

describe('churn drivers', () => {
  const data = table(800);
  const model = trainChurnModel(
    data.table,
    data.labels,
    Uint32Array.from({ length: 800 }, (_, i) => i),
    { gbdt: { nTrees: 60 } },
  );

  it('names the feature that drives risk, with direction and bilingual text', () => {
    const highRow = Array.from(data.table.columns[0]?.kind === 'numeric' ? data.table.columns[0].values : []).indexOf(9);
    const [explanation] = model.explain(data.table, [highRow]);
    if (!explanation) throw new Error('no explanation');
    const { drivers } = topDrivers(explanation, data.table, highRow, {
      wording: { tickets30: { label: { en: 'Support tickets in 30 days', zh: '30 天内工单数' } } },
    });
    expect(drivers[0]).toMatchObject({ feature: 'tickets30', direction: 'raises', value: 9 });
    expect(drivers[0]?.contribution).toBeGreaterThan(5);
    expect(drivers[0]?.text.en).toMatch(/^Support tickets in 30 days: 9 \(\+\d+\.\d pts\)$/);
    expect(drivers[0]?.text.zh).toMatch(/^30 天内工单数：9（\+\d+\.\d 个百分点）$/);
  });

  it('reads CRM fields (attr_ features) by their labels in both languages, values in words', () => {
    expect(driverText('attr_paperless_billing', 'true', 4.26)).toEqual({
      en: 'Paperless billing: yes (+4.3 pts)',
      zh: '电子账单：是（+4.3 个百分点）',
    });
    expect(driverText('attr_Payment_Method__c', 'Electronic check', 2)).toEqual({
      en: 'Payment method: electronic check (+2.0 pts)',
      zh: '付款方式：电子支票（+2.0 个百分点）',
    });
    expect(driverText('attr_services', 'Phone;DSL;Online security', 1)).toEqual({
      en: 'Services: phone, DSL internet, online security (+1.0 pts)',
      zh: '已订服务：电话、DSL 宽带、网络安全（+1.0 个百分点）',
    });
    expect(driverText('attr_total_revenue', 820.5, 1).zh).toBe('累计收入：821（+1.0 个百分点）');
    // A field we do not know reads as its name in words, the tenant's own word in both languages.
    expect(driverText('attr_seats_used', 12, -1)).toEqual({ en: 'Seats used: 12 (−1.0 pts)', zh: 'Seats used：12（−1.0 个百分点）' });
  });

  it('says a plan of "No" and contract types as a person would', () => {
    const wording = catalogWording();
    expect(driverText('plan', 'No', 3, wording.plan)).toEqual({
      en: 'Plan: no internet service (+3.0 pts)',
      zh: '套餐：无宽带服务（+3.0 个百分点）',
    });
    expect(driverText('contract_type', 'month-to-month', 12, wording.contract_type).zh).toBe('合同类型：按月（+12.0 个百分点）');
  });

  it('never gives a missing value as a reason: it is listed once as missing instead', () => {
    const row = 0;
    const [explanation] = model.explain(data.table, [row]);
    if (!explanation) throw new Error('no explanation');
    const holey = {
      rowCount: data.table.rowCount,
      columns: data.table.columns.map((c) =>
        c.kind === 'numeric' && c.name === 'tickets30' ? { ...c, values: Float64Array.from(c.values, () => Number.NaN) } : c,
      ),
    };
    const big = {
      ...explanation,
      contributions: explanation.contributions.map((v, k) => (holey.columns[k]?.name === 'tickets30' ? 0.3 : v)),
    };
    const { drivers, missing } = topDrivers(big, holey, row, {}, true);
    expect(drivers.map((d) => d.feature)).not.toContain('tickets30');
    expect(drivers.every((d) => !/unknown|未知/.test(d.text.en + d.text.zh))).toBe(true);
    expect(missing.map((m) => m.feature)).toEqual(['tickets30']);
  });

  it('produces ChurnScores that satisfy the core schema', () => {
    const scores = scoreChurn(model, { name: 'churn', version: 't1', kind: 'learned' }, data.table, [0, 1, 2, 3]);
    for (const s of scores) expect(() => ChurnScoreSchema.parse(s)).not.toThrow();
  });

  it('words negative contributions, and bands probabilities', () => {
    expect(driverText('nps', 12, -3.21)).toEqual({ en: 'nps: 12 (−3.2 pts)', zh: 'nps：12（−3.2 个百分点）' });
    expect(riskBand(0.05)).toBe('low');
    expect(riskBand(0.2)).toBe('medium');
    expect(riskBand(0.4)).toBe('high');
    expect(riskBand(0.9)).toBe('critical');
  });
});
