import type { Rng } from './prng';

/**
 * Template text for tickets, activities and notes, in English or Chinese. A topic is chosen from the
 * customer's real service columns (fiber → speed/outage, electronic check → billing, …); slots are
 * filled from small vocabularies. The tone is chosen by the caller (book.generator.ts: a latent,
 * noisy dissatisfaction that correlates with churn); `escalate` adds the sentences unhappy customers
 * write (pricing, competitor, cancellation intent). See docs/sandbox.md.
 */
export type Lang = 'en' | 'zh';
export type Topic = 'outage' | 'speed' | 'billing' | 'streaming' | 'device' | 'security' | 'onboarding' | 'contract' | 'support' | 'praise';
export type Escalation = 'pricing' | 'competitor' | 'cancellation';
export type Tone = 'positive' | 'neutral' | 'negative';

interface Templates {
  subject: readonly string[];
  body: Record<Tone, readonly string[]>;
}

const EN: Record<Topic, Templates> = {
  outage: {
    subject: ['Internet down at {site}', 'Connection drops every {period}', 'Service outage reported by {contact}'],
    body: {
      negative: [
        'Our connection at {site} has dropped {n} times this week. This is hurting our operations and we need a fix.',
        'Third outage this month at {site}; the team cannot work when the line is down.',
      ],
      neutral: [
        '{contact} reports the line at {site} went down {period}. Please check the modem logs.',
        'Short outage at {site}, service came back after a restart.',
      ],
      positive: ['Line at {site} dropped once but your engineer fixed it quickly, thanks.'],
    },
  },
  speed: {
    subject: ['Slow speeds on {service}', 'Bandwidth lower than plan', 'Upload speed question'],
    body: {
      negative: [
        'We pay for {service} but measured speeds are far below the plan every {period}.',
        'Speeds on {service} are unusable for video calls.',
      ],
      neutral: ['Can you confirm the expected speed for {service} at {site}?', 'Speed test shows {n} Mbps; is that within plan?'],
      positive: ['After the upgrade {service} is much faster, the team noticed right away.'],
    },
  },
  billing: {
    subject: ['Question about invoice for {month}', 'Payment by {payment} failed', 'Charge higher than expected'],
    body: {
      negative: [
        'The {month} invoice is {amount} higher than last month and nobody explained why.',
        'Our {payment} payment was rejected again; please fix the billing setup.',
      ],
      neutral: ['Please send a copy of the {month} invoice to {contact}.', 'We would like to change the payment method from {payment}.'],
      positive: ['Thanks for sorting out the {month} invoice so quickly.'],
    },
  },
  streaming: {
    subject: ['Streaming buffering on {service}', 'Streaming package question'],
    body: {
      negative: ['Streaming keeps buffering in the evening; the package is not worth it like this.'],
      neutral: ['Which channels are included in the streaming package?', 'Can we move streaming to another location?'],
      positive: ['The streaming add-on works well for our waiting room screens.'],
    },
  },
  device: {
    subject: ['Router replacement', 'Device protection claim', 'New device setup'],
    body: {
      negative: ['The replacement router failed after {n} days. Second device this quarter.'],
      neutral: ['Please ship a replacement router to {site}.', '{contact} needs help setting up {n} new devices.'],
      positive: ['Device protection covered the broken router, smooth process.'],
    },
  },
  security: {
    subject: ['Security alert on our network', 'Online security settings'],
    body: {
      negative: ['We received a phishing alert and could not reach support for hours.'],
      neutral: ['How do we enable online security for all users at {site}?'],
      positive: ['The online security report was useful for our audit.'],
    },
  },
  onboarding: {
    subject: ['Welcome call', 'Onboarding checklist for {site}'],
    body: {
      negative: ['Installation at {site} was delayed twice, we are still waiting.'],
      neutral: ['Walked {contact} through the onboarding checklist; next step is the {service} install.'],
      positive: ['Onboarding went smoothly, {contact} is happy with the setup.'],
    },
  },
  contract: {
    subject: ['Contract renewal discussion', 'Question about contract terms', 'Quarterly business review'],
    body: {
      negative: ['{contact} says a competitor offered a lower price and asked us to match it.'],
      neutral: [
        'Reviewed the {contract} contract with {contact}; they asked for a proposal for {n} more lines.',
        'Quarterly review with {contact}: usage stable, no open issues.',
      ],
      positive: ['{contact} wants to extend to a longer contract and add {service}.'],
    },
  },
  support: {
    subject: ['Still waiting for an answer', 'Follow-up on case from {month}', 'Support response time'],
    body: {
      negative: [
        'We opened this {n} days ago and nobody answered. Still waiting for a reply.',
        '{contact} called support {n} times this week and was put on hold every time.',
      ],
      neutral: ['{contact} asks for an update on the open case about {service}.', "Following up on last week's request, any news?"],
      positive: ['Support replied within the hour and solved it, great response time.'],
    },
  },
  praise: {
    subject: ['Thank you', 'Great support experience'],
    body: {
      negative: ['Support was fine this time, but it took {n} calls to get here.'],
      neutral: ['{contact} called to confirm everything is working.'],
      positive: ['{contact} thanked the support team for the quick help with {service}.'],
    },
  },
};

const ZH: Record<Topic, Templates> = {
  outage: {
    subject: ['{site}网络中断', '连接每{period}掉线', '{contact}报告服务中断'],
    body: {
      negative: ['{site}的网络本周已经断了{n}次，严重影响业务，请尽快解决。', '本月{site}第三次断网，线路不通团队无法工作。'],
      neutral: ['{contact}反映{site}的线路{period}中断，请检查调制解调器日志。', '{site}短暂断网，重启后恢复。'],
      positive: ['{site}线路断过一次，工程师很快修好了，谢谢。'],
    },
  },
  speed: {
    subject: ['{service}速度慢', '带宽低于套餐', '上传速度咨询'],
    body: {
      negative: ['我们付费使用{service}，但每{period}实测速度远低于套餐标准。', '{service}的速度根本无法进行视频会议。'],
      neutral: ['请确认{site}的{service}应有的速度。', '测速结果为{n} Mbps，是否在套餐范围内？'],
      positive: ['升级后{service}快了很多，团队马上就感觉到了。'],
    },
  },
  billing: {
    subject: ['关于{month}账单的问题', '{payment}付款失败', '费用高于预期'],
    body: {
      negative: ['{month}账单比上月多了{amount}，没有任何解释。', '我们的{payment}付款又被拒绝了，请修正计费设置。'],
      neutral: ['请把{month}的账单副本发给{contact}。', '我们想把付款方式从{payment}改掉。'],
      positive: ['感谢这么快处理好{month}的账单。'],
    },
  },
  streaming: {
    subject: ['{service}流媒体卡顿', '流媒体套餐咨询'],
    body: {
      negative: ['晚上流媒体一直缓冲，这样的套餐不值这个价。'],
      neutral: ['流媒体套餐包含哪些频道？', '流媒体可以转到另一个地点吗？'],
      positive: ['流媒体附加服务在我们的候客区屏幕上效果很好。'],
    },
  },
  device: {
    subject: ['更换路由器', '设备保护理赔', '新设备安装'],
    body: {
      negative: ['更换的路由器{n}天后又坏了，这个季度已经是第二台。'],
      neutral: ['请寄一台替换路由器到{site}。', '{contact}需要帮助安装{n}台新设备。'],
      positive: ['设备保护覆盖了损坏的路由器，流程很顺利。'],
    },
  },
  security: {
    subject: ['网络安全警报', '在线安全设置'],
    body: {
      negative: ['我们收到钓鱼警报，却几个小时都联系不上客服。'],
      neutral: ['如何为{site}的所有用户开启在线安全？'],
      positive: ['在线安全报告对我们的审计很有帮助。'],
    },
  },
  onboarding: {
    subject: ['欢迎电话', '{site}入门清单'],
    body: {
      negative: ['{site}的安装已经推迟两次，我们还在等。'],
      neutral: ['与{contact}过了一遍入门清单，下一步安装{service}。'],
      positive: ['入门很顺利，{contact}对配置很满意。'],
    },
  },
  contract: {
    subject: ['续约讨论', '合同条款咨询', '季度业务回顾'],
    body: {
      negative: ['{contact}说竞争对手报价更低，要求我们跟进。'],
      neutral: ['与{contact}回顾了{contract}合同，对方希望再增加{n}条线路的报价。', '与{contact}的季度回顾：使用稳定，无未决问题。'],
      positive: ['{contact}希望改签更长的合同并增加{service}。'],
    },
  },
  support: {
    subject: ['一直在等回复', '{month}工单跟进', '客服响应速度'],
    body: {
      negative: ['工单提交{n}天了一直没人回复，我们还在等。', '{contact}本周打了{n}次客服电话，每次都让等待。'],
      neutral: ['{contact}询问关于{service}的工单进展。', '跟进一下上周的请求，有进展吗？'],
      positive: ['客服一小时内就回复并解决了，响应很快。'],
    },
  },
  praise: {
    subject: ['感谢', '客服体验很好'],
    body: {
      negative: ['这次客服还行，但打了{n}次电话才解决。'],
      neutral: ['{contact}来电确认一切正常。'],
      positive: ['{contact}感谢客服团队在{service}上的快速帮助。'],
    },
  },
};

// What an unhappy customer adds to a complaint. Only drawn for negative texts.
const ESCALATIONS: Record<Lang, Record<Escalation, readonly string[]>> = {
  en: {
    pricing: [
      'Frankly the price is too high for what we get.',
      'At this price we expected much better; we are reviewing our budget.',
      'Your prices went up again this year.',
    ],
    competitor: [
      'Another provider offered us a better deal and we are comparing.',
      'We are evaluating other vendors.',
      '{contact} has a quote from a competitor on the desk.',
    ],
    cancellation: [
      'If this is not fixed we will cancel.',
      'We are considering not renewing our {contract} contract.',
      'Please tell us how to end our contract.',
    ],
  },
  zh: {
    pricing: ['说实话，这个价格太贵了，不值。', '这么高的费用，我们在重新考虑预算。', '今年又涨价了。'],
    competitor: ['别家给了我们更优惠的报价，正在对比。', '我们在考虑其他供应商。', '{contact}手上已经有竞争对手的报价。'],
    cancellation: ['如果再不解决我们就取消服务。', '我们在考虑不续约{contract}合同。', '请告诉我们怎么解约。'],
  },
};

const SITES = {
  en: ['head office', 'the warehouse', 'the north branch', 'the clinic', 'the downtown store'],
  zh: ['总部', '仓库', '北区分店', '诊所', '市中心门店'],
} as const;
const PERIODS = { en: ['evening', 'morning', 'weekend', 'few hours'], zh: ['晚', '早上', '周末', '几个小时'] } as const;
const MONTHS = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  zh: ['一月', '二月', '三月', '四月', '五月', '六月', '七月', '八月', '九月', '十月', '十一月', '十二月'],
} as const;
const SERVICE_NAMES: Record<string, { en: string; zh: string }> = {
  'Fiber optic': { en: 'fiber internet', zh: '光纤宽带' },
  DSL: { en: 'DSL internet', zh: 'DSL宽带' },
  phone: { en: 'phone lines', zh: '电话线路' },
  streaming: { en: 'streaming TV', zh: '流媒体电视' },
};
const CONTRACTS: Record<string, { en: string; zh: string }> = {
  'Month-to-month': { en: 'month-to-month', zh: '按月' },
  'One year': { en: 'one-year', zh: '一年期' },
  'Two year': { en: 'two-year', zh: '两年期' },
};
const PAYMENTS: Record<string, { en: string; zh: string }> = {
  'Electronic check': { en: 'electronic check', zh: '电子支票' },
  'Mailed check': { en: 'mailed check', zh: '邮寄支票' },
  'Bank transfer (automatic)': { en: 'bank transfer', zh: '银行转账' },
  'Credit card (automatic)': { en: 'credit card', zh: '信用卡' },
};

export interface TextContext {
  lang: Lang;
  contactName: string;
  service: string;
  contract: string;
  payment: string;
  monthIndex: number;
}

export function fill(template: string, ctx: TextContext, rng: Rng): string {
  const l = ctx.lang;
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'site':
        return rng.pick(SITES[l]);
      case 'period':
        return rng.pick(PERIODS[l]);
      case 'month':
        return MONTHS[l][ctx.monthIndex % 12] as string;
      case 'contact':
        return ctx.contactName;
      case 'service':
        return (SERVICE_NAMES[ctx.service] ?? SERVICE_NAMES.phone ?? { en: '', zh: '' })[l];
      case 'contract':
        return (CONTRACTS[ctx.contract] ?? { en: ctx.contract, zh: ctx.contract })[l];
      case 'payment':
        return (PAYMENTS[ctx.payment] ?? { en: ctx.payment, zh: ctx.payment })[l];
      case 'amount':
        return l === 'en' ? `$${rng.int(5, 60)}` : `${rng.int(5, 60)}美元`;
      case 'n':
        return String(rng.int(2, 9));
      default:
        return slot;
    }
  });
}

export function writeText(topic: Topic, tone: Tone, ctx: TextContext, rng: Rng, escalate?: Escalation): { subject: string; body: string } {
  const t = (ctx.lang === 'en' ? EN : ZH)[topic];
  const subject = fill(rng.pick(t.subject), ctx, rng);
  const body = fill(rng.pick(t.body[tone]), ctx, rng);
  if (escalate === undefined) return { subject, body };
  const extra = fill(rng.pick(ESCALATIONS[ctx.lang][escalate]), ctx, rng);
  return { subject, body: ctx.lang === 'en' ? `${body} ${extra}` : `${body}${extra}` };
}
