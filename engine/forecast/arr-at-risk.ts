import { SuccessEngineError } from '../../core';
import { createRandom } from '../optim/random';

export interface RenewalAccount {
  accountId: string;
  arr: number;
  /** `YYYY-MM-DD`; accounts without one are not counted as due. */
  renewalDate?: string;
  /** Churn probability at this renewal. */
  churnProbability: number;
}

export interface ArrAtRisk {
  windowDays: number;
  renewalsDue: number;
  arrDue: number;
  /** Σ churn probability × ARR over renewals due in the window. */
  expected: number;
  /** Quantiles of ARR lost, simulating each renewal as an independent Bernoulli(churn probability). */
  p10: number;
  p50: number;
  p90: number;
  /** Renewals due, largest expected loss first. */
  due: { accountId: string; renewalDate: string; arr: number; churnProbability: number; expectedLoss: number }[];
}

const DAY = 86_400_000;

/**
 * Renewals due and ARR at risk over the next `windowDays` (default 90) from `asOf`. The interval
 * is over outcomes (which accounts actually churn), by seeded Monte Carlo; renewals are assumed
 * independent, so the interval is narrower than reality if churn moves together.
 */
export function arrAtRisk(
  accounts: readonly RenewalAccount[],
  options: { asOf: string; windowDays?: number; draws?: number; seed?: number },
): ArrAtRisk {
  const windowDays = options.windowDays ?? 90;
  const start = Date.parse(`${options.asOf}T00:00:00Z`);
  if (!Number.isFinite(start)) throw new SuccessEngineError('ENGINE.BAD_INPUT', `asOf is not a date: "${options.asOf}"`);
  const due: ArrAtRisk['due'] = [];
  accounts.forEach((a, i) => {
    if (!(a.churnProbability >= 0 && a.churnProbability <= 1) || !(a.arr >= 0)) {
      throw new SuccessEngineError(
        'ENGINE.BAD_INPUT',
        `renewal row ${i} (${a.accountId}): churnProbability must be in [0, 1] and arr ≥ 0`,
        { index: i },
      );
    }
    if (!a.renewalDate) return;
    const when = Date.parse(`${a.renewalDate}T00:00:00Z`);
    if (!Number.isFinite(when))
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `renewal row ${i} (${a.accountId}): renewalDate is not a date: "${a.renewalDate}"`, {
        index: i,
      });
    if (when >= start && when < start + windowDays * DAY) {
      due.push({
        accountId: a.accountId,
        renewalDate: a.renewalDate,
        arr: a.arr,
        churnProbability: a.churnProbability,
        expectedLoss: a.arr * a.churnProbability,
      });
    }
  });
  due.sort((x, y) => y.expectedLoss - x.expectedLoss);
  const expected = due.reduce((s, d) => s + d.expectedLoss, 0);
  const random = createRandom(options.seed ?? 1);
  const draws = options.draws ?? 4000;
  const losses = new Float64Array(due.length === 0 ? 1 : draws);
  if (due.length > 0) {
    for (let k = 0; k < draws; k++) {
      let lost = 0;
      for (const d of due) if (random.next() < d.churnProbability) lost += d.arr;
      losses[k] = lost;
    }
  }
  losses.sort();
  const q = (p: number) => losses[Math.min(losses.length - 1, Math.floor(p * losses.length))] as number;
  return {
    windowDays,
    renewalsDue: due.length,
    arrDue: due.reduce((s, d) => s + d.arr, 0),
    expected,
    p10: q(0.1),
    p50: q(0.5),
    p90: q(0.9),
    due,
  };
}
