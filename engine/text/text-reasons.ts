import type { LocalizedText } from '../../core';

/** Text-derived reasons, phrased as a CS manager would say them, in English and Chinese. */

const KIND_EN: Record<string, [string, string]> = {
  ticket: ['negative ticket', 'negative tickets'],
  email: ['negative email', 'negative emails'],
  note: ['negative note', 'negative notes'],
  call: ['negative call', 'negative calls'],
  survey: ['negative survey comment', 'negative survey comments'],
  other: ['negative message', 'negative messages'],
};
const KIND_ZH: Record<string, [string, string]> = {
  ticket: ['张', '负面工单'],
  email: ['封', '负面邮件'],
  note: ['条', '负面备注'],
  call: ['次', '负面通话'],
  survey: ['条', '负面调研反馈'],
  other: ['条', '负面消息'],
};

const OTHER_EN: [string, string] = ['negative message', 'negative messages'];
const OTHER_ZH: [string, string] = ['条', '负面消息'];

/** "3 negative tickets about billing in the last 30 days" / 「近 30 天 3 张负面工单，主题：账单」 */
export function negativeTopicReason(count: number, kind: string, topic: LocalizedText, days: number): LocalizedText {
  const [one, many] = KIND_EN[kind] ?? OTHER_EN;
  const [measure, noun] = KIND_ZH[kind] ?? OTHER_ZH;
  return {
    en: `${count} ${count === 1 ? one : many} about ${topic.en} in the last ${days} days`,
    zh: `近 ${days} 天 ${count} ${measure}${noun}，主题：${topic.zh}`,
  };
}

/** "Customer sentiment worsened over the last 90 days (now −0.40)" */
export function sentimentTrendReason(trend: 'improving' | 'worsening', mean30: number): LocalizedText {
  const value = `${mean30 < 0 ? '−' : '+'}${Math.abs(mean30).toFixed(2)}`;
  return trend === 'worsening'
    ? { en: `Customer sentiment worsened over the last 90 days (last 30 days: ${value})`, zh: `近 90 天客户情绪转差（近 30 天：${value}）` }
    : {
        en: `Customer sentiment improved over the last 90 days (last 30 days: ${value})`,
        zh: `近 90 天客户情绪好转（近 30 天：${value}）`,
      };
}

/** "2 of 3 tickets in the last 90 days were negative" */
export function negativeTicketShareReason(negative: number, total: number): LocalizedText {
  return { en: `${negative} of ${total} tickets in the last 90 days were negative`, zh: `近 90 天 ${total} 张工单中 ${negative} 张为负面` };
}

export const TREND_LABEL: Record<'improving' | 'worsening' | 'stable' | 'unknown', LocalizedText> = {
  improving: { en: 'improving', zh: '好转' },
  worsening: { en: 'worsening', zh: '转差' },
  stable: { en: 'stable', zh: '平稳' },
  unknown: { en: 'not enough text yet', zh: '文本不足' },
};
