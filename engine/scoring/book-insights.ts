import { SuccessEngineError, type LocalizedText } from '../../core';
import { renewalForecast, type RenewalEntry, type RenewalForecast } from '../forecast/renewal-forecast';
import type { AccountSignals } from '../nba/nba.types';
import { BottomK } from '../optim/bottom-k';
import { assignSegment, segmentAccounts, type SegmentInput, type SegmentModel } from '../segments/segmentation';

/** Accounts the segments are fitted on, at most (a sample; every account is then placed by nearest centroid). */
export const SEGMENT_SAMPLE = 5_000;
/** Renewals further out than this are not forecast (the console shows six months). */
const FORECAST_DAYS = 190;
const FORECAST_MONTHS = 6;

/** One segment across the whole book, as the console shows it. */
export interface SegmentSummary {
  id: string;
  name: LocalizedText;
  accounts: number;
  /** Sum and mean of value if retained (the value the segmenter reads), in the tenant currency. */
  value: number;
  meanValue: number;
  meanRisk: number;
  /** Σ churn probability × value: what the segment stands to lose. */
  valueAtRisk: number;
}

/** What a score run learns about the book as a whole: its segments and its renewals ahead. */
export interface BookInsights {
  asOf: string;
  currency: string;
  segments: { model: SegmentModel; summaries: SegmentSummary[] } | null;
  /** Why there are no segments (too few accounts), in both languages. */
  segmentsMissing: LocalizedText | null;
  forecast: RenewalForecast;
}

/**
 * Gathers, while the book is considered page by page, a bottom-k sample for the segments and each
 * account's next renewal; after arbitration fits the segments and the forecast; while scores are
 * written places every account in its segment and sums the segments over the whole book.
 */
export class BookInsightsCollector {
  private readonly sample = new BottomK<SegmentInput>(SEGMENT_SAMPLE);
  private readonly renewals: RenewalEntry[] = [];
  private model: SegmentModel | null = null;
  private missing: LocalizedText | null = null;
  private forecast: RenewalForecast | undefined;
  private totals = new Map<string, { accounts: number; value: number; risk: number; atRisk: number }>();

  constructor(
    private readonly asOf: string,
    private readonly currency: string,
    private readonly previous?: SegmentModel,
  ) {}

  observe(account: AccountSignals, arr: number | null): void {
    this.sample.add(account.accountId, { accountId: account.accountId, value: account.clv, risk: account.churnProbability });
    const days = account.daysToRenewal;
    if (arr !== null && arr > 0 && days !== null && days >= 0 && days < FORECAST_DAYS) {
      this.renewals.push({ accountId: account.accountId, arr, daysToRenewal: days, churnProbability: account.churnProbability });
    }
  }

  fit(): void {
    this.forecast = renewalForecast(this.renewals, { asOf: this.asOf, months: FORECAST_MONTHS });
    try {
      this.model = segmentAccounts(this.sample.values(), { kMax: 5, ...(this.previous ? { previous: this.previous } : {}) }).model;
    } catch (error) {
      if (!(error instanceof SuccessEngineError && error.code === 'ENGINE.INSUFFICIENT_DATA')) throw error;
      this.missing = { en: 'Too few scored accounts to form segments.', zh: '已评分的客户太少，无法分群。' };
    }
  }

  /** Scores are about to be read again from the first page. */
  rewind(): void {
    this.totals = new Map();
  }

  /** The account's segment (null when the book has none), counted in the book's totals. */
  place(account: AccountSignals): { id: string; name: LocalizedText } | null {
    if (!this.model) return null;
    const segment = assignSegment(this.model, { value: account.clv, risk: account.churnProbability });
    const t = this.totals.get(segment.id) ?? { accounts: 0, value: 0, risk: 0, atRisk: 0 };
    t.accounts += 1;
    t.value += account.clv;
    t.risk += account.churnProbability;
    t.atRisk += account.clv * account.churnProbability;
    this.totals.set(segment.id, t);
    return { id: segment.id, name: segment.name };
  }

  result(): BookInsights {
    if (!this.forecast) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'fit() the book insights before reading them');
    const summaries = (this.model?.segments ?? []).map((s): SegmentSummary => {
      const t = this.totals.get(s.id) ?? { accounts: 0, value: 0, risk: 0, atRisk: 0 };
      return {
        id: s.id,
        name: s.name,
        accounts: t.accounts,
        value: t.value,
        meanValue: t.accounts ? t.value / t.accounts : 0,
        meanRisk: t.accounts ? t.risk / t.accounts : 0,
        valueAtRisk: t.atRisk,
      };
    });
    return {
      asOf: this.asOf,
      currency: this.currency,
      segments: this.model ? { model: this.model, summaries } : null,
      segmentsMissing: this.missing,
      forecast: this.forecast,
    };
  }
}
