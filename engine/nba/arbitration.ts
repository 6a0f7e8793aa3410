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

/**
 * Decisioning over a book of accounts: eligibility → cooldown → score (propensity × value ×
 * uplift × weight − cost) → holdout → global ranking under per-owner weekly capacity → top-k.
 * Candidates are taken best-first across all accounts, so scarce owner time goes to the highest
 * expected value; ties break by catalog order, then account id, so runs are reproducible.
 */
export function arbitrate(
  accounts: readonly AccountSignals[],
  catalog: readonly ActionDefinition[],
  options: ArbitrationOptions,
): ArbitrationResult {
  const topK = options.topK ?? 3;
  const holdoutRate = options.holdoutRate ?? DEFAULT_HOLDOUT_RATE;
  if (!Number.isInteger(topK) || topK < 1)
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `topK must be a positive integer, got ${topK}`, { field: 'topK' });
  const now = options.now.getTime();
  const history = options.history ?? [];
  const outcomes = options.outcomes ?? [];

  const lastAssigned = new Map<string, number>();
  const usedThisWeek = new Map<string, number>();
  for (const h of history) {
    const at = Date.parse(h.assignedAt);
    const key = `${h.tenantId}\u0000${h.accountId}\u0000${h.actionId}`;
    if (at > (lastAssigned.get(key) ?? -Infinity)) lastAssigned.set(key, at);
    if (h.arm === 'treatment' && at > now - WEEK_MS && at <= now) usedThisWeek.set(h.ownerId, (usedThisWeek.get(h.ownerId) ?? 0) + 1);
  }
  const propensities = new Map(
    catalog.map((a) => [
      a.id,
      estimatePropensity(
        outcomes,
        a.id,
        a.priorPropensity,
        options.minObservations === undefined ? {} : { minObservations: options.minObservations },
      ),
    ]),
  );

  const decisions = new Map<string, AccountDecision>();
  const candidates: { account: AccountSignals; scored: ScoredAction; order: number }[] = [];
  const assignments: ActionHistoryEntry[] = [];
  const stamp = options.now.toISOString();
  const explainIneligible = options.explainIneligible ?? true;

  for (const account of accounts) {
    const decision: AccountDecision = { accountId: account.accountId, actions: [], skipped: [] };
    decisions.set(account.accountId, decision);
    catalog.forEach((action, order) => {
      const eligibility = checkEligibility(action, account);
      if (!eligibility.eligible) {
        if (explainIneligible)
          decision.skipped.push({ actionId: action.id, reason: 'ineligible', text: eligibility.failures.map((f) => f.text) });
        return;
      }
      const last = lastAssigned.get(`${account.tenantId}\u0000${account.accountId}\u0000${action.id}`);
      if (last !== undefined && now - last < action.cooldownDays * DAY_MS) {
        const days = Math.ceil((last + action.cooldownDays * DAY_MS - now) / DAY_MS);
        decision.skipped.push({
          actionId: action.id,
          reason: 'cooldown',
          text: [{ en: `In cooldown for ${days} more days`, zh: `冷却期还剩 ${days} 天` }],
        });
        return;
      }
      const scored = scoreAction(action, account, propensities.get(action.id) as PropensityEstimate);
      if (!(scored.score > 0)) {
        decision.skipped.push({
          actionId: action.id,
          reason: 'not-worth-it',
          text: [{ en: 'Expected value does not cover the cost', zh: '预期价值不足以覆盖成本' }],
        });
        return;
      }
      candidates.push({ account, scored, order });
    });
  }

  candidates.sort(
    (a, b) =>
      b.scored.score - a.scored.score ||
      a.order - b.order ||
      (a.account.accountId < b.account.accountId ? -1 : a.account.accountId > b.account.accountId ? 1 : 0),
  );
  const used = new Map(usedThisWeek);
  for (const { account, scored } of candidates) {
    const decision = decisions.get(account.accountId) as AccountDecision;
    if (isInHoldout(account.tenantId, scored.actionId, account.accountId, holdoutRate)) {
      decision.skipped.push({
        actionId: scored.actionId,
        reason: 'holdout',
        text: [{ en: 'Held out at random to measure lift', zh: '随机保留为对照组以衡量效果' }],
      });
      assignments.push({
        tenantId: account.tenantId,
        accountId: account.accountId,
        actionId: scored.actionId,
        ownerId: scored.ownerId,
        assignedAt: stamp,
        arm: 'holdout',
      });
      continue;
    }
    if (decision.actions.length >= topK) {
      decision.skipped.push({
        actionId: scored.actionId,
        reason: 'top-k',
        text: [{ en: `Ranked below the top ${topK}`, zh: `排名在前 ${topK} 之后` }],
      });
      continue;
    }
    const taken = used.get(scored.ownerId) ?? 0;
    if (taken >= capacityOf(options, scored.ownerId)) {
      decision.skipped.push({
        actionId: scored.actionId,
        reason: 'capacity',
        text: [{ en: `Owner ${scored.ownerId} is at weekly capacity`, zh: `负责人 ${scored.ownerId} 本周已满负荷` }],
      });
      continue;
    }
    used.set(scored.ownerId, taken + 1);
    decision.actions.push({ ...scored, rank: decision.actions.length + 1 });
    assignments.push({
      tenantId: account.tenantId,
      accountId: account.accountId,
      actionId: scored.actionId,
      ownerId: scored.ownerId,
      assignedAt: stamp,
      arm: 'treatment',
    });
  }
  return { decisions: accounts.map((a) => decisions.get(a.accountId) as AccountDecision), assignments };
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
  for (const reason of NO_ACTION_ORDER) {
    const count = decision.skipped.filter((s) => s.reason === reason).length;
    if (count > 0) return NO_ACTION[reason](count);
  }
  return NO_ACTION.ineligible(0);
}
