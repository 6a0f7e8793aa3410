import { SuccessEngineError, type CanonicalOpportunity } from '../../core';
import { trainChurnModel, type ChurnModel, type ChurnTrainOptions } from '../churn/churn-model';
import type { FeatureColumn, FeatureTable } from '../features/feature-table';

/** What the win model reads from a deal: only fields known before it closes (never its final stage). */
export type DealInput = Pick<
  CanonicalOpportunity,
  'id' | 'kind' | 'amount' | 'closeDate' | 'createdAt' | 'isClosed' | 'isWon' | 'ownerId' | 'attributes'
>;

export interface WinModel {
  model: ChurnModel;
  /** Numeric attribute names used as features, in column order. */
  attributeColumns: string[];
  trainedOn: number;
  winRate: number;
}

const DAY = 86_400_000;

/**
 * Features per deal: log amount, kind, owner, planned cycle length (close date − created; the
 * close date is the expected one for open deals, so open and closed deals are measured alike),
 * and numeric custom attributes present on at least half of the training deals.
 */
export function dealFeatureTable(deals: readonly DealInput[], attributeColumns: readonly string[]): FeatureTable {
  const n = deals.length;
  const numeric = (name: string, f: (d: DealInput) => number | undefined): FeatureColumn => ({
    kind: 'numeric',
    name,
    values: Float64Array.from(deals, (d) => f(d) ?? NaN),
  });
  const categorical = (name: string, f: (d: DealInput) => string | undefined): FeatureColumn => {
    const levels: string[] = [];
    const index = new Map<string, number>();
    const codes = Int32Array.from(deals, (d) => {
      const v = f(d);
      if (v === undefined || v === '') return -1;
      let code = index.get(v);
      if (code === undefined) {
        code = levels.length;
        index.set(v, code);
        levels.push(v);
      }
      return code;
    });
    return { kind: 'categorical', name, codes, levels };
  };
  const columns: FeatureColumn[] = [
    numeric('log amount', (d) => (d.amount !== undefined && d.amount >= 0 ? Math.log1p(d.amount) : undefined)),
    categorical('kind', (d) => d.kind),
    categorical('owner', (d) => d.ownerId),
    numeric('planned cycle days', (d) => {
      const days = (Date.parse(`${d.closeDate}T00:00:00Z`) - Date.parse(d.createdAt)) / DAY;
      return Number.isFinite(days) ? days : undefined;
    }),
    ...attributeColumns.map((name) =>
      numeric(`attr ${name}`, (d) => {
        const v = d.attributes[name];
        return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      }),
    ),
  ];
  return { rowCount: n, columns };
}

/** Train on closed deals (won = 1) with the churn model's trainer: GBDT vs logistic by inner CV, calibrated. */
export function trainWinModel(deals: readonly DealInput[], options: Partial<ChurnTrainOptions> = {}): WinModel {
  const closed = deals.filter((d) => d.isClosed);
  const won = closed.filter((d) => d.isWon).length;
  if (won < 10 || closed.length - won < 10) {
    throw new SuccessEngineError(
      'ENGINE.INSUFFICIENT_DATA',
      `win probability needs at least 10 won and 10 lost closed deals, got ${won} won and ${closed.length - won} lost`,
    );
  }
  const counts = new Map<string, number>();
  for (const d of closed)
    for (const [k, v] of Object.entries(d.attributes))
      if (typeof v === 'number' && Number.isFinite(v)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const attributeColumns = [...counts.entries()]
    .filter(([, c]) => c >= closed.length / 2)
    .map(([k]) => k)
    .sort();
  const table = dealFeatureTable(closed, attributeColumns);
  const labels = Uint8Array.from(closed, (d) => (d.isWon ? 1 : 0));
  const rows = Uint32Array.from(closed, (_, i) => i);
  return { model: trainChurnModel(table, labels, rows, options), attributeColumns, trainedOn: closed.length, winRate: won / closed.length };
}

/** Win probability of each open deal and the probability-weighted pipeline. */
export function scoreOpenDeals(
  win: WinModel,
  deals: readonly DealInput[],
): { deals: { id: string; probability: number; weightedAmount: number }[]; weightedPipeline: number } {
  const open = deals.filter((d) => !d.isClosed);
  if (open.length === 0) return { deals: [], weightedPipeline: 0 };
  const table = dealFeatureTable(open, win.attributeColumns);
  const p = win.model.predictProbability(
    table,
    Uint32Array.from(open, (_, i) => i),
  );
  const out = open.map((d, i) => ({ id: d.id, probability: p[i] as number, weightedAmount: (p[i] as number) * (d.amount ?? 0) }));
  return { deals: out, weightedPipeline: out.reduce((s, d) => s + d.weightedAmount, 0) };
}
