import type { LocalizedText } from '../../core';

/**
 * The features built from canonical records (see account-features.ts and docs/feature-catalog.md).
 * `label` is what a person reads in a churn reason; `format` renders a value in that sentence.
 */
export interface CatalogEntry {
  name: string;
  kind: 'numeric' | 'categorical';
  label: LocalizedText;
  /** One line for the catalog: what it is and where it comes from. */
  description: string;
  format?: (value: number | string) => LocalizedText;
  /**
   * Direction churn risk must follow as the value rises (−1: more means safer), enforced in the
   * model: a billing or usage drop never lowers risk, whatever the training sample happens to show.
   */
  monotone?: 1 | -1;
}

const days = (v: number | string): LocalizedText =>
  typeof v === 'number' ? { en: `${Math.round(v)} days`, zh: `${Math.round(v)} 天` } : { en: v, zh: v };
const times = (v: number | string): LocalizedText =>
  typeof v === 'number' ? { en: `${v.toFixed(1)}×`, zh: `${v.toFixed(1)} 倍` } : { en: v, zh: v };
const count = (v: number | string): LocalizedText => ({
  en: String(typeof v === 'number' ? Math.round(v) : v),
  zh: String(typeof v === 'number' ? Math.round(v) : v),
});
const money = (v: number | string): LocalizedText =>
  typeof v === 'number' ? { en: Math.round(v).toLocaleString('en-US'), zh: Math.round(v).toLocaleString('en-US') } : { en: v, zh: v };
const share = (v: number | string): LocalizedText =>
  typeof v === 'number' ? { en: `${Math.round(v * 100)}%`, zh: `${Math.round(v * 100)}%` } : { en: v, zh: v };
const signed = (v: number | string): LocalizedText => (typeof v === 'number' ? { en: v.toFixed(2), zh: v.toFixed(2) } : { en: v, zh: v });

export const featureCatalog: readonly CatalogEntry[] = [
  {
    name: 'tenure_days',
    kind: 'numeric',
    label: { en: 'Customer for', zh: '客户时长' },
    description: 'Days from customerSince (else the first subscription start) to the as-of date.',
    format: days,
  },
  {
    name: 'arr',
    kind: 'numeric',
    label: { en: 'Annual recurring revenue', zh: '年度经常性收入' },
    description: 'Account ARR; else 12 × MRR of subscriptions active on the as-of date.',
    format: money,
  },
  {
    name: 'mrr',
    kind: 'numeric',
    label: { en: 'Monthly recurring revenue', zh: '月度经常性收入' },
    description: 'Sum of MRR of subscriptions active on the as-of date (started, not ended, not trial).',
    format: money,
  },
  {
    name: 'mrr_trend_90d',
    kind: 'numeric',
    label: { en: 'MRR vs 90 days ago', zh: 'MRR 与 90 天前相比' },
    description: 'MRR now ÷ MRR of subscriptions active 90 days earlier; missing when there was none.',
    format: times,
    monotone: -1,
  },
  {
    name: 'billed_90d',
    kind: 'numeric',
    label: { en: 'Billed in the last 90 days', zh: '近 90 天账单金额' },
    description: 'Sum of invoice and order amounts dated in the 90 days up to the as-of date.',
    format: money,
  },
  {
    name: 'billed_trend',
    kind: 'numeric',
    label: { en: 'Billing vs the previous 90 days', zh: '账单金额与前 90 天相比' },
    description: 'billed_90d ÷ the 90 days before; missing when the earlier window is empty.',
    format: times,
    monotone: -1,
  },
  {
    name: 'contract_type',
    kind: 'categorical',
    label: { en: 'Contract', zh: '合同类型' },
    description: 'Account contract type (month-to-month, one-year, two-year, other).',
  },
  {
    name: 'plan',
    kind: 'categorical',
    label: { en: 'Plan', zh: '套餐' },
    description: 'Account plan, else the plan of the largest active subscription.',
  },
  { name: 'industry', kind: 'categorical', label: { en: 'Industry', zh: '行业' }, description: 'Account industry.' },
  {
    name: 'billing_period',
    kind: 'categorical',
    label: { en: 'Billing period', zh: '计费周期' },
    description: 'Billing period of the largest active subscription.',
  },
  {
    name: 'days_to_renewal',
    kind: 'numeric',
    label: { en: 'Renewal in', zh: '距续约' },
    description:
      'Days from the as-of date to the next renewal (account renewalDate, else the nearest subscription renewal/end on or after the as-of date).',
    format: days,
  },
  {
    name: 'seats',
    kind: 'numeric',
    label: { en: 'Seats', zh: '席位数' },
    description: 'Seats on active subscriptions, else account seats.',
    format: count,
  },
  {
    name: 'seats_trend_90d',
    kind: 'numeric',
    label: { en: 'Seats vs 90 days ago', zh: '席位数与 90 天前相比' },
    description: 'Active seats now ÷ active seats 90 days earlier.',
    format: times,
    monotone: -1,
  },
  {
    name: 'usage_30d',
    kind: 'numeric',
    label: { en: 'Usage in 30 days', zh: '近 30 天使用量' },
    description: 'Sum of usage transaction quantities (else amounts) in the last 30 days.',
    format: count,
  },
  {
    name: 'usage_trend',
    kind: 'numeric',
    label: { en: 'Usage vs the previous 60 days', zh: '使用量与前 60 天相比' },
    description: 'usage_30d ÷ the 30-day average of the 60 days before; missing when that is zero.',
    format: times,
    monotone: -1,
  },
  {
    name: 'usage_per_seat_30d',
    kind: 'numeric',
    label: { en: 'Usage per seat (30 days)', zh: '每席位使用量（30 天）' },
    description: 'usage_30d ÷ seats.',
    format: signed,
  },
  {
    name: 'tickets_30d',
    kind: 'numeric',
    label: { en: 'Support tickets in 30 days', zh: '近 30 天工单数' },
    description: 'Tickets created in the last 30 days.',
    format: count,
  },
  {
    name: 'tickets_90d',
    kind: 'numeric',
    label: { en: 'Support tickets in 90 days', zh: '近 90 天工单数' },
    description: 'Tickets created in the last 90 days.',
    format: count,
  },
  {
    name: 'ticket_trend',
    kind: 'numeric',
    label: { en: 'Support tickets vs usual', zh: '工单数与平时相比' },
    description: 'tickets_30d ÷ the 30-day average of the 60 days before (+1 smoothing on both sides).',
    format: times,
  },
  {
    name: 'urgent_tickets_90d',
    kind: 'numeric',
    label: { en: 'High/urgent tickets in 90 days', zh: '近 90 天高优先级工单' },
    description: 'Tickets of priority high or urgent created in the last 90 days.',
    format: count,
  },
  {
    name: 'open_tickets',
    kind: 'numeric',
    label: { en: 'Open tickets', zh: '未关闭工单' },
    description: 'Tickets created by the as-of date and not closed by it.',
    format: count,
  },
  {
    name: 'oldest_open_ticket_days',
    kind: 'numeric',
    label: { en: 'Oldest open ticket', zh: '最久未关闭工单' },
    description: 'Age in days of the oldest open ticket; missing without open tickets.',
    format: days,
  },
  {
    name: 'days_since_activity',
    kind: 'numeric',
    label: { en: 'Last contact', zh: '距上次联系' },
    description: 'Days since the latest email, call, meeting or note; missing when there is none.',
    format: days,
  },
  {
    name: 'activities_30d',
    kind: 'numeric',
    label: { en: 'Touchpoints in 30 days', zh: '近 30 天接触次数' },
    description: 'Emails, calls, meetings and notes in the last 30 days (tasks excluded).',
    format: count,
  },
  {
    name: 'activity_trend',
    kind: 'numeric',
    label: { en: 'Touchpoints vs usual', zh: '接触次数与平时相比' },
    description: 'activities_30d ÷ the 30-day average of the 60 days before (+1 smoothing).',
    format: times,
  },
  {
    name: 'inbound_share_90d',
    kind: 'numeric',
    label: { en: 'Share of contact initiated by the customer', zh: '客户主动联系占比' },
    description: 'Inbound ÷ directed activities in the last 90 days.',
    format: share,
  },
  {
    name: 'days_since_meeting',
    kind: 'numeric',
    label: { en: 'Last meeting', zh: '距上次会议' },
    description: 'Days since the latest meeting; missing when there is none.',
    format: days,
  },
  {
    name: 'payment_delay_days_180d',
    kind: 'numeric',
    label: { en: 'Average payment delay', zh: '平均付款延迟' },
    description: 'Mean days paid after due date, over invoices due in the last 180 days (unpaid ones count up to the as-of date).',
    format: days,
  },
  {
    name: 'overdue_invoices',
    kind: 'numeric',
    label: { en: 'Overdue invoices', zh: '逾期发票' },
    description: 'Invoices past due and unpaid on the as-of date.',
    format: count,
  },
  {
    name: 'nps',
    kind: 'numeric',
    label: { en: 'NPS', zh: '净推荐值' },
    description: 'Account attribute `nps` (latest survey score, −100…100 or 0…10).',
    format: signed,
  },
  { name: 'csat', kind: 'numeric', label: { en: 'CSAT', zh: '客户满意度' }, description: 'Account attribute `csat`.', format: signed },
  {
    name: 'sentiment_90d',
    kind: 'numeric',
    label: { en: 'Sentiment of recent messages', zh: '近期沟通情绪' },
    description: 'Mean text sentiment (−1…1) of the last 90 days, from the text engine; missing (neutral) without text.',
    format: signed,
  },
  {
    name: 'sentiment_trend_90d',
    kind: 'numeric',
    label: { en: 'Sentiment trend', zh: '情绪趋势' },
    description: 'Change of sentiment per 30 days over the last 90 days (least squares).',
    format: signed,
  },
  {
    name: 'negative_ticket_share_90d',
    kind: 'numeric',
    label: { en: 'Negative tickets', zh: '负面工单占比' },
    description: 'Share of the last 90 days’ tickets with negative sentiment.',
    format: share,
  },
];

/** Monotone constraints by feature name, for the churn model. */
export const monotoneFeatures: Readonly<Record<string, 1 | -1>> = Object.fromEntries(
  featureCatalog.flatMap((e) => (e.monotone ? [[e.name, e.monotone]] : [])),
);

export const catalogByName: ReadonlyMap<string, CatalogEntry> = new Map(featureCatalog.map((e) => [e.name, e]));

const ATTRIBUTE_PREFIX = 'attr_';
const YES_NO: Record<string, LocalizedText> = { true: { en: 'yes', zh: '是' }, false: { en: 'no', zh: '否' } };

/**
 * Values people write in CRMs for the fields we read (contract, plan, payment method, services,
 * industry, language), in words for both languages. Keys are lower-cased; a value not listed is
 * the tenant's own word and is shown as it is.
 */
const VALUE_WORDS: Record<string, LocalizedText> = {
  'month-to-month': { en: 'month-to-month', zh: '按月' },
  'one-year': { en: 'one-year', zh: '一年期' },
  'two-year': { en: 'two-year', zh: '两年期' },
  other: { en: 'other', zh: '其他' },
  'fiber optic': { en: 'fiber-optic internet', zh: '光纤宽带' },
  dsl: { en: 'DSL internet', zh: 'DSL 宽带' },
  no: { en: 'no internet service', zh: '无宽带服务' },
  'electronic check': { en: 'electronic check', zh: '电子支票' },
  'mailed check': { en: 'mailed check', zh: '邮寄支票' },
  'bank transfer (automatic)': { en: 'automatic bank transfer', zh: '自动银行转账' },
  'credit card (automatic)': { en: 'automatic credit-card payment', zh: '信用卡自动扣款' },
  phone: { en: 'phone', zh: '电话' },
  'multiple lines': { en: 'multiple lines', zh: '多线路' },
  'online security': { en: 'online security', zh: '网络安全' },
  'online backup': { en: 'online backup', zh: '在线备份' },
  'device protection': { en: 'device protection', zh: '设备保护' },
  'tech support': { en: 'tech support', zh: '技术支持' },
  'streaming tv': { en: 'streaming TV', zh: '流媒体电视' },
  'streaming movies': { en: 'streaming movies', zh: '流媒体电影' },
  retail: { en: 'retail', zh: '零售' },
  healthcare: { en: 'healthcare', zh: '医疗' },
  'professional services': { en: 'professional services', zh: '专业服务' },
  hospitality: { en: 'hospitality', zh: '酒店餐饮' },
  manufacturing: { en: 'manufacturing', zh: '制造业' },
  'real estate': { en: 'real estate', zh: '房地产' },
  education: { en: 'education', zh: '教育' },
  transportation: { en: 'transportation', zh: '交通运输' },
  technology: { en: 'technology', zh: '科技' },
  finance: { en: 'finance', zh: '金融' },
  en: { en: 'English', zh: '英语' },
  'zh-cn': { en: 'Chinese', zh: '中文' },
  zh: { en: 'Chinese', zh: '中文' },
  monthly: { en: 'monthly', zh: '按月' },
  annual: { en: 'annual', zh: '按年' },
  quarterly: { en: 'quarterly', zh: '按季度' },
};

/** A categorical value in words: known values translated, multi-select lists ("a;b;c") item by item. */
export function valueWords(value: string): LocalizedText {
  const known = VALUE_WORDS[value.trim().toLowerCase()] ?? YES_NO[value.trim().toLowerCase()];
  if (known) return known;
  if (value.includes(';')) {
    const items = value
      .split(';')
      .map((v) => v.trim())
      .filter((v) => v.length > 0)
      .map((v) => VALUE_WORDS[v.toLowerCase()] ?? { en: v, zh: v });
    return { en: items.map((i) => i.en).join(', '), zh: items.map((i) => i.zh).join('、') };
  }
  return { en: value, zh: value };
}

/**
 * Labels of CRM fields customers commonly keep (the Telco-style fields our default mappings read),
 * matched on the field name without `__c`, separators or case, so HubSpot's `paperless_billing` and
 * Salesforce's `Paperless_Billing__c` read the same.
 */
const FIELD_LABELS: Record<string, LocalizedText> = {
  tenuremonths: { en: 'Months as a customer', zh: '客户月数' },
  totalrevenue: { en: 'Revenue to date', zh: '累计收入' },
  monthlyrevenue: { en: 'Monthly revenue', zh: '月收入' },
  paymentmethod: { en: 'Payment method', zh: '付款方式' },
  paperlessbilling: { en: 'Paperless billing', zh: '电子账单' },
  seniorcitizen: { en: 'Senior customer', zh: '老年客户' },
  partner: { en: 'Has a partner', zh: '有伴侣' },
  dependents: { en: 'Has dependents', zh: '有受抚养人' },
  services: { en: 'Services', zh: '已订服务' },
  hslanguage: { en: 'Language', zh: '语言' },
  language: { en: 'Language', zh: '语言' },
  internetservice: { en: 'Internet service', zh: '宽带服务' },
  contracttype: { en: 'Contract', zh: '合同类型' },
};

const fieldKey = (key: string): string =>
  key
    .replace(/__c$/i, '')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase();

/**
 * Wording for an `attr_<key>` feature (a custom CRM field or file column, see account-features.ts):
 * a known field's bilingual label, else the field name read as words ("Renewal Risk Flag"), which
 * is the tenant's own word and reads the same in both languages. Undefined for other features.
 */
export function attributeWording(feature: string): { label: LocalizedText; format: (value: number | string) => LocalizedText } | undefined {
  if (!feature.startsWith(ATTRIBUTE_PREFIX)) return undefined;
  const key = feature.slice(ATTRIBUTE_PREFIX.length);
  const known = FIELD_LABELS[fieldKey(key)];
  const words = key
    .replace(/__c$/i, '')
    .replace(/[_\-.]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  const fallback = words.length > 0 ? (words[0]?.toUpperCase() ?? '') + words.slice(1) : key;
  const label = known ?? { en: fallback, zh: fallback };
  return {
    label,
    format: (value) => {
      if (typeof value === 'number') {
        const shown = String(Number.isInteger(value) ? value : Number(value.toPrecision(3)));
        return { en: shown, zh: shown };
      }
      return valueWords(value);
    },
  };
}

/** Wording for churn reasons (engine/churn/churn-drivers.ts) from the catalog. */
export function catalogWording(): Record<string, { label: LocalizedText; format?: (value: number | string) => LocalizedText }> {
  const out: Record<string, { label: LocalizedText; format?: (value: number | string) => LocalizedText }> = {};
  for (const e of featureCatalog)
    out[e.name] = {
      label: e.label,
      format: e.format ?? ((v) => (typeof v === 'string' ? valueWords(v) : { en: String(v), zh: String(v) })),
    };
  return out;
}
