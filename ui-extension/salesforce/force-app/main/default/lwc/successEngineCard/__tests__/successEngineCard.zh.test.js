import { createElement } from 'lwc';
import SuccessEngineCard from 'c/successEngineCard';
import { getRecord } from 'lightning/uiRecordApi';
import getCard from '@salesforce/apex/SuccessEngineCardController.getCard';
import { CARD, NOT_SCORED, RECORD, WITH_VOICE } from './cardFixtures';

jest.mock('@salesforce/i18n/lang', () => ({ default: 'zh-CN' }), { virtual: true });
jest.mock('@salesforce/apex/SuccessEngineCardController.getCard', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SuccessEngineCardController.sendFeedback', () => ({ default: jest.fn() }), { virtual: true });

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const $ = (el, selector) => el.shadowRoot.querySelector(selector);
const $$ = (el, selector) => [...el.shadowRoot.querySelectorAll(selector)];

function mount() {
  const element = createElement('c-success-engine-card', { is: SuccessEngineCard });
  element.recordId = RECORD.id;
  element.objectApiName = 'Account';
  document.body.appendChild(element);
  return element;
}

describe('c-success-engine-card in Chinese (user language zh-CN)', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  });

  it('shows the card words, band, trend, drivers and actions in Chinese', async () => {
    getCard.mockResolvedValue(JSON.stringify(CARD));
    const el = mount();
    await flush();
    expect(el.shadowRoot.querySelector('lightning-card').title).toBe('客户成功引擎');
    expect($(el, '.se-band').textContent).toBe('高');
    expect($(el, '.se-trend').textContent).toBe('较上次评分上升 32 个百分点');
    expect($(el, '.se-segment').textContent).toBe('客户分群：高价值，高风险');
    expect($$(el, '.se-driver').map((n) => n.textContent)).toEqual(['▲ 支持工单（90 天）：9', '▼ 登录次数（30 天）：40']);
    expect($$(el, '.se-done').map((b) => b.label)).toEqual(['已完成', '已完成']);
    expect($$(el, '.se-dismiss').map((b) => b.label)).toEqual(['忽略', '忽略']);
    expect($(el, '.se-interval').textContent).toContain('80% 区间');
    expect($(el, '.se-interval').textContent).toContain('若留存');
    expect($(el, '.se-missing').textContent).toBe('该客户缺少的数据：净推荐值');
  });

  it('shows what customers say in Chinese', async () => {
    getCard.mockResolvedValue(JSON.stringify(WITH_VOICE));
    const el = mount();
    await flush();
    expect($(el, '.se-voice-heading').textContent).toBe('客户之声');
    expect($(el, '.se-voice-trend').textContent).toBe('情绪：近 90 天转差');
    expect($$(el, '.se-voice-reason').map((n) => n.textContent)).toEqual([
      '近 30 天 3 张负面工单，主题：账单',
      '近 90 天客户情绪转差（近 30 天：−0.40）',
    ]);
    expect($(el, '.se-voice-topics').textContent).toBe('主要话题：账单：提及 3 次，负面 3 次 · 支持响应速度：提及 1 次，负面 0 次');
    expect($(el, '.se-voice-example-label').textContent).toBe('示例（已隐去个人信息） · 工单');
    expect($(el, '.se-voice-example-text').textContent).toBe('又被重复扣费了，请让[name]打电话到[phone]。');
  });

  it('reads the Chinese drivers field and band word from the record when the API is down', async () => {
    getCard.mockRejectedValue(new Error('down'));
    const el = mount();
    getRecord.emit(RECORD);
    await flush();
    expect($(el, '.se-band').textContent).toBe('中');
    expect($$(el, '.se-driver').map((n) => n.textContent)).toEqual(['20 天后续约', 'NPS 3']);
  });

  it('shows the Chinese empty state', async () => {
    getCard.mockResolvedValue(JSON.stringify(NOT_SCORED));
    const el = mount();
    await flush();
    expect($(el, '.se-empty').textContent).toBe('尚未评分：首次同步并评分后将显示分数。');
  });
});
