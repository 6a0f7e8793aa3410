import { createHash } from 'node:crypto';
import type { AccountId, Alert, LocalizedText, RiskBand, TenantId } from '../../core';

const DAY_MS = 86_400_000;

/** One account's signals now (and at the previous scoring), as plain inputs. */
export interface AlertSignals {
  tenantId: string;
  accountId: string;
  accountName?: string;
  ownerId?: string;
  /** The owner's team, used when routing to teams or when the account has no owner. */
  team?: string;
  current: { churnProbability: number; band: RiskBand; clv: number; currency?: string; scoredAt: string };
  previous?: { churnProbability: number; clv: number; scoredAt: string };
  /** Counts of negative messages (tickets, emails, notes) in the last 7 days and the weekly baseline before. */
  sentiment?: { negativeLast7Days: number; totalLast7Days: number; negativeWeeklyBaseline: number };
  /** Topics with negative texts in the last 30 days, against their 30-day mean over the 90 days before. */
  negativeTopics?: { topic: string; label: LocalizedText; negative30: number; baselinePer30: number; reason: LocalizedText }[];
}

export interface AlertRulesConfig {
  /** Risk crosses this probability upward (previous below, current at or above). */
  riskThreshold: { enabled: boolean; threshold: number };
  /** Risk rises by at least this many percentage points since the previous score. */
  riskJump: { enabled: boolean; points: number };
  /** CLV × churn probability at or above this amount. */
  clvAtRisk: { enabled: boolean; minAmount: number };
  /** Negative messages this week ≥ minNegative and ≥ ratio × the weekly baseline. */
  sentimentSpike: { enabled: boolean; minNegative: number; ratio: number };
  /** Negative texts on one topic in 30 days ≥ minNegative and ≥ ratio × its usual 30 days (absent in older settings: the default). */
  negativeTopic?: { enabled: boolean; minNegative: number; ratio: number } | undefined;
  /** Alerts an owner (or team) receives in any rolling 7 days. */
  weeklyBudgetPerOwner: number;
  /** The same rule for the same account is not raised again within this many days. */
  cooldownDays: number;
  routing: { mode: 'owner' | 'team'; defaultTeam: string };
}

export const DEFAULT_ALERT_RULES: AlertRulesConfig = {
  riskThreshold: { enabled: true, threshold: 0.6 },
  riskJump: { enabled: true, points: 15 },
  clvAtRisk: { enabled: true, minAmount: 50_000 },
  sentimentSpike: { enabled: true, minNegative: 3, ratio: 2 },
  negativeTopic: { enabled: true, minNegative: 3, ratio: 2 },
  weeklyBudgetPerOwner: 10,
  cooldownDays: 7,
  routing: { mode: 'owner', defaultTeam: 'customer-success' },
};

export type AlertRuleId = 'risk-threshold' | 'risk-jump' | 'clv-at-risk' | 'sentiment-spike' | 'negative-topic';

const DEFAULT_NEGATIVE_TOPIC = { enabled: true, minNegative: 3, ratio: 2 };

/** An alert raised before (delivered or not), for dedupe, cooldown and budgets. */
export interface AlertHistoryEntry {
  tenantId: string;
  accountId: string;
  rule: string;
  /** Where it was routed, e.g. `owner:u-1` or `team:customer-success`. */
  target: string;
  raisedAt: string;
  idempotencyKey: string;
}

export interface RoutedAlert {
  alert: Alert;
  /** `owner:<id>` or `team:<name>`: what the delivery layer maps to an endpoint. */
  target: string;
  priority: number;
}

export interface SuppressedAlert {
  accountId: string;
  rule: AlertRuleId;
  reason: 'duplicate' | 'cooldown' | 'budget';
  target: string;
}

export interface AlertEvaluation {
  alerts: RoutedAlert[];
  suppressed: SuppressedAlert[];
}

const pct = (p: number) => `${Math.round(p * 100)}%`;
const money = (n: number, c?: string) => `${Math.round(n).toLocaleString('en-US')}${c ? ` ${c}` : ''}`;
const SEVERITY_RANK = { critical: 3, warning: 2, info: 1 } as const;

interface Candidate {
  rule: AlertRuleId;
  severity: Alert['severity'];
  title: LocalizedText;
  reasons: LocalizedText[];
  data: Record<string, unknown>;
}

/** Which rules fire for one account, before dedupe, cooldown and budget. */
export function matchRules(s: AlertSignals, config: AlertRulesConfig): Candidate[] {
  const out: Candidate[] = [];
  const name = s.accountName ?? s.accountId;
  const p = s.current.churnProbability;
  const prev = s.previous?.churnProbability;
  const base = {
    churnProbability: p,
    previousChurnProbability: prev ?? null,
    band: s.current.band,
    clv: s.current.clv,
    currency: s.current.currency ?? null,
  };
  const critical = s.current.band === 'critical';

  // A first score already above the threshold counts as crossing it: a new install should hear
  // about the accounts that are at risk today (the weekly budget keeps that from becoming a storm).
  if (
    config.riskThreshold.enabled &&
    (prev === undefined || prev < config.riskThreshold.threshold) &&
    p >= config.riskThreshold.threshold
  ) {
    out.push({
      rule: 'risk-threshold',
      severity: critical ? 'critical' : 'warning',
      title: {
        en: `${name}: churn risk crossed ${pct(config.riskThreshold.threshold)}`,
        zh: `${name}：流失风险超过 ${pct(config.riskThreshold.threshold)}`,
      },
      reasons: [
        prev === undefined
          ? { en: `First score: churn risk is ${pct(p)}`, zh: `首次评分：流失风险为 ${pct(p)}` }
          : { en: `Churn risk rose from ${pct(prev)} to ${pct(p)}`, zh: `流失风险从 ${pct(prev)} 升至 ${pct(p)}` },
      ],
      data: { ...base, threshold: config.riskThreshold.threshold },
    });
  }
  // Points rounded to 1e-6 so 0.35 − 0.20 counts as 15, not 14.999….
  const jump = prev === undefined ? 0 : Math.round((p - prev) * 1e8) / 1e6;
  if (config.riskJump.enabled && prev !== undefined && jump >= config.riskJump.points) {
    const points = Math.round(jump);
    out.push({
      rule: 'risk-jump',
      severity: critical ? 'critical' : 'warning',
      title: { en: `${name}: churn risk jumped ${points} points`, zh: `${name}：流失风险上升 ${points} 个百分点` },
      reasons: [
        {
          en: `Churn risk rose from ${pct(prev)} to ${pct(p)} since ${s.previous?.scoredAt ?? 'the last score'}`,
          zh: `自 ${s.previous?.scoredAt ?? '上次评分'} 以来，流失风险从 ${pct(prev)} 升至 ${pct(p)}`,
        },
      ],
      data: { ...base, jumpPoints: points },
    });
  }
  const atRisk = s.current.clv * p;
  if (config.clvAtRisk.enabled && atRisk >= config.clvAtRisk.minAmount) {
    out.push({
      rule: 'clv-at-risk',
      severity: atRisk >= 4 * config.clvAtRisk.minAmount ? 'critical' : 'warning',
      title: {
        en: `${name}: ${money(atRisk, s.current.currency)} of lifetime value at risk`,
        zh: `${name}：${money(atRisk, s.current.currency)} 的客户终身价值面临风险`,
      },
      reasons: [
        {
          en: `Lifetime value ${money(s.current.clv, s.current.currency)} × churn risk ${pct(p)}`,
          zh: `客户终身价值 ${money(s.current.clv, s.current.currency)} × 流失风险 ${pct(p)}`,
        },
      ],
      data: { ...base, clvAtRisk: atRisk, minAmount: config.clvAtRisk.minAmount },
    });
  }
  const sent = s.sentiment;
  if (
    config.sentimentSpike.enabled &&
    sent &&
    sent.negativeLast7Days >= config.sentimentSpike.minNegative &&
    sent.negativeLast7Days >= config.sentimentSpike.ratio * sent.negativeWeeklyBaseline
  ) {
    out.push({
      rule: 'sentiment-spike',
      severity: 'warning',
      title: { en: `${name}: spike in negative sentiment`, zh: `${name}：负面情绪激增` },
      reasons: [
        {
          en: `${sent.negativeLast7Days} of ${sent.totalLast7Days} messages this week were negative (usual: ${sent.negativeWeeklyBaseline.toFixed(1)} a week)`,
          zh: `本周 ${sent.totalLast7Days} 条消息中有 ${sent.negativeLast7Days} 条为负面（平时每周 ${sent.negativeWeeklyBaseline.toFixed(1)} 条）`,
        },
      ],
      data: { ...base, ...sent },
    });
  }
  const topicRule = config.negativeTopic ?? DEFAULT_NEGATIVE_TOPIC;
  const topic = topicRule.enabled
    ? s.negativeTopics?.find((n) => n.negative30 >= topicRule.minNegative && n.negative30 >= topicRule.ratio * n.baselinePer30)
    : undefined;
  if (topic) {
    out.push({
      rule: 'negative-topic',
      severity: topic.topic === 'cancellation-intent' ? 'critical' : 'warning',
      title: { en: `${name}: negative feedback about ${topic.label.en}`, zh: `${name}：关于${topic.label.zh}的负面反馈` },
      reasons: [
        topic.reason,
        { en: `Usually ${topic.baselinePer30.toFixed(1)} per 30 days`, zh: `平时每 30 天 ${topic.baselinePer30.toFixed(1)} 条` },
      ],
      data: { ...base, topic: topic.topic, negative30: topic.negative30, baselinePer30: topic.baselinePer30 },
    });
  }
  return out;
}

export function routeAlert(s: AlertSignals, config: AlertRulesConfig): string {
  if (config.routing.mode === 'owner' && s.ownerId) return `owner:${s.ownerId}`;
  return `team:${s.team ?? config.routing.defaultTeam}`;
}

/** Same account, rule and score: the same key, so a re-run never raises a second alert. */
export function alertIdempotencyKey(tenantId: string, accountId: string, rule: string, scoredAt: string): string {
  return createHash('sha256').update(`${tenantId}\u0000${accountId}\u0000${rule}\u0000${scoredAt}`).digest('hex').slice(0, 32);
}

/**
 * Pure alert decisioning: match rules, drop duplicates (same key already raised) and rules in
 * cooldown for the account, then spend each owner's weekly budget on the most important alerts
 * first (severity, then CLV at risk). Returns what to deliver and what was held back and why.
 */
export function evaluateAlerts(
  signals: readonly AlertSignals[],
  history: readonly AlertHistoryEntry[],
  config: AlertRulesConfig,
  now: Date,
): AlertEvaluation {
  const t = now.getTime();
  const seenKeys = new Set(history.map((h) => h.idempotencyKey));
  const raisedAt = new Map(history.map((h) => [h.idempotencyKey, Date.parse(h.raisedAt)]));
  const lastByRule = new Map<string, number>();
  const spent = new Map<string, number>();
  for (const h of history) {
    const at = Date.parse(h.raisedAt);
    const key = `${h.tenantId}\u0000${h.accountId}\u0000${h.rule}`;
    if (at > (lastByRule.get(key) ?? -Infinity)) lastByRule.set(key, at);
    if (at > t - 7 * DAY_MS && at <= t) spent.set(h.target, (spent.get(h.target) ?? 0) + 1);
  }

  const suppressed: SuppressedAlert[] = [];
  const pending: RoutedAlert[] = [];
  for (const s of signals) {
    const target = routeAlert(s, config);
    for (const c of matchRules(s, config)) {
      const key = alertIdempotencyKey(s.tenantId, s.accountId, c.rule, s.current.scoredAt);
      if (seenKeys.has(key)) {
        // Raised by an interrupted attempt of this run (recorded on the real clock, after `now`): it spent budget too.
        if ((raisedAt.get(key) ?? -Infinity) > t) spent.set(target, (spent.get(target) ?? 0) + 1);
        suppressed.push({ accountId: s.accountId, rule: c.rule, reason: 'duplicate', target });
        continue;
      }
      const last = lastByRule.get(`${s.tenantId}\u0000${s.accountId}\u0000${c.rule}`);
      if (last !== undefined && t - last < config.cooldownDays * DAY_MS) {
        suppressed.push({ accountId: s.accountId, rule: c.rule, reason: 'cooldown', target });
        continue;
      }
      seenKeys.add(key);
      const clvAtRisk = s.current.clv * s.current.churnProbability;
      const alert: Alert = {
        idempotencyKey: key,
        tenantId: s.tenantId as TenantId,
        accountId: s.accountId as AccountId,
        rule: c.rule,
        severity: c.severity,
        title: c.title,
        reasons: c.reasons,
        raisedAt: now.toISOString(),
        data: { ...c.data, accountName: s.accountName ?? null, target, scoredAt: s.current.scoredAt },
        ...(s.ownerId ? { ownerId: s.ownerId } : {}),
      };
      pending.push({ alert, target, priority: SEVERITY_RANK[c.severity] * 1e12 + Math.min(clvAtRisk, 1e12 - 1) });
    }
  }

  pending.sort((a, b) => b.priority - a.priority || (a.alert.idempotencyKey < b.alert.idempotencyKey ? -1 : 1));
  const alerts: RoutedAlert[] = [];
  for (const r of pending) {
    const used = spent.get(r.target) ?? 0;
    if (used >= config.weeklyBudgetPerOwner) {
      suppressed.push({ accountId: r.alert.accountId, rule: r.alert.rule as AlertRuleId, reason: 'budget', target: r.target });
      continue;
    }
    spent.set(r.target, used + 1);
    alerts.push(r);
  }
  return { alerts, suppressed };
}

/** History rows for alerts just raised, so the next evaluation sees them. */
export function toHistory(alerts: readonly RoutedAlert[]): AlertHistoryEntry[] {
  return alerts.map((r) => ({
    tenantId: r.alert.tenantId,
    accountId: r.alert.accountId,
    rule: r.alert.rule,
    target: r.target,
    raisedAt: r.alert.raisedAt,
    idempotencyKey: r.alert.idempotencyKey,
  }));
}
