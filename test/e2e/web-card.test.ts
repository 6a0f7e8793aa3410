import path from 'node:path';
import type { Page } from 'playwright-core';
import type { CardView } from '../../ui-extension/shared/card.view-model';
import { listActionOutcomes } from '../../app/http/console/action-feedback';
import {
  ARTIFACTS,
  contrastProblems,
  HOSTILE_NAME,
  HOSTILE_NOTE,
  HOSTILE_TICKET,
  openPage,
  startWorld,
  tabStops,
  type E2eWorld,
} from './e2e-harness';

/** The embeddable web card in real headless Chromium, over a server filled by the demo pipeline. */
describe('web card (Chromium)', () => {
  let world: E2eWorld;
  beforeAll(async () => {
    world = await startWorld();
  }, 300_000);
  afterAll(async () => {
    await world?.close();
  });

  /** The card.v1 the page renders, as our API answers it. */
  async function apiCard(accountId: string): Promise<CardView> {
    const res = await fetch(`${world.server.url}/card/api/accounts/${encodeURIComponent(accountId)}`, {
      headers: { Authorization: `Bearer ${world.readerToken}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { card: CardView }).card;
  }

  /** "What customers say" shows the card's trend, reasons, topics with counts and the masked example, in `lang`. */
  async function expectVoiceSection(page: Page, voice: NonNullable<CardView['voice']>, lang: 'en' | 'zh'): Promise<void> {
    const words =
      lang === 'en'
        ? { heading: 'What customers say', trend: 'Sentiment: ', topics: 'Top topics: ', example: 'Example (personal data masked)' }
        : { heading: '客户之声', trend: '情绪：', topics: '主要话题：', example: '示例（已隐去个人信息）' };
    const section = page.getByTestId('voice');
    await section.getByRole('heading', { name: words.heading }).waitFor();
    expect(await section.locator('.voice-trend').textContent()).toBe(`${words.trend}${voice.trendLabel[lang]}`);
    expect(await section.locator('.voice-reasons li').allTextContents()).toEqual(voice.reasons.map((r) => r[lang]));
    expect(await section.locator('.voice-topics').textContent()).toBe(
      `${words.topics}${voice.topics.map((t) => t.text[lang]).join(' · ')}`,
    );
    if (voice.example)
      expect(await section.locator('.voice-example').innerText()).toBe(
        `${words.example} · ${voice.example.kindLabel[lang]}\n\n${voice.example.text}`,
      );
  }

  const cardUrl = (accountId: string, token: string, lang?: string) =>
    `${world.server.url}/card/accounts/${encodeURIComponent(accountId)}${lang ? `?lang=${lang}` : ''}#token=${encodeURIComponent(token)}`;

  it('shows card.v1 in English and Chinese, with the sparkline and the model of each value, and no CSP violation', async () => {
    const score = (await world.demo.store.scoreHistory(world.demo.tenantId, world.accountId, { limit: 1 }))[0];
    if (!score) throw new Error('no score');
    // The seeded card carries what customers say (the demo's own text signal, or the harness's).
    const { voice } = await apiCard(world.accountId);
    if (!voice) throw new Error('the seeded card has no voice section');
    expect(voice.reasons).toEqual(score.voice?.reasons);
    expect(voice.topics.length).toBeGreaterThan(0);
    const { page, errors, cspViolations } = await openPage(world.browser);
    await page.goto(cardUrl(world.accountId, world.readerToken, 'en'));
    await page.getByRole('heading', { name: 'Churn risk' }).waitFor();
    await expectVoiceSection(page, voice, 'en');
    const p = score.churn.probability;
    // One churn number, never 0 % or 100 %.
    expect(await page.getByTestId('churn-percent').textContent()).toBe(p < 0.005 ? '<1%' : p > 0.995 ? '>99%' : `${Math.round(p * 100)}%`);
    if (score.clv) expect(await page.getByTestId('clv-summary').textContent()).toMatch(/80% range|80%\)/);
    expect(await page.locator('svg.sparkline').count()).toBe(1);
    // The score run put the account in a book segment and the card names it.
    if (!score.segment) throw new Error('the demo score has no segment');
    expect(await page.getByTestId('segment').textContent()).toBe(`Segment: ${score.segment.name.en}`);
    expect(await page.getByText(`churn@${score.churn.model.version}`).count()).toBeGreaterThan(0);
    const firstDriver = score.churn.drivers.slice().sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))[0];
    await page
      .getByText(firstDriver?.text.en ?? '<none>', { exact: false })
      .first()
      .waitFor();
    // The token left the address bar at once; the language is in the query.
    expect(page.url()).not.toContain('token');
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-en.png'), fullPage: true });
    expect(await contrastProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Show in Chinese' }).click();
    await page.getByRole('heading', { name: '流失风险' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await page
      .getByText(firstDriver?.text.zh ?? '<none>', { exact: false })
      .first()
      .waitFor();
    expect(page.url()).toContain('lang=zh');
    await expectVoiceSection(page, voice, 'zh');
    expect(await page.getByTestId('segment').textContent()).toBe(`客户分群：${score.segment.name.zh}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-zh.png'), fullPage: true });
    expect(await contrastProblems(page)).toEqual([]);

    // A reload keeps the session token (sessionStorage) and the language (query).
    await page.reload();
    await page.getByRole('heading', { name: '下一步最佳行动' }).waitFor();
    expect(errors).toEqual([]);
    expect(cspViolations).toEqual([]);
    await page.close();
  }, 60_000);

  it('takes the default language from the browser when the URL does not say', async () => {
    const { page } = await openPage(world.browser);
    await page.setExtraHTTPHeaders({ 'Accept-Language': 'zh-CN' });
    await page.addInitScript(`Object.defineProperty(navigator, 'languages', { get: () => ['zh-CN', 'zh'] });`);
    await page.goto(cardUrl(world.accountId, world.readerToken));
    await page.getByRole('heading', { name: '流失风险' }).waitFor();
    await page.close();
  }, 30_000);

  it('renders CRM text that tries script injection as text, and no script runs', async () => {
    const { page, errors, cspViolations } = await openPage(world.browser);
    await page.goto(cardUrl(world.hostileId, world.readerToken, 'en'));
    const heading = page.getByRole('heading', { level: 1 });
    await heading.waitFor();
    expect(await heading.textContent()).toBe(HOSTILE_NAME);
    expect(await heading.isVisible()).toBe(true);
    await page.getByText('<b>Mallory</b>', { exact: false }).waitFor();
    await page.getByText('<script>window.__seInjected=3</script> reason', { exact: false }).first().waitFor();
    await page.getByText(HOSTILE_TICKET, { exact: false }).first().waitFor();
    await page.getByText(HOSTILE_NOTE, { exact: false }).first().waitFor();
    expect(await page.evaluate('window.__seInjected')).toBeUndefined();
    expect(await page.locator('main script, main img, main b, main svg[onload], main iframe').count()).toBe(0);
    // The same in Chinese: the zh strings go through the same text nodes.
    await page.goto(cardUrl(world.hostileId, world.readerToken, 'zh'));
    await page.getByText(HOSTILE_TICKET, { exact: false }).first().waitFor();
    expect(await page.evaluate('window.__seInjected')).toBeUndefined();
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-script-injection.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(cspViolations).toEqual([]);
    await page.close();
  }, 30_000);

  it('is usable with the keyboard alone: language switch, then Done/Dismiss per action, with a visible focus ring', async () => {
    const { page, errors } = await openPage(world.browser);
    await page.goto(cardUrl(world.accountId, world.readerToken, 'en'));
    await page.getByRole('heading', { name: 'Next best actions' }).waitFor();
    const actions = (await world.demo.store.scoreHistory(world.demo.tenantId, world.accountId, { limit: 1 }))[0]?.nextBestActions ?? [];
    expect(actions.length).toBeGreaterThan(0);
    const stops = await tabStops(page, 20);
    expect(stops[0]).toMatchObject({ tag: 'button', text: 'Show in Chinese' });
    expect(stops.slice(1).map((s) => s.text.split(':')[0])).toEqual(actions.slice(0, 3).flatMap(() => ['Done', 'Dismiss']));
    for (const stop of stops) expect(stop.outline).not.toMatch(/^none/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-keyboard-focus.png') });

    // Back to the first Done button and press Enter: recorded as an outcome and audited.
    await page.keyboard.press('Shift+Tab');
    for (let i = stops.length - 1; i > 1; i--) await page.keyboard.press('Shift+Tab');
    const focused = await page.evaluate<string>('document.activeElement.getAttribute("aria-label")');
    expect(focused.startsWith('Done: ')).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByText('Recorded as done.').first().waitFor();
    // The pipeline's own rows (recommendations it made, status open) stay; the card adds its answer.
    const outcomes = (await listActionOutcomes(world.demo.store, world.demo.tenantId)).filter(
      (o) => o.accountId === world.accountId && o.source === 'card',
    );
    expect(outcomes).toEqual([
      expect.objectContaining({
        actionId: actions.slice().sort((a, b) => a.rank - b.rank)[0]?.actionId,
        status: 'completed',
        source: 'card',
        arm: 'treatment',
      }),
    ]);
    const audit = await world.demo.store.listAudit(world.demo.tenantId, { limit: 5 });
    expect(audit.some((e) => e.action === 'nba.completed' && e.target.startsWith(world.accountId) && e.actor === 'token:e2e-reader')).toBe(
      true,
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('answers 404 for an account of another tenant, 401 without a token, and never takes a token from the query', async () => {
    const get = (id: string, token?: string) =>
      fetch(`${world.server.url}/card/api/accounts/${encodeURIComponent(id)}`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
    expect((await get(world.otherTenantAccountId, world.readerToken)).status).toBe(404);
    expect((await get(world.accountId, world.otherTenantToken)).status).toBe(404);
    expect((await get(world.otherTenantAccountId, world.otherTenantToken)).status).toBe(200);
    expect((await get(world.accountId)).status).toBe(401);
    expect(
      (await fetch(`${world.server.url}/card/api/accounts/${encodeURIComponent(world.accountId)}?token=${world.readerToken}`)).status,
    ).toBe(401);
    const page = await fetch(`${world.server.url}/card/accounts/${encodeURIComponent(world.accountId)}`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const { page: browserPage } = await openPage(world.browser);
    await browserPage.goto(cardUrl(world.otherTenantAccountId, world.readerToken, 'en'));
    await browserPage.getByText('No such account for this token.').waitFor();
    await browserPage.close();
  }, 30_000);
});
