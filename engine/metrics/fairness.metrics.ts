import { SuccessEngineError } from '../../core';

/** The four-fifths (80 %) rule of the US EEOC Uniform Guidelines, 29 CFR 1607.4(D). */
export const FOUR_FIFTHS = 0.8;
/** Below this many accounts a group's rates are too noisy to warn on; they are still shown. */
export const MIN_GROUP_SIZE = 20;
/** The group accounts without a value for the attribute fall into. */
export const MISSING_GROUP = '(missing)';

export interface FairnessGroup {
  group: string;
  accounts: number;
  /** Accounts at or above the alert threshold. */
  selected: number;
  selectionRate: number;
  /** This group's selection rate over the highest group's (null when no group has any selected). */
  impactRatio: number | null;
  /** Calibration within the group: mean predicted churn vs the churn rate that happened. */
  meanPredicted: number;
  observedRate: number;
  /** Under the four-fifths ratio and big enough to say so. */
  belowFourFifths: boolean;
  /** Fewer than MIN_GROUP_SIZE accounts: shown, never warned on. */
  small: boolean;
}

export interface FairnessReport {
  attribute: string;
  threshold: number;
  groups: FairnessGroup[];
  /** Lowest selection rate over highest, among groups big enough to count (null without two of them or without selections). */
  fourFifthsRatio: number | null;
  /** Groups below four fifths of the most-selected group's rate. */
  flagged: string[];
}

/**
 * Selection rate at the alert threshold, the four-fifths impact ratio and calibration per value of
 * one account attribute (region, segment, plan, language). "Selected" means flagged as at risk, so
 * a group far less often flagged than its peers gets less attention from the CS team for the same
 * signals; calibration per group shows whether the model over- or under-states its risk.
 */
export function fairnessByGroup(
  attribute: string,
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<string | null | undefined>,
  threshold: number,
): FairnessReport {
  if (probabilities.length !== labels.length || probabilities.length !== groups.length) {
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `fairness by ${attribute}: probabilities (${probabilities.length}), labels (${labels.length}) and groups (${groups.length}) differ in length`,
    );
  }
  if (!(threshold > 0 && threshold < 1))
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `fairness by ${attribute}: the alert threshold must be between 0 and 1, got ${threshold}`,
    );
  const sums = new Map<string, { accounts: number; selected: number; predicted: number; observed: number }>();
  for (let i = 0; i < probabilities.length; i++) {
    const raw = groups[i];
    const key = raw === null || raw === undefined || raw.trim() === '' ? MISSING_GROUP : raw.trim();
    const s = sums.get(key) ?? { accounts: 0, selected: 0, predicted: 0, observed: 0 };
    const p = probabilities[i] as number;
    s.accounts += 1;
    s.selected += p >= threshold ? 1 : 0;
    s.predicted += p;
    s.observed += labels[i] === 1 ? 1 : 0;
    sums.set(key, s);
  }
  const rows = [...sums.entries()].map(([group, s]) => ({
    group,
    accounts: s.accounts,
    selected: s.selected,
    selectionRate: s.selected / s.accounts,
    meanPredicted: s.predicted / s.accounts,
    observedRate: s.observed / s.accounts,
    small: s.accounts < MIN_GROUP_SIZE,
  }));
  const counted = rows.filter((r) => !r.small);
  const top = Math.max(0, ...counted.map((r) => r.selectionRate));
  const out: FairnessGroup[] = rows
    .map((r) => {
      const impactRatio = top > 0 ? r.selectionRate / top : null;
      return { ...r, impactRatio, belowFourFifths: !r.small && impactRatio !== null && impactRatio < FOUR_FIFTHS };
    })
    .sort((a, b) => b.accounts - a.accounts || a.group.localeCompare(b.group));
  const fourFifthsRatio = counted.length >= 2 && top > 0 ? Math.min(...counted.map((r) => r.selectionRate)) / top : null;
  return { attribute, threshold, groups: out, fourFifthsRatio, flagged: out.filter((g) => g.belowFourFifths).map((g) => g.group) };
}

/** The warning users read when a group falls below four fifths, in English and Chinese. */
export function fairnessWarning(report: FairnessReport): { en: string; zh: string } | null {
  if (report.flagged.length === 0) return null;
  const groups = report.flagged.join(', ');
  const pct = (report.threshold * 100).toFixed(0);
  return {
    en: `Four-fifths rule: ${groups} ${report.flagged.length === 1 ? 'is' : 'are'} flagged at the ${pct}% alert threshold less than 0.8 times as often as the most-flagged ${report.attribute}; check the model's calibration for ${report.flagged.length === 1 ? 'that group' : 'those groups'} before relying on its alerts.`,
    zh: `五分之四规则：在 ${pct}% 预警阈值下，${groups} 被标记的比例不到标记最多的 ${report.attribute} 分组的 0.8 倍；依赖其预警前请检查模型在该分组上的校准情况。`,
  };
}
