import type { ChurnScore, Driver, LocalizedText, ModelRef, RiskBand } from '../../core';
import { attributeWording } from '../features/feature-catalog';
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

/** "tenure is 3 (+12.4 pts)" / "tenure 为 3（+12.4 个百分点）"; missing values say so. */
export function driverText(feature: string, value: number | string | null, points: number, given?: FeatureWording): LocalizedText {
  const wording = given ?? attributeWording(feature);
  const label = wording?.label ?? { en: feature, zh: feature };
  const sign = points >= 0 ? '+' : '−';
  const magnitude = Math.abs(points).toFixed(1);
  if (value === null) {
    return { en: `${label.en}: unknown (${sign}${magnitude} pts)`, zh: `${label.zh}：未知（${sign}${magnitude} 个百分点）` };
  }
  const shown = wording?.format?.(value) ?? { en: typeof value === 'number' ? formatNumber(value) : value, zh: typeof value === 'number' ? formatNumber(value) : value };
  return { en: `${label.en}: ${shown.en} (${sign}${magnitude} pts)`, zh: `${label.zh}：${shown.zh}（${sign}${magnitude} 个百分点）` };
}

/** The largest contributions of one explained row, as Drivers (contribution in probability points). */
export function topDrivers(explanation: RowExplanation, table: FeatureTable, row: number, options: Partial<DriverOptions> = {}): Driver[] {
  const opts = { ...defaultDriverOptions, ...options };
  const order = Array.from(explanation.contributions.keys()).sort((a, b) => Math.abs(explanation.contributions[b] as number) - Math.abs(explanation.contributions[a] as number) || a - b);
  const drivers: Driver[] = [];
  for (const c of order) {
    if (drivers.length >= opts.limit) break;
    const points = (explanation.contributions[c] as number) * 100;
    if (Math.abs(points) < opts.minPoints) break;
    const column = table.columns[c];
    if (!column) continue;
    const value = cellValue(column, row);
    drivers.push({ feature: column.name, contribution: points, direction: points >= 0 ? 'raises' : 'lowers', value, text: driverText(column.name, value, points, opts.wording[column.name]) });
  }
  return drivers;
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
export function scoreChurn(model: ChurnModel, modelRef: ModelRef, table: FeatureTable, rows: ArrayLike<number>, options: Partial<DriverOptions> & { bands?: BandThresholds } = {}): ChurnScore[] {
  const explanations = model.explain(table, rows);
  return explanations.map((explanation, k) => ({
    probability: explanation.probability,
    band: riskBand(explanation.probability, options.bands),
    drivers: topDrivers(explanation, table, rows[k] as number, options),
    model: modelRef,
  }));
}
