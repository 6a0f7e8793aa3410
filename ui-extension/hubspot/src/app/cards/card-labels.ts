import type { Localized } from './card-view.types';

/**
 * The fixed words of the card: the same as CARD_LABELS in ui-extension/shared/card.view-model.ts
 * (checked by card-labels.test.ts), plus the words only this surface needs.
 */
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
} as const satisfies Record<string, Localized>;

export const SURFACE_LABELS = {
  loading: { en: 'Loading scores…', zh: '正在加载评分…' },
  failed: { en: 'Could not load Success Engine scores. Try again in a minute.', zh: '无法加载评分，请稍后重试。' },
  feedbackFailed: { en: 'Your feedback was not saved. Try again.', zh: '反馈未保存，请重试。' },
  months: { en: 'months', zh: '个月' },
  run: { en: 'Scoring run', zh: '评分批次' },
  scoredAt: { en: 'Scored at', zh: '评分时间' },
} as const satisfies Record<string, Localized>;
