import { createElement } from 'lwc';
import SuccessEngineCard from 'c/successEngineCard';
import { getRecord } from 'lightning/uiRecordApi';
import getCard from '@salesforce/apex/SuccessEngineCardController.getCard';
import sendFeedback from '@salesforce/apex/SuccessEngineCardController.sendFeedback';
import { CARD, NOT_SCORED, RECORD, WITH_VOICE } from './cardFixtures';

jest.mock('@salesforce/apex/SuccessEngineCardController.getCard', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SuccessEngineCardController.sendFeedback', () => ({ default: jest.fn() }), { virtual: true });

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function mount(objectApiName = 'Account') {
  const element = createElement('c-success-engine-card', { is: SuccessEngineCard });
  element.recordId = RECORD.id;
  element.objectApiName = objectApiName;
  document.body.appendChild(element);
  return element;
}
const $ = (el, selector) => el.shadowRoot.querySelector(selector);
const $$ = (el, selector) => [...el.shadowRoot.querySelectorAll(selector)];

describe('c-success-engine-card', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('renders the written-back fields from the record wire while the API is unavailable', async () => {
    getCard.mockRejectedValue(new Error('callout failed'));
    const el = mount();
    getRecord.emit(RECORD);
    await flush();
    expect($(el, '.se-percent').textContent).toBe('41%');
    expect($(el, '.se-band').textContent).toBe('Medium');
    expect($(el, '.se-segment').textContent).toBe('Segment: mid value, moderate risk');
    expect($(el, '.se-clv').textContent).toBe('$4,000');
    expect($(el, '.se-interval').textContent).toBe('80% interval: $2,500 – $6,000');
    expect($$(el, '.se-driver').map((n) => n.textContent)).toEqual(['Renewal in 20 days', 'NPS 3']);
    expect($(el, '.se-action-title').textContent).toBe('Business review');
    expect($(el, '.se-done')).toBeNull();
    expect($(el, '.se-details-failed')).not.toBeNull();
    expect($(el, '.se-models').textContent).toBe('Scoring run run-6');
  });

  it('asks for the record fields named by the field map, per object', async () => {
    getCard.mockResolvedValue(JSON.stringify(CARD));
    mount('Opportunity');
    await flush();
    const config = getRecord.getLastConfig();
    expect(config.recordId).toBe(RECORD.id);
    expect(config.optionalFields).toContain('Opportunity.SE_Churn_Probability__c');
    expect(config.optionalFields).not.toContain('Opportunity.SE_Top_Drivers_EN__c');
    expect(getCard).toHaveBeenCalledWith({ objectType: 'Opportunity', recordId: RECORD.id });
  });

  it('renders the API card: band, trend, interval, drivers, actions, freshness and models', async () => {
    getCard.mockResolvedValue(JSON.stringify(CARD));
    const el = mount();
    getRecord.emit(RECORD);
    await flush();
    expect($(el, '.se-percent').textContent).toBe('72%');
    expect($(el, '.se-band').textContent).toBe('High');
    expect($(el, '.se-trend').textContent).toBe('Up 32 points since the last score');
    expect($(el, '.se-segment').textContent).toBe('Segment: high value, high risk');
    expect($(el, '.se-clv').textContent).toBe('$9,000');
    expect($(el, '.se-interval').textContent).toBe(
      'Worth 9,000 USD over 12 months if retained; at today’s risk expect 5,000 USD: it may really pay 3,000 USD – 8,000 USD (80% range).',
    );
    expect($(el, '.se-missing').textContent).toBe('Not known for this account: NPS');
    expect($$(el, '.se-driver').map((n) => n.textContent)).toEqual(['▲ Support tickets (90 days): 9', '▼ Logins (30 days): 40']);
    expect($$(el, '.se-action-title').map((n) => n.textContent)).toEqual(['1. Executive sponsor call', '2. Training session']);
    expect($$(el, '.se-done').map((b) => b.label)).toEqual(['Done', 'Done']);
    expect($(el, '.se-freshness').textContent).toBe('Scored 12 h ago');
    expect($(el, '.se-models').textContent).toBe('Model: Churn risk churn-gbdt 3 · Lifetime value sbg 1 · Scoring run run-7');
  });

  it('shows what customers say: trend, text reasons, topics with counts and the masked example', async () => {
    getCard.mockResolvedValue(JSON.stringify(WITH_VOICE));
    const el = mount();
    await flush();
    expect($(el, '.se-voice-heading').textContent).toBe('What customers say');
    expect($(el, '.se-voice-trend').textContent).toBe('Sentiment: Worsening over the last 90 days');
    expect($$(el, '.se-voice-reason').map((n) => n.textContent)).toEqual([
      '3 negative tickets about billing in the last 30 days',
      'Customer sentiment worsened over the last 90 days (last 30 days: −0.40)',
    ]);
    expect($(el, '.se-voice-topics').textContent).toBe(
      'Top topics: billing: 3 mentions, 3 negative · support speed: 1 mention, 0 negative',
    );
    expect($(el, '.se-voice-example-label').textContent).toBe('Example (personal data masked) · Ticket');
    expect($(el, '.se-voice-example-text').textContent).toBe('又被重复扣费了，请让[name]打电话到[phone]。');
  });

  it('has no customer-voice section before any text was read, nor from the written-back fields alone', async () => {
    getCard.mockResolvedValue(JSON.stringify(CARD));
    const el = mount();
    await flush();
    expect($(el, '.se-percent').textContent).toBe('72%');
    expect($(el, '.se-voice')).toBeNull();
    getCard.mockRejectedValue(new Error('down'));
    document.body.removeChild(el);
    const fallback = mount();
    getRecord.emit(RECORD);
    await flush();
    expect($(fallback, '.se-percent').textContent).toBe('41%');
    expect($(fallback, '.se-voice')).toBeNull();
  });

  it('sends done and dismiss through Apex and shows the card it answers', async () => {
    getCard.mockResolvedValue(JSON.stringify(CARD));
    sendFeedback
      .mockResolvedValueOnce(JSON.stringify({ ...CARD, actions: CARD.actions.slice(1) }))
      .mockResolvedValueOnce(JSON.stringify({ ...CARD, actions: [] }));
    const el = mount();
    await flush();
    $(el, '.se-done[data-action-id="exec-call"]').click();
    await flush();
    expect(sendFeedback).toHaveBeenCalledWith({ objectType: 'Account', recordId: RECORD.id, actionId: 'exec-call', outcome: 'done' });
    expect($$(el, '.se-action-title').map((n) => n.textContent)).toEqual(['2. Training session']);
    $(el, '.se-dismiss[data-action-id="training"]').click();
    await flush();
    expect(sendFeedback).toHaveBeenLastCalledWith({
      objectType: 'Account',
      recordId: RECORD.id,
      actionId: 'training',
      outcome: 'dismissed',
    });
    expect($(el, '.se-no-actions').textContent).toBe('No action recommended right now.');
  });

  it('keeps the actions and says so when feedback fails', async () => {
    getCard.mockResolvedValue(JSON.stringify(CARD));
    sendFeedback.mockRejectedValue(new Error('403'));
    const el = mount();
    await flush();
    $(el, '.se-done[data-action-id="exec-call"]').click();
    await flush();
    expect($(el, '.se-feedback-failed')).not.toBeNull();
    expect($$(el, '.se-action').length).toBe(2);
  });

  it('shows the empty state when the record is not scored', async () => {
    getCard.mockResolvedValue(JSON.stringify(NOT_SCORED));
    const el = mount();
    getRecord.emit({ apiName: 'Account', id: RECORD.id, fields: {} });
    await flush();
    expect($(el, '.se-empty').textContent).toBe('Not scored yet: scores appear after the first sync and scoring run.');
    expect($(el, '.se-percent')).toBeNull();
  });
  it('renders markup from CRM text as text: no element, handler or script comes from a driver, action, topic or ticket quote', async () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    const hostile = {
      ...WITH_VOICE,
      churn: { ...WITH_VOICE.churn, drivers: [{ text: { en: `Ticket: ${payload}`, zh: payload }, direction: 'raises', points: 9 }] },
      actions: [
        { actionId: 'a"><svg onload=alert(1)>', rank: 1, title: { en: payload, zh: payload }, reasons: [{ en: payload, zh: payload }] },
      ],
      voice: {
        ...WITH_VOICE.voice,
        example: { text: payload, kindLabel: { en: 'Ticket', zh: '工单' } },
        reasons: [{ en: payload, zh: payload }],
      },
    };
    getCard.mockResolvedValue(JSON.stringify(hostile));
    const el = mount();
    getRecord.emit(RECORD);
    await flush();
    expect($(el, '.se-driver').textContent).toBe(`▲ Ticket: ${payload}`);
    expect($(el, '.se-action-title').textContent).toBe(`1. ${payload}`);
    expect($(el, '.se-voice-example-text').textContent).toBe(payload);
    expect($$(el, 'img, script, svg, iframe')).toEqual([]);
    expect($$(el, '*').filter((n) => [...n.attributes].some((a) => a.name.startsWith('on')))).toEqual([]);
    expect(window.__xss).toBeUndefined();
  });
});
