import { SuccessEngineError } from '../../core';
import { cholesky, invertSpd, lowerTimes } from '../optim/linear-algebra';
import { createRandom, hashKey } from '../optim/random';
import { intervalFrom, type ClvInterval } from './non-contractual-clv';
import { retentionAfter, type SbgFit, type SbgParams } from './sbg.model';

export interface ContractualAccount {
  /** Periods completed so far. */
  periods: number;
  /** Revenue per billing period (e.g. MRR × months per period). */
  revenuePerPeriod: number;
  /** Months in one billing period (1 monthly, 3 quarterly, 12 annual). */
  periodMonths: number;
  /**
   * The churn model's probability that the account does not renew at its next renewal. Optional:
   * without it the cohort curve's own hazard (γ/(γ+δ+n)) is used.
   */
  churnProbability?: number;
  /** Revenue still to come in the current, already committed period (counted with certainty). */
  committedRevenue?: number;
  /**
   * Seeds this account's simulated futures (e.g. its id), so its interval does not depend on which
   * other accounts are scored in the same call: a book scored in chunks gets the same intervals.
   */
  key?: string;
}

export interface ContractualOptions {
  horizonMonths: number;
  /** Discount rate per month; compounded per billing period. */
  monthlyDiscountRate: number;
  draws?: number;
  seed?: number;
}

export interface ContractualClv extends ClvInterval {
  /** Probability of the next renewal used (1 − churn probability). */
  nextRenewal: number;
  expectedRenewals: number;
  /** The same value had the account been certain to renew next time: what it is worth if retained. */
  ifRetained: number;
}

/**
 * Discounted expected residual value over the horizon: Σ_k revenue · P(k more renewals) /
 * (1+d)^{k·periodMonths}. P(first renewal) is 1 − the account's churn probability (the churn model
 * knows this account); after that, the cohort's sBG curve conditioned on surviving to n+1
 * periods, S(n+k)/S(n+1), carries the long-run shape (retention rising with tenure). That ratio is
 * built by the sBG recursion S(t)/S(t−1) = (δ+t−1)/(γ+δ+t−1), equal to the ratio of Beta
 * functions and ~50× cheaper: this loop runs horizon × (draws + 1) times per account.
 */
export function contractualValue(
  params: SbgParams,
  account: ContractualAccount,
  options: Pick<ContractualOptions, 'horizonMonths' | 'monthlyDiscountRate'>,
): { value: number; expectedRenewals: number; nextRenewal: number } {
  const { periods: n, revenuePerPeriod, periodMonths } = account;
  const { gamma, delta } = params;
  const renewals = Math.floor(options.horizonMonths / periodMonths);
  const next = account.churnProbability === undefined ? retentionAfter(params, n) : 1 - account.churnProbability;
  const perPeriodFactor = 1 / Math.pow(1 + options.monthlyDiscountRate, periodMonths);
  let value = 0;
  let expected = 0;
  let conditional = 1; // S(n+k) / S(n+1)
  let discount = 1;
  for (let k = 1; k <= renewals; k++) {
    if (k > 1) conditional *= (delta + n + k - 1) / (gamma + delta + n + k - 1);
    discount *= perPeriodFactor;
    const survive = next * conditional;
    expected += survive;
    value += revenuePerPeriod * survive * discount;
  }
  return { value: Math.max(0, value) + (account.committedRevenue ?? 0), expectedRenewals: expected, nextRenewal: next };
}

/**
 * One possible future of the account: it renews at the next renewal with probability `next`, then
 * at each later one with the sBG predictive probability given it is still there, (δ+t−1)/(γ+δ+t−1)
 * (sequential draws from the shifted-beta-geometric predictive), and pays each period it stays.
 */
function simulatedValue(
  params: SbgParams,
  account: ContractualAccount,
  options: Pick<ContractualOptions, 'horizonMonths' | 'monthlyDiscountRate'>,
  next: number,
  uniform: () => number,
): number {
  const { periods: n, revenuePerPeriod, periodMonths } = account;
  const renewals = Math.floor(options.horizonMonths / periodMonths);
  const perPeriodFactor = 1 / Math.pow(1 + options.monthlyDiscountRate, periodMonths);
  let value = account.committedRevenue ?? 0;
  let discount = 1;
  for (let k = 1; k <= renewals; k++) {
    const renew = k === 1 ? next : (params.delta + n + k - 1) / (params.gamma + params.delta + n + k - 1);
    if (uniform() >= renew) break;
    discount *= perPeriodFactor;
    value += revenuePerPeriod * discount;
  }
  return value;
}

function validate(account: ContractualAccount, index: number): void {
  const p = account.churnProbability;
  const ok =
    Number.isInteger(account.periods) &&
    account.periods >= 0 &&
    account.revenuePerPeriod >= 0 &&
    Number.isFinite(account.revenuePerPeriod) &&
    account.periodMonths > 0 &&
    (p === undefined || (p >= 0 && p <= 1));
  if (!ok) {
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `contract account ${index}: need whole periods ≥ 0, revenuePerPeriod ≥ 0, periodMonths > 0 and churnProbability in [0, 1]`,
      { index },
    );
  }
}

/**
 * Point value (expected, at today's churn risk) at the MLE, and P10/P50/P90 of what the account
 * may really pay: each Laplace draw of (ln γ, ln δ) (parameter uncertainty) simulates a few
 * possible futures of renewals and churn (process uncertainty). The churn probability is taken as
 * given; its own uncertainty belongs to the churn model. The interval is widened to include the
 * point when needed.
 */
export function scoreContractual(fit: SbgFit, accounts: readonly ContractualAccount[], options: ContractualOptions): ContractualClv[] {
  if (!(options.horizonMonths > 0) || !(options.monthlyDiscountRate >= 0)) {
    throw new SuccessEngineError('ENGINE.BAD_INPUT', 'horizonMonths must be > 0 and monthlyDiscountRate ≥ 0');
  }
  accounts.forEach(validate);
  const draws = sbgDraws(fit, options.draws ?? 100, options.seed ?? 1);
  // No draws asked: the point alone (a degenerate fit still simulates futures at its MLE).
  const futures = options.draws === 0 ? [] : draws.length > 0 ? draws : [fit.params];
  return accounts.map((a, index) => {
    const random = createRandom(hashKey((options.seed ?? 1) + 7919, a.key ?? String(index)));
    const uniform = (): number => random.next();
    const point = contractualValue(fit.params, a, options);
    const retained = contractualValue(fit.params, { ...a, churnProbability: 0 }, options);
    const samples: number[] = [];
    for (const d of futures)
      for (let k = 0; k < FUTURES_PER_DRAW; k++) samples.push(simulatedValue(d, a, options, point.nextRenewal, uniform));
    return {
      ...intervalFrom(point.value, samples),
      nextRenewal: point.nextRenewal,
      expectedRenewals: point.expectedRenewals,
      ifRetained: retained.value,
    };
  });
}

/** Simulated futures per parameter draw: 100 draws × 5 give stable 10th and 90th percentiles. */
const FUTURES_PER_DRAW = 5;

export function sbgDraws(fit: SbgFit, draws: number, seed: number): SbgParams[] {
  const cov = invertSpd(fit.logParamHessian);
  const l = cov ? cholesky(cov) : undefined;
  if (!l) return [];
  const random = createRandom(seed);
  const mean = [Math.log(fit.params.gamma), Math.log(fit.params.delta)];
  const out: SbgParams[] = [];
  for (let k = 0; k < draws; k++) {
    const shift = lowerTimes(l, [random.normal(), random.normal()]);
    out.push({ gamma: Math.exp((mean[0] as number) + (shift[0] as number)), delta: Math.exp((mean[1] as number) + (shift[1] as number)) });
  }
  return out;
}
