import { SuccessEngineError } from '../../core';
import { minimize, numericHessian } from '../optim/minimize';
import { logBeta } from '../optim/special-functions';
import type { Matrix } from '../optim/linear-algebra';

/**
 * Shifted-beta-geometric retention (Fader & Hardie 2007, "How to project customer retention"):
 * at each renewal an account churns with probability θ, θ ~ Beta(γ, δ) across accounts.
 * P(T = t) = B(γ+1, δ+t−1)/B(γ, δ), S(t) = B(γ, δ+t)/B(γ, δ).
 */
export interface SbgParams {
  gamma: number;
  delta: number;
}

/** One account's contract history, in whole billing periods. */
export interface ContractHistory {
  /** Periods the account has paid for and completed. */
  periods: number;
  /** True if the account ended at the end of its last period. */
  churned: boolean;
  /** Cohort label (e.g. start quarter); accounts are fitted per cohort when it has enough data. */
  cohort?: string;
}

export interface SbgFit {
  params: SbgParams;
  logLik: number;
  /** Hessian of the negative log-likelihood in (ln γ, ln δ) at the optimum. */
  logParamHessian: Matrix;
  accounts: number;
  churned: number;
  converged: boolean;
}

export function logChurnAt(params: SbgParams, t: number): number {
  return logBeta(params.gamma + 1, params.delta + t - 1) - logBeta(params.gamma, params.delta);
}

export function logSurvival(params: SbgParams, t: number): number {
  return logBeta(params.gamma, params.delta + t) - logBeta(params.gamma, params.delta);
}

/** P(renewal | the account has completed n periods) = (δ+n)/(γ+δ+n): retention rises with tenure. */
export function retentionAfter(params: SbgParams, n: number): number {
  return (params.delta + n) / (params.gamma + params.delta + n);
}

export function fitSbg(histories: readonly ContractHistory[], options: { seed?: number } = {}): SbgFit {
  // Group identical (periods, churned) pairs: the likelihood depends on nothing else.
  const counts = new Map<string, { periods: number; churned: boolean; n: number }>();
  let churned = 0;
  histories.forEach((h, i) => {
    if (!Number.isInteger(h.periods) || h.periods < 0 || (h.churned && h.periods < 1)) {
      throw new SuccessEngineError(
        'ENGINE.BAD_INPUT',
        `contract row ${i}: periods must be a whole number ≥ 0 (≥ 1 if churned), got ${h.periods}`,
        { index: i },
      );
    }
    if (h.churned) churned++;
    const key = `${h.periods}:${h.churned ? 1 : 0}`;
    const entry = counts.get(key);
    if (entry) entry.n++;
    else counts.set(key, { periods: h.periods, churned: h.churned, n: 1 });
  });
  if (churned === 0 || churned === histories.length) {
    throw new SuccessEngineError(
      'ENGINE.INSUFFICIENT_DATA',
      `sBG needs both churned and retained accounts (got ${churned} churned of ${histories.length})`,
      { churned, accounts: histories.length },
    );
  }
  const groups = [...counts.values()];
  const n = histories.length;
  const ll = (params: SbgParams) => {
    let total = 0;
    for (const g of groups) total += g.n * (g.churned ? logChurnAt(params, g.periods) : logSurvival(params, g.periods));
    return total;
  };
  const nll = (v: readonly number[]) => -ll({ gamma: Math.exp(v[0] as number), delta: Math.exp(v[1] as number) }) / n;
  const result = minimize(nll, [0, 0], { restarts: 2, seed: options.seed ?? 5, bounds: [-15, 15], tolerance: 1e-10 });
  const params = { gamma: Math.exp(result.x[0] as number), delta: Math.exp(result.x[1] as number) };
  return {
    params,
    logLik: ll(params),
    logParamHessian: numericHessian(nll, result.x).map((row) => row.map((h) => h * n)),
    accounts: n,
    churned,
    converged: result.converged,
  };
}

export interface CohortFits {
  pooled: SbgFit;
  byCohort: Map<string, SbgFit>;
}

/**
 * One fit per cohort with at least `minAccounts` accounts and both outcomes, plus a pooled fit
 * for everything else (small or young cohorts borrow the book's curve).
 */
export function fitSbgByCohort(histories: readonly ContractHistory[], options: { minAccounts?: number; seed?: number } = {}): CohortFits {
  const pooled = fitSbg(histories, options);
  const byCohort = new Map<string, SbgFit>();
  const groups = new Map<string, ContractHistory[]>();
  for (const h of histories) {
    if (h.cohort === undefined) continue;
    let list = groups.get(h.cohort);
    if (!list) groups.set(h.cohort, (list = []));
    list.push(h);
  }
  for (const [cohort, list] of groups) {
    if (list.length < (options.minAccounts ?? 30)) continue;
    const churned = list.filter((h) => h.churned).length;
    if (churned === 0 || churned === list.length) continue;
    byCohort.set(cohort, fitSbg(list, options));
  }
  return { pooled, byCohort };
}

export function fitForCohort(fits: CohortFits, cohort: string | undefined): SbgFit {
  return (cohort !== undefined ? fits.byCohort.get(cohort) : undefined) ?? fits.pooled;
}
