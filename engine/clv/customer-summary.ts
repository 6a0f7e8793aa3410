import { SuccessEngineError } from '../../core';

/** One purchase (or usage event with value): the customer, the UTC calendar day, the amount. */
export interface Purchase {
  customerId: string;
  /** Days since 1970-01-01 (UTC); see `dayNumber`. */
  day: number;
  amount: number;
}

/**
 * A customer's history as the BG/NBD and Gamma-Gamma models see it. Times are in weeks from the
 * customer's first purchase; purchases on one day count as one transaction (Fader, Hardie & Lee 2005).
 */
export interface CustomerSummary {
  customerId: string;
  /** Repeat transactions in the calibration period (transaction days after the first). */
  x: number;
  /** Recency: weeks from the first to the last calibration transaction. */
  tx: number;
  /** Age: weeks from the first purchase to the end of calibration. */
  T: number;
  /** Mean value of the repeat transactions (first purchase excluded, as in lifetimes); 0 if x = 0. */
  monetary: number;
  /** Transactions (days) in the holdout period; 0 without a holdout. */
  holdoutX: number;
}

export interface SummaryOptions {
  calibrationEnd: number;
  /** Last day of the holdout period (inclusive), if evaluating. */
  holdoutEnd?: number;
}

const DAYS_PER_WEEK = 7;

/**
 * Day number (days since 1970-01-01) of the calendar day as written: `YYYY-MM-DD`, `YYYY/MM/DD`,
 * `YYYYMMDD`, or a date-time starting with one of those (`2010-12-01 08:26`, ISO with a zone). The
 * written day is what "same day" means for merging purchases, so a zone suffix does not shift it.
 */
export function dayNumber(text: string): number {
  const t = text.trim();
  const parts = /^(\d{4})(\d{2})(\d{2})$/.exec(t) ?? /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}.*)?$/.exec(t);
  let ms = NaN;
  if (parts) {
    const [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    ms = Date.UTC(y, m - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) ms = NaN;
  }
  if (!Number.isFinite(ms))
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `not a date: "${text}" (expected YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, optionally followed by a time)`,
      { value: text },
    );
  return Math.floor(ms / 86_400_000);
}

/**
 * Calibration/holdout summary per customer. Customers whose first purchase is after the end of
 * calibration are left out (the model cannot know them yet). Same-day purchases are merged.
 */
export function summarizeCustomers(purchases: Iterable<Purchase>, options: SummaryOptions): CustomerSummary[] {
  const { calibrationEnd, holdoutEnd } = options;
  if (holdoutEnd !== undefined && holdoutEnd <= calibrationEnd) {
    throw new SuccessEngineError('ENGINE.BAD_INPUT', 'holdout end must be after calibration end', { calibrationEnd, holdoutEnd });
  }
  // customer → day → summed amount
  const byCustomer = new Map<string, Map<number, number>>();
  for (const p of purchases) {
    if (!Number.isFinite(p.day) || !Number.isFinite(p.amount)) {
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `purchase of customer "${p.customerId}" has a non-finite day or amount`, {
        customerId: p.customerId,
      });
    }
    let days = byCustomer.get(p.customerId);
    if (!days) byCustomer.set(p.customerId, (days = new Map<number, number>()));
    days.set(p.day, (days.get(p.day) ?? 0) + p.amount);
  }
  const out: CustomerSummary[] = [];
  for (const [customerId, days] of byCustomer) {
    let first = Infinity;
    for (const d of days.keys()) if (d < first) first = d;
    if (first > calibrationEnd) continue;
    let last = first;
    let repeat = 0;
    let repeatValue = 0;
    let holdoutX = 0;
    for (const [d, value] of days) {
      if (d <= calibrationEnd) {
        if (d !== first) {
          repeat++;
          repeatValue += value;
          if (d > last) last = d;
        }
      } else if (holdoutEnd !== undefined && d <= holdoutEnd) holdoutX++;
    }
    out.push({
      customerId,
      x: repeat,
      tx: (last - first) / DAYS_PER_WEEK,
      T: (calibrationEnd - first) / DAYS_PER_WEEK,
      monetary: repeat > 0 ? repeatValue / repeat : 0,
      holdoutX,
    });
  }
  return out;
}
