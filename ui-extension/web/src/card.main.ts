import type { CardView } from '../../shared/card.view-model';
import { sparkline } from './charts';
import { languageSwitch } from './lang-switch';
import { el, render } from './dom';
import { dateTime, initialLang, money, percent, rememberLang, tr, type Lang, type Localized } from './i18n';
import { api, ApiError, takeToken } from './session';

type Labels = Record<
  | 'title'
  | 'segment'
  | 'churn'
  | 'clv'
  | 'interval'
  | 'drivers'
  | 'actions'
  | 'done'
  | 'dismiss'
  | 'model'
  | 'notScored'
  | 'noActions'
  | 'voice'
  | 'voiceTrend'
  | 'voiceTopics'
  | 'voiceExample',
  Localized
>;
interface CardResponse {
  card: CardView;
  labels: Labels;
}

/** Words only the web card uses; the card's own words come from the server (CARD_LABELS). */
const W = {
  trendCaption: { en: 'Churn probability, last scores', zh: '流失概率（近几次评分）' },
  horizon: { en: 'months', zh: '个月' },
  contractual: { en: 'contractual', zh: '合约型' },
  nonContractual: { en: 'non-contractual', zh: '非合约型' },
  raises: { en: 'raises risk', zh: '提高风险' },
  lowers: { en: 'lowers risk', zh: '降低风险' },
  recordedDone: { en: 'Recorded as done.', zh: '已记录为完成。' },
  recordedDismissed: { en: 'Recorded as dismissed.', zh: '已记录为忽略。' },
  owner: { en: 'Owner', zh: '负责人' },
  freshness: { en: 'Data freshness', zh: '数据新鲜度' },
  runVersion: { en: 'Scoring run', zh: '评分运行' },
  noToken: {
    en: 'This card needs an access token: open it from the link your admin shared (it carries the token after #).',
    zh: '此卡片需要访问令牌：请通过管理员分享的链接打开（令牌位于 # 之后）。',
  },
  notFound: { en: 'No such account for this token.', zh: '此令牌下没有该客户。' },
  failed: { en: 'Could not load the card', zh: '无法加载卡片' },
  feedbackFailed: { en: 'Could not record the feedback', zh: '无法记录反馈' },
} satisfies Record<string, Localized>;

const app = document.getElementById('app') as HTMLElement;
const base = document.body.dataset.base ?? '/card';
const accountId = decodeURIComponent(window.location.pathname.split('/accounts/')[1] ?? '');
const token = takeToken();
let lang: Lang = initialLang();
let data: CardResponse | null = null;
const feedback = new Map<string, 'completed' | 'dismissed'>();

rememberLang(lang);
void load();

async function load(): Promise<void> {
  if (!token) return renderMessage(W.noToken);
  try {
    data = await api<CardResponse>(token, `${base}/api/accounts/${encodeURIComponent(accountId)}`);
    draw();
  } catch (error) {
    renderMessage(error instanceof ApiError && error.status === 404 ? W.notFound : W.failed, error);
  }
}

function renderMessage(text: Localized, error?: unknown): void {
  const detail = error instanceof Error ? error.message : null;
  render(
    app,
    el('div', { class: 'card', role: 'alert' }, el('p', {}, tr(text, lang)), detail ? el('p', { class: 'detail' }, detail) : null),
    langSwitch(() => renderMessage(text, error)),
  );
}

function langSwitch(redraw: () => void): HTMLButtonElement {
  return languageSwitch(lang, (next) => {
    lang = next;
    redraw();
  });
}

function draw(): void {
  if (!data) return;
  const { card, labels } = data;
  const L = (k: keyof Labels) => tr(labels[k], lang);
  render(
    app,
    el(
      'article',
      { class: 'card', 'aria-labelledby': 'card-title' },
      el(
        'header',
        { class: 'card-header' },
        el(
          'div',
          {},
          el('p', { class: 'product' }, L('title')),
          el('h1', { id: 'card-title', class: 'account-name' }, card.account.name),
          card.account.ownerName ? el('p', { class: 'owner' }, `${tr(W.owner, lang)}: `, card.account.ownerName) : null,
        ),
        langSwitch(draw),
      ),
      churnSection(card, L),
      clvSection(card, L),
      driversSection(card, L),
      voiceSection(card, L),
      actionsSection(card, L),
      el(
        'footer',
        { class: 'freshness' + (card.freshness.stale ? ' stale' : '') },
        el('span', { class: 'visually-hidden' }, `${tr(W.freshness, lang)}: `),
        tr(card.freshness.label, lang),
        card.freshness.computedAt ? el('span', { class: 'muted' }, ` · ${dateTime(card.freshness.computedAt, lang)}`) : null,
        card.modelVersion ? el('span', { class: 'muted' }, ` · ${tr(W.runVersion, lang)} ${card.modelVersion}`) : null,
      ),
    ),
  );
}

function modelLine(model: { name: string; version: string; kind: string }, L: (k: keyof Labels) => string): HTMLElement {
  return el('p', { class: 'model' }, `${L('model')}: `, el('code', {}, `${model.name}@${model.version}`), ` (${model.kind})`);
}

function churnSection(card: CardView, L: (k: keyof Labels) => string): HTMLElement {
  const churn = card.churn;
  if (!churn)
    return el(
      'section',
      { class: 'section', 'aria-labelledby': 'churn-h' },
      el('h2', { id: 'churn-h' }, L('churn')),
      el('p', {}, L('notScored')),
    );
  const values = churn.trend.points.map((p) => p.probability);
  const trendText = `${tr(W.trendCaption, lang)}: ${values.map((v) => percent(v, lang)).join(' → ')}`;
  return el(
    'section',
    { class: 'section churn', 'aria-labelledby': 'churn-h' },
    el('h2', { id: 'churn-h' }, L('churn')),
    el(
      'div',
      { class: 'headline' },
      el('span', { class: 'big', 'data-testid': 'churn-percent' }, churn.percentText),
      el('span', { class: `band band-${churn.band}` }, tr(churn.bandLabel, lang)),
    ),
    el(
      'div',
      { class: 'trend' },
      sparkline(values, { label: trendText }),
      el('p', { class: `trend-label trend-${churn.trend.direction}` }, tr(churn.trend.label, lang)),
    ),
    card.segment
      ? el(
          'p',
          { class: 'segment', 'data-testid': 'segment' },
          `${L('segment')}${lang === 'zh' ? '：' : ': '}${tr(card.segment.name, lang)}`,
        )
      : null,
    modelLine(churn.model, L),
  );
}

function clvSection(card: CardView, L: (k: keyof Labels) => string): HTMLElement | null {
  const clv = card.clv;
  if (!clv) return null;
  return el(
    'section',
    { class: 'section clv', 'aria-labelledby': 'clv-h' },
    el('h2', { id: 'clv-h' }, L('clv')),
    el('p', { class: 'big', 'data-testid': 'clv-retained' }, money(clv.ifRetained ?? clv.point, clv.currency, lang)),
    el('p', { 'data-testid': 'clv-summary' }, tr(clv.summary, lang)),
    el(
      'p',
      { class: 'muted' },
      `${clv.horizonMonths} ${tr(W.horizon, lang)} · ${tr(clv.method === 'contractual' ? W.contractual : W.nonContractual, lang)}`,
    ),
    modelLine(clv.model, L),
  );
}

function driversSection(card: CardView, L: (k: keyof Labels) => string): HTMLElement | null {
  const drivers = card.churn?.drivers ?? [];
  const missing = card.churn?.missing ?? null;
  if (drivers.length === 0 && !missing) return null;
  return el(
    'section',
    { class: 'section drivers', 'aria-labelledby': 'drivers-h' },
    el('h2', { id: 'drivers-h' }, L('drivers')),
    el(
      'ul',
      {},
      drivers.map((d) =>
        el(
          'li',
          { class: `driver driver-${d.direction}` },
          el('span', { class: 'arrow', 'aria-hidden': 'true' }, d.direction === 'raises' ? '▲' : '▼'),
          el('span', { class: 'visually-hidden' }, `${tr(d.direction === 'raises' ? W.raises : W.lowers, lang)}: `),
          tr(d.text, lang),
        ),
      ),
    ),
    missing ? el('p', { class: 'muted', 'data-testid': 'missing-inputs' }, tr(missing, lang)) : null,
  );
}

/** "What customers say": sentiment trend, top topics, text reasons and one masked example. */
function voiceSection(card: CardView, L: (k: keyof Labels) => string): HTMLElement | null {
  const voice = card.voice;
  if (!voice) return null;
  // Chinese takes the full-width colon after a label.
  const colon = lang === 'zh' ? '：' : ': ';
  return el(
    'section',
    { class: 'section voice', 'aria-labelledby': 'voice-h', 'data-testid': 'voice' },
    el('h2', { id: 'voice-h' }, L('voice')),
    el('p', { class: `voice-trend trend-${voice.trend}` }, `${L('voiceTrend')}${colon}`, tr(voice.trendLabel, lang)),
    voice.reasons.length
      ? el(
          'ul',
          { class: 'voice-reasons' },
          voice.reasons.map((r) => el('li', {}, tr(r, lang))),
        )
      : null,
    voice.topics.length
      ? el('p', { class: 'voice-topics' }, `${L('voiceTopics')}${colon}`, voice.topics.map((t) => tr(t.text, lang)).join(' · '))
      : null,
    voice.example
      ? el(
          'blockquote',
          { class: 'voice-example' },
          el('p', { class: 'muted' }, `${L('voiceExample')} · ${tr(voice.example.kindLabel, lang)}`),
          el('p', {}, voice.example.text),
        )
      : null,
  );
}

function actionsSection(card: CardView, L: (k: keyof Labels) => string): HTMLElement {
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const items = card.actions.map((a) => {
    const decided = feedback.get(a.actionId);
    const done = el(
      'button',
      { type: 'button', class: 'primary', 'data-action': a.actionId, 'data-feedback': 'completed', disabled: decided !== undefined },
      L('done'),
    );
    const dismiss = el(
      'button',
      { type: 'button', class: 'secondary', 'data-action': a.actionId, 'data-feedback': 'dismissed', disabled: decided !== undefined },
      L('dismiss'),
    );
    const title = tr(a.title, lang);
    done.setAttribute('aria-label', `${L('done')}: ${title}`);
    dismiss.setAttribute('aria-label', `${L('dismiss')}: ${title}`);
    for (const button of [done, dismiss])
      button.addEventListener('click', () => void sendFeedback(a.actionId, button.dataset.feedback as 'completed' | 'dismissed', status));
    return el(
      'li',
      { class: 'action' + (decided ? ` decided-${decided}` : '') },
      el('h3', {}, title),
      el(
        'ul',
        { class: 'reasons' },
        a.reasons.map((r) => el('li', {}, tr(r, lang))),
      ),
      decided
        ? el('p', { class: 'decided' }, tr(decided === 'completed' ? W.recordedDone : W.recordedDismissed, lang))
        : el('div', { class: 'buttons' }, done, dismiss),
    );
  });
  return el(
    'section',
    { class: 'section actions', 'aria-labelledby': 'actions-h' },
    el('h2', { id: 'actions-h', tabindex: -1 }, L('actions')),
    items.length
      ? el('ol', {}, items)
      : el('p', { 'data-testid': 'no-actions' }, card.noActionReason ? tr(card.noActionReason, lang) : L('noActions')),
    status,
  );
}

async function sendFeedback(actionId: string, status: 'completed' | 'dismissed', region: HTMLElement): Promise<void> {
  if (!token) return;
  try {
    await api(token, `${base}/api/accounts/${encodeURIComponent(accountId)}/actions/${encodeURIComponent(actionId)}/feedback`, {
      method: 'POST',
      body: { status },
    });
    feedback.set(actionId, status);
    draw();
    const live = document.querySelector<HTMLElement>('.actions .status');
    if (live) live.textContent = tr(status === 'completed' ? W.recordedDone : W.recordedDismissed, lang);
    // Keep keyboard users in the actions list after the buttons they used disappear.
    (document.querySelector<HTMLElement>('.actions button:not([disabled])') ?? document.getElementById('actions-h'))?.focus();
  } catch (error) {
    region.textContent = `${tr(W.feedbackFailed, lang)}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
