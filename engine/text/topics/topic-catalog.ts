import type { LocalizedText } from '../../../core';

/** A topic a CS manager recognises, with the words and phrases (EN + ZH) that signal it. */
export interface TopicDefinition {
  id: string;
  label: LocalizedText;
  /** Lower-case English words/phrases (matched on word boundaries, a trailing `*` matches any ending) and Chinese phrases (matched as substrings). */
  keywords: readonly string[];
}

/**
 * The default topics. Keyword lists, not a learned head: they are what a tenant can read and edit
 * in its settings, and their accuracy is measured on engine/text/topics/topic-sample.tsv
 * (docs/text-models.md).
 */
export const DEFAULT_TOPICS: readonly TopicDefinition[] = [
  {
    id: 'billing',
    label: { en: 'billing', zh: '账单' },
    keywords: ['invoice*', 'billing', 'billed', 'charge*', 'overcharg*', 'refund*', 'payment*', 'credit card', 'receipt*', 'double charged', 'tax', 'vat', '账单', '发票', '扣费', '扣款', '收费', '退款', '付款', '支付', '多扣', '重复扣', '税', '扣了', '扣钱', '对账单'],
  },
  {
    id: 'onboarding',
    label: { en: 'onboarding', zh: '上手与实施' },
    keywords: ['onboard*', 'setup', 'set up', 'getting started', 'training', 'implementation', 'kickoff', 'kick-off', 'migration', 'migrate', 'import our data', 'walkthrough', 'tutorial*', 'documentation', 'docs', '上手', '入门', '培训', '实施', '部署', '迁移', '导入数据', '初始化', '配置', '教程', '文档', '新手', 'import', 'importing', 'kickoff call', '导入', '启动会', '上线', '开通'],
  },
  {
    id: 'support-speed',
    label: { en: 'support speed', zh: '支持响应速度' },
    keywords: ['no response', 'no reply', 'waiting', 'waited', 'still waiting', 'slow response', 'slow to respond', 'response time', 'days to respond', 'nobody answered', 'no one answered', 'follow up', 'follow-up', 'escalat*', 'ignored', 'sla', 'hold for', 'on hold', '没人回复', '无人回复', '没有回复', '回复慢', '响应慢', '响应太慢', '等了', '一直等', '催了', '没人理', '工单没人', '跟进', '升级处理', 'unanswered', 'nobody has replied', 'no one has replied', 'to respond', 'get back to us', 'call back', '回电话', '没回', '石沉大海', '没人应答', '无人应答', '回复太慢'],
  },
  {
    id: 'product-bugs',
    label: { en: 'product bugs', zh: '产品故障' },
    keywords: ['bug*', 'crash*', 'error*', 'broken', 'outage', 'down', 'not working', "doesn't work", 'does not work', 'fails', 'failed', 'failing', 'glitch*', 'freez*', 'data loss', 'lost data', 'sync issue*', '500', 'timeout*', 'lag*', 'loading', 'slowness', 'sluggish', 'loads slowly', 'page load*', 'no results', 'wrong totals', 'wrong data', '故障', '崩溃', '报错', '错误', '闪退', '宕机', '打不开', '无法登录', '不能用', '用不了', '卡顿', '卡死', '很卡', '丢失', '失败', '异常', 'bug', '加载', '变慢', '加载慢', '运行慢', '搜不出', '出不来', '数字不对', '数据不对'],
  },
  {
    id: 'pricing',
    label: { en: 'pricing', zh: '价格' },
    keywords: ['price*', 'pricing', 'expensive', 'too costly', 'cost*', 'budget*', 'discount*', 'price increase', 'cheaper', 'afford*', 'per seat', 'license fee*', 'quote', '价格', '太贵', '贵了', '涨价', '费用', '成本', '预算', '折扣', '优惠', '便宜', '报价', '性价比', 'spend', 'spending', 'value for money', '负担不起', '定价', '开支', '花费'],
  },
  {
    id: 'competitor',
    label: { en: 'competitor', zh: '竞争对手' },
    keywords: ['competitor*', 'alternative*', 'switch to', 'switching to', 'moving to', 'evaluating other', 'other vendor*', 'other tool*', 'another tool', 'another vendor', 'salesloft', 'gainsight', 'zendesk', 'totango', 'churnzero', 'freshdesk', 'better offer', '竞品', '竞争对手', '别家', '其他厂商', '其他供应商', '换成', '换到', '替代', '对比了', '友商', '其他产品', '别的产品', '别的工具', 'rival*', 'another platform', 'other platform*', 'another provider', 'different provider', 'other supplier*', '另一款', '另一家', '别的平台', '其他平台', '转到'],
  },
  {
    id: 'cancellation-intent',
    label: { en: 'cancellation intent', zh: '流失意向' },
    keywords: ['cancel*', 'terminate*', 'termination', 'not renew*', "won't renew", 'will not renew', 'end our contract', 'end the contract', 'close our account', 'close the account', 'unsubscribe', 'churn*', 'leaving', 'downgrad*', 'stop using', '取消', '解约', '不续约', '不再续', '不续费', '退订', '终止合同', '终止合作', '停止使用', '不用了', '降级', '注销', '流失', 'not to renew', 'ending the contract', 'end the service', 'not be continuing', "won't be continuing", '结束合同', '停止服务', '不会再继续', '不再继续'],
  },
  {
    id: 'feature-request',
    label: { en: 'feature requests', zh: '功能需求' },
    keywords: ['feature request*', 'would be great if', 'would love', 'wish', 'please add', 'missing feature', 'roadmap', 'integration with', 'support for', 'can you add', 'suggestion*', '希望增加', '希望能', '建议', '需求', '能否增加', '能不能加', '新功能', '缺少', '路线图', '集成', 'would really help', 'missing a way', 'is there a way', '就好了', '要是有', '如果能'],
  },
];
