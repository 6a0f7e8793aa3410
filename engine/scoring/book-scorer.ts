import {
  ScoreSetSchema,
  SuccessEngineError,
  type LocalizedText,
  type ChurnScore,
  type ClvScore,
  type ModelRef,
  type NextBestAction,
  type ScoreSet,
  type TenantId,
  type CanonicalAccount,
  type AccountRange,
} from '../../core';
import type { AlertSignals } from '../alerts/alert-rules';
import { scoreChurn } from '../churn/churn-drivers';
import type { ChurnModel } from '../churn/churn-model';
import { ClvFitEvidence, scoreClvWith, type AccountClvEvidence, type ClvFits } from '../clv/clv-method';
import {
  AttributePlanner,
  buildAccountFeatures,
  DEFAULT_MAX_ATTRIBUTES,
  groupByAccount,
  type AccountFeatures,
  type AccountRecords,
  type AnalysedRecordText,
  type AttributePlan,
} from '../features/account-features';
import { catalogWording } from '../features/feature-catalog';
import { cellValue, type FeatureTable } from '../features/feature-table';
import { scoreHealth } from '../health/health-score';
import { BookArbiter, type ArbitrationOptions, type RankedAction } from '../nba/arbitration';
import type { AccountSignals, ActionDefinition, ActionHistoryEntry } from '../nba/nba.types';
import { accountVoice, type AccountVoice } from '../text/customer-voice';
import { DEFAULT_TOPICS, type TopicDefinition } from '../text/topics/topic-catalog';
import type { SegmentModel } from '../segments/segmentation';
import { BookInsightsCollector, type BookInsights } from './book-insights';

export type ChurnScorer = { kind: 'learned'; model: ChurnModel; ref: ModelRef } | { kind: 'health-score'; ref: Omit<ModelRef, 'kind'> };

/** A past recommendation; the scorer finds its owner on the account (capacity is per owner). */
export type PastRecommendation = Omit<ActionHistoryEntry, 'ownerId'>;

export interface BookScoringSettings {
  tenantId: TenantId;
  /** The scoring instant; features are built as of it. */
  now: string;
  churn: ChurnScorer;
  /** Currency used when an account has none. */
  currency: string;
  clv: { horizonMonths: number; monthlyDiscountRate: number; draws: number; seed: number; modelVersion: string };
  catalog: readonly ActionDefinition[];
  nba: Omit<ArbitrationOptions, 'now' | 'history'> & { history?: readonly PastRecommendation[] };
  /** Version of this scoring run, recorded on every ScoreSet. */
  runVersion: string;
  /** The tenant's text topics (labels for the card's "What customers say"); the defaults without. */
  topics?: readonly TopicDefinition[];
  /** At most this many account attributes become features (see `buildAccountFeatures`). */
  maxAttributes?: number;
  /** The last run's segments: segments whose profile barely moved keep their ids. */
  previousSegments?: SegmentModel;
}

/**
 * A page of the book: some accounts with every record of theirs (tickets, activities,
 * subscriptions, transactions, texts), and their latest earlier scores for "what changed" and
 * jump alerts. Pages must not share accounts. `accounts` is the page source's own name for the
 * range (returned with the page's scores).
 */
export interface BookPage {
  records: AccountRecords;
  previous?: ReadonlyMap<string, ScoreSet>;
  accounts?: AccountRange;
}

/** What a pass reads: the value fits need accounts, subscriptions and transactions only. */
export interface PageNeeds {
  /** Tickets, activities and texts (features read them). */
  activity: boolean;
  /** Latest earlier scores (alert inputs are made once, while arbitration considers the book). */
  previous: boolean;
}

export interface BookScoringInput extends BookScoringSettings {
  records: AccountRecords;
  previous?: ReadonlyMap<string, ScoreSet>;
}

export interface PagedBookScoringInput extends BookScoringSettings {
  /** Reads the book page by page; called once a pass, it must give the same pages in the same order. */
  pages: (needs: PageNeeds) => AsyncIterable<BookPage>;
  /**
   * Each page's alert inputs, before any scores are yielded: alert budgets are spent across the
   * book, so alerts are decided (and recorded) before a page's scores are kept.
   */
  onAlertSignals?: (signals: AlertSignals[]) => void | Promise<void>;
}

/** Scores of a page of the book, with the action assignments of its accounts. */
export interface BookScoringResult {
  scoreSets: ScoreSet[];
  assignments: ActionHistoryEntry[];
  /** The page's range, as its source named it. */
  accounts?: AccountRange;
}

/** A book whose fits and arbitration are done: its scores, read page by page (as often as needed). */
export interface PreparedBook {
  chunks(): AsyncGenerator<BookScoringResult>;
  /** Segments and renewals ahead, over the whole book; segment totals are complete once `chunks()` has been read to the end. */
  insights(): BookInsights;
}

/**
 * Everything we compute for a tenant's live accounts at one instant: churn probability with
 * reasons (learned model or health score), CLV with its interval (method chosen per account),
 * and next-best-actions arbitrated across the whole book (owner capacity is shared).
 *
 * The book is read a page at a time, so memory holds a page plus a few numbers per account, not
 * the book: (1) which attributes become features and what the value models are fitted on; (2)
 * every account's candidate actions and alert inputs, then one arbitration over the book; (3)
 * the scores, page by page (`chunks`). Each account's scores depend only on its own records and
 * the book-wide fits, so any paging yields what one page would.
 */
export async function prepareBookInPages(input: PagedBookScoringInput): Promise<PreparedBook> {
  const scorer = new PagedBookScorer(input);
  for await (const page of input.pages({ activity: false, previous: false })) scorer.observe(page.records);
  scorer.fit();
  for await (const page of input.pages({ activity: true, previous: true })) {
    const signals = scorer.consider(page);
    await input.onAlertSignals?.(signals);
  }
  scorer.decide();
  return {
    async *chunks() {
      scorer.rewind();
      for await (const page of input.pages({ activity: true, previous: false })) yield scorer.score(page);
    },
    insights: () => scorer.insights.result(),
  };
}

/** The whole book as one page, with its alert inputs. */
export function scoreBook(input: BookScoringInput): BookScoringResult & { alertSignals: AlertSignals[] } {
  const scorer = new PagedBookScorer(input);
  const page = { records: input.records, ...(input.previous ? { previous: input.previous } : {}) };
  scorer.observe(input.records);
  scorer.fit();
  const alertSignals = scorer.consider(page);
  scorer.decide();
  return { ...scorer.score(page), alertSignals };
}

/** What one page computes before arbitration: features, churn, CLV and the signals actions are scored on. */
interface PageScores {
  features: AccountFeatures;
  churn: ChurnScore[];
  clvById: Map<string, ClvScore | undefined>;
  accountsById: Map<string, CanonicalAccount>;
  signals: AccountSignals[];
}

class PagedBookScorer {
  private readonly attributes = new AttributePlanner();
  private readonly clvFitEvidence: ClvFitEvidence;
  /** Owners of the accounts with past recommendations (for capacity already used). */
  private readonly historyOwners = new Map<string, string>();
  private plan: AttributePlan | undefined;
  private fits: ClvFits | undefined;
  private arbiter: BookArbiter | undefined;
  private assignments = new Map<string, ActionHistoryEntry[]>();
  /** Where the next page's accounts sit in the arbiter's order. */
  private cursor = 0;
  private arbiterIndex: Map<string, number> | undefined;
  private readonly label: (topic: string) => LocalizedText;
  readonly insights: BookInsightsCollector;

  constructor(private readonly input: BookScoringSettings) {
    this.clvFitEvidence = new ClvFitEvidence(input.now.slice(0, 10));
    this.insights = new BookInsightsCollector(input.now, input.currency, input.previousSegments);
    for (const h of input.nba.history ?? []) this.historyOwners.set(h.accountId, 'unassigned');
    this.label = topicLabel(input.topics ?? DEFAULT_TOPICS);
  }

  /** Pass 1: attributes and value-model evidence. */
  observe(records: AccountRecords): void {
    this.attributes.observe(records.accounts, this.input.now);
    this.clvFitEvidence.observe(clvEvidence(records, new Map(), this.input.currency));
    for (const a of records.accounts) if (this.historyOwners.has(a.id)) this.historyOwners.set(a.id, a.ownerId ?? 'unassigned');
  }

  fit(): void {
    this.plan = this.attributes.plan(this.input.maxAttributes ?? DEFAULT_MAX_ATTRIBUTES);
    this.fits = this.clvFitEvidence.fit();
    const { history = [], ...nba } = this.input.nba;
    const owned = history.map((h) => ({ ...h, ownerId: this.historyOwners.get(h.accountId) ?? 'unassigned' }));
    this.arbiter = new BookArbiter(this.input.catalog, { explainIneligible: false, ...nba, history: owned, now: new Date(this.input.now) });
  }

  /** Pass 2: every account's candidate actions; returns the page's alert inputs. */
  consider({ records, previous }: BookPage): AlertSignals[] {
    const scores = this.page(records, false);
    this.ready().arbiter.consider(scores.signals);
    const arrAt = numberReader(scores.features.table);
    scores.signals.forEach((account, row) => this.insights.observe(account, arrAt('arr', row)));
    const voices = this.voices(records, scores.features);
    return scores.signals.map((account, row) => this.alertSignals(account, scores, row, voices, previous?.get(account.accountId)));
  }

  /** Pass 3 starts again at the first page. */
  rewind(): void {
    this.cursor = 0;
    this.insights.rewind();
  }

  decide(): void {
    this.insights.fit();
    for (const a of this.ready().arbiter.decide()) {
      const list = this.assignments.get(a.accountId);
      if (list) list.push(a);
      else this.assignments.set(a.accountId, [a]);
    }
  }

  /** Pass 3: the page's ScoreSets and assignments. */
  score({ records, accounts }: BookPage): BookScoringResult {
    const { tenantId, now } = this.input;
    const scores = this.page(records, true);
    const { churn, clvById, signals } = scores;
    const voices = this.voices(records, scores.features);
    const assignments: ActionHistoryEntry[] = [];
    const scoreSets = signals.map((account, row) => {
      const id = account.accountId;
      const decided = this.outcome(account);
      assignments.push(...(this.assignments.get(id) ?? []));
      const score = churn[row] as ChurnScore;
      const clv = clvById.get(id);
      const segment = this.insights.place(account);
      return ScoreSetSchema.parse({
        ...(voices.get(id) ? { voice: voices.get(id)?.voice } : {}),
        ...(segment ? { segment } : {}),
        tenantId,
        accountId: id,
        computedAt: now,
        churn: score,
        ...(clv ? { clv } : {}),
        nextBestActions: decided.actions.map((a): NextBestAction => ({
          actionId: a.actionId,
          rank: a.rank,
          score: a.score,
          title: a.title,
          reasons: a.reasons.length ? a.reasons : [a.title],
        })),
        ...(score.band !== 'low' && decided.noAction ? { noActionReason: decided.noAction } : {}),
        modelVersion: this.input.runVersion,
      });
    });
    return { scoreSets, assignments, ...(accounts ? { accounts } : {}) };
  }

  /** What the alert rules read of one account: its scores now and before, and what its customers say. */
  private alertSignals(
    account: AccountSignals,
    { churn, clvById, accountsById }: PageScores,
    row: number,
    voices: ReadonlyMap<string, AccountVoice>,
    before: ScoreSet | undefined,
  ): AlertSignals {
    const id = account.accountId;
    const record = accountsById.get(id) as CanonicalAccount;
    const score = churn[row] as ChurnScore;
    const clv = clvById.get(id);
    const heard = voices.get(id);
    return {
      ...(heard ? { sentiment: heard.sentiment, negativeTopics: heard.negativeTopics } : {}),
      tenantId: this.input.tenantId,
      accountId: id,
      accountName: record.name,
      ...(record.ownerId ? { ownerId: record.ownerId } : {}),
      current: {
        churnProbability: score.probability,
        band: score.band,
        clv: clv?.point ?? 0,
        currency: clv?.currency ?? this.input.currency,
        scoredAt: this.input.now,
      },
      ...(before
        ? { previous: { churnProbability: before.churn.probability, clv: before.clv?.point ?? 0, scoredAt: before.computedAt } }
        : {}),
    };
  }

  private voices(records: AccountRecords, features: AccountFeatures): Map<string, AccountVoice> {
    return accountVoices(records.texts ?? [], this.input.now, new Set(features.accountIds as string[]), this.label);
  }

  private ready(): { plan: AttributePlan; fits: ClvFits; arbiter: BookArbiter } {
    if (!this.plan || !this.fits || !this.arbiter)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', 'observe every page and fit() before scoring');
    return { plan: this.plan, fits: this.fits, arbiter: this.arbiter };
  }

  /**
   * The arbiter's decision for an account. Pages come in the order they were considered, so a
   * cursor finds it; an account that changed between the passes is looked up by id.
   */
  private outcome(account: AccountSignals): { actions: RankedAction[]; noAction: LocalizedText | null } {
    const { arbiter } = this.ready();
    let index = this.cursor;
    if (arbiter.accountIdAt(index) !== account.accountId) {
      this.arbiterIndex ??= arbiter.indexById();
      const found = this.arbiterIndex.get(account.accountId);
      if (found === undefined) return { actions: [], noAction: null };
      index = found;
    }
    this.cursor = index + 1;
    return arbiter.outcome(index, account);
  }

  /**
   * Features, churn, CLV and action signals of a page. Arbitration and alerts read CLV's point and
   * value if retained, which do not depend on the parameter draws, so only the scores we keep pay
   * for the interval (`intervals`).
   */
  private page(records: AccountRecords, intervals: boolean): PageScores {
    const { plan, fits } = this.ready();
    const { now, currency } = this.input;
    const features = buildAccountFeatures(records, now, { attributes: plan });
    const rows = Uint32Array.from(features.accountIds.keys());
    const churn: ChurnScore[] =
      this.input.churn.kind === 'learned'
        ? scoreChurn(this.input.churn.model, this.input.churn.ref, features.table, rows, { wording: catalogWording() })
        : scoreHealth(features.table, rows, this.input.churn.ref);
    const accountsById = new Map(records.accounts.map((a) => [a.id as string, a]));
    const churnById = new Map(features.accountIds.map((id, row) => [id as string, churn[row]?.probability ?? 0]));
    const clv = scoreClvWith(fits, clvEvidence(records, churnById, currency), {
      asOf: now.slice(0, 10),
      horizonMonths: this.input.clv.horizonMonths,
      monthlyDiscountRate: this.input.clv.monthlyDiscountRate,
      draws: intervals ? this.input.clv.draws : 0,
      seed: this.input.clv.seed,
      modelVersion: this.input.clv.modelVersion,
    });
    const clvById = new Map(clv.map((c) => [c.accountId, c.score]));
    const numberAt = numberReader(features.table);
    const signals = features.accountIds.map((id, row): AccountSignals => {
      const account = accountsById.get(id) as CanonicalAccount;
      const score = churn[row] as ChurnScore;
      return {
        tenantId: this.input.tenantId,
        accountId: id,
        ...(account.ownerId ? { ownerId: account.ownerId } : {}),
        churnProbability: score.probability,
        riskBand: score.band,
        clv: clvById.get(id)?.ifRetained ?? valueIfRetained(clvById.get(id)?.point ?? 0, score.probability, account.arr),
        currency: account.currency ?? currency,
        segment: account.plan ?? account.contractType ?? 'default',
        openTickets: numberAt('open_tickets', row) ?? 0,
        daysToRenewal: numberAt('days_to_renewal', row),
        tenureDays: numberAt('tenure_days', row),
      };
    });
    return { features, churn, clvById, accountsById, signals };
  }
}

function numberReader(table: FeatureTable): (name: string, row: number) => number | null {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  return (name, row) => {
    const c = byName.get(name);
    const v = c ? cellValue(c, row) : null;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
}

/**
 * CLV models are fitted across the whole book (churned accounts included: they are the evidence
 * of how long contracts last), so every account's history is passed, live ones with their churn.
 */
function clvEvidence(records: AccountRecords, churnById: ReadonlyMap<string, number>, currency: string): AccountClvEvidence[] {
  const subscriptions = groupByAccount(records.subscriptions ?? []);
  const transactions = groupByAccount(records.transactions ?? []);
  return records.accounts.map((a) => {
    const churnProbability = churnById.get(a.id);
    const own = subscriptions.get(a.id);
    const derived = own ? undefined : contractFromAccount(a);
    return {
      accountId: a.id,
      subscriptions: own ?? (derived ? [derived] : []),
      transactions: transactions.get(a.id) ?? [],
      ...(churnProbability !== undefined ? { churnProbability } : {}),
      currency: a.currency ?? currency,
    };
  });
}

/**
 * Next-best-action weighs value at stake as value × churn probability, so it needs the value the
 * account keeps if it stays, not our CLV (which already discounts churn and falls to 0 as the
 * probability nears 1, hiding exactly the accounts that most need an action). CLV / (1 − p)
 * undoes the discount; near p = 1 the annual revenue stands in.
 */
function valueIfRetained(clv: number, churnProbability: number, arr: number | undefined): number {
  const undone = churnProbability < 0.95 && clv > 0 ? clv / (1 - churnProbability) : 0;
  return Math.max(undone, arr ?? 0);
}

const BILLING: Record<NonNullable<CanonicalAccount['contractType']>, AccountClvEvidence['subscriptions'][number]['billingPeriod']> = {
  'month-to-month': 'monthly',
  'one-year': 'annual',
  'two-year': 'annual',
  other: 'monthly',
};

/**
 * CRMs such as HubSpot often keep the contract on the company (ARR, contract type, customer
 * since, churn date) rather than as subscription records; read it as one subscription so the
 * renewal-based (sBG) CLV applies to those accounts too.
 */
function contractFromAccount(a: CanonicalAccount): AccountClvEvidence['subscriptions'][number] | undefined {
  if (!a.arr || !a.customerSince || !a.contractType || a.status === 'prospect') return undefined;
  const ended = a.status === 'churned' && a.churnedAt !== undefined;
  return {
    status: ended ? 'cancelled' : 'active',
    startDate: a.customerSince.slice(0, 10),
    ...(ended ? { endDate: (a.churnedAt as string).slice(0, 10) } : {}),
    billingPeriod: BILLING[a.contractType],
    mrr: a.arr / 12,
  };
}

/** Each scored account's customer voice (texts grouped once, not filtered per account). */
function accountVoices(
  texts: readonly AnalysedRecordText[],
  now: string,
  scored: ReadonlySet<string>,
  label: (topic: string) => LocalizedText,
): Map<string, AccountVoice> {
  const out = new Map<string, AccountVoice>();
  for (const [accountId, list] of groupByAccount(texts)) if (scored.has(accountId)) out.set(accountId, accountVoice(list, now, label));
  return out;
}

function topicLabel(topics: readonly TopicDefinition[]): (topic: string) => LocalizedText {
  const labels = new Map(topics.map((t) => [t.id, t.label]));
  return (topic) => labels.get(topic) ?? { en: topic, zh: topic };
}
