import { ActionOutcomeSchema, parseOrThrow, type ActionOutcome } from '../../core';

export { ActionOutcomeSchema, type ActionOutcome } from '../../core';

export function parseActionOutcome(value: unknown): ActionOutcome {
  return parseOrThrow(ActionOutcomeSchema, value, 'action outcome');
}

/** Returns a new list with the outcome added or, for the same tenant/account/action/recommendedAt, replaced. */
export function recordOutcome(outcomes: readonly ActionOutcome[], outcome: ActionOutcome): ActionOutcome[] {
  const next = parseActionOutcome(outcome);
  const same = (o: ActionOutcome) =>
    o.tenantId === next.tenantId &&
    o.accountId === next.accountId &&
    o.actionId === next.actionId &&
    o.recommendedAt === next.recommendedAt;
  return [...outcomes.filter((o) => !same(o)), next];
}

export interface PropensityEstimate {
  propensity: number;
  source: 'learned' | 'prior';
  /** Decided treatment recommendations (completed, dismissed or expired) behind a learned rate. */
  observations: number;
}

/**
 * Learned completion rate once `minObservations` decided outcomes exist (shrunk toward the prior
 * by `priorStrength` pseudo-observations), the prior otherwise.
 */
export function estimatePropensity(
  outcomes: readonly ActionOutcome[],
  actionId: string,
  prior: number,
  options: { minObservations?: number; priorStrength?: number } = {},
): PropensityEstimate {
  const minObservations = options.minObservations ?? 30;
  const priorStrength = options.priorStrength ?? 10;
  let done = 0;
  let decided = 0;
  for (const o of outcomes) {
    if (o.actionId !== actionId || o.arm !== 'treatment') continue;
    if (o.status === 'completed') done++;
    if (o.status === 'completed' || o.status === 'dismissed' || o.status === 'expired') decided++;
  }
  if (decided < minObservations) return { propensity: prior, source: 'prior', observations: decided };
  return { propensity: (done + prior * priorStrength) / (decided + priorStrength), source: 'learned', observations: decided };
}

export interface LiftEstimate {
  actionId: string;
  treatment: { n: number; retained: number; rate: number | null };
  holdout: { n: number; retained: number; rate: number | null };
  /** Retention rate difference (treatment − holdout), in rate units; null without both arms. */
  lift: number | null;
  /** Newcombe hybrid-score interval for the difference at the given confidence. */
  interval: { lower: number; upper: number; confidence: number } | null;
}

function normalQuantile(p: number): number {
  // Acklam's rational approximation; |error| < 1.2e-9, enough for interval bounds.
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** Wilson score interval for a proportion. */
export function wilsonInterval(successes: number, n: number, z: number): { lower: number; upper: number } {
  if (n === 0) return { lower: 0, upper: 1 };
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * Measured lift of an action: retention of treated accounts (recommended, not held out) against
 * the random holdout, intention-to-treat, only over outcomes whose `retained` is known.
 */
export function measureLift(outcomes: readonly ActionOutcome[], actionId: string, confidence = 0.95): LiftEstimate {
  const arm = (name: 'treatment' | 'holdout') => {
    const rows = outcomes.filter((o) => o.actionId === actionId && o.arm === name && o.retained !== null);
    const retained = rows.filter((o) => o.retained === true).length;
    return { n: rows.length, retained, rate: rows.length ? retained / rows.length : null };
  };
  const treatment = arm('treatment');
  const holdout = arm('holdout');
  if (treatment.rate === null || holdout.rate === null) return { actionId, treatment, holdout, lift: null, interval: null };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const w1 = wilsonInterval(treatment.retained, treatment.n, z);
  const w2 = wilsonInterval(holdout.retained, holdout.n, z);
  const d = treatment.rate - holdout.rate;
  // Newcombe (1998) method 10: combines the two Wilson intervals; good coverage at small n.
  const lower = d - Math.sqrt((treatment.rate - w1.lower) ** 2 + (w2.upper - holdout.rate) ** 2);
  const upper = d + Math.sqrt((w1.upper - treatment.rate) ** 2 + (holdout.rate - w2.lower) ** 2);
  return { actionId, treatment, holdout, lift: d, interval: { lower, upper, confidence } };
}
