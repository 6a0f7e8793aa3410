import { z } from 'zod';
import {
  LocalizedTextSchema,
  ModelRefSchema,
  RiskBandSchema,
  type CanonicalRecordByEntity,
  type CustomerVoice,
  type LocalizedText,
  type RiskBand,
  type ScoreSet,
} from '../../core';

/**
 * The one card every surface shows (HubSpot app card, Salesforce LWC, web card): a JSON contract
 * built here from the store's records and score history. Surfaces only lay it out; every word a
 * person reads comes in English and Chinese so the card follows the CRM user's language.
 */

/** A score older than this is flagged as stale on the card (nightly re-score plus slack). */
export const STALE_AFTER_HOURS = 36;
/** Trend moves smaller than this, in probability points, read as "steady". */
const STEADY_WITHIN_POINTS = 2;
const MAX_DRIVERS = 5;
const MAX_ACTIONS = 3;
const MAX_TREND_POINTS = 30;

export const CardViewSchema = z.object({
  version: z.literal('card.v1'),
  account: z.object({
    id: z.string(),
    name: z.string(),
    provider: z.enum(['salesforce', 'hubspot', 'file']),
    externalId: z.string(),
    ownerName: z.string().nullable(),
  }),
  churn: z
    .object({
      probability: z.number().min(0).max(1),
      /** Whole percent, kept within 1…99: no card claims certainty. */
      percent: z.number().int().min(1).max(99),
      /** The one churn number on the card, as people read it ("63%", "<1%", ">99%"). */
      percentText: z.string(),
      band: RiskBandSchema,
      bandLabel: LocalizedTextSchema,
      trend: z.object({
        direction: z.enum(['rising', 'falling', 'steady', 'new']),
        changePoints: z.number(),
        label: LocalizedTextSchema,
        points: z.array(z.object({ computedAt: z.string(), probability: z.number() })),
      }),
      drivers: z.array(z.object({ text: LocalizedTextSchema, direction: z.enum(['raises', 'lowers']), points: z.number() })),
      /** Inputs the model weighs that this account lacks, said once below the reasons. */
      missing: LocalizedTextSchema.nullable(),
      model: ModelRefSchema,
    })
    .nullable(),
  clv: z
    .object({
      /** Expected value at today's churn risk. */
      point: z.number(),
      /** What the account is worth if it stays (renews at its next renewal); null when unknown. */
      ifRetained: z.number().nullable(),
      p10: z.number(),
      p90: z.number(),
      /** Whether the interval is the range of what the customer may really pay or of the estimate only. */
      intervalKind: z.enum(['outcome', 'estimate']),
      /** The value as one sentence: worth if retained, expected at today's risk, and the range. */
      summary: LocalizedTextSchema,
      currency: z.string(),
      horizonMonths: z.number().int(),
      method: z.enum(['contractual', 'non-contractual']),
      model: ModelRefSchema,
    })
    .nullable(),
  actions: z.array(
    z.object({ actionId: z.string(), rank: z.number().int(), title: LocalizedTextSchema, reasons: z.array(LocalizedTextSchema) }),
  ),
  /** The account's book segment (by value and churn risk); null before segments exist. */
  segment: z.object({ id: z.string(), name: LocalizedTextSchema }).nullable(),
  /** Why no action is recommended (capacity, cooldown, cost, catalog); null when there are actions or none was needed. */
  noActionReason: LocalizedTextSchema.nullable(),
  /** "What customers say": sentiment trend, top topics, one masked example, text reasons; null before any text was read. */
  voice: z
    .object({
      trend: z.enum(['improving', 'worsening', 'stable', 'unknown']),
      trendLabel: LocalizedTextSchema,
      topics: z.array(
        z.object({ label: LocalizedTextSchema, count: z.number().int(), negative: z.number().int(), text: LocalizedTextSchema }),
      ),
      example: z.object({ text: z.string(), kindLabel: LocalizedTextSchema }).nullable(),
      reasons: z.array(LocalizedTextSchema),
    })
    .nullable(),
  freshness: z.object({
    computedAt: z.string().nullable(),
    ageHours: z.number().nullable(),
    stale: z.boolean(),
    label: LocalizedTextSchema,
  }),
  modelVersion: z.string().nullable(),
});
export type CardView = z.infer<typeof CardViewSchema>;

/** Fixed words of the card, shared by every surface so they read the same everywhere. */
export const CARD_LABELS = {
  title: { en: 'Success Engine', zh: '客户成功引擎' },
  churn: { en: 'Churn risk', zh: '流失风险' },
  clv: { en: 'Lifetime value', zh: '客户终身价值' },
  interval: { en: '80% interval', zh: '80% 区间' },
  outcomeInterval: { en: '80% range of what it may really pay', zh: '实际可能支付金额的 80% 区间' },
  ifRetained: { en: 'Worth if retained', zh: '若留存的价值' },
  expected: { en: 'Expected at today’s risk', zh: '按当前风险的预期价值' },
  missing: { en: 'Not known for this account', zh: '该客户缺少的数据' },
  drivers: { en: 'Why', zh: '原因' },
  actions: { en: 'Next best actions', zh: '下一步最佳行动' },
  done: { en: 'Done', zh: '已完成' },
  dismiss: { en: 'Dismiss', zh: '忽略' },
  model: { en: 'Model', zh: '模型' },
  notScored: { en: 'Not scored yet: scores appear after the first sync and scoring run.', zh: '尚未评分：首次同步并评分后将显示分数。' },
  noActions: { en: 'No action recommended right now.', zh: '目前没有推荐的行动。' },
  voice: { en: 'What customers say', zh: '客户之声' },
  voiceTrend: { en: 'Sentiment', zh: '情绪' },
  voiceTopics: { en: 'Top topics', zh: '主要话题' },
  voiceExample: { en: 'Example (personal data masked)', zh: '示例（已隐去个人信息）' },
  segment: { en: 'Segment', zh: '客户分群' },
} as const satisfies Record<string, LocalizedText>;

const BAND_LABELS: Record<RiskBand, LocalizedText> = {
  low: { en: 'Low', zh: '低' },
  medium: { en: 'Medium', zh: '中' },
  high: { en: 'High', zh: '高' },
  critical: { en: 'Very high', zh: '很高' },
};

export interface CardInput {
  account: CanonicalRecordByEntity['account'];
  /** Score history of the account, newest first (as the store returns it). */
  history: readonly ScoreSet[];
  now: Date;
}

export function buildCardView(input: CardInput): CardView {
  const latest = input.history[0] ?? null;
  return {
    version: 'card.v1',
    account: {
      id: input.account.id,
      name: input.account.name,
      provider: input.account.source.provider,
      externalId: input.account.source.externalId,
      ownerName: input.account.ownerName ?? null,
    },
    churn: latest ? churnView(latest, input.history) : null,
    clv: latest?.clv ? clvView(latest.clv) : null,
    actions: (latest?.nextBestActions ?? [])
      .slice()
      .sort((a, b) => a.rank - b.rank)
      .slice(0, MAX_ACTIONS)
      .map((a) => ({ actionId: a.actionId, rank: a.rank, title: a.title, reasons: a.reasons })),
    segment: latest?.segment ? { id: latest.segment.id, name: latest.segment.name } : null,
    noActionReason: latest && latest.nextBestActions.length === 0 ? (latest.noActionReason ?? null) : null,
    voice: latest?.voice ? voiceView(latest.voice) : null,
    freshness: freshnessView(latest?.computedAt ?? null, input.now),
    modelVersion: latest?.modelVersion ?? null,
  };
}

function churnView(latest: ScoreSet, history: readonly ScoreSet[]): NonNullable<CardView['churn']> {
  const { probability, band, drivers, model, missing } = latest.churn;
  const percent = Math.min(99, Math.max(1, Math.round(probability * 100)));
  return {
    probability,
    percent,
    percentText: probability < 0.005 ? '<1%' : probability > 0.995 ? '>99%' : `${percent}%`,
    band,
    bandLabel: BAND_LABELS[band],
    trend: trendView(history),
    drivers: drivers
      .slice()
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, MAX_DRIVERS)
      .map((d) => ({ text: d.text, direction: d.direction, points: round1(d.contribution) })),
    missing: missing?.length
      ? {
          en: `${CARD_LABELS.missing.en}: ${missing.map((m) => m.label.en).join(', ')}`,
          zh: `${CARD_LABELS.missing.zh}：${missing.map((m) => m.label.zh).join('、')}`,
        }
      : null,
    model,
  };
}

const money = (value: number, currency: string): string => `${Math.round(value).toLocaleString('en-US')} ${currency}`;

/** Worth if retained, expected at today's risk, and the range, as one story. */
function clvView(clv: NonNullable<ScoreSet['clv']>): NonNullable<CardView['clv']> {
  const intervalKind = clv.method === 'contractual' ? 'outcome' : 'estimate';
  const range = `${money(clv.p10, clv.currency)} – ${money(clv.p90, clv.currency)}`;
  const months = clv.horizonMonths;
  const retained = clv.ifRetained;
  const rangeText =
    intervalKind === 'outcome'
      ? { en: `it may really pay ${range} (80% range)`, zh: `实际可能支付 ${range}（80% 区间）` }
      : { en: `estimate range ${range} (80%)`, zh: `估计区间 ${range}（80%）` };
  const summary =
    retained !== undefined && retained > clv.point
      ? {
          en: `Worth ${money(retained, clv.currency)} over ${months} months if retained; at today’s risk expect ${money(clv.point, clv.currency)}: ${rangeText.en}.`,
          zh: `若留存，未来 ${months} 个月价值 ${money(retained, clv.currency)}；按当前风险预期 ${money(clv.point, clv.currency)}，${rangeText.zh}。`,
        }
      : {
          en: `Expected ${money(clv.point, clv.currency)} over ${months} months: ${rangeText.en}.`,
          zh: `未来 ${months} 个月预期 ${money(clv.point, clv.currency)}，${rangeText.zh}。`,
        };
  return {
    point: clv.point,
    ifRetained: retained ?? null,
    p10: clv.p10,
    p90: clv.p90,
    intervalKind,
    summary,
    currency: clv.currency,
    horizonMonths: months,
    method: clv.method,
    model: clv.model,
  };
}

function trendView(history: readonly ScoreSet[]): NonNullable<CardView['churn']>['trend'] {
  const points = history
    .slice(0, MAX_TREND_POINTS)
    .map((s) => ({ computedAt: s.computedAt, probability: s.churn.probability }))
    .reverse();
  const [latest, previous] = history;
  if (!latest || !previous) return { direction: 'new', changePoints: 0, label: { en: 'First score', zh: '首次评分' }, points };
  const changePoints = round1((latest.churn.probability - previous.churn.probability) * 100);
  const magnitude = Math.abs(changePoints);
  if (magnitude < STEADY_WITHIN_POINTS)
    return { direction: 'steady', changePoints, label: { en: 'Steady since the last score', zh: '与上次评分相比持平' }, points };
  return changePoints > 0
    ? {
        direction: 'rising',
        changePoints,
        label: { en: `Up ${magnitude} points since the last score`, zh: `较上次评分上升 ${magnitude} 个百分点` },
        points,
      }
    : {
        direction: 'falling',
        changePoints,
        label: { en: `Down ${magnitude} points since the last score`, zh: `较上次评分下降 ${magnitude} 个百分点` },
        points,
      };
}

const VOICE_TREND: Record<CustomerVoice['trend'], LocalizedText> = {
  improving: { en: 'Improving over the last 90 days', zh: '近 90 天好转' },
  worsening: { en: 'Worsening over the last 90 days', zh: '近 90 天转差' },
  stable: { en: 'Stable over the last 90 days', zh: '近 90 天平稳' },
  unknown: { en: 'Not enough text yet for a trend', zh: '文本不足，暂无趋势' },
};

const TEXT_KIND: Record<string, LocalizedText> = {
  ticket: { en: 'Ticket', zh: '工单' },
  email: { en: 'Email', zh: '邮件' },
  note: { en: 'Note', zh: '备注' },
  call: { en: 'Call', zh: '通话' },
  survey: { en: 'Survey comment', zh: '调研反馈' },
  other: { en: 'Message', zh: '消息' },
};

function voiceView(voice: CustomerVoice): NonNullable<CardView['voice']> {
  return {
    trend: voice.trend,
    trendLabel: VOICE_TREND[voice.trend],
    topics: voice.topTopics.map((t) => ({
      label: t.label,
      count: t.count,
      negative: t.negative,
      text: {
        en: `${t.label.en}: ${t.count} mention${t.count === 1 ? '' : 's'}, ${t.negative} negative`,
        zh: `${t.label.zh}：提及 ${t.count} 次，负面 ${t.negative} 次`,
      },
    })),
    example: voice.example
      ? { text: voice.example.text, kindLabel: TEXT_KIND[voice.example.kind] ?? (TEXT_KIND.other as LocalizedText) }
      : null,
    reasons: voice.reasons,
  };
}

function freshnessView(computedAt: string | null, now: Date): CardView['freshness'] {
  if (computedAt === null) return { computedAt: null, ageHours: null, stale: true, label: CARD_LABELS.notScored };
  const ageHours = Math.max(0, round1((now.getTime() - Date.parse(computedAt)) / 3_600_000));
  const stale = ageHours > STALE_AFTER_HOURS;
  const age =
    ageHours < 1
      ? { en: 'less than an hour ago', zh: '不到一小时前' }
      : ageHours < 48
        ? { en: `${Math.round(ageHours)} h ago`, zh: `${Math.round(ageHours)} 小时前` }
        : { en: `${Math.round(ageHours / 24)} days ago`, zh: `${Math.round(ageHours / 24)} 天前` };
  return {
    computedAt,
    ageHours,
    stale,
    label: stale ? { en: `Scored ${age.en} (stale)`, zh: `评分于${age.zh}（已过期）` } : { en: `Scored ${age.en}`, zh: `评分于${age.zh}` },
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
