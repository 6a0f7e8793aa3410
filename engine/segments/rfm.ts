import { SuccessEngineError } from '../../core';

/** Per-account recency (days since last purchase), frequency (purchases) and monetary (spend). */
export interface RfmInput {
  accountId: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
}

export interface RfmScore {
  accountId: string;
  /** 1–5, 5 = bought most recently. */
  r: number;
  /** 1–5, 5 = buys most often. */
  f: number;
  /** 1–5, 5 = spends most. */
  m: number;
  /** "555" … "111". */
  code: string;
}

/**
 * Classic RFM quintile scores. Ties share a score (rank by value, then the average rank of a tie
 * decides the quintile), so identical accounts always score the same.
 */
export function rfmScores(rows: readonly RfmInput[]): RfmScore[] {
  rows.forEach((row, i) => {
    if (![row.recencyDays, row.frequency, row.monetary].every(Number.isFinite) || row.recencyDays < 0 || row.frequency < 0) {
      throw new SuccessEngineError(
        'ENGINE.BAD_INPUT',
        `RFM row ${i} (${row.accountId}): recencyDays and frequency must be finite and ≥ 0, monetary finite`,
        { index: i },
      );
    }
  });
  const r = quintiles(rows.map((row) => -row.recencyDays));
  const f = quintiles(rows.map((row) => row.frequency));
  const m = quintiles(rows.map((row) => row.monetary));
  return rows.map((row, i) => {
    const [ri, fi, mi] = [r[i] as number, f[i] as number, m[i] as number];
    return { accountId: row.accountId, r: ri, f: fi, m: mi, code: `${ri}${fi}${mi}` };
  });
}

/** Quintile 1–5 of each value, higher value → higher score; ties get their average rank. */
export function quintiles(values: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(n).fill(1);
  let start = 0;
  while (start < n) {
    let end = start;
    while (end + 1 < n && (order[end + 1] as { v: number }).v === (order[start] as { v: number }).v) end++;
    const averageRank = (start + end) / 2;
    const score = n === 1 ? 3 : Math.min(5, 1 + Math.floor((averageRank / n) * 5));
    for (let k = start; k <= end; k++) out[(order[k] as { i: number }).i] = score;
    start = end + 1;
  }
  return out;
}
