import { SuccessEngineError, type LocalizedText } from '../../core';
import { estimatePropensity, type ActionOutcome, type PropensityEstimate } from './action-outcomes';
import { checkEligibility } from './eligibility';
import { DEFAULT_HOLDOUT_RATE, isInHoldout } from './holdout';
import type { AccountSignals, ActionDefinition, ActionHistoryEntry } from './nba.types';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface ArbitrationOptions {
  now: Date;
  /** Actions per account (default 3). */
  topK?: number;
  /** Actions an owner can take on in any rolling 7 days (a number for all, or per owner id). */
  capacityPerOwnerPerWeek?: number | { default: number; byOwner: Record<string, number> };
  holdoutRate?: number;
  /** Past outcomes, for learned propensities. */
  outcomes?: readonly ActionOutcome[];
  /** Past assignments, for cooldowns and capacity already used this week. */
  history?: readonly ActionHistoryEntry[];
  minObservations?: number;
  /**
   * Keep why each ineligible action was skipped (default true). Book-wide runs turn it off: those
   * texts were most of the memory arbitration holds (≈ 12 actions × every account), and nothing
   * downstream of scoring reads them; `checkEligibility` explains one account on demand.
   */
  explainIneligible?: boolean;
}

export interface ScoredAction {
  actionId: string;
  title: LocalizedText;
  ownerId: string;
  score: number;
  propensity: PropensityEstimate;
  valueAtStake: number;
  reasons: LocalizedText[];
}

export interface RankedAction extends ScoredAction {
  rank: number;
}

export type SkipReason = 'ineligible' | 'cooldown' | 'not-worth-it' | 'holdout' | 'capacity' | 'top-k';

export interface AccountDecision {
  accountId: string;
  actions: RankedAction[];
  /** Actions considered and not recommended, with why (holdout rows are the control arm to record). */
  skipped: { actionId: string; reason: SkipReason; text: LocalizedText[] }[];
}

export interface ArbitrationResult {
  decisions: AccountDecision[];
  /** New history entries to persist (treatment and holdout), so cooldowns and capacity hold next run. */
  assignments: ActionHistoryEntry[];
}

const money = (n: number, currency?: string) => `${Math.round(n).toLocaleString('en-US')}${currency ? ` ${currency}` : ''}`;
const pct = (p: number) => `${Math.round(p * 100)}%`;
// The card's words for the bands ("very high" rather than a certainty the model does not have).
const BAND_WORDS: Record<string, LocalizedText> = {
  low: { en: 'low', zh: '低' },
  medium: { en: 'medium', zh: '中' },
  high: { en: 'high', zh: '高' },
  critical: { en: 'very high', zh: '很高' },
};

function ownerFor(action: ActionDefinition, account: AccountSignals): string {
  return account.owners?.[action.ownerRole] ?? account.ownerId ?? 'unassigned';
}

/** Expected value of doing the action now: propensity × value at stake × uplift × weight − cost. */
export function scoreAction(action: ActionDefinition, account: AccountSignals, propensity: PropensityEstimate): ScoredAction {
  const p = account.churnProbability;
  const valueAtStake = action.valueBasis === 'retention' ? account.clv * p : account.clv * (1 - p);
  const score = propensity.propensity * valueAtStake * action.expectedUplift * action.businessWeight - action.cost;
  const cur = account.currency;
  const reasons: LocalizedText[] = [];
  if (action.valueBasis === 'retention') {
    const band = BAND_WORDS[account.riskBand] ?? { en: account.riskBand, zh: account.riskBand };
    reasons.push({
      // No second probability: the card shows the one number at its top, and these words match its band.
      en: `Churn risk is ${band.en}: ${money(valueAtStake, cur)} at stake of the ${money(account.clv, cur)} the account is worth if it stays`,
      zh: `流失风险${band.zh}：客户若留存价值 ${money(account.clv, cur)}，其中 ${money(valueAtStake, cur)} 面临风险`,
    });
  } else {
    reasons.push({
      en: `Expansion potential on ${money(valueAtStake, cur)} of lifetime value`,
      zh: `可在 ${money(valueAtStake, cur)} 的客户终身价值上实现扩展`,
    });
  }
  if (action.eligibility.daysToRenewal && account.daysToRenewal !== null) {
    reasons.push({ en: `Renewal in ${account.daysToRenewal} days`, zh: `${account.daysToRenewal} 天后续约` });
  }
  if (action.eligibility.openTickets && account.openTickets > 0) {
    reasons.push({ en: `${account.openTickets} open support tickets`, zh: `${account.openTickets} 个未解决的支持工单` });
  }
  if (action.eligibility.seatUtilization && account.seatUtilization !== null && account.seatUtilization !== undefined) {
    reasons.push({ en: `Seat utilisation ${pct(account.seatUtilization)}`, zh: `席位使用率 ${pct(account.seatUtilization)}` });
  }
  reasons.push(
    propensity.source === 'learned'
      ? {
          en: `Done in ${pct(propensity.propensity)} of ${propensity.observations} past recommendations`,
          zh: `过去 ${propensity.observations} 次推荐中完成率 ${pct(propensity.propensity)}`,
        }
      : {
          en: `Expected completion ${pct(propensity.propensity)} (prior, too few outcomes yet)`,
          zh: `预计完成率 ${pct(propensity.propensity)}（先验值，历史结果尚不足）`,
        },
  );
  reasons.push({
    en: `Expected net value ${money(score, cur)} after cost ${money(action.cost, cur)}`,
    zh: `扣除成本 ${money(action.cost, cur)} 后的预期净价值 ${money(score, cur)}`,
  });
  return { actionId: action.id, title: action.title, ownerId: ownerFor(action, account), score, propensity, valueAtStake, reasons };
}

function capacityOf(options: ArbitrationOptions, ownerId: string): number {
  const c = options.capacityPerOwnerPerWeek;
  if (c === undefined) return Number.POSITIVE_INFINITY;
  if (typeof c === 'number') return c;
  return c.byOwner[ownerId] ?? c.default;
}

/** Why one action was skipped for the account at `index` (in the order the arbiter considered accounts). */
export type SkipSink = (index: number, skipped: AccountDecision['skipped'][number]) => void;

const REASONS: readonly SkipReason[] = ['ineligible', 'cooldown', 'not-worth-it', 'holdout', 'capacity', 'top-k'];

/** A Float64Array/Int32Array-backed list that grows: candidates of a million-account book stay compact. */
class Column<T extends Float64Array | Int32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(Math.max(1024, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
}
const floats = () => new Column(new Float64Array(0), (n) => new Float64Array(n));
const ints = () => new Column(new Int32Array(0), (n) => new Int32Array(n));
const bytes = () => new Column(new Uint8Array(0), (n) => new Uint8Array(n));

/**
 * Decisioning over a book of accounts: eligibility → cooldown → score (propensity × value ×
 * uplift × weight − cost) → holdout → global ranking under per-owner weekly capacity → top-k.
 * Candidates are taken best-first across all accounts, so scarce owner time goes to the highest
 * expected value; ties break by catalog order, then account id, so runs are reproducible.
 *
 * A book can be considered a page at a time (`consider`), then decided once (`decide`): what is
 * kept per account is its id and a few numbers per candidate action, so a book of millions is
 * arbitrated in memory it can afford; `outcome` rebuilds an account's ranked actions afterwards.
 */
export class BookArbiter {
  private readonly topK: number;
  private readonly holdoutRate: number;
  private readonly now: number;
  private readonly stamp: string;
  private readonly lastAssigned = new Map<string, number>();
  private readonly usedThisWeek = new Map<string, number>();
  private readonly propensities: Map<string, PropensityEstimate>;
  private readonly accountIds: string[] = [];
  private readonly tenantIds: string[] = [];
  private readonly skipCounts = new Map<SkipReason, Column<Uint8Array>>(REASONS.map((r) => [r, bytes()]));
  private readonly owners: string[] = [];
  private readonly ownerIndex = new Map<string, number>();
  private readonly candidate = { score: floats(), account: ints(), order: ints(), owner: ints(), holdout: bytes() };
  private taken: Map<number, { order: number; rank: number }[]> | undefined;

  constructor(
    private readonly catalog: readonly ActionDefinition[],
    private readonly options: ArbitrationOptions,
    private readonly onSkip?: SkipSink,
  ) {
    this.topK = options.topK ?? 3;
    this.holdoutRate = options.holdoutRate ?? DEFAULT_HOLDOUT_RATE;
    if (!Number.isInteger(this.topK) || this.topK < 1)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `topK must be a positive integer, got ${this.topK}`, { field: 'topK' });
    this.now = options.now.getTime();
    this.stamp = options.now.toISOString();
    for (const h of options.history ?? []) {
      const at = Date.parse(h.assignedAt);
      const key = historyKey(h.tenantId, h.accountId, h.actionId);
      if (at > (this.lastAssigned.get(key) ?? -Infinity)) this.lastAssigned.set(key, at);
      if (h.arm === 'treatment' && at > this.now - WEEK_MS && at <= this.now)
        this.usedThisWeek.set(h.ownerId, (this.usedThisWeek.get(h.ownerId) ?? 0) + 1);
    }
    const outcomes = options.outcomes ?? [];
    const minObservations = options.minObservations === undefined ? {} : { minObservations: options.minObservations };
    this.propensities = new Map(catalog.map((a) => [a.id, estimatePropensity(outcomes, a.id, a.priorPropensity, minObservations)]));
  }

  /** Accounts considered so far (the next one gets this index). */
  get size(): number {
    return this.accountIds.length;
  }

  /** The id of the account considered at `index` (undefined past the end). */
  accountIdAt(index: number): string | undefined {
    return this.accountIds[index];
  }

  /** Where each account was considered, for callers that cannot follow the order. */
  indexById(): Map<string, number> {
    return new Map(this.accountIds.map((id, index) => [id, index]));
  }

  /** Score every action for each account; keeps the ones worth doing as candidates. */
  consider(accounts: readonly AccountSignals[]): void {
    if (this.taken) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'the book was already decided; consider accounts before decide()');
    const explainIneligible = this.options.explainIneligible ?? true;
    for (const account of accounts) {
      const index = this.accountIds.length;
      this.accountIds.push(account.accountId);
      this.tenantIds.push(account.tenantId);
      for (const column of this.skipCounts.values()) column.push(0);
      this.catalog.forEach((action, order) => {
        const eligibility = checkEligibility(action, account);
        if (!eligibility.eligible) {
          this.skip(index, 'ineligible', action.id, explainIneligible ? () => eligibility.failures.map((f) => f.text) : undefined);
          return;
        }
        const last = this.lastAssigned.get(historyKey(account.tenantId, account.accountId, action.id));
        if (last !== undefined && this.now - last < action.cooldownDays * DAY_MS) {
          const days = Math.ceil((last + action.cooldownDays * DAY_MS - this.now) / DAY_MS);
          this.skip(index, 'cooldown', action.id, () => [{ en: `In cooldown for ${days} more days`, zh: `冷却期还剩 ${days} 天` }]);
          return;
        }
        const scored = scoreAction(action, account, this.propensities.get(action.id) as PropensityEstimate);
        if (!(scored.score > 0)) {
          this.skip(index, 'not-worth-it', action.id, () => [
            { en: 'Expected value does not cover the cost', zh: '预期价值不足以覆盖成本' },
          ]);
          return;
        }
        const c = this.candidate;
        c.score.push(scored.score);
        c.account.push(index);
        c.order.push(order);
        c.owner.push(this.ownerOf(scored.ownerId));
        c.holdout.push(isInHoldout(account.tenantId, action.id, account.accountId, this.holdoutRate) ? 1 : 0);
      });
    }
  }

  /** Rank every candidate across the book and take them under top-k and owner capacity; returns the assignments to keep. */
  decide(): ActionHistoryEntry[] {
    const c = this.candidate;
    const ids = this.accountIds;
    const byValue = Uint32Array.from({ length: c.score.length }, (_, k) => k).sort((a, b) => {
      const idA = ids[c.account.data[a] as number] as string;
      const idB = ids[c.account.data[b] as number] as string;
      return (
        (c.score.data[b] as number) - (c.score.data[a] as number) ||
        (c.order.data[a] as number) - (c.order.data[b] as number) ||
        (idA < idB ? -1 : idA > idB ? 1 : 0)
      );
    });
    const taken = new Map<number, { order: number; rank: number }[]>();
    const used = new Map(this.usedThisWeek);
    const assignments: ActionHistoryEntry[] = [];
    for (const k of byValue) {
      const index = c.account.data[k] as number;
      const action = this.catalog[c.order.data[k] as number] as ActionDefinition;
      const ownerId = this.owners[c.owner.data[k] as number] as string;
      const assignment = (arm: ActionHistoryEntry['arm']): ActionHistoryEntry => ({
        tenantId: this.tenantIds[index] as string,
        accountId: ids[index] as string,
        actionId: action.id,
        ownerId,
        assignedAt: this.stamp,
        arm,
      });
      if (c.holdout.data[k] === 1) {
        this.skip(index, 'holdout', action.id, () => [{ en: 'Held out at random to measure lift', zh: '随机保留为对照组以衡量效果' }]);
        assignments.push(assignment('holdout'));
        continue;
      }
      const actions = taken.get(index) ?? [];
      if (actions.length >= this.topK) {
        this.skip(index, 'top-k', action.id, () => [{ en: `Ranked below the top ${this.topK}`, zh: `排名在前 ${this.topK} 之后` }]);
        continue;
      }
      const count = used.get(ownerId) ?? 0;
      if (count >= capacityOf(this.options, ownerId)) {
        this.skip(index, 'capacity', action.id, () => [
          { en: `Owner ${ownerId} is at weekly capacity`, zh: `负责人 ${ownerId} 本周已满负荷` },
        ]);
        continue;
      }
      used.set(ownerId, count + 1);
      actions.push({ order: c.order.data[k] as number, rank: actions.length + 1 });
      taken.set(index, actions);
      assignments.push(assignment('treatment'));
    }
    this.taken = taken;
    return assignments;
  }

  /**
   * The decided actions of the account considered at `index`, rebuilt from its signals (the same
   * ones it was considered with), and why it got none.
   */
  outcome(index: number, account: AccountSignals): { actions: RankedAction[]; noAction: LocalizedText | null } {
    if (!this.taken) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'decide() the book before reading outcomes');
    if (this.accountIds[index] !== account.accountId)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `account ${account.accountId} was not considered at index ${index}`);
    const actions = (this.taken.get(index) ?? []).map(({ order, rank }) => {
      const action = this.catalog[order] as ActionDefinition;
      return { ...scoreAction(action, account, this.propensities.get(action.id) as PropensityEstimate), rank };
    });
    return { actions, noAction: actions.length > 0 ? null : noActionFromCounts((reason) => this.skipCounts.get(reason)?.data[index] ?? 0) };
  }

  /** Counts the skip; explains it to the sink when there are words for it (ineligible ones only if asked). */
  private skip(index: number, reason: SkipReason, actionId: string, text: (() => LocalizedText[]) | undefined): void {
    const counts = this.skipCounts.get(reason) as Column<Uint8Array>;
    counts.data[index] = Math.min(255, (counts.data[index] as number) + 1);
    if (text) this.onSkip?.(index, { actionId, reason, text: text() });
  }

  private ownerOf(ownerId: string): number {
    let k = this.ownerIndex.get(ownerId);
    if (k === undefined) {
      k = this.owners.length;
      this.owners.push(ownerId);
      this.ownerIndex.set(ownerId, k);
    }
    return k;
  }
}

const historyKey = (tenantId: string, accountId: string, actionId: string): string => `${tenantId}\u0000${accountId}\u0000${actionId}`;

/** The whole book at once, every skipped action explained (what the console's "why not" reads). */
export function arbitrate(
  accounts: readonly AccountSignals[],
  catalog: readonly ActionDefinition[],
  options: ArbitrationOptions,
): ArbitrationResult {
  const decisions: AccountDecision[] = accounts.map((a) => ({ accountId: a.accountId, actions: [], skipped: [] }));
  const arbiter = new BookArbiter(catalog, options, (index, skipped) => decisions[index]?.skipped.push(skipped));
  arbiter.consider(accounts);
  const assignments = arbiter.decide();
  accounts.forEach((account, index) => {
    (decisions[index] as AccountDecision).actions = arbiter.outcome(index, account).actions;
  });
  return { decisions, assignments };
}

const NO_ACTION: Record<SkipReason, (count: number) => LocalizedText> = {
  capacity: () => ({
    en: 'Its owner has reached this week’s action capacity; higher-value accounts came first. It is reconsidered at the next scoring run.',
    zh: '负责人本周的行动容量已满，已优先安排价值更高的客户；下次评分时会重新考虑。',
  }),
  cooldown: () => ({
    en: 'An action was recommended recently and is still in its cooldown period.',
    zh: '近期已推荐过行动，仍在冷却期内。',
  }),
  holdout: () => ({
    en: 'Held out at random this run so the actions’ effect can be measured.',
    zh: '本次随机保留为对照组，用于衡量行动效果。',
  }),
  'not-worth-it': (n) => ({
    en: `None of the ${n} eligible actions is expected to be worth its cost for this account.`,
    zh: `${n} 个可用行动对该客户的预期价值都不足以覆盖成本。`,
  }),
  ineligible: () => ({
    en: 'No action in the catalog fits this account’s risk, value, renewal date and tickets.',
    zh: '行动目录中没有适合该客户风险、价值、续约日期与工单情况的行动。',
  }),
  'top-k': () => ({ en: 'Other actions ranked higher.', zh: '其他行动排名更高。' }),
};
const NO_ACTION_ORDER: readonly SkipReason[] = ['capacity', 'cooldown', 'holdout', 'not-worth-it', 'top-k', 'ineligible'];

/** Why an account got no action, in the words a rep reads on the card; null when it got one. */
export function noActionReason(decision: AccountDecision): LocalizedText | null {
  if (decision.actions.length > 0) return null;
  return noActionFromCounts((reason) => decision.skipped.filter((s) => s.reason === reason).length);
}

function noActionFromCounts(count: (reason: SkipReason) => number): LocalizedText {
  for (const reason of NO_ACTION_ORDER) {
    const n = count(reason);
    if (n > 0) return NO_ACTION[reason](n);
  }
  return NO_ACTION.ineligible(0);
}
