import type { ChurnScore, Driver, LocalizedText, ModelRef, RiskBand } from '../../core';
import { attributeWording, valueWords } from '../features/feature-catalog';
import { cellValue, type FeatureTable } from '../features/feature-table';
import type { ChurnModel, RowExplanation } from './churn-model';

/** How a feature reads in a sentence; canonical features bring their own (see the feature catalog). */
export interface FeatureWording {
  label: LocalizedText;
  /** Formats a present value, e.g. "3× in 30 days"; defaults to the value itself. */
  format?: (value: number | string) => LocalizedText;
}

export interface DriverOptions {
  /** How many drivers to return per account. */
  limit: number;
  /** Drivers smaller than this many probability points are left out as noise. */
  minPoints: number;
  wording: Readonly<Record<string, FeatureWording>>;
}

export const defaultDriverOptions: DriverOptions = { limit: 5, minPoints: 0.5, wording: {} };

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

/** "Customer for: 61 days (+10.6 pts)" / "客户时长：61 天（+10.6 个百分点）"; categorical values in words. */
export function driverText(feature: string, value: number | string, points: number, given?: FeatureWording): LocalizedText {
  const wording = given ?? attributeWording(feature);
  const label = wording?.label ?? { en: feature, zh: feature };
  const sign = points >= 0 ? '+' : '−';
  const magnitude = Math.abs(points).toFixed(1);
  const shown =
    wording?.format?.(value) ?? (typeof value === 'number' ? { en: formatNumber(value), zh: formatNumber(value) } : valueWords(value));
  return { en: `${label.en}: ${shown.en} (${sign}${magnitude} pts)`, zh: `${label.zh}：${shown.zh}（${sign}${magnitude} 个百分点）` };
}

/** Inputs the model would have weighed but the account lacks, said once below its reasons. */
export interface MissingInput {
  feature: string;
  label: LocalizedText;
}

/** Reasons always shown for an account above low risk, however small (its risk still needs a why). */
const MIN_REASONS_ABOVE_LOW = 3;

/**
 * The largest contributions of one explained row, as Drivers (contribution in probability points).
 * A missing value is never a reason ("unknown" explains nothing a rep can act on): such features
 * are returned in `missing` instead. Above low risk, the `MIN_REASONS_ABOVE_LOW` largest present
 * contributions are kept even when smaller than `minPoints`.
 */
export function topDrivers(
  explanation: RowExplanation,
  table: FeatureTable,
  row: number,
  options: Partial<DriverOptions> = {},
  aboveLow = false,
): { drivers: Driver[]; missing: MissingInput[] } {
  const opts = { ...defaultDriverOptions, ...options };
  const order = Array.from(explanation.contributions.keys()).sort(
    (a, b) => Math.abs(explanation.contributions[b] as number) - Math.abs(explanation.contributions[a] as number) || a - b,
  );
  const drivers: Driver[] = [];
  const missing: MissingInput[] = [];
  for (const c of order) {
    if (drivers.length >= opts.limit) break;
    const points = (explanation.contributions[c] as number) * 100;
    const keepSmall = aboveLow && drivers.length < MIN_REASONS_ABOVE_LOW && points !== 0;
    if (Math.abs(points) < opts.minPoints && !keepSmall) break;
    const column = table.columns[c];
    if (!column) continue;
    const value = cellValue(column, row);
    const wording = opts.wording[column.name] ?? attributeWording(column.name);
    if (value === null) {
      if (Math.abs(points) >= opts.minPoints)
        missing.push({ feature: column.name, label: wording?.label ?? { en: column.name, zh: column.name } });
      continue;
    }
    drivers.push({
      feature: column.name,
      contribution: points,
      direction: points >= 0 ? 'raises' : 'lowers',
      value,
      text: driverText(column.name, value, points, wording),
    });
  }
  return { drivers, missing };
}

export interface BandThresholds {
  /** Lower bounds of medium, high and critical. */
  medium: number;
  high: number;
  critical: number;
}

export const defaultBandThresholds: BandThresholds = { medium: 0.15, high: 0.35, critical: 0.6 };

export function riskBand(probability: number, thresholds: BandThresholds = defaultBandThresholds): RiskBand {
  if (probability >= thresholds.critical) return 'critical';
  if (probability >= thresholds.high) return 'high';
  if (probability >= thresholds.medium) return 'medium';
  return 'low';
}

/** Churn scores with reasons for the given table rows. */
export function scoreChurn(
  model: ChurnModel,
  modelRef: ModelRef,
  table: FeatureTable,
  rows: ArrayLike<number>,
  options: Partial<DriverOptions> & { bands?: BandThresholds } = {},
): ChurnScore[] {
  const explanations = model.explain(table, rows);
  return explanations.map((explanation, k) => {
    const band = riskBand(explanation.probability, options.bands);
    const { drivers, missing } = topDrivers(explanation, table, rows[k] as number, options, band !== 'low');
    return { probability: explanation.probability, band, drivers, ...(missing.length ? { missing } : {}), model: modelRef };
  });
}
