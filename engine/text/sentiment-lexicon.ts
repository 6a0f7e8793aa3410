/**
 * Seed sentiment lexicon for the built-in model, written for this project (no third-party list),
 * so it ships under the project's own licence. Weights: +1/+2 positive, -1/-2 negative.
 * Vocabulary is general customer feedback: product, support, delivery, billing, service.
 */

const EN_POSITIVE_STRONG = `excellent outstanding amazing awesome fantastic wonderful superb brilliant perfect love loved loves lovely
delightful terrific exceptional masterpiece magnificent marvelous marvellous phenomenal stunning best flawless incredible
remarkable extraordinary gorgeous beautiful beautifully thrilled impressive impressed recommend recommended`;
const EN_POSITIVE = `good great nice fine happy glad pleased satisfied satisfying enjoy enjoyed enjoyable fun funny helpful useful
easy smooth fast quick quickly reliable stable friendly kind polite patient responsive efficient effective clean clear
intuitive simple solid strong works worked working fixed resolved solved thanks thank thankful grateful appreciate
appreciated like liked likes charming charm engaging entertaining moving touching heartfelt warm witty clever smart
fresh original inventive compelling powerful gripping affecting rich memorable sweet pleasant pleasure comfortable
convenient affordable worth valuable quality professional knowledgeable accurate fair better improved improvement
success successful win wins winning hope hopeful beauty wonderfully joy joyful fascinating honest sincere genuine
tasty delicious favorite favourite superior wise elegant intelligent lively vivid refreshing satisfy`;
const EN_NEGATIVE_STRONG = `terrible horrible awful worst hate hated hates disgusting useless pathetic dreadful atrocious abysmal
unacceptable disaster disastrous garbage trash rubbish scam fraud furious outraged appalling ridiculous nightmare
unbearable unwatchable painful miserable horrendous`;
const EN_NEGATIVE = `bad poor worse weak slow slowly late delay delayed broken break breaks crash crashes crashed bug bugs buggy error
errors fail fails failed failure problem problems issue issues wrong missing lost confusing confused difficult hard
annoying annoyed frustrating frustrated frustration disappointed disappointing disappointment unhappy sad angry upset
rude unhelpful unresponsive expensive overpriced costly cancel cancelled canceled cancellation refund complaint complain
complained boring bored dull tedious bland flat mediocre mess messy clumsy stupid silly dumb lame predictable tired
tiresome forgettable pointless unfunny shallow empty lacking lacks lack fails mistake mistakes unstable unreliable
outage down downtime leak charged overcharged dirty cold stale noisy ugly waste wasted worthless inferior flawed
incoherent pretentious awkward cliché cliche clichés clichéd derivative contrived hollow sloppy excruciating
ugh never-ending bloated laughable`;

export const EN_NEGATORS = new Set(['not', "n't", 'no', 'never', 'nothing', 'none', 'nobody', 'neither', 'nor', 'hardly', 'barely', 'without', 'cannot', "can't", "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "won't", "wouldn't", "couldn't", "shouldn't"]);
export const EN_INTENSIFIERS = new Set(['very', 'really', 'so', 'extremely', 'too', 'incredibly', 'totally', 'absolutely', 'completely', 'utterly', 'highly', 'super', 'truly', 'most']);
export const EN_CONTRAST = new Set(['but', 'however', 'yet', 'although', 'though']);

const ZH_POSITIVE_STRONG = `非常好 很棒 超棒 太棒 完美 优秀 出色 精彩 惊艳 满意 非常满意 超级好 赞 点赞 好评 五星 推荐 强烈推荐 喜欢 爱 最爱 超赞
一流 极好 美味 好吃 给力 靠谱 惊喜`;
const ZH_POSITIVE = `好 不错 挺好 还行 可以 棒 快 很快 及时 准时 快速 迅速 方便 便宜 实惠 划算 干净 新鲜 热乎 热 香 鲜 嫩 入味 好喝
满足 开心 高兴 愉快 舒服 舒适 贴心 热情 耐心 专业 礼貌 周到 细心 用心 认真 负责 友好 稳定 流畅 简单 清楚 清晰 好用
实用 有用 有效 高效 解决 已解决 感谢 谢谢 辛苦 分量足 量大 量足 足 丰富 精致 漂亮 美观 值 值得 物超所值 性价比高 满分
信赖 放心 顺利 成功 改进 提升 进步 支持 正宗 地道 可口 爽 大份 实在`;
const ZH_NEGATIVE_STRONG = `太差 很差 极差 差劲 垃圾 恶心 难吃 难用 失望 非常失望 太失望 愤怒 气愤 投诉 骗子 欺骗 坑 坑人 黑心 最差 糟糕
烂 差评 一星 再也不 无语 崩溃 恶劣`;
const ZH_NEGATIVE = `差 慢 很慢 太慢 晚 迟 迟到 延迟 超时 等了 久 等太久 冷 凉 凉了 冷了 少 少了 漏 漏送 送错 错 错误 洒 撒 漏了 贵 太贵
咸 太咸 淡 太淡 油 太油 腻 硬 辣 不新鲜 变质 臭 脏 异物 头发 虫 退款 退货 退 取消 问题 故障 bug 崩 卡 卡顿 闪退 报错 失败
麻烦 复杂 困难 难 不好 一般 还不如 不如 后悔 生气 郁闷 不满 不爽 抱怨 态度差 敷衍 推诿 不理 没人 没人管 不回复 拖 拖延
丢 丢失 损坏 坏 坏了 破 破损 漏水 不能用 用不了 打不开 登不上 收费 扣费 乱收费 多扣 浪费 不值 不行 不准 不稳定 没法
等待 催 催单 半天 慢死`;

export const ZH_NEGATORS = ['没有', '不是', '并不', '从不', '不', '没', '无', '别', '未', '非'];
export const ZH_INTENSIFIERS = ['非常', '特别', '超级', '十分', '极其', '真的', '真', '很', '太', '超', '好', '巨', '挺', '最'];
export const ZH_CONTRAST = ['但是', '可是', '不过', '然而', '但', '却'];

function entries(words: string, weight: number): [string, number][] {
  return words
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => [w, weight]);
}

export const EN_LEXICON: ReadonlyMap<string, number> = new Map([
  ...entries(EN_POSITIVE, 1),
  ...entries(EN_POSITIVE_STRONG, 2),
  ...entries(EN_NEGATIVE, -1),
  ...entries(EN_NEGATIVE_STRONG, -2),
]);

export const ZH_LEXICON: ReadonlyMap<string, number> = new Map([
  ...entries(ZH_POSITIVE, 1),
  ...entries(ZH_POSITIVE_STRONG, 2),
  ...entries(ZH_NEGATIVE, -1),
  ...entries(ZH_NEGATIVE_STRONG, -2),
]);

/** Longest Chinese lexicon entry, for greedy longest-match segmentation. */
export const ZH_MAX_WORD = Math.max(...[...ZH_LEXICON.keys(), ...ZH_NEGATORS, ...ZH_INTENSIFIERS, ...ZH_CONTRAST].map((w) => w.length));
