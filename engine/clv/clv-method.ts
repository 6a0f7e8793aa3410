import {
  ClvScoreSchema,
  isSuccessEngineError,
  type CanonicalSubscription,
  type CanonicalTransaction,
  type ClvScore,
  type LocalizedText,
} from '../../core';
import { fitBgNbd, type BgNbdFit } from './bg-nbd.model';
import { scoreContractual, type ContractualAccount } from './contractual-clv';
import { dayNumber, summarizeCustomers, type CustomerSummary, type Purchase } from './customer-summary';
import { fitGammaGamma, type GammaGammaFit } from './gamma-gamma.model';
import { scoreNonContractual } from './non-contractual-clv';
import { BottomK } from '../optim/bottom-k';
import { fitForCohort, fitSbgByCohort, type CohortFits, type ContractHistory, type SbgFit } from './sbg.model';

export type ClvMethod = 'contractual' | 'non-contractual';

/** What the tenant's data says about one account. */
export interface AccountClvEvidence {
  accountId: string;
  subscriptions: readonly Pick<CanonicalSubscription, 'status' | 'startDate' | 'endDate' | 'billingPeriod' | 'mrr'>[];
  transactions: readonly Pick<CanonicalTransaction, 'kind' | 'amount' | 'occurredAt'>[];
  /** Churn model output for the next renewal, if scored. */
  churnProbability?: number;
  currency: string;
}

export type MethodChoice = { method: ClvMethod; reason: LocalizedText } | { method: 'none'; reason: LocalizedText };

const PURCHASE_KINDS = new Set(['order', 'invoice', 'payment', 'usage']);
const PERIOD_MONTHS: Record<CanonicalSubscription['billingPeriod'], number> = { monthly: 1, quarterly: 3, annual: 12, other: 1 };

/**
 * Contracts make churn observable (a renewal is either made or not), so an account with a
 * subscription is valued contractually; an account that only buys is valued with BG/NBD, where
 * churn is latent. Without a usable model of the preferred kind we fall back to the other one.
 */
export function chooseClvMethod(
  e: Pick<AccountClvEvidence, 'subscriptions' | 'transactions'>,
  available: { contractual: boolean; nonContractual: boolean },
): MethodChoice {
  const hasContract = e.subscriptions.some((s) => s.mrr > 0 && s.status !== 'trial');
  const purchases = e.transactions.filter((t) => PURCHASE_KINDS.has(t.kind) && t.amount > 0).length;
  if (hasContract && available.contractual)
    return {
      method: 'contractual',
      reason: { en: 'has a paid subscription: renewal-based (sBG) value', zh: '有付费订阅：按续约（sBG）估值' },
    };
  if (purchases > 0 && available.nonContractual) {
    return hasContract
      ? {
          method: 'non-contractual',
          reason: {
            en: 'subscription history too thin for a renewal model; valued from purchases (BG/NBD)',
            zh: '订阅历史不足以建立续约模型；按购买记录（BG/NBD）估值',
          },
        }
      : {
          method: 'non-contractual',
          reason: { en: 'buys without a contract: purchase-based (BG/NBD) value', zh: '无合同的购买行为：按购买记录（BG/NBD）估值' },
        };
  }
  return { method: 'none', reason: { en: 'no paid subscription or purchase history to value', zh: '没有可用于估值的付费订阅或购买记录' } };
}

/** Months between two UTC days, counting whole calendar months. */
function wholeMonths(fromDay: number, toDay: number): number {
  const a = new Date(fromDay * 86_400_000);
  const b = new Date(toDay * 86_400_000);
  let months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  if (b.getUTCDate() < a.getUTCDate()) months--;
  return Math.max(0, months);
}

/**
 * An account's contract history in billing periods as of a day: from its first paid start to its
 * last end (or `asOf`), churned when every paid subscription has ended by then. Cohort = start quarter.
 */
export function contractHistory(
  subscriptions: AccountClvEvidence['subscriptions'],
  asOf: number,
): (ContractHistory & { periodMonths: number; mrr: number; monthsLeftInPeriod: number }) | undefined {
  const paid = subscriptions.filter((s) => s.mrr > 0 && s.status !== 'trial' && dayNumber(s.startDate) <= asOf);
  if (paid.length === 0) return undefined;
  const start = Math.min(...paid.map((s) => dayNumber(s.startDate)));
  const ended = paid.every(
    (s) => (s.status === 'cancelled' || s.status === 'expired') && s.endDate !== undefined && dayNumber(s.endDate) <= asOf,
  );
  const end = ended ? Math.max(...paid.map((s) => dayNumber(s.endDate as string))) : asOf;
  const current = paid.filter((s) => !(s.endDate !== undefined && dayNumber(s.endDate) <= asOf));
  const pricing = current.length > 0 ? current : paid;
  const periodMonths = Math.max(...pricing.map((s) => PERIOD_MONTHS[s.billingPeriod]));
  const months = wholeMonths(start, end);
  const periods = Math.floor(months / periodMonths);
  const startDate = new Date(start * 86_400_000);
  return {
    periods: ended ? Math.max(1, periods) : periods,
    churned: ended,
    cohort: `${startDate.getUTCFullYear()}-Q${Math.floor(startDate.getUTCMonth() / 3) + 1}`,
    periodMonths,
    mrr: pricing.reduce((s, p) => s + p.mrr, 0),
    // Whole months are counted, so on average half a month more of the current one has passed.
    monthsLeftInPeriod: ended ? 0 : Math.max(0.5, periodMonths - (months - periods * periodMonths) - 0.5),
  };
}

export interface ClvRunOptions {
  /** Scoring date, `YYYY-MM-DD`. */
  asOf: string;
  horizonMonths: number;
  monthlyDiscountRate: number;
  draws?: number;
  seed?: number;
  modelVersion?: string;
}

export type AccountClvResult = { accountId: string; choice: MethodChoice; score?: ClvScore };

/** The book's fitted value models; a model the data cannot support is absent. */
export interface ClvFits {
  sbg?: CohortFits;
  bg?: BgNbdFit;
  gg?: GammaGammaFit;
}

/**
 * Customers each value model is fitted on, at most: a fit's handful of parameters is as good from
 * 20,000 customers as from millions (its interval a little wider), and fitting time and memory
 * grow with the count (BG/NBD: about 1 s per 1,000 customers on one core).
 */
export const MAX_FIT_CUSTOMERS = 20_000;

/**
 * What the value models are fitted on, gathered a page of accounts at a time: each account's
 * contract history (periods, churned, cohort) and purchase summary (x, tₓ, T, spend), a few
 * numbers per account, sampled down to `maxCustomers` per model so a book of millions is fitted
 * in bounded time and memory.
 */
export class ClvFitEvidence {
  private readonly asOf: number;
  private readonly histories: BottomK<ContractHistory>;
  /** Purchasers without a contract (free choices), and every purchaser. */
  private readonly free: BottomK<CustomerSummary>;
  private readonly everyone: BottomK<CustomerSummary>;

  constructor(asOf: string, maxCustomers = MAX_FIT_CUSTOMERS) {
    this.asOf = dayNumber(asOf);
    this.histories = new BottomK(maxCustomers);
    this.free = new BottomK(maxCustomers);
    this.everyone = new BottomK(maxCustomers);
  }

  observe(accounts: readonly AccountClvEvidence[]): void {
    const contracted = new Set<string>();
    for (const a of accounts) {
      const h = contractHistory(a.subscriptions, this.asOf);
      if (!h) continue;
      contracted.add(a.accountId);
      this.histories.add(a.accountId, { periods: h.periods, churned: h.churned, ...(h.cohort === undefined ? {} : { cohort: h.cohort }) });
    }
    for (const s of purchaseSummaries(accounts, this.asOf).values()) {
      this.everyone.add(s.customerId, s);
      if (!contracted.has(s.customerId)) this.free.add(s.customerId, s);
    }
  }

  /** Fit sBG by cohort on contracts, BG/NBD + Gamma-Gamma on free purchasers (every purchaser if those are too few). */
  fit(): ClvFits {
    const sbg = tryFit(() => fitSbgByCohort(this.histories.values()));
    const free = this.free.values();
    const everyone = this.everyone.values();
    const bg = tryFit<BgNbdFit>(() => fitBgNbd(free)) ?? tryFit<BgNbdFit>(() => fitBgNbd(everyone));
    const gg = tryFit<GammaGammaFit>(() => fitGammaGamma(free)) ?? tryFit<GammaGammaFit>(() => fitGammaGamma(everyone));
    return { ...(sbg ? { sbg } : {}), ...(bg ? { bg } : {}), ...(gg ? { gg } : {}) };
  }
}

function purchaseSummaries(accounts: readonly AccountClvEvidence[], asOf: number): Map<string, CustomerSummary> {
  const purchases: Purchase[] = [];
  for (const a of accounts) {
    for (const t of a.transactions)
      if (PURCHASE_KINDS.has(t.kind) && t.amount > 0)
        purchases.push({ customerId: a.accountId, day: dayNumber(t.occurredAt), amount: t.amount });
  }
  return new Map(summarizeCustomers(purchases, { calibrationEnd: asOf }).map((s) => [s.customerId, s]));
}

/**
 * Value a tenant's book in one call: fit the models on it, then score every account (see
 * `scoreClvWith`). Books read in pages gather `ClvFitEvidence` page by page instead.
 */
export function scoreBookClv(accounts: readonly AccountClvEvidence[], options: ClvRunOptions): AccountClvResult[] {
  const evidence = new ClvFitEvidence(options.asOf);
  evidence.observe(accounts);
  return scoreClvWith(evidence.fit(), accounts, options);
}

/**
 * Choose a method per account from its data and return a ClvScore (with `method` recorded) for
 * every account that can be valued with the fitted models. Each account's value depends only on
 * its own evidence and the fits, so a book scored page by page gets the values it would in one call.
 * Models that the data cannot support are simply unavailable; that is an outcome, not an error.
 */
export function scoreClvWith(fits: ClvFits, accounts: readonly AccountClvEvidence[], options: ClvRunOptions): AccountClvResult[] {
  const asOf = dayNumber(options.asOf);
  const version = options.modelVersion ?? '1';
  const { sbg, bg, gg } = fits;
  const histories = new Map<string, NonNullable<ReturnType<typeof contractHistory>>>();
  for (const a of accounts) {
    const h = contractHistory(a.subscriptions, asOf);
    if (h) histories.set(a.accountId, h);
  }
  const summaries = purchaseSummaries(accounts, asOf);
  const available = { contractual: sbg !== undefined, nonContractual: bg !== undefined && gg !== undefined };
  const common = {
    horizonMonths: options.horizonMonths,
    monthlyDiscountRate: options.monthlyDiscountRate,
    draws: options.draws ?? 100,
    seed: options.seed ?? 1,
  };

  // Decide every account first, then score each model's accounts in one call: parameter draws
  // for the interval are made once per fitted cohort, not once per account.
  const results = new Array<AccountClvResult>(accounts.length);
  const contractual = new Map<SbgFit, { index: number; input: ContractualAccount }[]>();
  const nonContractual: { index: number; summary: CustomerSummary }[] = [];
  accounts.forEach((a, index) => {
    const choice = chooseClvMethod(a, available);
    const history = histories.get(a.accountId);
    const summary = summaries.get(a.accountId);
    results[index] = { accountId: a.accountId, choice };
    if (choice.method === 'contractual' && sbg && history && !history.churned) {
      const fit = fitForCohort(sbg, history.cohort);
      const input = {
        key: a.accountId,
        periods: history.periods,
        revenuePerPeriod: history.mrr * history.periodMonths,
        periodMonths: history.periodMonths,
        committedRevenue: history.mrr * history.monthsLeftInPeriod,
        ...(a.churnProbability !== undefined ? { churnProbability: a.churnProbability } : {}),
      };
      (contractual.get(fit) ?? contractual.set(fit, []).get(fit))?.push({ index, input });
    } else if (choice.method === 'contractual' && history?.churned) {
      const ended: MethodChoice = {
        method: 'contractual',
        reason: { en: 'contract ended: no residual value', zh: '合同已结束：无剩余价值' },
      };
      results[index] = {
        accountId: a.accountId,
        choice: ended,
        score: toClvScore({ point: 0, p10: 0, p50: 0, p90: 0 }, 'contractual', a.currency, options.horizonMonths, {
          name: 'sbg',
          version,
          kind: 'sbg',
        }),
      };
    } else if (choice.method === 'non-contractual' && bg && gg && summary) {
      nonContractual.push({ index, summary });
    }
  });
  const scored = (
    index: number,
    v: { point: number; p10: number; p50: number; p90: number; ifRetained?: number },
    method: ClvMethod,
    model: ClvScore['model'],
  ): void => {
    const r = results[index] as AccountClvResult;
    results[index] = { ...r, score: toClvScore(v, method, (accounts[index] as AccountClvEvidence).currency, options.horizonMonths, model) };
  };
  for (const [fit, items] of contractual) {
    scoreContractual(
      fit,
      items.map((i) => i.input),
      common,
    ).forEach((v, k) => scored((items[k] as { index: number }).index, v, 'contractual', { name: 'sbg', version, kind: 'sbg' }));
  }
  if (bg && gg && nonContractual.length > 0) {
    scoreNonContractual(
      { bgnbd: bg, gammaGamma: gg },
      nonContractual.map((i) => i.summary),
      common,
    ).forEach((v, k) =>
      scored((nonContractual[k] as { index: number }).index, v, 'non-contractual', { name: 'bg-nbd+gamma-gamma', version, kind: 'bg-nbd' }),
    );
  }
  return results;
}

function tryFit<T>(fit: () => T): T | undefined {
  try {
    return fit();
  } catch (error) {
    if (
      isSuccessEngineError(error, 'ENGINE.INSUFFICIENT_DATA') ||
      isSuccessEngineError(error, 'ENGINE.BAD_INPUT') ||
      isSuccessEngineError(error, 'ENGINE.FIT_FAILED')
    )
      return undefined;
    throw error;
  }
}

export function toClvScore(
  v: { point: number; p10: number; p50: number; p90: number; ifRetained?: number },
  method: ClvMethod,
  currency: string,
  horizonMonths: number,
  model: ClvScore['model'],
): ClvScore {
  return ClvScoreSchema.parse({
    point: v.point,
    p10: v.p10,
    p50: v.p50,
    p90: v.p90,
    ...(v.ifRetained !== undefined ? { ifRetained: v.ifRetained } : {}),
    currency,
    horizonMonths,
    method,
    model,
  });
}
