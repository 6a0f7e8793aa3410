import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import pino from 'pino';
import type { ScoreSet } from '../../../core';
import { loadConfig, resolveEncryptionKey } from '../../config/config';
import { runDemo, type DemoCrmName, type DemoOrgProfile, type DemoResult, type DemoStage } from '../../demo/demo-run';
import type { BookSummary } from '../../../engine/scoring/book-summary';
import { productRouters } from '../../http/product-routers';
import { assertPortFree, createHttpApp, listen } from '../../http/server';
import { createMetrics } from '../../observability/metrics';
import { action, positiveInt, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';
import type { BookInsights } from '../../../engine/scoring/book-insights';
import { BAND_WORDS } from '../../../manifests/crm-manifests';
import type { Output } from '../output';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';

const STAGES: Record<DemoStage, [string, string]> = {
  seed: ['Seeding the sandbox CRM', '生成沙盒 CRM 数据'],
  install: ['Installing into the CRM', '安装到 CRM'],
  sync: ['Syncing', '同步'],
  train: ['Training on the tenant’s history', '基于租户历史训练'],
  score: ['Scoring', '评分'],
  writeback: ['Writing back', '回写'],
  alerts: ['Alerting', '发送提醒'],
};

interface DemoFlags {
  json?: boolean;
  serve: boolean;
  csv: string;
  accounts: number;
  seed: number;
  crm: string;
  org: string;
}

/** `success-engine demo`: the whole product on the embedded default, then the score API until Ctrl-C. */
export const demoCommand: CommandModule = {
  register(program: Command) {
    program
      .command('demo')
      .description('Run the product end to end on the embedded default (sandbox CRM, SQLite, no credentials) / 用内置默认环境端到端演示')
      .option('--json', 'print one JSON object on stdout')
      .option('--no-serve', 'exit after the summary instead of serving the API')
      .option('--csv <path>', 'the Telco churn CSV the demo book is built from', DEFAULT_CSV)
      .option('--accounts <n>', 'accounts in the demo book (the CSV has 7,043; more are resampled)', positiveInt('--accounts'), 2000)
      .option('--seed <n>', 'seed of the generated CRM data', positiveInt('--seed'), 42)
      .option('--crm <crm>', 'the sandbox CRM the book lives in: hubspot or salesforce', 'hubspot')
      .option(
        '--org <profile>',
        "its schema: customised (Telco custom fields, invoices; Salesforce multi-currency) or vanilla (the vendor's standard schema only)",
        'customised',
      )
      .action(action(async (out, flags: DemoFlags) => runDemoCommand(out, flags)));
  },
};

async function runDemoCommand(out: Output, flags: DemoFlags): Promise<void> {
  if (flags.crm !== 'hubspot' && flags.crm !== 'salesforce')
    throw new UsageError(`--crm must be hubspot or salesforce, got "${flags.crm}"`);
  if (flags.org !== 'vanilla' && flags.org !== 'customised')
    throw new UsageError(`--org must be vanilla or customised, got "${flags.org}"`);
  const crm: DemoCrmName = flags.crm;
  const org: DemoOrgProfile = flags.org;
  const config = loadConfig();
  const csvPath = path.resolve(flags.csv);
  if (!existsSync(csvPath)) {
    throw new UsageError(
      `--csv: ${csvPath} does not exist. The demo builds its CRM data from IBM's Telco customer churn sample (WA_Fn-UseC_-Telco-Customer-Churn.csv); pass its path with --csv.`,
    );
  }
  // A busy port must fail now, not after the minutes of work before serving.
  if (flags.serve) await assertPortFree(config.httpHost, config.httpPort);
  const databasePath = path.join(config.dataDir, 'demo.sqlite');
  // The deployment's key: a later `sync` on the demo connection can read its token.
  const encryptionKey = resolveEncryptionKey(config);
  const started = Date.now();
  const bar = new SingleBar(
    { stream: out.stderr, format: '  {bar} {percentage}% {stage}', hideCursor: true, clearOnComplete: true, barsize: 30 },
    { format: '', barCompleteChar: '█', barIncompleteChar: '░' },
  );
  let barActive = false;
  if (config.redisUrl)
    out.note(
      bilingual(
        'REDIS_URL is set: the demo runs through BullMQ workers started in this process',
        '已设置 REDIS_URL：演示通过本进程内启动的 BullMQ 工作进程运行',
      ),
    );
  const result = await runDemo({
    csvPath,
    databasePath,
    accounts: flags.accounts,
    seed: flags.seed,
    tier: 'api-add-on',
    crm,
    org,
    encryptionKey,
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    onStage: (stage, detail) => {
      if (barActive && stage !== 'sync') {
        bar.stop();
        barActive = false;
      }
      const [en, zh] = STAGES[stage];
      if (!barActive) out.note(`${bilingual(en, zh)}: ${detail}`);
    },
    onProgress: (stage, done, total) => {
      if (!barActive) {
        bar.start(total, 0, { stage: bilingual(...STAGES[stage]) });
        barActive = true;
      }
      bar.update(done);
    },
  });
  if (barActive) bar.stop();
  const seconds = (Date.now() - started) / 1000;
  try {
    await printSummary(out, result, seconds);
    if (!flags.serve) return;
    await serve(out, result, config.httpHost, config.httpPort, config.dataDir);
  } finally {
    await result.close();
    await result.store.close();
  }
}

async function printSummary(out: Output, r: DemoResult, seconds: number): Promise<void> {
  const top = [...r.scores].sort((a, b) => b.churn.probability - a.churn.probability).slice(0, 5);
  const names = new Map((await r.store.listRecords(r.tenantId, 'account')).map((a) => [a.id as string, a.name]));
  out.line(bilingual('Success Engine demo: done', '客户成功引擎演示：完成') + ` (${seconds.toFixed(0)} s)`);
  out.line();
  out.line(
    `${bilingual(`Synced from the ${r.crm.label} sandbox`, `从 ${r.crm.label} 沙盒同步`)}: ${Object.entries(r.synced)
      .map(([e, n]) => `${n} ${e}`)
      .join(', ')}`,
  );
  out.line(
    `${bilingual('Installed fields', '已安装字段')}: ${r.schema.created.length} ${bilingual('created', '新建')}, ${r.schema.verified.length} ${bilingual('verified', '已核对')}`,
  );
  const model = r.training.training;
  out.line(
    `${bilingual('Churn model', '流失模型')}: ${model.kind === 'learned' ? `${model.model?.description ?? 'learned'} ${r.training.version ?? ''}` : bilingual('weighted health score (cold start)', '加权健康评分（冷启动）')}`,
  );
  out.line(`  ${model.reason.en}`);
  out.line(`  ${model.reason.zh}`);
  out.line();
  out.line(bilingual('Top accounts at risk', '流失风险最高的客户'));
  for (const s of top) printAccount(out, s, names.get(s.accountId) ?? s.accountId);
  out.line();
  out.line(
    `${bilingual(`Written back to ${r.crm.label} accounts`, `已回写到 ${r.crm.label} 客户`)}: ${r.writeBack.written} ${bilingual('written', '已写入')}, ${r.writeBack.unchanged} ${bilingual('unchanged', '未变化')}, ${r.writeBack.failed.length} ${bilingual('failed', '失败')} (${r.crm.url})`,
  );
  out.line(
    `${bilingual('Alerts', '提醒')}: ${r.alerts.raised.length} ${bilingual('raised', '已触发')}, ${r.alerts.delivered} ${bilingual('delivered', '已送达')} (${r.alerts.receivedVerified} ${bilingual('signature-verified by the receiver', '接收方签名验证通过')}), ${r.alerts.suppressed} ${bilingual('held back by budgets and cooldowns', '因预算与冷却被抑制')}`,
  );
  printBookSummary(out, r.summary);
  printInsights(out, r.insights);
  const bands = countBands(r.scores);
  out.result({
    seconds: Math.round(seconds),
    tenantId: r.tenantId,
    asOf: r.asOf,
    synced: r.synced,
    model: { kind: model.kind, version: r.training.version, promoted: r.training.promoted, metrics: model.metrics },
    scored: r.scores.length,
    bands,
    book: r.summary,
    segments:
      r.insights?.segments?.summaries.map(({ id, name, accounts, meanRisk, valueAtRisk }) => ({
        id,
        name,
        accounts,
        meanRisk,
        valueAtRisk,
      })) ?? [],
    arrAtRisk90: r.insights?.forecast.arrAtRisk ?? null,
    topAtRisk: top.map((s) => ({
      accountId: s.accountId,
      name: names.get(s.accountId) ?? null,
      probability: s.churn.probability,
      band: s.churn.band,
      drivers: s.churn.drivers.slice(0, 3).map((d) => d.text),
      clv: s.clv ?? null,
      nextBestAction: s.nextBestActions[0]?.title ?? null,
    })),
    writeBack: { written: r.writeBack.written, unchanged: r.writeBack.unchanged, failed: r.writeBack.failed.length },
    alerts: {
      raised: r.alerts.raised.length,
      delivered: r.alerts.delivered,
      verifiedByReceiver: r.alerts.receivedVerified,
      suppressed: r.alerts.suppressed,
    },
  });
}

const pctOf = (share: number): string => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`;

function printBookSummary(out: Output, b: BookSummary): void {
  out.line();
  out.line(bilingual('The scored book', '评分后的客户组合'));
  out.line(`  ${bilingual('Distinct churn probabilities', '不同流失概率个数')}: ${b.distinctProbabilities} / ${b.accounts}`);
  out.line(`  ${bilingual('Above low risk with reasons', '中高风险客户有原因说明')}: ${pctOf(b.aboveLowWithReasons)} (${b.aboveLow})`);
  out.line(
    `  ${bilingual('Above low risk with an action or the reason for none', '中高风险客户有行动或无行动原因')}: ${pctOf(b.aboveLowWithActionOrReason)}`,
  );
  out.line(
    `  ${bilingual('Chinese texts with untranslated English words', '含未翻译英文单词的中文文本')}: ${pctOf(b.chineseWithEnglish)} (${b.chineseTexts})`,
  );
  for (const example of b.englishExamples) out.line(`    - ${example}`);
}

function printInsights(out: Output, insights: BookInsights | null): void {
  if (!insights) return;
  out.line();
  out.line(bilingual('Segments', '客户分群'));
  for (const s of insights.segments?.summaries ?? [])
    out.line(`  ${s.name.en} / ${s.name.zh}: ${s.accounts} (${bilingual('mean risk', '平均风险')} ${pctOf(s.meanRisk)})`);
  const risk = insights.forecast.arrAtRisk;
  out.line(
    `${bilingual('ARR at risk, next 90 days', '未来 90 天风险 ARR')}: ${fmt(risk.expected)} ${insights.currency} / ${fmt(risk.arrDue)} (${risk.renewals} ${bilingual('renewals', '个续约')}; 80%: ${fmt(risk.p10)} – ${fmt(risk.p90)})`,
  );
}

function printAccount(out: Output, s: ScoreSet, name: string): void {
  const p = s.churn.probability;
  const pct = p < 0.005 ? '<1%' : p > 0.995 ? '>99%' : `${(p * 100).toFixed(0)}%`;
  out.line(`  ${name}  ${pct} (${BAND_WORDS[s.churn.band].en} / ${BAND_WORDS[s.churn.band].zh})`);
  for (const d of s.churn.drivers.slice(0, 3)) out.line(`    - ${d.text.en} / ${d.text.zh}`);
  if (s.clv) {
    const worth =
      s.clv.ifRetained !== undefined ? `${bilingual('worth if retained', '若留存价值')} ${fmt(s.clv.ifRetained)} ${s.clv.currency}; ` : '';
    out.line(
      `    ${worth}${bilingual('expected at today’s risk', '按当前风险预期')} ${fmt(s.clv.point)} ${s.clv.currency} (${bilingual('may really pay', '实际可能支付')} ${fmt(s.clv.p10)} – ${fmt(s.clv.p90)}, 80%)`,
    );
  }
  const next = s.nextBestActions[0];
  if (next) out.line(`    ${bilingual('Next', '下一步')}: ${next.title.en} / ${next.title.zh}`);
  else if (s.noActionReason) out.line(`    ${bilingual('No action', '无行动')}: ${s.noActionReason.en} / ${s.noActionReason.zh}`);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function countBands(scores: readonly ScoreSet[]): Record<string, number> {
  const counts: Record<string, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  for (const s of scores) counts[s.churn.band] = (counts[s.churn.band] ?? 0) + 1;
  return counts;
}

/**
 * A rep token for the account owner's CRM user, so the card link shows what that rep sees
 * (cards check record visibility with the CRM). Null when the account has no owner.
 */
async function ownerRepToken(r: DemoResult, accountId: string): Promise<{ token: string; crmUserId: string } | null> {
  const ownerId = (await r.store.getRecord(r.tenantId, 'account', accountId))?.ownerId;
  if (!ownerId) return null;
  const userId = await r.crm.userIdOfOwner(ownerId);
  if (userId === null) return null;
  return { token: await r.store.issueApiToken(r.tenantId, 'rep', `demo-rep-${userId}`, { crmUserId: userId }), crmUserId: userId };
}

/** The printed tokens, kept (owner-only file) so the demo database can be served again after the demo stops. */
function saveDemoTokens(dataDir: string, tokens: Record<string, string>): string {
  const file = path.join(dataDir, 'demo-tokens.json');
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

async function serve(out: Output, r: DemoResult, host: string, port: number, dataDir: string): Promise<void> {
  const token = await r.store.issueApiToken(r.tenantId, 'admin', 'demo');

  const metrics = createMetrics();
  // The same card and console routers `serve` mounts; no marketplace app, so install stays off.
  const products = productRouters({
    store: r.store,
    metrics,
    queue: null,
    settings: {
      encryptionKey: randomBytes(32),
      hubspotApiUrl: r.crm.url,
      hubspotAuthorizeUrl: `${r.crm.url}/oauth/authorize`,
      salesforceLoginUrl: r.crm.provider === 'salesforce' ? r.crm.url : 'https://login.salesforce.com',
    },
  });
  const publicRouters = products.flatMap((p) => (p.router ? [{ path: p.path, router: p.router }] : []));
  const app = createHttpApp({
    store: r.store,
    log: pino({ level: 'silent' }),
    metrics,
    readiness: [{ name: 'store', check: () => Promise.resolve() }],
    publicRouters,
  });
  const server = await listen(app, host, port);
  // The owner's view needs the owner's rep token; an account without an owner gets no card link
  // rather than a tenant-wide one.
  const example = [...r.scores].sort((a, b) => b.churn.probability - a.churn.probability)[0]?.accountId ?? '';
  const rep = await ownerRepToken(r, example);
  const tokensFile = saveDemoTokens(dataDir, {
    tenantId: r.tenantId,
    url: server.url,
    adminToken: token,
    ...(rep ? { repToken: rep.token, repCrmUserId: rep.crmUserId, cardAccountId: example } : {}),
  });
  out.note('');
  out.note(bilingual(`Serving at ${server.url} (Ctrl-C to stop)`, `服务地址 ${server.url}（按 Ctrl-C 停止）`));
  if (rep) {
    out.note(bilingual('  the riskiest account’s card, as its owner sees it:', '  风险最高客户的卡片（以其负责人身份查看）：'));
    out.note(`    ${server.url}/card/accounts/${example}#token=${rep.token}`);
  }
  out.note(bilingual('  admin console:', '  管理控制台：'));
  out.note(`    ${server.url}/console/#token=${token}`);
  out.note(`  curl -H 'Authorization: Bearer ${token}' ${server.url}/api/v1/scores?band=critical`);
  out.note(`  curl -H 'Authorization: Bearer ${token}' ${server.url}/api/v1/accounts/${example}`);
  out.note(
    bilingual(
      `  tokens kept in ${tokensFile} (they stay valid with SE_DATABASE_PATH=${path.join(dataDir, 'demo.sqlite')} success-engine serve)`,
      `  令牌已保存在 ${tokensFile}`,
    ),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
}
