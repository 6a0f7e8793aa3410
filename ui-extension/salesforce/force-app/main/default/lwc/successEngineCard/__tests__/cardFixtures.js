// Test data: a card.v1 answer and a record with written-back fields, as the org would return them.
export const CARD = {
    version: 'card.v1',
    account: { id: 'salesforce:001000000000001AAA', name: 'Acme', provider: 'salesforce', externalId: '001000000000001AAA', ownerName: null },
    churn: {
        probability: 0.72, percent: 72, percentText: '72%', band: 'high', bandLabel: { en: 'High', zh: '高' },
        trend: { direction: 'rising', changePoints: 32, label: { en: 'Up 32 points since the last score', zh: '较上次评分上升 32 个百分点' }, points: [] },
        drivers: [
            { text: { en: 'Support tickets (90 days): 9', zh: '支持工单（90 天）：9' }, direction: 'raises', points: 12 },
            { text: { en: 'Logins (30 days): 40', zh: '登录次数（30 天）：40' }, direction: 'lowers', points: -4 }
        ],
        missing: { en: 'Not known for this account: NPS', zh: '该客户缺少的数据：净推荐值' },
        model: { name: 'churn-gbdt', version: '3', kind: 'learned' }
    },
    clv: {
        point: 5000, ifRetained: 9000, p10: 3000, p90: 8000, intervalKind: 'outcome',
        summary: { en: 'Worth 9,000 USD over 12 months if retained; at today’s risk expect 5,000 USD: it may really pay 3,000 USD – 8,000 USD (80% range).', zh: '若留存，未来 12 个月价值 9,000 USD；按当前风险预期 5,000 USD，实际可能支付 3,000 USD – 8,000 USD（80% 区间）。' },
        currency: 'USD', horizonMonths: 12, method: 'contractual', model: { name: 'sbg', version: '1', kind: 'sbg' } },
    actions: [
        { actionId: 'exec-call', rank: 1, title: { en: 'Executive sponsor call', zh: '高管发起人电话' }, reasons: [{ en: 'Risk rose', zh: '风险上升' }] },
        { actionId: 'training', rank: 2, title: { en: 'Training session', zh: '培训课程' }, reasons: [{ en: 'Low usage', zh: '使用率低' }] }
    ],
    noActionReason: null,
    freshness: { computedAt: '2026-11-01T12:00:00Z', ageHours: 12, stale: false, label: { en: 'Scored 12 h ago', zh: '评分于12 小时前' } },
    modelVersion: 'run-7'
};

export const NOT_SCORED = { ...CARD, churn: null, clv: null, actions: [], modelVersion: null, freshness: { computedAt: null, ageHours: null, stale: true, label: { en: 'Not scored yet', zh: '尚未评分' } } };

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
        SE_Model_Version__c: { value: 'run-6' },
        SE_Scored_At__c: { value: '2026-10-31T00:00:00.000Z' }
    }
};
