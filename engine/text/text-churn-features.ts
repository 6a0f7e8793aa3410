import { SuccessEngineError } from '../../core';

export interface ScoredText {
  accountId: string;
  /** ISO timestamp of the email, note, ticket or survey comment. */
  at: string;
  kind: 'email' | 'note' | 'ticket' | 'survey' | 'call' | 'other';
  /** Sentiment score −1 … +1 and label from any TextModel. */
  score: number;
  label: 'positive' | 'neutral' | 'negative';
  topics?: readonly string[];
}

export interface TextChurnFeatures {
  accountId: string;
  /** Per window (30, 90 days): mean and minimum sentiment, trend as score change per 30 days (least squares). null without text. */
  sentimentMean30: number | null;
  sentimentMin30: number | null;
  sentimentTrend30: number | null;
  sentimentMean90: number | null;
  sentimentMin90: number | null;
  sentimentTrend90: number | null;
  textCount30: number;
  textCount90: number;
  /** Share of the last 90 days' tickets whose sentiment is negative; null without tickets. */
  negativeTicketShare90: number | null;
  /** For each flagged topic: did any text in the last 90 days carry it. */
  topicFlags: Record<string, boolean>;
}

const DAY_MS = 86_400_000;

/**
 * Text-derived features for the churn model, per account, as of a date: only text dated in
 * (asOf − window, asOf] counts, so a backtest never sees the future.
 */
export function textChurnFeatures(texts: readonly ScoredText[], asOf: string, flaggedTopics: readonly string[] = []): TextChurnFeatures[] {
  const asOfMs = Date.parse(asOf);
  if (Number.isNaN(asOfMs)) throw new SuccessEngineError('ENGINE.BAD_INPUT', `asOf "${asOf}" is not an ISO date`);
  const byAccount = new Map<string, { ageDays: number; t: ScoredText }[]>();
  texts.forEach((t, i) => {
    const ms = Date.parse(t.at);
    if (Number.isNaN(ms))
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `text ${i} (account ${t.accountId}): "at" is not an ISO date: "${t.at}"`);
    if (ms > asOfMs) return;
    const list = byAccount.get(t.accountId) ?? [];
    list.push({ ageDays: (asOfMs - ms) / DAY_MS, t });
    byAccount.set(t.accountId, list);
  });
  return [...byAccount.keys()].sort().map((accountId) => {
    const all = byAccount.get(accountId) ?? [];
    const w30 = all.filter((x) => x.ageDays < 30);
    const w90 = all.filter((x) => x.ageDays < 90);
    const tickets = w90.filter((x) => x.t.kind === 'ticket');
    const topicFlags: Record<string, boolean> = {};
    for (const topic of flaggedTopics) topicFlags[topic] = w90.some((x) => x.t.topics?.includes(topic) ?? false);
    return {
      accountId,
      ...windowStats(w30, '30'),
      ...windowStats(w90, '90'),
      textCount30: w30.length,
      textCount90: w90.length,
      negativeTicketShare90: tickets.length === 0 ? null : tickets.filter((x) => x.t.label === 'negative').length / tickets.length,
      topicFlags,
    } as TextChurnFeatures;
  });
}

function windowStats(items: readonly { ageDays: number; t: ScoredText }[], suffix: '30' | '90'): Record<string, number | null> {
  if (items.length === 0) return { [`sentimentMean${suffix}`]: null, [`sentimentMin${suffix}`]: null, [`sentimentTrend${suffix}`]: null };
  const scores = items.map((x) => x.t.score);
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  // Slope of score against time (days before asOf, negated so later = larger), per 30 days.
  const xs = items.map((x) => -x.ageDays);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((scores[i] as number) - mean);
    sxx += (x - mx) ** 2;
  });
  return {
    [`sentimentMean${suffix}`]: mean,
    [`sentimentMin${suffix}`]: Math.min(...scores),
    [`sentimentTrend${suffix}`]: sxx === 0 ? 0 : (sxy / sxx) * 30,
  };
}
