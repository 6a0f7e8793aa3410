import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Router } from 'express';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildRecord, type AccountId, type CanonicalAccount, type ScoreSet, type TenantId } from '../../core';
import { runDemo, type DemoResult } from '../../app/demo/demo-run';
import { DEFAULT_ACTION_CATALOG } from '../../engine/nba/action-catalog';
import { createConsoleRouter, type ConsoleDeps } from '../../app/http/console/console.router';
import { bundleWebAssets } from '../../app/http/console/web-assets';
import { createWebCardRouter } from '../../app/http/console/web-card.router';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createLogger } from '../../app/log/logger';
import { createMetrics } from '../../app/observability/metrics';
import { InProcessJobQueue } from '../../app/queue/in-process-queue';
import { createPipelineAdapters } from '../../app/worker/pipeline-adapters';
import { createProcessors } from '../../app/worker/processors';

export const ARTIFACTS = path.resolve(__dirname, '../../artifacts/e2e');
const HOUR = 3_600_000;
const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
export const OTHER_TENANT = 'other-tenant' as TenantId;
/** CRM text that tries to run script: it must show up as these literal characters. */
/** A ticket subject and a note as a CRM could hold them, quoted in a reason and an action title. */
export const HOSTILE_TICKET = 'Ticket "<svg onload=window.__seInjected=4>" still open';
export const HOSTILE_NOTE = 'Follow up: <iframe src="javascript:window.__seInjected=5"></iframe>';
export const HOSTILE_NAME = '<script>window.__seInjected=1</script><img src=x onerror="window.__seInjected=2"> Acme & Co';

/**
 * What customers say, for the card when the demo's top account has no text read yet: as the text
 * pipeline stores it (reasons phrased as engine/text/text-reasons.ts does, the example PII-masked).
 */
const SEEDED_VOICE: NonNullable<ScoreSet['voice']> = {
  sentiment30: -0.42,
  sentiment90: -0.15,
  trend: 'worsening',
  texts90: 8,
  negativeTicketShare90: 0.6,
  topTopics: [
    { id: 'billing', label: { en: 'billing', zh: '账单' }, count: 4, negative: 3 },
    { id: 'support-speed', label: { en: 'support speed', zh: '支持响应速度' }, count: 2, negative: 1 },
  ],
  example: { text: '十月份的账单又被重复扣费了，请让[name]尽快回电：[phone]。', kind: 'ticket', at: '2026-01-01T00:00:00.000Z' },
  reasons: [
    { en: '3 negative tickets about billing in the last 30 days', zh: '近 30 天 3 张负面工单，主题：账单' },
    { en: 'Customer sentiment worsened over the last 90 days (last 30 days: −0.42)', zh: '近 90 天客户情绪转差（近 30 天：−0.42）' },
  ],
};

export interface E2eWorld {
  demo: DemoResult;
  server: RunningServer;
  adminToken: string;
  readerToken: string;
  otherTenantToken: string;
  /** A scored demo account. */
  accountId: AccountId;
  /** A scored account whose name and owner are hostile HTML. */
  hostileId: AccountId;
  /** An account of another tenant (the demo tokens must not reach it). */
  otherTenantAccountId: AccountId;
  erasures: string[];
  /** The workers behind /console-queued. */
  workQueue: InProcessJobQueue;
  browser: BrowserContext;
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1:0 over a real SQLite store filled by the demo pipeline (HubSpot
 * sandbox → sync → train → score), the web routers mounted as the lead mounts them, and Debian's
 * Chromium in a fresh profile.
 */
export async function startWorld(options: { accounts?: number } = {}): Promise<E2eWorld> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-e2e-'));
  const assetsDir = path.join(dir, 'static');
  await bundleWebAssets({ sourceDir: path.resolve(__dirname, '../../ui-extension/web'), outDir: assetsDir });
  const demo = await runDemo({
    csvPath: CSV,
    databasePath: path.join(dir, 'e2e.sqlite'),
    accounts: options.accounts ?? 300,
    seed: 7,
    tier: 'api-add-on',
    onStage: () => undefined,
    onProgress: () => undefined,
  });
  const store = demo.store;
  const top = [...demo.scores].sort((a, b) => b.churn.probability - a.churn.probability)[0];
  if (!top) throw new Error('the demo scored no account');
  // A second, newer score with next-best-actions (the demo book at this size recommends none), so
  // the card has a trend and actions to act on.
  const rescoredAt = new Date(Date.parse(demo.asOf) + HOUR).toISOString();
  const now = new Date(Date.parse(demo.asOf) + 2 * HOUR);
  // As the product words them: the band, not a second number next to the card's one probability.
  const actions = DEFAULT_ACTION_CATALOG.slice(0, 3).map((a, i) => ({
    actionId: a.id,
    rank: i + 1,
    score: 100 - i,
    title: a.title,
    reasons: [{ en: 'Churn risk is very high', zh: '流失风险很高' }],
  }));
  // The card's "What customers say": the demo's own when its texts gave this account topics, else seeded (the screenshots show every part).
  await store.appendScoreSets([
    {
      ...top,
      computedAt: rescoredAt,
      churn: { ...top.churn, probability: Math.min(0.99, top.churn.probability + 0.05), band: 'critical' },
      nextBestActions: actions,
      voice: top.voice && top.voice.topTopics.length > 0 ? top.voice : SEEDED_VOICE,
    },
  ]);
  const template = (await store.getRecord(demo.tenantId, 'account', top.accountId)) as CanonicalAccount;

  const hostileId = 'hubspot:hostile-1' as AccountId;
  await store.upsertRecords('account', [
    buildRecord('account', {
      ...stripDerived(template),
      id: hostileId,
      name: HOSTILE_NAME,
      ownerName: '<b>Mallory</b>',
      source: { ...template.source, externalId: 'hostile-1' },
    }),
  ]);
  const history = await store.scoreHistory(demo.tenantId, top.accountId, { limit: 30 });
  // Reasons and action titles quote CRM text too (a ticket subject, a note's topic): hostile as well.
  await store.appendScoreSets(
    history.map((s): ScoreSet => ({
      ...s,
      accountId: hostileId,
      churn: {
        ...s.churn,
        drivers: [
          { feature: 'tickets_90d', contribution: 9, direction: 'raises', text: { en: HOSTILE_TICKET, zh: HOSTILE_TICKET } },
          ...s.churn.drivers,
        ],
      },
      nextBestActions: s.nextBestActions.map((a, i) => ({
        ...a,
        ...(i === 0 ? { title: { en: HOSTILE_NOTE, zh: HOSTILE_NOTE } } : {}),
        reasons: [
          { en: '<script>window.__seInjected=3</script> reason', zh: '<script>window.__seInjected=3</script> 原因' },
          ...a.reasons.slice(1),
        ],
      })),
    })),
  );

  await store.upsertTenant({ id: OTHER_TENANT, name: 'Another company', locale: 'en', createdAt: demo.asOf });
  const otherTenantAccountId = 'hubspot:other-1' as AccountId;
  await store.upsertRecords('account', [
    buildRecord('account', {
      ...stripDerived(template),
      tenantId: OTHER_TENANT,
      id: otherTenantAccountId,
      name: 'Other tenant account',
      source: { ...template.source, externalId: 'other-1' },
    }),
  ]);
  await store.appendScoreSets([{ ...top, tenantId: OTHER_TENANT, accountId: otherTenantAccountId }]);

  const adminToken = await store.issueApiToken(demo.tenantId, 'admin', 'e2e-admin');
  const readerToken = await store.issueApiToken(demo.tenantId, 'reader', 'e2e-reader');
  const otherTenantToken = await store.issueApiToken(OTHER_TENANT, 'admin', 'other-admin');
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.setCrmBudgetUsed(demo.tenantId, 'hubspot', 0.042);
  const erasures: string[] = [];
  const consoleDeps: ConsoleDeps = {
    store,
    metrics,
    assetsDir,
    now: () => now,
    eraser: {
      describe: () => ({ en: 'Test eraser', zh: '测试删除器' }),
      erase: (tenantId) => {
        erasures.push(tenantId);
        return Promise.resolve({ done: true, message: { en: `erased ${tenantId}`, zh: `已删除 ${tenantId}` } });
      },
    },
  };
  // The same console as serve with Redis mounts it: explicit backtests go to the (here in-process) workers.
  const workQueue = new InProcessJobQueue(createProcessors(createPipelineAdapters({ store })), () => Promise.resolve());
  const publicRouters: { path: string; router: Router }[] = [
    { path: '/card', router: createWebCardRouter({ store, assetsDir, now: () => now }) },
    { path: '/console', router: createConsoleRouter(consoleDeps) },
    { path: '/console-queued', router: createConsoleRouter({ ...consoleDeps, queue: workQueue }) },
  ];
  const app = createHttpApp({ store, log: createLogger({ level: 'silent' }), metrics, readiness: [], publicRouters });
  const server = await listen(app, '127.0.0.1', 0);

  const browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1100, height: 900 },
    locale: 'en-US',
  });

  return {
    demo,
    server,
    adminToken,
    readerToken,
    otherTenantToken,
    accountId: top.accountId,
    hostileId,
    otherTenantAccountId,
    erasures,
    workQueue,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
      await demo.close();
      await demo.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function stripDerived(account: CanonicalAccount): Omit<CanonicalAccount, 'dataHash'> {
  const { dataHash: _dataHash, ...rest } = account;
  return rest;
}

export interface WatchedPage {
  page: Page;
  /** Console errors (CSP violations are reported there) and uncaught page errors. */
  errors: string[];
  cspViolations: string[];
}

/** A new tab that records console errors, page errors and CSP violation events. */
export async function openPage(browser: BrowserContext): Promise<WatchedPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.exposeFunction('__seReportCsp', (text: string) => cspViolations.push(text));
  // Page code as strings: the test project has no DOM types.
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => { window.__seReportCsp(e.violatedDirective + ' ' + e.blockedURI); });`,
  );
  return { page, errors, cspViolations };
}

/** Tab through the page and return what each stop was (tag, role text), in order. */
export async function tabStops(page: Page, max: number): Promise<{ tag: string; text: string; outline: string }[]> {
  const stops: { tag: string; text: string; outline: string }[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate<{ tag: string; text: string; outline: string } | null>(`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return { tag: el.tagName.toLowerCase(), text: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 80), outline: style.outlineStyle + ' ' + style.outlineWidth };
    })()`);
    if (!stop) break;
    if (stops.length > 0 && stops[0]?.text === stop.text && stops[0]?.tag === stop.tag) break;
    stops.push(stop);
  }
  return stops;
}

/**
 * WCAG contrast of every visible text element against its nearest opaque background (alpha of
 * either colour is ignored: the stylesheets use opaque colours). Disabled controls and
 * visually-hidden text are exempt, as in WCAG 1.4.3. Returns the elements below `min`.
 */
export async function contrastProblems(page: Page, min = 4.5): Promise<{ text: string; ratio: number }[]> {
  return page.evaluate<{ text: string; ratio: number }[]>(`(() => {
    const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(',').map((x) => parseFloat(x)); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
    const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
    const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('svg') || el.closest('.visually-hidden') || el.closest('[disabled]')) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const fg = parse(getComputedStyle(el).color);
      if (!fg) continue;
      const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < ${min}) out.push({ text: el.textContent.trim().slice(0, 60), ratio: Math.round(ratio * 100) / 100 });
    }
    return out;
  })()`);
}
