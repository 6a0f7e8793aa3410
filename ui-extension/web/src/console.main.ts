import { barChart, calibrationChart, liftChart } from './charts';
import { languageSwitch } from './lang-switch';
import { el, render, type Child } from './dom';
import { dateTime, initialLang, money, percent, rememberLang, tr, type Lang, type Localized } from './i18n';
import { api, ApiError, forgetToken, saveToken, takeToken } from './session';

/**
 * The admin console: plain DOM, one page at a time (`?page=`), data from `/console/api/*` with the
 * admin token. Every value from the CRM or the store goes in as text.
 */
const PAGES = ['overview', 'book', 'mapping', 'models', 'backtest', 'alerts', 'catalog', 'audit', 'data'] as const;
type PageId = (typeof PAGES)[number];

const t = (en: string, zh: string): Localized => ({ en, zh });
const TITLES: Record<PageId, Localized> = {
  overview: t('Connections and API budget', '连接与 API 配额'),
  book: t('Segments and forecast', '客户分群与预测'),
  mapping: t('Field mapping', '字段映射'),
  models: t('Model metrics', '模型指标'),
  backtest: t('Backtest', '回测'),
  alerts: t('Alert rules and budgets', '提醒规则与配额'),
  catalog: t('Action catalog', '行动目录'),
  audit: t('Audit log', '审计日志'),
  data: t('Data export and deletion', '数据导出与删除'),
};
const W = {
  console: t('Success Engine console', '客户成功引擎控制台'),
  nav: t('Console sections', '控制台栏目'),
  signIn: t('Sign in', '登录'),
  signOut: t('Sign out', '退出'),
  tokenLabel: t('Admin API token', '管理员 API 令牌'),
  tokenHelp: t(
    'Paste an admin token (se_…). It stays in this browser tab only.',
    '粘贴管理员令牌（se_…）。令牌只保存在当前浏览器标签页中。',
  ),
  forbidden: t('This token is not an admin token: the console needs an admin.', '此令牌不是管理员令牌：控制台需要管理员权限。'),
  unauthenticated: t('The token is not valid. Sign in again.', '令牌无效，请重新登录。'),
  loading: t('Loading…', '加载中…'),
  save: t('Save', '保存'),
  saved: t('Saved.', '已保存。'),
  reset: t('Reset to defaults', '恢复默认'),
  provider: t('Connection', '连接'),
  org: t('Org / portal', '组织 / 门户'),
  baseUrl: t('API base URL', 'API 地址'),
  rate: t('Rate limit', '速率限制'),
  budget: t('API budget used', '已用 API 配额'),
  unknown: t('not reported yet', '尚未上报'),
  noConnections: t(
    'No CRM connection yet: install the app in HubSpot or Salesforce.',
    '尚无 CRM 连接：请在 HubSpot 或 Salesforce 中安装应用。',
  ),
  records: t('Records', '记录'),
  scored: t('Scored accounts', '已评分客户'),
  lastScored: t('Last scored', '最近评分'),
  alertsByStatus: t('Alert deliveries', '提醒投递'),
  field: t('Field', '字段'),
  defaultField: t('Default', '默认'),
  override: t('Override (CRM field)', '覆盖（CRM 字段）'),
  scale: t('Scale', '倍数'),
  attributes: t('Extra fields copied for features (comma-separated)', '用于特征的额外字段（逗号分隔）'),
  crm: t('CRM', 'CRM'),
  mappingHelp: t('Leave an override empty to use the default.', '覆盖留空则使用默认值。'),
  findingsTitle: t('What your CRM did not let us read', 'CRM 未允许我们读取的内容'),
  findingsHelp: t(
    'The sync goes on without these. Grant access to the integration user, or map another field above.',
    '同步会跳过这些内容继续进行。请为集成用户授予访问权限，或在上方映射其他字段。',
  ),
  findingsNone: t('Nothing: the last syncs read every field they asked for.', '无：最近的同步读取到了所需的全部字段。'),
  findingWhat: t('Problem', '问题'),
  findingWhere: t('Object and field', '对象与字段'),
  findingOptional: t('optional', '可选'),
  findingLastSeen: t('Last seen', '最近出现'),
  findingDetail: t('Detail (from the CRM connector)', '详情（来自 CRM 连接器）'),
  version: t('Version', '版本'),
  status: t('Status', '状态'),
  algorithm: t('Algorithm', '算法'),
  window: t('Training window', '训练窗口'),
  heldOut: t('Held-out ROC-AUC / Brier', '留出集 ROC-AUC / Brier'),
  noModels: t(
    'No learned model yet: the health score is used until there are enough outcomes.',
    '尚无学习模型：在有足够结果前使用健康评分。',
  ),
  calibration: t('Calibration (cross-fitted replay)', '校准（交叉拟合回放）'),
  calibrationLabel: t('Calibration chart: predicted churn against observed churn per bin', '校准图：各区间预测流失率与实际流失率'),
  predicted: t('Predicted', '预测'),
  observed: t('Observed', '实际'),
  lift: t('Lift by risk decile', '按风险十分位的提升度'),
  liftLabel: t('Lift chart: churn rate per risk decile over the overall rate', '提升图：各风险十分位流失率与总体流失率之比'),
  decile: t('Risk decile (1 = riskiest)', '风险十分位（1 = 风险最高）'),
  liftAxis: t('Lift', '提升度'),
  fairness: t('Fairness at the alert threshold', '预警阈值下的公平性'),
  fairnessNote: t(
    'Per group: how often accounts are flagged at the alert threshold (selection rate), that rate over the most-flagged group’s (four-fifths rule: below 0.8 is a warning), and mean predicted against observed churn (calibration). Groups under 20 accounts are shown but not warned on.',
    '各分组：在预警阈值下被标记的比例（标记率）、该比例与标记最多分组之比（五分之四规则：低于 0.8 即警告），以及平均预测流失率与实际流失率（校准）。少于 20 个客户的分组仅展示、不警告。',
  ),
  fairnessNone: t(
    'No account attribute (region, segment, plan, language) has two groups yet.',
    '客户属性（地区、细分、套餐、语言）尚无两个以上分组。',
  ),
  group: t('Group', '分组'),
  selectionRate: t('Flagged', '标记率'),
  impactRatio: t('Ratio to highest', '与最高之比'),
  fourFifths: t('Four-fifths ratio', '五分之四比率'),
  fewAccounts: t('few accounts', '样本少'),
  accounts: t('Accounts', '客户数'),
  churned: t('Churned', '已流失'),
  churnedCount: t('churned', '流失'),
  staleNote: t(
    'The book or the active model has changed since these figures were computed; the next training run refreshes them. Computed',
    '自计算这些指标以来，客户数据或当前模型已有变化；下次训练后会刷新。计算时间',
  ),
  replayNote: t(
    'Replay: cross-fitted on one window (each account scored by a model that never saw it).',
    '回放方式：单一时间窗内交叉拟合（每个客户由未见过它的模型评分）。',
  ),
  horizon: t('Horizon (days)', '回看天数'),
  threshold: t('Alert threshold (0–1)', '提醒阈值（0–1）'),
  run: t('Run backtest again', '重新运行回测'),
  running: t('Running…', '运行中…'),
  queuedBacktest: t(
    'Queued for the workers (five trainings over your book); the report updates here when it is ready…',
    '已交给工作进程（在您的客户数据上训练五次）；完成后报告会在此更新…',
  ),
  stillQueued: t('Still running in the workers; come back to this page later.', '工作进程仍在运行；请稍后再回到此页面。'),
  hadRun: t('Had this run on', '如果在此日期运行'),
  flagged: t('Churns flagged in advance', '提前识别的流失'),
  precision: t('Precision', '精确率'),
  recall: t('Recall', '召回率'),
  topLift: t('Top-decile lift', '前 10% 提升度'),
  warning: t('Median days of warning', '中位提前天数'),
  perOwner: t('Alerts per owner per week (median / busiest)', '每位负责人每周提醒（中位 / 最多）'),
  enabled: t('Enabled', '启用'),
  riskThreshold: t('Risk crosses a threshold', '风险超过阈值'),
  riskJump: t('Risk jumps by (points)', '风险跃升（百分点）'),
  clvAtRisk: t('CLV at risk at least', '风险客户终身价值至少'),
  sentimentSpike: t('Spike of negative sentiment', '负面情绪激增'),
  minNegative: t('Minimum negative messages', '最少负面消息数'),
  ratio: t('Ratio to weekly baseline', '相对每周基线的倍数'),
  weeklyBudget: t('Weekly alert budget per owner', '每位负责人每周提醒配额'),
  cooldown: t('Cooldown (days)', '冷却期（天）'),
  routing: t('Route alerts to', '提醒发送给'),
  owner: t('the account owner', '客户负责人'),
  team: t('a team', '团队'),
  defaultTeam: t('Default team', '默认团队'),
  budgetUse: t('Alerts in the last 7 days', '近 7 天提醒'),
  target: t('Owner or team', '负责人或团队'),
  action: t('Action', '行动'),
  tasksTitle: t('Owner tasks in the CRM', 'CRM 中的负责人任务'),
  tasksHelp: t(
    'After each write-back, the top action becomes a task for the account owner (one per account, action and week). Completing or deferring it in the CRM counts as done or dismissed.',
    '每次回写后，首要行动会成为客户负责人的任务（每个客户、行动、每周一个）。在 CRM 中完成或推迟该任务，即记为完成或忽略。',
  ),
  tasksEnabled: t('Create tasks', '创建任务'),
  tasksBands: t('For risk bands', '适用的风险等级'),
  tasksDue: t('Due in (days)', '截止（天后）'),
  channel: t('Channel', '渠道'),
  ownerRole: t('Owner role', '负责角色'),
  cost: t('Cost', '成本'),
  weight: t('Business weight', '业务权重'),
  outcomes: t('Done / dismissed', '已完成 / 已忽略'),
  measuredLift: t('Measured lift (95% CI)', '实测提升（95% 置信区间）'),
  notYet: t('not enough outcomes yet', '结果尚不足'),
  when: t('When (UTC)', '时间（UTC）'),
  actor: t('Actor', '操作者'),
  what: t('What', '操作'),
  details: t('Details', '详情'),
  exportTitle: t('Export', '导出'),
  exportHelp: t(
    'Download every row this tenant has in Success Engine (JSON Lines; tokens and secrets left out).',
    '下载此租户在客户成功引擎中的全部数据（JSON Lines 格式，不含令牌与密钥）。',
  ),
  exportButton: t('Download export', '下载导出文件'),
  exported: t('Export downloaded', '导出已下载'),
  deleteTitle: t('Delete all data', '删除全部数据'),
  confirmLabel: t('Type the tenant id to confirm', '输入租户 ID 以确认'),
  deleteButton: t('Delete all data of this tenant', '删除此租户的全部数据'),
  mismatch: t('Type the tenant id exactly to enable deletion.', '请准确输入租户 ID 以启用删除。'),
} satisfies Record<string, Localized>;

const BANDS: Record<string, Localized> = {
  low: t('low', '低'),
  medium: t('medium', '中'),
  high: t('high', '高'),
  critical: t('critical', '严重'),
};

interface Issue {
  path: string;
  message: string;
}

const app = document.getElementById('app') as HTMLElement;
const base = document.body.dataset.base ?? '/console';
let lang: Lang = initialLang();
let token = takeToken();
rememberLang(lang);

function currentPage(): PageId {
  const p = new URLSearchParams(window.location.search).get('page');
  return (PAGES as readonly string[]).includes(p ?? '') ? (p as PageId) : 'overview';
}

const L = (text: Localized) => tr(text, lang);
const call = <T>(path: string, init?: { method?: string; body?: unknown }) => api<T>(token ?? '', `${base}/api${path}`, init);

async function show(page: PageId, push: boolean, focus = true): Promise<void> {
  if (!token) return signIn();
  if (push) {
    const url = new URL(window.location.href);
    url.searchParams.set('page', page);
    window.history.pushState(null, '', url.pathname + url.search);
  }
  const heading = el('h2', { id: 'page-title', tabindex: -1 }, L(TITLES[page]));
  const body = el('div', { class: 'page-body' }, el('p', { class: 'muted' }, L(W.loading)));
  render(app, shell(page), el('section', { class: 'page', 'aria-labelledby': 'page-title' }, heading, body));
  document.title = `${L(TITLES[page])} · ${L(W.console)}`;
  try {
    render(body, await PAGE_VIEWS[page]());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forgetToken();
      token = null;
      return signIn(W.unauthenticated);
    }
    render(body, errorBox(error instanceof ApiError && error.status === 403 ? L(W.forbidden) : errorText(error)));
  }
  if (focus && push) heading.focus();
}

function shell(page: PageId): HTMLElement {
  const nav = el(
    'nav',
    { 'aria-label': L(W.nav) },
    el(
      'ul',
      {},
      PAGES.map((p) => {
        const link = el('a', { href: `?page=${p}`, 'aria-current': p === page ? 'page' : undefined }, L(TITLES[p]));
        link.addEventListener('click', (e) => {
          e.preventDefault();
          void show(p, true);
        });
        return el('li', {}, link);
      }),
    ),
  );
  const signOut = el('button', { type: 'button', class: 'secondary' }, L(W.signOut));
  signOut.addEventListener('click', () => {
    forgetToken();
    token = null;
    signIn();
  });
  return el(
    'header',
    { class: 'console-header' },
    el('h1', {}, L(W.console)),
    el(
      'div',
      { class: 'header-tools' },
      langSwitch(() => void show(currentPage(), false)),
      signOut,
    ),
    nav,
  );
}

function langSwitch(redraw: () => void): HTMLButtonElement {
  return languageSwitch(
    lang,
    (next) => {
      lang = next;
      redraw();
    },
    'secondary',
  );
}

function signIn(problem?: Localized): void {
  const input = el('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'token-help',
  });
  const form = el(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    el('h2', { id: 'sign-in-title' }, L(W.signIn)),
    problem ? el('p', { class: 'error', role: 'alert' }, L(problem)) : null,
    el('label', { for: 'token' }, L(W.tokenLabel)),
    input,
    el('p', { id: 'token-help', class: 'muted' }, L(W.tokenHelp)),
    el('button', { type: 'submit', class: 'primary' }, L(W.signIn)),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    token = input.value.trim();
    saveToken(token);
    void show(currentPage(), false);
  });
  render(
    app,
    el(
      'header',
      { class: 'console-header' },
      el('h1', {}, L(W.console)),
      el(
        'div',
        { class: 'header-tools' },
        langSwitch(() => signIn(problem)),
      ),
    ),
    form,
  );
  input.focus();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorBox(text: string): HTMLElement {
  return el('p', { class: 'error', role: 'alert' }, text);
}

function table(headers: Localized[], rows: Child[][], caption?: Localized): HTMLTableElement {
  return el(
    'table',
    {},
    caption ? el('caption', {}, L(caption)) : null,
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, L(h))),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          {},
          r.map((c) => el('td', {}, c)),
        ),
      ),
    ),
  );
}

function num(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

// Pages ----------------------------------------------------------------------------------------

interface Overview {
  tenant: { id: string; name: string } | null;
  connections: {
    id: string;
    provider: string;
    externalOrgId: string;
    baseUrl: string;
    updatedAt: string;
    limits: { requestsPerInterval: number; intervalMs: number; dailyRequests: number | null; ourDailyShare: number | null };
    budgetUsed: number | null;
  }[];
  records: Record<string, number>;
  scores: { accounts: number; bands: Record<string, number>; latestAt: string | null };
  alerts: Record<string, number>;
}

async function overviewPage(): Promise<Child[]> {
  const o = await call<Overview>('/overview');
  return [
    el('p', { class: 'tenant' }, o.tenant ? `${o.tenant.name} (${o.tenant.id})` : ''),
    o.connections.length === 0
      ? el('p', {}, L(W.noConnections))
      : table(
          [W.provider, W.org, W.baseUrl, W.rate, W.budget],
          o.connections.map((c) => [
            `${c.provider} · ${c.id}`,
            c.externalOrgId,
            el('code', {}, c.baseUrl),
            `${c.limits.requestsPerInterval} / ${c.limits.intervalMs / 1000} s${c.limits.dailyRequests ? ` · ${c.limits.dailyRequests.toLocaleString()} / day` : ''}${c.limits.ourDailyShare ? ` · ≤ ${percent(c.limits.ourDailyShare, lang)} / day` : ''}`,
            c.budgetUsed === null
              ? L(W.unknown)
              : el(
                  'span',
                  {},
                  el('meter', { min: 0, max: 1, value: c.budgetUsed, 'aria-label': L(W.budget) }),
                  ` ${percent(c.budgetUsed, lang, 1)}`,
                ),
          ]),
        ),
    el('h3', {}, L(W.records)),
    el(
      'dl',
      { class: 'counts' },
      Object.entries(o.records).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v.toLocaleString())]),
    ),
    el('h3', {}, L(W.scored)),
    el(
      'p',
      {},
      `${o.scores.accounts.toLocaleString()} · ${Object.entries(o.scores.bands)
        .map(([b, n]) => `${BANDS[b] ? L(BANDS[b]) : b} ${n}`)
        .join(' · ')}`,
    ),
    o.scores.latestAt ? el('p', { class: 'muted' }, `${L(W.lastScored)}: ${dateTime(o.scores.latestAt, lang)}`) : null,
    el('h3', {}, L(W.alertsByStatus)),
    el(
      'p',
      {},
      Object.entries(o.alerts)
        .map(([s, n]) => `${s} ${n}`)
        .join(' · ') || '0',
    ),
  ];
}

interface SourceField {
  field: string;
  scale?: number;
}
interface MappingView {
  provider: string;
  defaults: Record<string, SourceField | string[] | undefined>;
  overrides: Record<string, SourceField | string[] | null | undefined>;
  rule: string;
}

async function mappingPage(): Promise<Child[]> {
  const data = await call<{
    fields: string[];
    providers: MappingView[];
    updatedAt?: string | null;
    updatedBy?: string | null;
    findings?: SeenFinding[];
  }>('/field-mapping');
  const status = el('p', { role: 'status', class: 'status' });
  const select = el(
    'select',
    { id: 'fm-provider' },
    data.providers.map((p) => el('option', { value: p.provider }, p.provider)),
  );
  const forms = data.providers.map((p) => mappingForm(p, data.fields));
  const holder = el('div', {});
  const pick = () => {
    const chosen = forms.find((f) => f.provider === select.value) ?? forms[0];
    if (chosen) render(holder, chosen.node);
  };
  select.addEventListener('change', pick);
  pick();
  const save = el('button', { type: 'button', class: 'primary' }, L(W.save));
  save.addEventListener('click', () => {
    void (async () => {
      for (const f of forms) f.clearErrors();
      const body = Object.fromEntries(forms.map((f) => [f.provider, f.collect()]));
      try {
        await call('/field-mapping', { method: 'PUT', body });
        status.className = 'status ok';
        status.textContent = L(W.saved);
      } catch (error) {
        const issues = error instanceof ApiError ? error.issues : [];
        let first: HTMLElement | null = null;
        for (const issue of issues) {
          const form = forms.find((f) => issue.path.startsWith(`${f.provider}.`));
          const input = form?.markError(issue);
          if (input && !first) {
            first = input;
            select.value = form?.provider ?? select.value;
            pick();
          }
        }
        status.className = 'status error';
        status.textContent = errorText(error);
        first?.focus();
      }
    })();
  });
  return [
    el('p', { class: 'muted' }, L(W.mappingHelp)),
    el('div', { class: 'field-row' }, el('label', { for: 'fm-provider' }, L(W.crm)), select),
    holder,
    el('div', { class: 'buttons' }, save),
    status,
    data.updatedAt ? el('p', { class: 'muted' }, `${dateTime(data.updatedAt, lang)} · ${data.updatedBy ?? ''}`) : null,
    findingsSection(data.findings ?? []),
  ];
}

interface SeenFinding {
  finding: { code: string; object: string; field?: string; property?: string; scope?: string; optional?: boolean; message: string };
  entity: string;
  lastSeenAt: string;
}

const FINDING_CODES: Record<string, Localized> = {
  'CONNECTOR.FIELD_UNREADABLE': t('Field missing or hidden by field-level security', '字段不存在或被字段级安全性隐藏'),
  'CONNECTOR.OBJECT_UNREADABLE': t('Object missing or not visible', '对象不存在或不可见'),
  'CONNECTOR.PROPERTY_MISSING': t('Property missing in this portal', '此门户中不存在该属性'),
  'CONNECTOR.SCOPE_MISSING': t('OAuth scope not granted', '未授予 OAuth 权限范围'),
  'CONNECTOR.VALUE_NOT_ALLOWED': t('Value not allowed by the CRM', 'CRM 不允许该值'),
};

function findingsSection(findings: SeenFinding[]): HTMLElement {
  const where = (f: SeenFinding['finding']): string =>
    [f.object, f.field ?? f.property ?? f.scope].filter(Boolean).join(f.scope ? ' · ' : '.');
  return el(
    'section',
    { 'aria-labelledby': 'findings-title', 'data-testid': 'connector-findings' },
    el('h3', { id: 'findings-title' }, L(W.findingsTitle)),
    findings.length === 0
      ? el('p', { class: 'muted' }, L(W.findingsNone))
      : [
          el('p', { class: 'muted' }, L(W.findingsHelp)),
          table(
            [W.findingWhat, W.findingWhere, W.findingLastSeen, W.findingDetail],
            findings.map((s) => [
              `${L(FINDING_CODES[s.finding.code] ?? t(s.finding.code, s.finding.code))}${s.finding.optional ? ` (${L(W.findingOptional)})` : ''}`,
              el('code', {}, where(s.finding)),
              dateTime(s.lastSeenAt, lang),
              s.finding.message,
            ]),
          ),
        ],
  );
}

function mappingForm(view: MappingView, fields: string[]) {
  const inputs = new Map<string, { field: HTMLInputElement; scale: HTMLInputElement | null; error: HTMLElement }>();
  const rows = fields.map((key) => {
    const def = view.defaults[key] as SourceField | undefined;
    const over = view.overrides[key] as SourceField | null | undefined;
    const id = `fm-${view.provider}-${key}`;
    const error = el('span', { id: `${id}-error`, class: 'field-error' });
    const field = el('input', {
      id: `${id}-field`,
      type: 'text',
      value: over?.field ?? '',
      placeholder: def?.field ?? '',
      'aria-describedby': `${id}-error`,
    });
    const scale =
      key === 'arr' || key === 'seats'
        ? el('input', {
            id: `${id}-scale`,
            type: 'number',
            step: 'any',
            min: 0,
            value: over?.scale ?? '',
            placeholder: String(def?.scale ?? 1),
            'aria-describedby': `${id}-error`,
          })
        : null;
    inputs.set(key, { field, scale, error });
    return [
      el('label', { for: `${id}-field` }, key),
      def ? el('code', {}, def.field + (def.scale ? ` × ${def.scale}` : '')) : '–',
      el('span', {}, field, error),
      scale ? el('span', {}, el('label', { for: `${id}-scale`, class: 'visually-hidden' }, `${key} ${L(W.scale)}`), scale) : '',
    ];
  });
  const attrId = `fm-${view.provider}-attributes`;
  const attrError = el('span', { id: `${attrId}-error`, class: 'field-error' });
  const overAttrs = view.overrides.attributes as string[] | undefined;
  const attrs = el(
    'textarea',
    { id: attrId, rows: 2, 'aria-describedby': `${attrId}-error ${attrId}-default` },
    (overAttrs ?? []).join(', '),
  );
  const node = el(
    'div',
    { class: 'mapping' },
    table([W.field, W.defaultField, W.override, W.scale], rows),
    el('p', { class: 'muted' }, view.rule),
    el('label', { for: attrId }, L(W.attributes)),
    attrs,
    el(
      'p',
      { id: `${attrId}-default`, class: 'muted' },
      `${L(W.defaultField)}: `,
      el('code', {}, ((view.defaults.attributes as string[] | undefined) ?? []).join(', ') || '–'),
    ),
    attrError,
  );
  return {
    provider: view.provider,
    node,
    collect(): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const [key, i] of inputs) {
        const field = i.field.value.trim();
        if (!field) continue;
        const scale = i.scale?.value.trim();
        out[key] = scale ? { field, scale: Number(scale) } : { field };
      }
      const list = attrs.value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (list.length) out.attributes = list;
      return out;
    },
    clearErrors(): void {
      for (const i of inputs.values()) {
        i.error.textContent = '';
        i.field.removeAttribute('aria-invalid');
        i.scale?.removeAttribute('aria-invalid');
      }
      attrError.textContent = '';
      attrs.removeAttribute('aria-invalid');
    },
    /** Puts the server's message next to the input it names; returns that input. */
    markError(issue: Issue): HTMLElement | null {
      const [, key, part] = issue.path.split('.');
      if (key === 'attributes') {
        attrs.setAttribute('aria-invalid', 'true');
        attrError.textContent = ` ${issue.path}: ${issue.message}`;
        return attrs;
      }
      const i = key ? inputs.get(key) : undefined;
      if (!i) return null;
      const target = part === 'scale' && i.scale ? i.scale : i.field;
      target.setAttribute('aria-invalid', 'true');
      i.error.textContent = ` ${issue.path}: ${issue.message}`;
      return target;
    },
  };
}

interface Evaluation {
  status: 'ok' | 'not-enough-history';
  message: Localized | null;
  now: string;
  options: { horizonDays: number; alertThreshold: number };
  computedAt: string;
  /** The book or the active model changed since it was computed; the next training run refreshes it. */
  stale?: boolean;
  calibration: { lower: number; upper: number; count: number; meanPredicted: number | null; observedRate: number | null }[];
  lift: { decile: number; accounts: number; churned: number; lift: number }[];
  metrics: { rocAuc: number | null; brier: number | null; ece: number | null; positives: number; n: number };
  fairness?: FairnessCheck[];
  backtest: {
    asOf: string;
    accounts: number;
    churned: number;
    rocAuc: number;
    precision: number;
    recall: number;
    topDecileLift: number;
    medianDaysOfWarning: number | null;
    alertThreshold: number;
    flagged: number;
    alertsPerOwnerPerWeek: { median: number; max: number };
  } | null;
}
interface FairnessCheck {
  attribute: string;
  threshold: number;
  fourFifthsRatio: number | null;
  flagged: string[];
  warning: Localized | null;
  groups: {
    group: string;
    accounts: number;
    selectionRate: number;
    impactRatio: number | null;
    meanPredicted: number;
    observedRate: number;
    belowFourFifths: boolean;
    small: boolean;
  }[];
}

const FAIRNESS_ATTRIBUTES: Record<string, Localized> = {
  region: t('Region', '地区'),
  segment: t('Segment', '细分'),
  plan: t('Plan', '套餐'),
  language: t('Language', '语言'),
};

/** One table per attribute; the four-fifths warning as an alert above it. Every value goes in as text. */
function fairnessSection(checks: FairnessCheck[] | undefined): Child[] {
  if (!checks) return [];
  const head = [el('h3', {}, L(W.fairness)), el('p', { class: 'muted' }, L(W.fairnessNote))];
  if (checks.length === 0) return [...head, el('p', {}, L(W.fairnessNone))];
  return [
    ...head,
    ...checks.flatMap((c) => {
      const label = FAIRNESS_ATTRIBUTES[c.attribute];
      const name = label ? L(label) : c.attribute;
      return [
        el('h4', {}, `${name} · ${L(W.fourFifths)} ${c.fourFifthsRatio === null ? '—' : c.fourFifthsRatio.toFixed(2)}`),
        ...(c.warning ? [el('p', { role: 'note', class: 'fairness-warning' }, L(c.warning))] : []),
        table(
          [W.group, W.accounts, W.selectionRate, W.impactRatio, W.predicted, W.observed],
          c.groups.map((g) => [
            g.small ? `${g.group} (${L(W.fewAccounts)})` : g.group,
            String(g.accounts),
            percent(g.selectionRate, lang, 1),
            g.impactRatio === null ? '—' : `${g.impactRatio.toFixed(2)}${g.belowFourFifths ? ' < 0.8' : ''}`,
            percent(g.meanPredicted, lang, 1),
            percent(g.observedRate, lang, 1),
          ]),
        ),
      ];
    }),
  ];
}

interface ModelRow {
  version: string;
  task: string;
  status: string;
  algorithm: string;
  trainingWindow: { from: string; to: string };
  metrics: Record<string, number>;
}

async function modelsPage(): Promise<Child[]> {
  const { models, evaluation } = await call<{ models: ModelRow[]; evaluation: Evaluation }>('/models');
  const e = evaluation;
  const out: Child[] = [
    ...(e.stale
      ? [el('p', { role: 'note', class: 'stale' }, `${L(W.staleNote)}: ${e.computedAt.replace('T', ' ').slice(0, 16)} UTC`)]
      : []),
    models.length === 0
      ? el('p', {}, L(W.noModels))
      : table(
          [W.version, W.status, W.algorithm, W.window, W.heldOut],
          models.map((m) => [
            el('code', {}, `${m.task}@${m.version}`),
            m.status,
            m.algorithm,
            `${m.trainingWindow.from.slice(0, 10)} → ${m.trainingWindow.to.slice(0, 10)}`,
            `${num(m.metrics.rocAuc)} / ${num(m.metrics.brier)}`,
          ]),
        ),
  ];
  if (e.status !== 'ok') return [...out, el('p', { role: 'note' }, e.message ? L(e.message) : '')];
  const cal = e.calibration
    .filter((b) => b.count > 0 && b.meanPredicted !== null && b.observedRate !== null)
    .map((b) => ({ meanPredicted: b.meanPredicted as number, observedRate: b.observedRate as number, count: b.count }));
  return [
    ...out,
    el(
      'p',
      {},
      `ROC-AUC ${num(e.metrics.rocAuc)} · Brier ${num(e.metrics.brier)} · ECE ${num(e.metrics.ece)} · n=${e.metrics.n} (${L(W.churnedCount)} ${e.metrics.positives})`,
    ),
    el('p', { class: 'muted' }, L(W.replayNote)),
    el(
      'div',
      { class: 'charts' },
      el(
        'figure',
        {},
        calibrationChart(cal, { label: L(W.calibrationLabel), x: L(W.predicted), y: L(W.observed) }),
        el('figcaption', {}, L(W.calibration)),
      ),
      el('figure', {}, liftChart(e.lift, { label: L(W.liftLabel), x: L(W.decile), y: L(W.liftAxis) }), el('figcaption', {}, L(W.lift))),
    ),
    el(
      'details',
      {},
      el('summary', {}, `${L(W.calibration)} · ${L(W.lift)}`),
      table(
        [W.predicted, W.observed, W.accounts],
        cal.map((b) => [percent(b.meanPredicted, lang, 1), percent(b.observedRate, lang, 1), String(b.count)]),
      ),
      table(
        [W.decile, W.accounts, W.churned, W.liftAxis],
        e.lift.map((d) => [String(d.decile), String(d.accounts), String(d.churned), `${d.lift.toFixed(2)}×`]),
      ),
    ),
    ...fairnessSection(e.fairness),
  ];
}

async function backtestPage(): Promise<Child[]> {
  const { evaluation } = await call<{ evaluation: Evaluation }>('/models');
  const status = el('p', { role: 'status', class: 'status' });
  const report = el('div', {}, backtestReport(evaluation));
  const horizon = el('input', { id: 'bt-horizon', type: 'number', min: 7, max: 365, step: 1, value: evaluation.options.horizonDays });
  const threshold = el('input', {
    id: 'bt-threshold',
    type: 'number',
    min: 0.05,
    max: 0.95,
    step: 0.05,
    value: evaluation.options.alertThreshold,
  });
  const run = el('button', { type: 'submit', class: 'primary' }, L(W.run));
  const form = el(
    'form',
    { class: 'inline-form' },
    el('label', { for: 'bt-horizon' }, L(W.horizon)),
    horizon,
    el('label', { for: 'bt-threshold' }, L(W.threshold)),
    threshold,
    run,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      run.disabled = true;
      status.textContent = L(W.running);
      try {
        const options = { horizonDays: Number(horizon.value), alertThreshold: Number(threshold.value) };
        const answer = await call<{ evaluation?: Evaluation; queued?: boolean }>('/models/evaluate', { method: 'POST', body: options });
        if (answer.evaluation) {
          render(report, backtestReport(answer.evaluation));
          status.textContent = L(W.saved);
          return;
        }
        // Queued (serve has workers): wait for a stored evaluation newer than this request, with these options.
        status.textContent = L(W.queuedBacktest);
        const asked = Date.now();
        const next = await waitForEvaluation(
          (e) =>
            Date.parse(e.computedAt) >= asked - 5_000 &&
            e.options.horizonDays === options.horizonDays &&
            e.options.alertThreshold === options.alertThreshold,
        );
        if (next) {
          render(report, backtestReport(next));
          status.textContent = L(W.saved);
        } else status.textContent = L(W.stillQueued);
      } catch (error) {
        status.textContent = errorText(error);
      } finally {
        run.disabled = false;
      }
    })();
  });
  return [report, form, status];
}

/** Polls the stored evaluation every 3 s for up to 10 minutes; undefined when none matched in time. */
async function waitForEvaluation(done: (e: Evaluation) => boolean): Promise<Evaluation | undefined> {
  for (let waited = 0; waited < 600_000; waited += 3_000) {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { evaluation } = await call<{ evaluation: Evaluation }>('/models');
    if (done(evaluation)) return evaluation;
  }
  return undefined;
}

function backtestReport(e: Evaluation): Child[] {
  const b = e.backtest;
  if (!b) return [el('p', { role: 'note' }, e.message ? L(e.message) : '')];
  return [
    el('p', { class: 'lead' }, `${L(W.hadRun)} ${b.asOf.slice(0, 10)} (${b.accounts} ${L(W.accounts)}, ${b.churned} ${L(W.churned)})`),
    el(
      'dl',
      { class: 'counts' },
      [
        [W.flagged, `${Math.round(b.recall * b.churned)} / ${b.churned}`],
        [t('ROC-AUC', 'ROC-AUC'), num(b.rocAuc)],
        [W.precision, `${percent(b.precision, lang)} @ ${percent(b.alertThreshold, lang)}`],
        [W.recall, percent(b.recall, lang)],
        [W.topLift, `${b.topDecileLift.toFixed(2)}×`],
        [W.warning, b.medianDaysOfWarning === null ? '–' : b.medianDaysOfWarning.toFixed(0)],
        [W.perOwner, `${b.alertsPerOwnerPerWeek.median.toFixed(1)} / ${b.alertsPerOwnerPerWeek.max.toFixed(1)}`],
      ].flatMap(([k, v]) => [el('dt', {}, L(k as Localized)), el('dd', {}, v as string)]),
    ),
    el('p', { class: 'muted' }, L(W.replayNote)),
  ];
}

interface AlertRules {
  riskThreshold: { enabled: boolean; threshold: number };
  riskJump: { enabled: boolean; points: number };
  clvAtRisk: { enabled: boolean; minAmount: number };
  sentimentSpike: { enabled: boolean; minNegative: number; ratio: number };
  weeklyBudgetPerOwner: number;
  cooldownDays: number;
  routing: { mode: 'owner' | 'team'; defaultTeam: string };
}

async function alertsPage(): Promise<Child[]> {
  const data = await call<{ rules: AlertRules; budgetUse: { target: string; alerts: number; budget: number; share: number | null }[] }>(
    '/alert-rules',
  );
  const r = data.rules;
  const status = el('p', { role: 'status', class: 'status' });
  const check = (id: string, on: boolean) => el('input', { id, type: 'checkbox', checked: on });
  const number = (id: string, value: number, step = 'any') => el('input', { id, type: 'number', step, value });
  const f = {
    thresholdOn: check('ar-threshold-on', r.riskThreshold.enabled),
    threshold: number('ar-threshold', r.riskThreshold.threshold),
    jumpOn: check('ar-jump-on', r.riskJump.enabled),
    jump: number('ar-jump', r.riskJump.points),
    clvOn: check('ar-clv-on', r.clvAtRisk.enabled),
    clv: number('ar-clv', r.clvAtRisk.minAmount),
    sentimentOn: check('ar-sentiment-on', r.sentimentSpike.enabled),
    minNegative: number('ar-min-negative', r.sentimentSpike.minNegative, '1'),
    ratio: number('ar-ratio', r.sentimentSpike.ratio),
    budget: number('ar-budget', r.weeklyBudgetPerOwner, '1'),
    cooldown: number('ar-cooldown', r.cooldownDays, '1'),
    routing: el(
      'select',
      { id: 'ar-routing' },
      el('option', { value: 'owner', selected: r.routing.mode === 'owner' }, L(W.owner)),
      el('option', { value: 'team', selected: r.routing.mode === 'team' }, L(W.team)),
    ),
    team: el('input', { id: 'ar-team', type: 'text', value: r.routing.defaultTeam }),
  };
  const row = (label: Localized, on: HTMLInputElement | null, input: HTMLElement) =>
    el(
      'div',
      { class: 'field-row' },
      on ? el('span', {}, on, el('label', { for: on.id, class: 'visually-hidden' }, `${L(W.enabled)}: ${L(label)}`)) : el('span', {}),
      el('label', { for: input.id }, L(label)),
      input,
    );
  const form = el(
    'form',
    { class: 'rules' },
    el(
      'fieldset',
      {},
      el('legend', {}, L(TITLES.alerts)),
      row(W.riskThreshold, f.thresholdOn, f.threshold),
      row(W.riskJump, f.jumpOn, f.jump),
      row(W.clvAtRisk, f.clvOn, f.clv),
      row(W.sentimentSpike, f.sentimentOn, f.minNegative),
      row(W.ratio, null, f.ratio),
      row(W.weeklyBudget, null, f.budget),
      row(W.cooldown, null, f.cooldown),
      row(W.routing, null, f.routing),
      row(W.defaultTeam, null, f.team),
    ),
    el('button', { type: 'submit', class: 'primary' }, L(W.save)),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body: AlertRules = {
      riskThreshold: { enabled: f.thresholdOn.checked, threshold: Number(f.threshold.value) },
      riskJump: { enabled: f.jumpOn.checked, points: Number(f.jump.value) },
      clvAtRisk: { enabled: f.clvOn.checked, minAmount: Number(f.clv.value) },
      sentimentSpike: { enabled: f.sentimentOn.checked, minNegative: Number(f.minNegative.value), ratio: Number(f.ratio.value) },
      weeklyBudgetPerOwner: Number(f.budget.value),
      cooldownDays: Number(f.cooldown.value),
      routing: { mode: f.routing.value === 'team' ? 'team' : 'owner', defaultTeam: f.team.value },
    };
    void call('/alert-rules', { method: 'PUT', body }).then(
      () => (status.textContent = L(W.saved)),
      (error: unknown) => (status.textContent = errorText(error)),
    );
  });
  return [
    form,
    status,
    el('h3', {}, L(W.budgetUse)),
    table(
      [W.target, W.budgetUse, W.weeklyBudget],
      data.budgetUse.map((u) => [u.target, String(u.alerts), `${u.budget}${u.share === null ? '' : ` (${percent(u.share, lang)})`}`]),
    ),
  ];
}

interface CatalogAction {
  id: string;
  title: Localized;
  channel: string;
  ownerRole: string;
  cost: number;
  businessWeight: number;
  cooldownDays: number;
  enabled: boolean;
  isDefault: boolean;
  outcomes: { completed: number; dismissed: number };
  lift: { lift: number | null; interval: { lower: number; upper: number } | null };
}

async function catalogPage(): Promise<Child[]> {
  const data = await call<{ catalog: CatalogAction[]; overrides: { id: string }[] }>('/action-catalog');
  const status = el('p', { role: 'status', class: 'status' });
  const editors = data.catalog.map((a) => {
    const id = `ac-${a.id}`;
    const enabled = el('input', { id: `${id}-enabled`, type: 'checkbox', checked: a.enabled });
    const cost = el('input', { id: `${id}-cost`, type: 'number', min: 0, step: 'any', value: a.cost, class: 'narrow' });
    const weight = el('input', { id: `${id}-weight`, type: 'number', min: 0, step: 'any', value: a.businessWeight, class: 'narrow' });
    const cooldown = el('input', { id: `${id}-cooldown`, type: 'number', min: 0, step: 1, value: a.cooldownDays, class: 'narrow' });
    const title = L(a.title);
    const labelled = (input: HTMLInputElement, what: Localized) =>
      el('span', {}, el('label', { for: input.id, class: 'visually-hidden' }, `${L(what)}: ${title}`), input);
    return {
      action: a,
      row: [
        el('span', {}, title, el('br', {}), el('code', {}, a.id)),
        `${a.channel} · ${a.ownerRole}`,
        labelled(enabled, W.enabled),
        labelled(cost, W.cost),
        labelled(weight, W.weight),
        labelled(cooldown, W.cooldown),
        `${a.outcomes.completed} / ${a.outcomes.dismissed}`,
        a.lift.lift === null || !a.lift.interval
          ? L(W.notYet)
          : `${(a.lift.lift * 100).toFixed(1)} pts [${(a.lift.interval.lower * 100).toFixed(1)}, ${(a.lift.interval.upper * 100).toFixed(1)}]`,
      ] as Child[],
      patch: () => ({
        id: a.id,
        enabled: enabled.checked,
        cost: Number(cost.value),
        businessWeight: Number(weight.value),
        cooldownDays: Number(cooldown.value),
      }),
    };
  });
  const save = el('button', { type: 'button', class: 'primary' }, L(W.save));
  save.addEventListener('click', () => {
    const added = data.overrides.filter((o) => !editors.some((e) => e.action.isDefault && e.action.id === o.id));
    const patches = editors.filter((e) => e.action.isDefault).map((e) => e.patch());
    const extra = editors.filter((e) => !e.action.isDefault).map((e) => ({ ...added.find((o) => o.id === e.action.id), ...e.patch() }));
    void call('/action-catalog', { method: 'PUT', body: { overrides: [...patches, ...extra] } }).then(
      () => (status.textContent = L(W.saved)),
      (error: unknown) => (status.textContent = errorText(error)),
    );
  });
  return [
    table(
      [W.action, W.channel, W.enabled, W.cost, W.weight, W.cooldown, W.outcomes, W.measuredLift],
      editors.map((e) => e.row),
    ),
    el('div', { class: 'buttons' }, save),
    status,
    ...(await crmTasksForm()),
  ];
}

type RiskBand = 'low' | 'medium' | 'high' | 'critical';
const RISK_BANDS: readonly { band: RiskBand; label: Localized }[] = [
  { band: 'low', label: t('low', '低') },
  { band: 'medium', label: t('medium', '中') },
  { band: 'high', label: t('high', '高') },
  { band: 'critical', label: t('critical', '严重') },
];

async function crmTasksForm(): Promise<Child[]> {
  const { setting } = await call<{ setting: { enabled: boolean; bands?: RiskBand[]; dueInDays?: number } }>('/crm-tasks');
  const bands = setting.bands ?? ['high', 'critical'];
  const status = el('p', { role: 'status', class: 'status' });
  const enabled = el('input', { id: 'tasks-enabled', type: 'checkbox', checked: setting.enabled });
  const due = el('input', { id: 'tasks-due', type: 'number', min: 0, max: 60, step: 1, value: setting.dueInDays ?? 3, class: 'narrow' });
  const bandBoxes = RISK_BANDS.map((b) => ({
    band: b.band,
    box: el('input', { id: `tasks-band-${b.band}`, type: 'checkbox', checked: bands.includes(b.band) }),
    label: b.label,
  }));
  const form = el(
    'form',
    { class: 'rules' },
    el(
      'fieldset',
      {},
      el('legend', {}, L(W.tasksTitle)),
      el('p', {}, L(W.tasksHelp)),
      el('div', { class: 'field-row' }, el('span', {}, enabled), el('label', { for: enabled.id }, L(W.tasksEnabled)), el('span', {})),
      el(
        'fieldset',
        { class: 'choices' },
        el('legend', {}, L(W.tasksBands)),
        ...bandBoxes.map((b) => el('span', {}, b.box, el('label', { for: b.box.id }, L(b.label)))),
      ),
      el('div', { class: 'field-row' }, el('span', {}), el('label', { for: due.id }, L(W.tasksDue)), due),
    ),
    el('button', { type: 'submit', class: 'primary' }, L(W.save)),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {
      enabled: enabled.checked,
      bands: bandBoxes.filter((b) => b.box.checked).map((b) => b.band),
      dueInDays: Number(due.value),
    };
    void call('/crm-tasks', { method: 'PUT', body }).then(
      () => (status.textContent = L(W.saved)),
      (error: unknown) => (status.textContent = errorText(error)),
    );
  });
  return [form, status];
}

async function auditPage(): Promise<Child[]> {
  const { entries } = await call<{ entries: { at: string; actor: string; action: string; target: string; details: unknown }[] }>(
    '/audit?limit=200',
  );
  return [
    table(
      [W.when, W.actor, W.what, W.details],
      entries.map((e) => [
        e.at.replace('T', ' ').slice(0, 19),
        e.actor,
        `${e.action} · ${e.target}`,
        el('code', { class: 'details' }, JSON.stringify(e.details).slice(0, 300)),
      ]),
    ),
  ];
}

async function dataPage(): Promise<Child[]> {
  const info = await call<{ tenantId: string; confirmWith: string; description: Localized }>('/erasure');
  const exportStatus = el('p', { role: 'status', class: 'status' });
  const exportButton = el('button', { type: 'button', class: 'primary' }, L(W.exportButton));
  exportButton.addEventListener('click', () => {
    void (async () => {
      try {
        const response = await fetch(`${base}/api/export`, {
          headers: { Authorization: `Bearer ${token ?? ''}` },
          cache: 'no-store',
          credentials: 'omit',
        });
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        const blob = await response.blob();
        const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'success-engine-export.jsonl';
        const link = el('a', { href: URL.createObjectURL(blob), download: name });
        document.body.append(link);
        link.click();
        link.remove();
        exportStatus.textContent = `${L(W.exported)}: ${name} (${blob.size.toLocaleString()} B)`;
      } catch (error) {
        exportStatus.textContent = errorText(error);
      }
    })();
  });
  const confirm = el('input', { id: 'erase-confirm', type: 'text', autocomplete: 'off', 'aria-describedby': 'erase-help' });
  const erase = el('button', { type: 'submit', class: 'danger', disabled: true }, L(W.deleteButton));
  const eraseStatus = el('p', { role: 'status', class: 'status' });
  confirm.addEventListener('input', () => (erase.disabled = confirm.value.trim() !== info.confirmWith));
  const form = el(
    'form',
    { class: 'danger-zone', 'aria-labelledby': 'erase-title' },
    el('h3', { id: 'erase-title' }, L(W.deleteTitle)),
    el('p', { id: 'erase-help' }, L(info.description), ' ', L(W.mismatch), ' ', el('code', {}, info.confirmWith)),
    el('label', { for: 'erase-confirm' }, L(W.confirmLabel)),
    confirm,
    erase,
    eraseStatus,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void call<{ done: boolean; message: Localized }>('/erasure', { method: 'POST', body: { confirm: confirm.value } }).then(
      (r) => (eraseStatus.textContent = L(r.message)),
      (error: unknown) => (eraseStatus.textContent = errorText(error)),
    );
  });
  return [el('h3', {}, L(W.exportTitle)), el('p', {}, L(W.exportHelp)), exportButton, exportStatus, form];
}

const B = {
  notYet: t(
    'No score run has kept segments and a forecast yet: they appear after the next scoring run.',
    '尚无评分运行保存分群与预测：下次评分后显示。',
  ),
  segments: t('Segments', '客户分群'),
  segment: t('Segment', '分群'),
  accounts: t('Accounts', '客户数'),
  share: t('Share', '占比'),
  meanValue: t('Mean value if retained', '平均留存价值'),
  meanRisk: t('Mean churn risk', '平均流失风险'),
  valueAtRisk: t('Value at risk', '风险价值'),
  segmentsChart: t('Accounts per segment', '各分群客户数'),
  arrAtRisk: t('ARR at risk, next 90 days', '未来 90 天风险 ARR'),
  arrAtRiskText: t(
    '{expected} expected to be lost of {due} renewing ({n} renewals); 80% range {low} – {high}.',
    '续约 ARR {due}（{n} 个续约）中预计流失 {expected}；80% 区间 {low} – {high}。',
  ),
  renewals: t('Renewals by month', '按月续约'),
  month: t('Month', '月份'),
  renewalsDue: t('Renewals', '续约数'),
  arrDue: t('ARR due', '到期 ARR'),
  expectedRenewed: t('Expected to renew', '预计续约'),
  range: t('80% range', '80% 区间'),
  renewalsChart: t(
    'ARR expected to renew by month (dashed: ARR due; whiskers: 80% range)',
    '各月预计续约 ARR（虚线：到期 ARR；须线：80% 区间）',
  ),
  backtest: t('Backtest on your own history', '基于自有历史的回测'),
  backtestNone: t('No backtest yet: it runs after the next training.', '尚无回测：下次训练后运行。'),
  backtestArr: t(
    'Forecast made {asOf} for the next 90 days: {expected} at risk (80% range {low} – {high}); really lost {actual}: error {error}.',
    '{asOf} 对未来 90 天的预测：风险 {expected}（80% 区间 {low} – {high}）；实际流失 {actual}，误差 {error}。',
  ),
  backtestMape: t(
    'Renewed ARR by month, forecast against actual: MAPE {mape} over {n} months.',
    '各月续约 ARR 预测与实际对比：{n} 个月的 MAPE 为 {mape}。',
  ),
  backtestModel: t('Churn model of the replay: {model}.', '回测使用的流失模型：{model}。'),
  learned: t('trained on what was known then', '仅用当时已知数据训练'),
  health: t('health score (too few outcomes then)', '健康评分（当时结果太少）'),
  stale: t('The data moved on since this backtest; it is refreshed after the next training.', '此回测之后数据已有变化；下次训练后刷新。'),
  asOf: t('As of the score run of {at}.', '截至 {at} 的评分运行。'),
  independent: t(
    'Ranges treat renewals as independent: if churn moves together, reality spreads wider.',
    '区间假设各续约相互独立：若流失同时发生，实际波动更大。',
  ),
};

interface LossRangeView {
  renewals: number;
  arrDue: number;
  expected: number;
  p10: number;
  p90: number;
}
interface BookView {
  insights: {
    asOf: string;
    currency: string;
    segments: { id: string; name: Localized; accounts: number; meanValue: number; meanRisk: number; valueAtRisk: number }[] | null;
    segmentsMissing: Localized | null;
    forecast: {
      arrAtRisk: LossRangeView;
      months: (LossRangeView & { month: string; expectedRenewed: number; renewedP10: number; renewedP90: number })[];
    };
  } | null;
  backtest: {
    backtest: {
      asOf: string;
      arrAtRisk: { expected: number; p10: number; p90: number; actual: number; absolutePercentageError: number | null };
      months: unknown[];
      mape: number | null;
    } | null;
    model: 'learned' | 'health-score' | null;
    message: Localized | null;
    stale: boolean;
  } | null;
}

const fill = (text: Localized, values: Record<string, string>): string =>
  Object.entries(values).reduce((out, [k, v]) => out.replaceAll(`{${k}}`, v), L(text));

async function bookPage(): Promise<Child[]> {
  const { insights, backtest } = await call<BookView>('/book');
  if (!insights) return [el('p', {}, L(B.notYet))];
  const cur = insights.currency;
  const m = (v: number) => money(v, cur, lang);
  const segments = insights.segments ?? [];
  const total = segments.reduce((s, x) => s + x.accounts, 0);
  const risk = insights.forecast.arrAtRisk;
  return [
    el('p', { class: 'muted' }, fill(B.asOf, { at: dateTime(insights.asOf, lang) })),
    el('h3', {}, L(B.segments)),
    segments.length === 0
      ? el('p', {}, insights.segmentsMissing ? L(insights.segmentsMissing) : '–')
      : el(
          'div',
          { class: 'charts' },
          table(
            [B.segment, B.accounts, B.share, B.meanValue, B.meanRisk, B.valueAtRisk],
            segments.map((x) => [
              L(x.name),
              x.accounts.toLocaleString(),
              percent(x.accounts / Math.max(1, total), lang),
              m(x.meanValue),
              percent(x.meanRisk, lang),
              m(x.valueAtRisk),
            ]),
          ),
          barChart(
            segments.map((x) => ({ label: L(x.name), value: x.accounts })),
            { label: L(B.segmentsChart), x: L(B.segment), y: L(B.accounts), format: (v) => Math.round(v).toLocaleString() },
          ),
        ),
    el('h3', {}, L(B.arrAtRisk)),
    el(
      'p',
      { 'data-testid': 'arr-at-risk' },
      fill(B.arrAtRiskText, {
        expected: m(risk.expected),
        due: m(risk.arrDue),
        n: risk.renewals.toLocaleString(),
        low: m(risk.p10),
        high: m(risk.p90),
      }),
    ),
    el('h3', {}, L(B.renewals)),
    el(
      'div',
      { class: 'charts' },
      table(
        [B.month, B.renewalsDue, B.arrDue, B.expectedRenewed, B.range],
        insights.forecast.months.map((x) => [
          x.month,
          x.renewals.toLocaleString(),
          m(x.arrDue),
          m(x.expectedRenewed),
          `${m(x.renewedP10)} – ${m(x.renewedP90)}`,
        ]),
      ),
      barChart(
        insights.forecast.months.map((x) => ({
          label: x.month,
          value: x.expectedRenewed,
          low: x.renewedP10,
          high: x.renewedP90,
          outline: x.arrDue,
        })),
        { label: L(B.renewalsChart), x: L(B.month), y: L(B.expectedRenewed), format: m },
      ),
    ),
    el('p', { class: 'muted' }, L(B.independent)),
    el('h3', {}, L(B.backtest)),
    ...forecastBacktestView(backtest, m),
  ];
}

function forecastBacktestView(view: BookView['backtest'], m: (v: number) => string): Child[] {
  if (!view) return [el('p', {}, L(B.backtestNone))];
  if (!view.backtest) return [el('p', {}, view.message ? L(view.message) : L(B.backtestNone))];
  const { arrAtRisk, mape, months } = view.backtest;
  const error = arrAtRisk.absolutePercentageError;
  return [
    el(
      'p',
      { 'data-testid': 'forecast-backtest' },
      fill(B.backtestArr, {
        asOf: dateTime(view.backtest.asOf, lang),
        expected: m(arrAtRisk.expected),
        low: m(arrAtRisk.p10),
        high: m(arrAtRisk.p90),
        actual: m(arrAtRisk.actual),
        error: error === null ? '–' : percent(error, lang),
      }),
    ),
    el(
      'p',
      { 'data-testid': 'forecast-mape' },
      fill(B.backtestMape, { mape: mape === null ? '–' : percent(mape, lang, 1), n: String(months.length) }),
    ),
    el('p', { class: 'muted' }, fill(B.backtestModel, { model: L(view.model === 'learned' ? B.learned : B.health) })),
    view.stale ? el('p', { class: 'muted' }, L(B.stale)) : null,
  ];
}

const PAGE_VIEWS: Record<PageId, () => Promise<Child[]>> = {
  overview: overviewPage,
  book: bookPage,
  mapping: mappingPage,
  models: modelsPage,
  backtest: backtestPage,
  alerts: alertsPage,
  catalog: catalogPage,
  audit: auditPage,
  data: dataPage,
};

// Start last: everything above (including consts, which bundling turns into vars) is defined by now.
window.addEventListener('popstate', () => void show(currentPage(), false));
void show(currentPage(), false);
