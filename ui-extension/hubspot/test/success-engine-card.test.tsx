import {
  Button,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  LineChart,
  List,
  StatisticsItem,
  StatisticsTrend,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer, RenderedNodeType, type RenderedChildNode, type RenderedRootNode } from '@hubspot/ui-extensions/testing';

type RenderedNode = RenderedRootNode | RenderedChildNode;
import { buildCardView, CARD_LABELS, type CardView } from '../../shared/card.view-model';
import type { AccountId, CanonicalAccount, ScoreSet, TenantId } from '../../../core';
import { SuccessEngineCard, type CardFetcher } from '../src/app/cards/SuccessEngineCard';

const T = 'tenant-1' as TenantId;
const account = {
  id: 'hubspot:101' as AccountId,
  tenantId: T,
  name: 'Acme',
  status: 'active',
  attributes: {},
  dataHash: '0'.repeat(64),
  source: { provider: 'hubspot', externalId: '101', modstamp: '2026-01-01T00:00:00Z' },
} as unknown as CanonicalAccount;

function score(probability: number, computedAt: string): ScoreSet {
  return {
    tenantId: T,
    accountId: account.id,
    computedAt,
    modelVersion: 'run-7',
    churn: {
      probability,
      band: 'high',
      model: { name: 'churn-gbdt', version: '3', kind: 'learned' },
      drivers: [
        {
          feature: 'tickets',
          contribution: 12,
          direction: 'raises',
          text: { en: 'Support tickets (90 days): 9', zh: '支持工单（90 天）：9' },
        },
        { feature: 'logins', contribution: -4, direction: 'lowers', text: { en: 'Logins (30 days): 40', zh: '登录次数（30 天）：40' } },
      ],
    },
    clv: {
      point: 5000,
      p10: 3000,
      p50: 5000,
      p90: 8000,
      ifRetained: 9000,
      currency: 'USD',
      horizonMonths: 12,
      method: 'contractual',
      model: { name: 'sbg', version: '1', kind: 'sbg' },
    },
    nextBestActions: [
      {
        actionId: 'exec-call',
        rank: 1,
        score: 1,
        title: { en: 'Executive sponsor call', zh: '高管发起人电话' },
        reasons: [{ en: 'Risk rose 32 points', zh: '风险上升 32 个百分点' }],
      },
      {
        actionId: 'training',
        rank: 2,
        score: 0.5,
        title: { en: 'Training session', zh: '培训课程' },
        reasons: [{ en: 'Low usage', zh: '使用率低' }],
      },
    ],
  };
}

/** What the text pipeline stores for an account whose tickets turned negative (phrased as engine/text/text-reasons.ts does). */
const voice: NonNullable<ScoreSet['voice']> = {
  sentiment30: -0.4,
  sentiment90: -0.1,
  trend: 'worsening',
  texts90: 7,
  negativeTicketShare90: 0.6,
  topTopics: [
    { id: 'billing', label: { en: 'billing', zh: '账单' }, count: 3, negative: 3 },
    { id: 'support-speed', label: { en: 'support speed', zh: '支持响应速度' }, count: 1, negative: 0 },
  ],
  example: { text: 'We were charged twice again, please call [name] at [phone].', kind: 'ticket', at: '2026-10-30T09:00:00Z' },
  reasons: [
    { en: '3 negative tickets about billing in the last 30 days', zh: '近 30 天 3 张负面工单，主题：账单' },
    { en: 'Customer sentiment worsened over the last 90 days (last 30 days: −0.40)', zh: '近 90 天客户情绪转差（近 30 天：−0.40）' },
  ],
};

const NOW = new Date('2026-11-02T00:00:00Z');
const segment = { id: 'seg-high-value-high-risk', name: { en: 'high value, high risk', zh: '高价值，高风险' } };
const scored: CardView = buildCardView({
  account,
  history: [{ ...score(0.72, '2026-11-01T12:00:00Z'), segment }, score(0.4, '2026-10-25T00:00:00Z')],
  now: NOW,
});
const withVoice: CardView = buildCardView({
  account,
  history: [{ ...score(0.72, '2026-11-01T12:00:00Z'), voice }, score(0.4, '2026-10-25T00:00:00Z')],
  now: NOW,
});
const notScored: CardView = buildCardView({ account, history: [], now: NOW });

/** A stand-in for hubspot.fetch that answers from a queue of cards. */
function fakeFetch(...cards: (CardView | number)[]): jest.MockedFunction<CardFetcher> {
  return jest.fn<ReturnType<CardFetcher>, Parameters<CardFetcher>>(() => {
    const next = cards.length > 1 ? cards.shift() : cards[0];
    return Promise.resolve(
      typeof next === 'number'
        ? { ok: false, status: next, json: () => Promise.resolve({}) }
        : { ok: true, status: 200, json: () => Promise.resolve(next) },
    );
  });
}

function setup(fetcher: CardFetcher, locale?: string, objectTypeId = '0-2') {
  const renderer = createRenderer('crm.record.tab');
  const context = { user: locale === undefined ? {} : { locale }, crm: { objectId: 101, objectTypeId } };
  renderer.render(<SuccessEngineCard context={context} fetcher={fetcher} apiBaseUrl="https://api.test" />);
  return renderer;
}

describe('HubSpot app card', () => {
  it('asks our API for the record through hubspot.fetch and renders band, trend, CLV interval, drivers, actions, freshness and models', async () => {
    const fetcher = fakeFetch(scored);
    const r = setup(fetcher, 'en-us');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'se-band')).not.toBeNull());
    expect(fetcher).toHaveBeenCalledWith(
      'https://api.test/crm/hubspot/card?objectType=0-2&objectId=101',
      expect.objectContaining({ method: 'GET' }),
    );
    expect(r.findByTestId(StatisticsItem, 'se-churn').props).toMatchObject({ label: 'Churn risk', number: '72%' });
    expect(r.find(StatisticsTrend).props).toMatchObject({ direction: 'increase', value: '32' });
    expect(r.findByTestId(Tag, 'se-band').text).toBe('High');
    expect(r.findByTestId(Text, 'se-trend').text).toBe('Up 32 points since the last score');
    expect(r.findByTestId(Text, 'se-segment').text).toBe('Segment: high value, high risk');
    expect(r.findByTestId(LineChart, 'se-trend-chart').props.data).toEqual([
      { computedAt: '2026-10-25T00:00:00Z', percent: 40 },
      { computedAt: '2026-11-01T12:00:00Z', percent: 72 },
    ]);
    expect(r.findByTestId(StatisticsItem, 'se-clv').props.number).toBe('$9,000');
    expect(r.findByTestId(Text, 'se-interval').text).toBe(
      'Worth 9,000 USD over 12 months if retained; at today’s risk expect 5,000 USD: it may really pay 3,000 USD – 8,000 USD (80% range).',
    );
    expect(
      r
        .findByTestId(List, 'se-drivers')
        .findAll(Text)
        .map((n) => n.text),
    ).toEqual(['▲ Support tickets (90 days): 9', '▼ Logins (30 days): 40']);
    expect(r.findAll(Button).map((b) => b.text)).toEqual(['Done', 'Dismiss', 'Done', 'Dismiss']);
    expect(r.findByTestId(Text, 'se-freshness').text).toBe('Scored 12 h ago');
    expect(r.findByTestId(Text, 'se-models').text).toBe('Model: Churn risk churn-gbdt 3 · Lifetime value sbg 1 · Scoring run run-7');
  });

  it('speaks Chinese when the HubSpot user locale is zh', async () => {
    const r = setup(fakeFetch(scored), 'zh-cn');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'se-band')).not.toBeNull());
    expect(r.findByTestId(StatisticsItem, 'se-churn').props.label).toBe(CARD_LABELS.churn.zh);
    expect(r.findByTestId(Tag, 'se-band').text).toBe('高');
    expect(r.findByTestId(Text, 'se-trend').text).toBe('较上次评分上升 32 个百分点');
    expect(r.findByTestId(Text, 'se-segment').text).toBe('客户分群：高价值，高风险');
    expect(
      r
        .findByTestId(List, 'se-drivers')
        .findAll(Text)
        .map((n) => n.text),
    ).toEqual(['▲ 支持工单（90 天）：9', '▼ 登录次数（30 天）：40']);
    expect(
      r
        .findAll(Button)
        .map((b) => b.text)
        .slice(0, 2),
    ).toEqual(['已完成', '忽略']);
    expect(r.findByTestId(Text, 'se-freshness').text).toBe('评分于12 小时前');
  });

  it('shows what customers say: heading, sentiment trend, text reasons, topics with counts and the masked example', async () => {
    const r = setup(fakeFetch(withVoice), 'en-us');
    await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'se-voice')).not.toBeNull());
    const section = r.findByTestId(Flex, 'se-voice');
    expect(section.find(Heading).text).toBe('What customers say');
    expect(section.find(Text, { testId: 'se-voice-trend' }).text).toBe('Sentiment: Worsening over the last 90 days');
    expect(
      section
        .find(List, { testId: 'se-voice-reasons' })
        .findAll(Text)
        .map((n) => n.text),
    ).toEqual([
      '3 negative tickets about billing in the last 30 days',
      'Customer sentiment worsened over the last 90 days (last 30 days: −0.40)',
    ]);
    expect(section.find(Text, { testId: 'se-voice-topics' }).text).toBe(
      'Top topics: billing: 3 mentions, 3 negative · support speed: 1 mention, 0 negative',
    );
    expect(
      section
        .find(Flex, { testId: 'se-voice-example' })
        .findAll(Text)
        .map((n) => n.text),
    ).toEqual(['Example (personal data masked) · Ticket', 'We were charged twice again, please call [name] at [phone].']);
  });

  it('shows what customers say in Chinese for a zh user', async () => {
    const r = setup(fakeFetch(withVoice), 'zh-cn');
    await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'se-voice')).not.toBeNull());
    const section = r.findByTestId(Flex, 'se-voice');
    expect(section.find(Heading).text).toBe('客户之声');
    expect(section.find(Text, { testId: 'se-voice-trend' }).text).toBe('情绪：近 90 天转差');
    expect(
      section
        .find(List, { testId: 'se-voice-reasons' })
        .findAll(Text)
        .map((n) => n.text),
    ).toEqual(['近 30 天 3 张负面工单，主题：账单', '近 90 天客户情绪转差（近 30 天：−0.40）']);
    expect(section.find(Text, { testId: 'se-voice-topics' }).text).toBe(
      '主要话题：账单：提及 3 次，负面 3 次 · 支持响应速度：提及 1 次，负面 0 次',
    );
    expect(
      section
        .find(Flex, { testId: 'se-voice-example' })
        .findAll(Text)
        .map((n) => n.text)[0],
    ).toBe('示例（已隐去个人信息） · 工单');
  });

  it('has no customer-voice section before any text was read', async () => {
    const r = setup(fakeFetch(scored), 'en');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'se-band')).not.toBeNull());
    expect(scored.voice).toBeNull();
    expect(r.maybeFindByTestId(Flex, 'se-voice')).toBeNull();
    expect(r.findAll(Heading).map((h) => h.text)).toEqual(['Why', 'Next best actions']);
  });

  it('posts done and dismiss to our API and shows the card it answers', async () => {
    const afterDone = { ...scored, actions: scored.actions.filter((a) => a.actionId !== 'exec-call') };
    const fetcher = fakeFetch(scored, afterDone, { ...afterDone, actions: [] });
    const r = setup(fetcher, 'en', '0-3');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'se-done-exec-call')).not.toBeNull());
    r.findByTestId(Button, 'se-done-exec-call').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'se-done-exec-call')).toBeNull());
    expect(fetcher).toHaveBeenNthCalledWith(
      2,
      'https://api.test/crm/hubspot/card/feedback?objectType=0-3&objectId=101',
      expect.objectContaining({ method: 'POST', body: { actionId: 'exec-call', outcome: 'done' } }),
    );
    r.findByTestId(Button, 'se-dismiss-training').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'se-no-actions')).not.toBeNull());
    expect(fetcher.mock.calls[2]?.[1]).toMatchObject({ method: 'POST', body: { actionId: 'training', outcome: 'dismissed' } });
    expect(r.findByTestId(Text, 'se-no-actions').text).toBe(CARD_LABELS.noActions.en);
  });

  it('keeps the card and says so when feedback fails', async () => {
    const r = setup(fakeFetch(scored, 503), 'en');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'se-done-exec-call')).not.toBeNull());
    r.findByTestId(Button, 'se-dismiss-exec-call').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'se-feedback-failed')).not.toBeNull());
    expect(r.maybeFindByTestId(Button, 'se-done-exec-call')).not.toBeNull();
  });

  it('shows the empty state, in the user language, when the record is not scored yet', async () => {
    const r = setup(fakeFetch(notScored), 'zh-tw');
    await r.waitFor(() => expect(r.maybeFindByTestId(EmptyState, 'se-empty')).not.toBeNull());
    expect(r.findByTestId(EmptyState, 'se-empty').find(Text).text).toBe(CARD_LABELS.notScored.zh);
    expect(r.maybeFind(Button)).toBeNull();
  });

  it('shows an error state when our API refuses (e.g. 403 for a record the user cannot see)', async () => {
    const r = setup(fakeFetch(403));
    await r.waitFor(() => expect(r.maybeFindByTestId(ErrorState, 'se-error')).not.toBeNull());
    expect(r.findByTestId(ErrorState, 'se-error').find(Text).text).toContain('Could not load');
  });
  it('passes markup from CRM text only as text: no link, HTML prop or element comes from a name, driver, action or ticket quote', async () => {
    const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const hostileAccount = { ...account, name: payload } as CanonicalAccount;
    const hostileScore = score(0.72, '2026-11-01T12:00:00Z');
    hostileScore.churn.drivers = [{ feature: 'tickets', contribution: 12, direction: 'raises', text: { en: payload, zh: payload } }];
    hostileScore.nextBestActions = [
      { actionId: 'javascript:alert(1)', rank: 1, score: 1, title: { en: payload, zh: payload }, reasons: [] },
    ];
    const hostileVoice = { ...voice, example: { ...voice.example, text: payload } } as NonNullable<ScoreSet['voice']>;
    const view = buildCardView({ account: hostileAccount, history: [{ ...hostileScore, voice: hostileVoice }], now: NOW });
    const r = setup(fakeFetch(view), 'en-us');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'se-band')).not.toBeNull());

    const texts: string[] = [];
    const props: [string, string, unknown][] = [];
    const walk = (node: RenderedNode): void => {
      if (node.nodeType === RenderedNodeType.Text) texts.push(node.text);
      if (node.nodeType === RenderedNodeType.Element)
        for (const [key, value] of Object.entries(node.props)) props.push([node.name, key, value]);
      if ('childNodes' in node) node.childNodes.forEach(walk);
    };
    walk(r.getRootNode());
    // The payload arrives as text, once per place it was put, and never as a prop HubSpot could treat as markup or a URL.
    expect(texts.filter((t) => t.includes(payload)).length).toBeGreaterThanOrEqual(3);
    expect(props.filter(([, key]) => /html|href|url|src/i.test(key))).toEqual([]);
    // testId is ours, for these tests (HubSpot never renders it).
    expect(
      props.filter(([, key, value]) => key !== 'testId' && typeof value === 'string' && /javascript:|<script|onerror=/i.test(value)),
    ).toEqual([]);
  });
});
