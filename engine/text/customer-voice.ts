import type { CustomerVoice, LocalizedText } from '../../core';
import type { ScoredText } from './text-churn-features';
import { negativeTicketShareReason, negativeTopicReason, sentimentTrendReason } from './text-reasons';

const DAY = 86_400_000;
/** A mean change of this much between the previous 60 days and the last 30 reads as a trend. */
const TREND_STEP = 0.15;
const EXAMPLE_CHARS = 240;

export interface VoiceText extends ScoredText {
  maskedText: string;
}

/** A topic whose negative texts in the last 30 days stand out against the 90 days before. */
export interface NegativeTopicSignal {
  topic: string;
  label: LocalizedText;
  negative30: number;
  /** Negative texts on the topic per 30 days in the 90 days before the last 30. */
  baselinePer30: number;
  reason: LocalizedText;
}

export interface AccountVoice {
  voice: CustomerVoice;
  /** Negative texts in the last 7 days against the weekly mean of the 12 weeks before (the sentiment-spike rule). */
  sentiment: { negativeLast7Days: number; totalLast7Days: number; negativeWeeklyBaseline: number };
  negativeTopics: NegativeTopicSignal[];
}

/**
 * What one account's customers say as of `asOf`: only texts dated on or before it count. The
 * example shown is the most recent negative text (masked before the model ever read it).
 */
export function accountVoice(texts: readonly VoiceText[], asOf: string, label: (topic: string) => LocalizedText): AccountVoice {
  const t = Date.parse(asOf);
  const aged = texts.map((x) => ({ x, age: (t - Date.parse(x.at)) / DAY })).filter((a) => a.age >= 0);
  const within = (from: number, to = 0) => aged.filter((a) => a.age < from && a.age >= to).map((a) => a.x);
  const w30 = within(30);
  const w90 = within(90);
  const prev60 = within(90, 30);
  const mean = (list: readonly ScoredText[]): number | null => (list.length ? list.reduce((s, x) => s + x.score, 0) / list.length : null);
  const m30 = mean(w30);
  const mPrev = mean(prev60);
  const trend =
    m30 === null || mPrev === null
      ? 'unknown'
      : m30 - mPrev <= -TREND_STEP
        ? 'worsening'
        : m30 - mPrev >= TREND_STEP
          ? 'improving'
          : 'stable';

  const counts = new Map<string, { count: number; negative: number }>();
  for (const x of w90)
    for (const topic of x.topics ?? []) {
      const c = counts.get(topic) ?? { count: 0, negative: 0 };
      c.count++;
      if (x.label === 'negative') c.negative++;
      counts.set(topic, c);
    }
  const topTopics = [...counts.entries()]
    .sort((a, b) => b[1].negative - a[1].negative || b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([id, c]) => ({ id, label: label(id), count: c.count, negative: c.negative }));

  const negativeTopics: NegativeTopicSignal[] = [];
  const reasons: LocalizedText[] = [];
  const topicIds = new Set(w30.flatMap((x) => x.topics ?? []));
  for (const topic of [...topicIds].sort()) {
    const neg30 = w30.filter((x) => x.label === 'negative' && x.topics?.includes(topic));
    if (neg30.length === 0) continue;
    const before = within(120, 30).filter((x) => x.label === 'negative' && x.topics?.includes(topic)).length / 3;
    // Tickets are what a CS manager counts; other kinds are named when they carry the topic alone.
    const tickets = neg30.filter((x) => x.kind === 'ticket').length;
    const reason =
      tickets > 0 ? negativeTopicReason(tickets, 'ticket', label(topic), 30) : negativeTopicReason(neg30.length, 'other', label(topic), 30);
    negativeTopics.push({ topic, label: label(topic), negative30: neg30.length, baselinePer30: before, reason });
  }
  negativeTopics.sort((a, b) => b.negative30 - a.negative30 || (a.topic < b.topic ? -1 : 1));
  reasons.push(...negativeTopics.slice(0, 2).map((n) => n.reason));
  if ((trend === 'worsening' || trend === 'improving') && m30 !== null) reasons.push(sentimentTrendReason(trend, m30));
  const tickets90 = w90.filter((x) => x.kind === 'ticket');
  const negativeTickets90 = tickets90.filter((x) => x.label === 'negative').length;
  if (negativeTickets90 >= 2 && negativeTopics.length === 0) reasons.push(negativeTicketShareReason(negativeTickets90, tickets90.length));

  const latestFirst = [...w90].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const example = latestFirst.find((x) => x.label === 'negative') ?? latestFirst[0];
  const last7 = within(7);
  const weeks12 = within(91, 7);
  const voice: CustomerVoice = {
    sentiment30: m30 === null ? null : clamp(m30),
    sentiment90: mean(w90) === null ? null : clamp(mean(w90) as number),
    trend,
    texts90: w90.length,
    negativeTicketShare90: tickets90.length ? negativeTickets90 / tickets90.length : null,
    topTopics,
    ...(example && example.maskedText.trim()
      ? { example: { text: truncate(example.maskedText.trim()), kind: example.kind, at: new Date(example.at).toISOString() } }
      : {}),
    reasons,
  };
  return {
    voice,
    sentiment: {
      negativeLast7Days: last7.filter((x) => x.label === 'negative').length,
      totalLast7Days: last7.length,
      negativeWeeklyBaseline: weeks12.filter((x) => x.label === 'negative').length / 12,
    },
    negativeTopics,
  };
}

const clamp = (v: number): number => Math.max(-1, Math.min(1, v));

function truncate(text: string): string {
  const chars = [...text];
  return chars.length <= EXAMPLE_CHARS ? text : `${chars.slice(0, EXAMPLE_CHARS - 1).join('')}…`;
}
