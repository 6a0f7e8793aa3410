import { SuccessEngineError } from '../../core';
import { createRandom } from '../optim/random';

/** One live account's next renewal, as the score run sees it. */
export interface RenewalEntry {
  accountId: string;
  /** Annual recurring revenue up for renewal, in the tenant currency. */
  arr: number;
  /** Days from the as-of date to the next renewal (≥ 0). */
  daysToRenewal: number;
  churnProbability: number;
}

/** ARR lost over a set of renewals: the expectation and an 80% range of outcomes. */
export interface LossRange {
  renewals: number;
  arrDue: number;
  expected: number;
  p10: number;
  p50: number;
  p90: number;
  /** Simulated draws for small sets; a normal approximation (clipped to [0, ARR due]) for large ones. */
  method: 'simulated' | 'normal';
}

export interface RenewalMonth extends LossRange {
  /** `YYYY-MM`. The first month starts at the as-of date. */
  month: string;
  /** ARR due minus the expected loss, and its 80% range. */
  expectedRenewed: number;
  renewedP10: number;
  renewedP90: number;
}

export interface RenewalForecast {
  asOf: string;
  windowDays: number;
  /** ARR up for renewal in the next `windowDays` and how much of it may be lost. */
  arrAtRisk: LossRange;
  months: RenewalMonth[];
}

export interface RenewalForecastOptions {
  asOf: string;
  windowDays?: number;
  months?: number;
  draws?: number;
  seed?: number;
}

const DAY = 86_400_000;
const Z90 = 1.2815515655446004;
/** Above this many renewals in a set, the normal approximation replaces simulation (it is then close, and simulation costs renewals × draws). */
const SIMULATE_AT_MOST = 5_000;

/**
 * Renewals due by calendar month and ARR at risk over the next `windowDays`, from each account's
 * churn probability. The ranges are over outcomes (which accounts actually leave), treating
 * renewals as independent, so they are narrower than reality when churn moves together.
 */
export function renewalForecast(entries: readonly RenewalEntry[], options: RenewalForecastOptions): RenewalForecast {
  const start = Date.parse(`${options.asOf.slice(0, 10)}T00:00:00Z`);
  if (!Number.isFinite(start)) throw new SuccessEngineError('ENGINE.BAD_INPUT', `asOf is not a date: "${options.asOf}"`);
  entries.forEach(checkEntry);
  const windowDays = options.windowDays ?? 90;
  const monthCount = options.months ?? 6;
  const loss = (list: readonly RenewalEntry[]) => lossRange(list, options.draws ?? 2_000, options.seed ?? 1);
  const first = new Date(start);
  const months: RenewalMonth[] = [];
  for (let m = 0; m < monthCount; m++) {
    const from = m === 0 ? start : Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1);
    const to = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m + 1, 1);
    const range = loss(entries.filter((e) => inRange(start, e, from, to)));
    months.push({
      month: new Date(from).toISOString().slice(0, 7),
      ...range,
      expectedRenewed: range.arrDue - range.expected,
      renewedP10: range.arrDue - range.p90,
      renewedP90: range.arrDue - range.p10,
    });
  }
  const arrAtRisk = loss(entries.filter((e) => inRange(start, e, start, start + windowDays * DAY)));
  return { asOf: options.asOf, windowDays, arrAtRisk, months };
}

function inRange(start: number, e: RenewalEntry, from: number, to: number): boolean {
  const when = start + e.daysToRenewal * DAY;
  return when >= from && when < to;
}

function checkEntry(e: RenewalEntry, i: number): void {
  if (!(e.churnProbability >= 0 && e.churnProbability <= 1) || !(e.arr >= 0) || !(e.daysToRenewal >= 0)) {
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `renewal row ${i} (${e.accountId}): churnProbability must be in [0, 1], arr ≥ 0 and daysToRenewal ≥ 0`,
      { index: i },
    );
  }
}

/** ARR lost when each renewal is lost with its churn probability (independently). */
export function lossRange(list: readonly Pick<RenewalEntry, 'arr' | 'churnProbability'>[], draws = 2_000, seed = 1): LossRange {
  const arrDue = list.reduce((s, e) => s + e.arr, 0);
  const expected = list.reduce((s, e) => s + e.arr * e.churnProbability, 0);
  if (list.length > SIMULATE_AT_MOST) {
    const sd = Math.sqrt(list.reduce((s, e) => s + e.arr * e.arr * e.churnProbability * (1 - e.churnProbability), 0));
    const clip = (v: number) => Math.min(arrDue, Math.max(0, v));
    return {
      renewals: list.length,
      arrDue,
      expected,
      p10: clip(expected - Z90 * sd),
      p50: clip(expected),
      p90: clip(expected + Z90 * sd),
      method: 'normal',
    };
  }
  const losses = new Float64Array(list.length === 0 ? 1 : draws);
  if (list.length > 0) {
    const random = createRandom(seed);
    for (let k = 0; k < draws; k++) {
      let lost = 0;
      for (const e of list) if (random.next() < e.churnProbability) lost += e.arr;
      losses[k] = lost;
    }
  }
  losses.sort();
  const q = (p: number) => losses[Math.min(losses.length - 1, Math.floor(p * losses.length))] as number;
  return { renewals: list.length, arrDue, expected, p10: q(0.1), p50: q(0.5), p90: q(0.9), method: 'simulated' };
}

/** The forecast made at a past date against what happened by now. */
export interface RenewalBacktest {
  asOf: string;
  now: string;
  /** ARR at risk over the window: forecast, what was really lost, and the absolute error as a share of the loss. */
  arrAtRisk: { expected: number; p10: number; p90: number; actual: number; absolutePercentageError: number | null; withinRange: boolean };
  /** Renewed ARR per month: forecast, actual, and the mean absolute percentage error over months with renewals. */
  months: { month: string; arrDue: number; expectedRenewed: number; actualRenewed: number }[];
  mape: number | null;
}

/**
 * "Had this forecast run at `asOf`": the same forecast from the probabilities a model trained on
 * history before then gave, compared with who really churned by `now`. An account due in the
 * window that churned any time before `now` counts as lost.
 */
export function backtestRenewalForecast(
  entries: readonly (RenewalEntry & { churned: boolean })[],
  options: RenewalForecastOptions & { now: string },
): RenewalBacktest {
  const windowDays = options.windowDays ?? 90;
  const forecast = renewalForecast(entries, { ...options, windowDays, months: options.months ?? Math.ceil(windowDays / 30) + 1 });
  const start = Date.parse(`${options.asOf.slice(0, 10)}T00:00:00Z`);
  const lost = (from: number, to: number) => entries.filter((e) => e.churned && inRange(start, e, from, to)).reduce((s, e) => s + e.arr, 0);
  const actualLoss = lost(start, start + windowDays * DAY);
  const nowMs = Date.parse(options.now);
  // Only months that ended by `now`: later renewals have no outcome yet.
  const months = forecast.months.flatMap((m) => {
    const first = new Date(Date.parse(`${m.month}-01T00:00:00Z`));
    const from = Math.max(start, first.getTime());
    const to = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1);
    return to > nowMs
      ? []
      : [{ month: m.month, arrDue: m.arrDue, expectedRenewed: m.expectedRenewed, actualRenewed: m.arrDue - lost(from, to) }];
  });
  const scored = months.filter((m) => m.actualRenewed > 0);
  const { expected, p10, p90 } = forecast.arrAtRisk;
  return {
    asOf: options.asOf,
    now: options.now,
    arrAtRisk: {
      expected,
      p10,
      p90,
      actual: actualLoss,
      absolutePercentageError: actualLoss > 0 ? Math.abs(expected - actualLoss) / actualLoss : null,
      withinRange: actualLoss >= p10 && actualLoss <= p90,
    },
    months,
    mape: scored.length
      ? scored.reduce((s, m) => s + Math.abs(m.expectedRenewed - m.actualRenewed) / m.actualRenewed, 0) / scored.length
      : null,
  };
}
