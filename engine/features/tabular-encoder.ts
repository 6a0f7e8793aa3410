import type { FeatureTable } from './feature-table';

/**
 * Turns a FeatureTable into dense row-major matrices, fitted on training rows only:
 * - tree matrix: numerics as they are (NaN = missing, the trees route it), categoricals one-hot
 *   (NaN in every level column when missing);
 * - linear matrix: numerics standardised with missing → mean plus a missing indicator,
 *   categoricals one-hot with a missing indicator.
 * Rare levels (fewer than `minLevelCount` training rows, or beyond the `maxLevels` most frequent)
 * share one "other" column so unseen levels at scoring time land somewhere sensible.
 */
export interface EncoderOptions {
  minLevelCount: number;
  maxLevels: number;
  /** Knots of the linear spline per numeric column (at evenly spaced training quantiles); 0 = plain linear. */
  splineKnots: number;
  /** Numeric columns whose effect must be monotone (1 rising, −1 falling with the value). */
  monotone: Readonly<Record<string, 1 | -1>>;
}

export const defaultEncoderOptions: EncoderOptions = { minLevelCount: 10, maxLevels: 30, splineKnots: 4, monotone: {} };

export interface EncodedColumnInfo {
  name: string;
  /** Index of the FeatureTable column this encoded column comes from. */
  source: number;
}

interface NumericPlan {
  kind: 'numeric';
  mean: number;
  std: number;
  missingIndicator: boolean;
  /** Spline knots (standardised units): the linear model also gets max(0, z − knot) per knot. */
  knots: number[];
  /**
   * A monotone column is left to the trees, which enforce the direction; the linear model sees only
   * whether it is missing (its value column stays, at 0, so the layout is the same).
   */
  monotone?: 1 | -1;
}

interface CategoricalPlan {
  kind: 'categorical';
  /** One-hot slots by level name; levels not listed go to `otherSlot` (when there is one). */
  slotNames: string[];
  otherSlot: number;
  missingIndicator: boolean;
}

export interface EncoderState {
  columnNames: string[];
  plans: (NumericPlan | CategoricalPlan)[];
}

export class TabularEncoder {
  readonly treeColumns: EncodedColumnInfo[] = [];
  readonly linearColumns: EncodedColumnInfo[] = [];

  private constructor(readonly state: EncoderState) {
    state.plans.forEach((plan, source) => {
      const name = state.columnNames[source] as string;
      if (plan.kind === 'numeric') {
        this.treeColumns.push({ name, source });
        this.linearColumns.push({ name, source });
        for (const knot of plan.knots)
          this.linearColumns.push({ name: `${name} above ${(plan.mean + knot * plan.std).toPrecision(4)}`, source });
        if (plan.missingIndicator) this.linearColumns.push({ name: `${name} missing`, source });
      } else {
        for (const slot of plan.slotNames) {
          this.treeColumns.push({ name: `${name}=${slot}`, source });
          this.linearColumns.push({ name: `${name}=${slot}`, source });
        }
        if (plan.missingIndicator) this.linearColumns.push({ name: `${name} missing`, source });
      }
    });
  }

  static fit(table: FeatureTable, rows: ArrayLike<number>, options: EncoderOptions = defaultEncoderOptions): TabularEncoder {
    const plans = table.columns.map((column): NumericPlan | CategoricalPlan => {
      if (column.kind === 'numeric') {
        let sum = 0;
        let sumSq = 0;
        let count = 0;
        for (let k = 0; k < rows.length; k++) {
          const v = column.values[rows[k] as number] as number;
          if (Number.isNaN(v)) continue;
          sum += v;
          sumSq += v * v;
          count++;
        }
        const mean = count ? sum / count : 0;
        const variance = count ? Math.max(0, sumSq / count - mean * mean) : 0;
        const std = Math.sqrt(variance) > 1e-12 ? Math.sqrt(variance) : 1;
        const monotone = options.monotone?.[column.name];
        if (monotone) return { kind: 'numeric', mean, std, missingIndicator: count < rows.length, knots: [], monotone };
        return {
          kind: 'numeric',
          mean,
          std,
          missingIndicator: count < rows.length,
          knots: splineKnots(column.values, rows, mean, std, options.splineKnots),
        };
      }
      const counts = new Float64Array(column.levels.length);
      let missing = 0;
      for (let k = 0; k < rows.length; k++) {
        const code = column.codes[rows[k] as number] as number;
        if (code < 0) missing++;
        else counts[code] = (counts[code] as number) + 1;
      }
      const byFrequency = column.levels.map((_, code) => code).filter((code) => (counts[code] as number) > 0);
      byFrequency.sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b);
      const keep = byFrequency.filter((code, rank) => rank < options.maxLevels && (counts[code] as number) >= options.minLevelCount);
      // Keep at least the most frequent level, so a column of rare levels is not silently empty.
      if (keep.length === 0 && byFrequency.length > 0) keep.push(byFrequency[0] as number);
      const slotNames = keep.map((code) => column.levels[code] as string);
      const hasOther = byFrequency.length > keep.length || column.levels.length > keep.length;
      const otherSlot = hasOther ? slotNames.length : -1;
      if (hasOther) slotNames.push('(other)');
      return { kind: 'categorical', slotNames, otherSlot, missingIndicator: missing > 0 };
    });
    return new TabularEncoder({ columnNames: table.columns.map((c) => c.name), plans });
  }

  static fromState(state: EncoderState): TabularEncoder {
    return new TabularEncoder(state);
  }

  /** Checks that a table has the columns this encoder was fitted on, in the same order and kind. */
  private columnsOf(table: FeatureTable) {
    return this.state.plans.map((plan, i) => {
      const column = table.columns[i];
      const expected = this.state.columnNames[i] as string;
      if (!column || column.name !== expected || column.kind !== plan.kind) {
        throw new Error(
          `feature column ${i} should be ${plan.kind} "${expected}", got ${column ? `${column.kind} "${column.name}"` : 'nothing'}`,
        );
      }
      return column;
    });
  }

  /** Per tree column: the monotone direction of its source column (0 = free). */
  treeMonotone(): Int8Array {
    return Int8Array.from(this.treeColumns, (c) => {
      const plan = this.state.plans[c.source];
      return plan?.kind === 'numeric' ? (plan.monotone ?? 0) : 0;
    });
  }

  treeMatrix(table: FeatureTable, rows: ArrayLike<number>): Float64Array {
    const columns = this.columnsOf(table);
    const d = this.treeColumns.length;
    const out = new Float64Array(rows.length * d);
    let offset = 0;
    this.state.plans.forEach((plan, c) => {
      const column = columns[c];
      if (plan.kind === 'numeric' && column?.kind === 'numeric') {
        for (let k = 0; k < rows.length; k++) out[k * d + offset] = column.values[rows[k] as number] as number;
        offset += 1;
      } else if (plan.kind === 'categorical' && column?.kind === 'categorical') {
        const slots = plan.slotNames.length;
        const slotOfCode = slotsByCode(plan, column.levels);
        for (let k = 0; k < rows.length; k++) {
          const code = column.codes[rows[k] as number] as number;
          const base = k * d + offset;
          if (code < 0) {
            for (let s = 0; s < slots; s++) out[base + s] = Number.NaN;
            continue;
          }
          const hot = slotOfCode[code] ?? plan.otherSlot;
          if (hot >= 0) out[base + hot] = 1;
        }
        offset += slots;
      }
    });
    return out;
  }

  linearMatrix(table: FeatureTable, rows: ArrayLike<number>): Float64Array {
    const columns = this.columnsOf(table);
    const d = this.linearColumns.length;
    const out = new Float64Array(rows.length * d);
    let offset = 0;
    this.state.plans.forEach((plan, c) => {
      const column = columns[c];
      if (plan.kind === 'numeric' && column?.kind === 'numeric') {
        const knots = plan.knots.length;
        for (let k = 0; k < rows.length; k++) {
          const v = column.values[rows[k] as number] as number;
          if (Number.isNaN(v)) {
            if (plan.missingIndicator) out[k * d + offset + 1 + knots] = 1;
          } else {
            const z = plan.monotone ? 0 : (v - plan.mean) / plan.std;
            out[k * d + offset] = z;
            for (let q = 0; q < knots; q++) out[k * d + offset + 1 + q] = Math.max(0, z - (plan.knots[q] as number));
          }
        }
        offset += 1 + knots + (plan.missingIndicator ? 1 : 0);
      } else if (plan.kind === 'categorical' && column?.kind === 'categorical') {
        const slots = plan.slotNames.length;
        const slotOfCode = slotsByCode(plan, column.levels);
        for (let k = 0; k < rows.length; k++) {
          const code = column.codes[rows[k] as number] as number;
          const base = k * d + offset;
          if (code < 0) {
            if (plan.missingIndicator) out[base + slots] = 1;
            continue;
          }
          const hot = slotOfCode[code] ?? plan.otherSlot;
          if (hot >= 0) out[base + hot] = 1;
        }
        offset += slots + (plan.missingIndicator ? 1 : 0);
      }
    });
    return out;
  }
}

/** Maps a table's level codes to this plan's slots by level name (tables may code levels differently). */
function slotsByCode(plan: CategoricalPlan, levels: readonly string[]): Int32Array {
  const slotByName = new Map(plan.slotNames.map((name, slot) => [name, slot]));
  if (plan.otherSlot >= 0) slotByName.delete('(other)');
  return Int32Array.from(levels, (level) => slotByName.get(level) ?? plan.otherSlot);
}

/**
 * Knots at evenly spaced training quantiles (distinct values only), so the linear model can bend
 * where the data are; columns with few distinct values (flags, small counts) stay linear.
 */
function splineKnots(values: Float64Array, rows: ArrayLike<number>, mean: number, std: number, count: number): number[] {
  if (count <= 0) return [];
  const present: number[] = [];
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k] as number] as number;
    if (!Number.isNaN(v)) present.push(v);
  }
  present.sort((a, b) => a - b);
  let distinct = 0;
  for (let k = 0; k < present.length && distinct <= 2 * count + 2; k++) if (k === 0 || present[k] !== present[k - 1]) distinct++;
  if (distinct <= 2 * count + 2) return [];
  const knots: number[] = [];
  for (let q = 1; q <= count; q++) {
    const v = present[Math.floor((q * present.length) / (count + 1))] as number;
    const z = (v - mean) / std;
    if (knots.length === 0 || z > (knots[knots.length - 1] as number)) knots.push(z);
  }
  return knots;
}
