import { SuccessEngineError, type ChurnScore, type Driver, type LocalizedText, type ModelRef } from '../../core';
import { riskBand, type BandThresholds } from '../churn/churn-drivers';
import { catalogByName } from '../features/feature-catalog';
import { cellValue, type FeatureTable } from '../features/feature-table';

/**
 * Cold start: a weighted health score used while a tenant has too few known outcomes to train a
 * churn model (see `coldStartPolicy`). Each component maps one feature to a risk in [0, 1]
 * linearly between its `good` value (risk 0) and its `bad` value (risk 1); the account's risk is
 * the weighted mean over the components whose feature is present. It is a ranking heuristic,
 * not a calibrated probability, and every score it produces is labelled `kind: 'health-score'`.
 */
export interface HealthComponent {
  feature: string;
  weight: number;
  /** Value at which this component signals no risk … */
  good: number;
  /** … and full risk (may be below `good`, e.g. usage trend). */
  bad: number;
}

export interface HealthSegment {
  /** Replaces weights/thresholds of the listed features for accounts in this segment. */
  components: Partial<Record<string, Partial<Omit<HealthComponent, 'feature'>>>>;
}

export interface HealthConfig {
  components: HealthComponent[];
  /** Categorical feature that picks the segment (e.g. `plan`), and overrides per segment value. */
  segmentBy?: string;
  segments?: Record<string, HealthSegment>;
  bands?: BandThresholds;
}

export const defaultHealthConfig: HealthConfig = {
  components: [
    { feature: 'days_since_activity', weight: 2, good: 14, bad: 90 },
    { feature: 'usage_trend', weight: 2, good: 1, bad: 0.4 },
    { feature: 'ticket_trend', weight: 1.5, good: 1, bad: 3 },
    { feature: 'urgent_tickets_90d', weight: 1, good: 0, bad: 3 },
    { feature: 'oldest_open_ticket_days', weight: 1, good: 3, bad: 30 },
    { feature: 'payment_delay_days_180d', weight: 1, good: 0, bad: 30 },
    { feature: 'mrr_trend_90d', weight: 1.5, good: 1, bad: 0.7 },
    { feature: 'seats_trend_90d', weight: 1, good: 1, bad: 0.7 },
    { feature: 'nps', weight: 1.5, good: 50, bad: -20 },
    { feature: 'sentiment_90d', weight: 1, good: 0.3, bad: -0.3 },
    { feature: 'tenure_days', weight: 1, good: 730, bad: 60 },
  ],
};

/** Outcomes needed before a learned model replaces the health score. */
export interface ColdStartPolicy {
  minPositives: number;
  minNegatives: number;
}

/**
 * 30 churned and 100 retained accounts: below that, inner cross-validation cannot tell the models
 * apart reliably and calibration has too few positives per bin.
 */
export const coldStartPolicy: ColdStartPolicy = { minPositives: 30, minNegatives: 100 };

export function useHealthScore(positives: number, negatives: number, policy: ColdStartPolicy = coldStartPolicy): boolean {
  return positives < policy.minPositives || negatives < policy.minNegatives;
}

function componentRisk(c: HealthComponent, value: number): number {
  if (c.good === c.bad) return value === c.good ? 0 : 1;
  return Math.min(1, Math.max(0, (value - c.good) / (c.bad - c.good)));
}

export function validateHealthConfig(config: HealthConfig): void {
  config.components.forEach((c, i) => {
    if (!(c.weight >= 0) || !Number.isFinite(c.good) || !Number.isFinite(c.bad)) {
      throw new SuccessEngineError(
        'ENGINE.BAD_INPUT',
        `health component ${i} (${c.feature}) needs a non-negative weight and finite good/bad values`,
        { component: c.feature },
      );
    }
  });
}

/**
 * Health for the given rows as ChurnScores. The risk sits in `probability` so the product can
 * show one number, and drivers are the components' shares of the distance from a neutral 50%
 * (they sum to risk − 0.5, in points), worded from the feature catalog.
 */
export function scoreHealth(
  table: FeatureTable,
  rows: ArrayLike<number>,
  modelRef: Omit<ModelRef, 'kind'>,
  config: HealthConfig = defaultHealthConfig,
  limit = 5,
): ChurnScore[] {
  validateHealthConfig(config);
  const columnIndex = new Map(table.columns.map((c, i) => [c.name, i]));
  const segmentColumn = config.segmentBy === undefined ? undefined : table.columns[columnIndex.get(config.segmentBy) ?? -1];
  const out: ChurnScore[] = [];
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k] as number;
    const segmentValue = segmentColumn ? cellValue(segmentColumn, row) : null;
    const segment = segmentValue === null ? undefined : config.segments?.[String(segmentValue)];
    const parts: { feature: string; weight: number; risk: number; value: number }[] = [];
    for (const base of config.components) {
      const c = { ...base, ...(segment?.components[base.feature] ?? {}) };
      const column = table.columns[columnIndex.get(c.feature) ?? -1];
      if (!column || column.kind !== 'numeric' || c.weight === 0) continue;
      const value = column.values[row] as number;
      if (Number.isNaN(value)) continue;
      parts.push({ feature: c.feature, weight: c.weight, risk: componentRisk(c, value), value });
    }
    const totalWeight = parts.reduce((a, p) => a + p.weight, 0);
    const risk = totalWeight > 0 ? parts.reduce((a, p) => a + p.weight * p.risk, 0) / totalWeight : 0.5;
    const drivers: Driver[] = parts
      .map((p) => ({ p, points: totalWeight > 0 ? ((p.weight * (p.risk - 0.5)) / totalWeight) * 100 : 0 }))
      .filter(({ points }) => Math.abs(points) >= 0.5)
      .sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || (a.p.feature < b.p.feature ? -1 : 1))
      .slice(0, limit)
      .map(({ p, points }) => ({
        feature: p.feature,
        contribution: points,
        direction: points >= 0 ? 'raises' : 'lowers',
        value: p.value,
        text: healthText(p.feature, p.value, points),
      }));
    out.push({ probability: risk, band: riskBand(risk, config.bands), drivers, model: { ...modelRef, kind: 'health-score' } });
  }
  return out;
}

function healthText(feature: string, value: number, points: number): LocalizedText {
  const entry = catalogByName.get(feature);
  const label = entry?.label ?? { en: feature, zh: feature };
  const shown = entry?.format?.(value) ?? { en: String(value), zh: String(value) };
  const sign = points >= 0 ? '+' : '−';
  const magnitude = Math.abs(points).toFixed(1);
  return {
    en: `${label.en}: ${shown.en} (health score, ${sign}${magnitude} pts)`,
    zh: `${label.zh}：${shown.zh}（健康评分，${sign}${magnitude} 个百分点）`,
  };
}
