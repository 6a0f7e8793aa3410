// Test data: a card.v1 answer and a record with written-back fields, as the org would return them.
export const CARD = {
  version: 'card.v1',
  account: { id: 'salesforce:001000000000001AAA', name: 'Acme', provider: 'salesforce', externalId: '001000000000001AAA', ownerName: null },
  churn: {
    probability: 0.72,
    percent: 72,
    percentText: '72%',
    band: 'high',
    bandLabel: { en: 'High', zh: '高' },
    trend: {
      direction: 'rising',
      changePoints: 32,
      label: { en: 'Up 32 points since the last score', zh: '较上次评分上升 32 个百分点' },
      points: [],
    },
    drivers: [
      { text: { en: 'Support tickets (90 days): 9', zh: '支持工单（90 天）：9' }, direction: 'raises', points: 12 },
      { text: { en: 'Logins (30 days): 40', zh: '登录次数（30 天）：40' }, direction: 'lowers', points: -4 },
    ],
    missing: { en: 'Not known for this account: NPS', zh: '该客户缺少的数据：净推荐值' },
    model: { name: 'churn-gbdt', version: '3', kind: 'learned' },
  },
  clv: {
    point: 5000,
    ifRetained: 9000,
    p10: 3000,
    p90: 8000,
    intervalKind: 'outcome',
    summary: {
      en: 'Worth 9,000 USD over 12 months if retained; at today’s risk expect 5,000 USD: it may really pay 3,000 USD – 8,000 USD (80% range).',
      zh: '若留存，未来 12 个月价值 9,000 USD；按当前风险预期 5,000 USD，实际可能支付 3,000 USD – 8,000 USD（80% 区间）。',
    },
    currency: 'USD',
    horizonMonths: 12,
    method: 'contractual',
    model: { name: 'sbg', version: '1', kind: 'sbg' },
  },
  actions: [
    {
      actionId: 'exec-call',
      rank: 1,
      title: { en: 'Executive sponsor call', zh: '高管发起人电话' },
      reasons: [{ en: 'Risk rose', zh: '风险上升' }],
    },
    { actionId: 'training', rank: 2, title: { en: 'Training session', zh: '培训课程' }, reasons: [{ en: 'Low usage', zh: '使用率低' }] },
  ],
  segment: { id: 'seg-high-value-high-risk', name: { en: 'high value, high risk', zh: '高价值，高风险' } },
  noActionReason: null,
  voice: null,
  freshness: { computedAt: '2026-11-01T12:00:00Z', ageHours: 12, stale: false, label: { en: 'Scored 12 h ago', zh: '评分于12 小时前' } },
  modelVersion: 'run-7',
};

// A card whose account's tickets turned negative (the view-model's voice section, as the API sends it).
export const VOICE = {
  trend: 'worsening',
  trendLabel: { en: 'Worsening over the last 90 days', zh: '近 90 天转差' },
  topics: [
    {
      label: { en: 'billing', zh: '账单' },
      count: 3,
      negative: 3,
      text: { en: 'billing: 3 mentions, 3 negative', zh: '账单：提及 3 次，负面 3 次' },
    },
    {
      label: { en: 'support speed', zh: '支持响应速度' },
      count: 1,
      negative: 0,
      text: { en: 'support speed: 1 mention, 0 negative', zh: '支持响应速度：提及 1 次，负面 0 次' },
    },
  ],
  example: { text: '又被重复扣费了，请让[name]打电话到[phone]。', kindLabel: { en: 'Ticket', zh: '工单' } },
  reasons: [
    { en: '3 negative tickets about billing in the last 30 days', zh: '近 30 天 3 张负面工单，主题：账单' },
    { en: 'Customer sentiment worsened over the last 90 days (last 30 days: −0.40)', zh: '近 90 天客户情绪转差（近 30 天：−0.40）' },
  ],
};

export const WITH_VOICE = { ...CARD, voice: VOICE };

export const NOT_SCORED = {
  ...CARD,
  churn: null,
  clv: null,
  actions: [],
  modelVersion: null,
  freshness: { computedAt: null, ageHours: null, stale: true, label: { en: 'Not scored yet', zh: '尚未评分' } },
};

export const RECORD = {
  apiName: 'Account',
  id: '001000000000001AAA',
  fields: {
    SE_Churn_Probability__c: { value: 0.41 },
    SE_Risk_Band__c: { value: 'medium' },
    SE_Top_Drivers_EN__c: { value: 'Renewal in 20 days\nNPS 3' },
    SE_Top_Drivers_ZH__c: { value: '20 天后续约\nNPS 3' },
    SE_CLV_P50__c: { value: 4000 },
    SE_CLV_P10__c: { value: 2500 },
    SE_CLV_P90__c: { value: 6000 },
    SE_CLV_Currency__c: { value: 'USD' },
    SE_Next_Best_Action__c: { value: 'Business review' },
    SE_Segment__c: { value: 'mid value, moderate risk / 中等价值，中等风险' },
    SE_Model_Version__c: { value: 'run-6' },
    SE_Scored_At__c: { value: '2026-10-31T00:00:00.000Z' },
  },
};
