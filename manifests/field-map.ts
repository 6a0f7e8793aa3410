/**
 * The one field map: every field or property Success Engine creates in a CRM and writes scores
 * into. Connectors, install manifests and UI cards read names from here and nowhere else.
 * Pure data: nothing here imports product code.
 */

export type ScoreFieldKey =
  | 'churnProbability'
  | 'riskBand'
  | 'topDriversEn'
  | 'topDriversZh'
  | 'clvP50'
  | 'clvP10'
  | 'clvP90'
  | 'clvCurrency'
  | 'nextBestAction'
  | 'segment'
  | 'modelVersion'
  | 'scoredAt';

export type ScoreFieldKind = 'number' | 'percent' | 'enumeration' | 'text' | 'long-text' | 'datetime';

export interface ScoreFieldSpec {
  key: ScoreFieldKey;
  kind: ScoreFieldKind;
  label: { en: string; zh: string };
  description: { en: string; zh: string };
  /** HubSpot internal property name (companies). */
  hubspot: string;
  /** Salesforce field API name on Account, without the namespace prefix. */
  salesforce: string;
  /** Enumeration options, in display order. */
  options?: readonly string[];
  /** Longest text a CRM field holds (Salesforce Text 255, Long Text 32k; HubSpot 65,536). */
  maxLength?: number;
}

export const HUBSPOT_PROPERTY_GROUP = { name: 'success_engine', label: 'Success Engine', displayOrder: -1 } as const;
export const HUBSPOT_SCORE_OBJECT = 'companies';
export const SALESFORCE_SCORE_OBJECT = 'Account';
/** Managed-package namespace in customer orgs; empty in a scratch or unmanaged org. */
export const SALESFORCE_DEFAULT_NAMESPACE = 'succeng';

export const RISK_BANDS = ['low', 'medium', 'high', 'critical'] as const;

/**
 * Where a task we create for the account owner keeps its idempotency key, so a retried create
 * finds the first task instead of making a second (HubSpot tasks; Salesforce Activity, i.e. Task).
 */
export const TASK_KEY_FIELD = {
  hubspot: 'se_action_key',
  salesforce: 'SE_Action_Key__c',
  salesforceObject: 'Activity',
  maxLength: 255,
  label: { en: 'Success Engine action key', zh: 'Success Engine 行动键' },
  description: {
    en: 'Idempotency key of a task Success Engine created (tenant, account, action, week).',
    zh: 'Success Engine 创建任务的幂等键（租户、客户、行动、周）。',
  },
} as const;

export const SCORE_FIELDS: readonly ScoreFieldSpec[] = [
  {
    key: 'churnProbability',
    kind: 'percent',
    hubspot: 'se_churn_probability',
    salesforce: 'SE_Churn_Probability__c',
    label: { en: 'Churn probability', zh: '流失概率' },
    description: {
      en: 'Calibrated probability that the account churns within the horizon (0–1).',
      zh: '账户在预测期内流失的校准概率（0–1）。',
    },
  },
  {
    key: 'riskBand',
    kind: 'enumeration',
    options: RISK_BANDS,
    hubspot: 'se_risk_band',
    salesforce: 'SE_Risk_Band__c',
    label: { en: 'Churn risk band', zh: '流失风险等级' },
    description: { en: 'Low, medium, high or critical.', zh: '低、中、高或严重。' },
  },
  {
    key: 'topDriversEn',
    kind: 'long-text',
    maxLength: 4000,
    hubspot: 'se_top_drivers_en',
    salesforce: 'SE_Top_Drivers_EN__c',
    label: { en: 'Top churn drivers (English)', zh: '主要流失原因（英文）' },
    description: { en: 'The reasons that move churn probability most, one per line.', zh: '对流失概率影响最大的原因，每行一条。' },
  },
  {
    key: 'topDriversZh',
    kind: 'long-text',
    maxLength: 4000,
    hubspot: 'se_top_drivers_zh',
    salesforce: 'SE_Top_Drivers_ZH__c',
    label: { en: 'Top churn drivers (Chinese)', zh: '主要流失原因（中文）' },
    description: { en: 'The same reasons in Chinese.', zh: '同样的原因（中文）。' },
  },
  {
    key: 'clvP50',
    kind: 'number',
    hubspot: 'se_clv_p50',
    salesforce: 'SE_CLV_P50__c',
    label: { en: 'CLV (median)', zh: '客户终身价值（中位数）' },
    description: { en: 'Median customer lifetime value over the horizon.', zh: '预测期内客户终身价值的中位数。' },
  },
  {
    key: 'clvP10',
    kind: 'number',
    hubspot: 'se_clv_p10',
    salesforce: 'SE_CLV_P10__c',
    label: { en: 'CLV (P10)', zh: '客户终身价值（P10）' },
    description: { en: 'Lower end of the 80% interval.', zh: '80% 区间的下限。' },
  },
  {
    key: 'clvP90',
    kind: 'number',
    hubspot: 'se_clv_p90',
    salesforce: 'SE_CLV_P90__c',
    label: { en: 'CLV (P90)', zh: '客户终身价值（P90）' },
    description: { en: 'Upper end of the 80% interval.', zh: '80% 区间的上限。' },
  },
  {
    key: 'clvCurrency',
    kind: 'text',
    maxLength: 3,
    hubspot: 'se_clv_currency',
    salesforce: 'SE_CLV_Currency__c',
    label: { en: 'CLV currency', zh: '客户终身价值币种' },
    description: { en: 'ISO-4217 code of the CLV figures.', zh: '客户终身价值的 ISO-4217 币种代码。' },
  },
  {
    key: 'nextBestAction',
    kind: 'text',
    maxLength: 255,
    hubspot: 'se_next_best_action',
    salesforce: 'SE_Next_Best_Action__c',
    label: { en: 'Next best action', zh: '下一步最佳行动' },
    description: { en: 'The top-ranked action for the account owner.', zh: '给客户负责人的首选行动。' },
  },
  {
    key: 'segment',
    kind: 'text',
    maxLength: 255,
    hubspot: 'se_segment',
    salesforce: 'SE_Segment__c',
    label: { en: 'Customer segment', zh: '客户分群' },
    description: {
      en: 'The book segment by value and churn risk (e.g. "high value, high risk"), in English and Chinese.',
      zh: '按价值和流失风险划分的客户分群（如「高价值，高风险」），中英文。',
    },
  },
  {
    key: 'modelVersion',
    kind: 'text',
    maxLength: 80,
    hubspot: 'se_model_version',
    salesforce: 'SE_Model_Version__c',
    label: { en: 'Model version', zh: '模型版本' },
    description: { en: 'Version of the scoring run that wrote these values.', zh: '写入这些值的评分运行版本。' },
  },
  {
    key: 'scoredAt',
    kind: 'datetime',
    hubspot: 'se_scored_at',
    salesforce: 'SE_Scored_At__c',
    label: { en: 'Scored at', zh: '评分时间' },
    description: { en: 'When the scores were computed.', zh: '评分的计算时间。' },
  },
];

/** HubSpot property `type` and `fieldType` per kind (values from the properties API). */
export const HUBSPOT_TYPES: Record<ScoreFieldKind, { type: string; fieldType: string }> = {
  number: { type: 'number', fieldType: 'number' },
  percent: { type: 'number', fieldType: 'number' },
  enumeration: { type: 'enumeration', fieldType: 'select' },
  text: { type: 'string', fieldType: 'text' },
  'long-text': { type: 'string', fieldType: 'textarea' },
  datetime: { type: 'datetime', fieldType: 'date' },
};

/** Salesforce field type per kind (CustomField metadata). */
export const SALESFORCE_TYPES: Record<ScoreFieldKind, string> = {
  number: 'Number',
  percent: 'Number',
  enumeration: 'Picklist',
  text: 'Text',
  'long-text': 'LongTextArea',
  datetime: 'DateTime',
};

/** A Salesforce field name with the package namespace (`ns__Field__c`), or bare when there is none. */
export function salesforceFieldName(
  field: Pick<ScoreFieldSpec, 'salesforce'>,
  namespace: string | null = SALESFORCE_DEFAULT_NAMESPACE,
): string {
  return namespace ? `${namespace}__${field.salesforce}` : field.salesforce;
}
