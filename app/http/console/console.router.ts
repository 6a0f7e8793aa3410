import { connectorFindings } from '../../settings/connector-findings';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import {
  entityNames,
  isSuccessEngineError,
  parseOrThrow,
  SuccessEngineError,
  type Provider,
  type Store,
  type TenantId,
} from '../../../core';
import {
  FILE_LIMITS,
  HUBSPOT_DAILY_REQUESTS_FREE,
  HUBSPOT_LIMITS,
  SALESFORCE_DEFAULT_DAILY_BUDGET_SHARE,
  SALESFORCE_LIMITS,
  type ProviderLimitProfile,
} from '../../../connectors/shared/provider-limits';
import { DEFAULT_ALERT_RULES } from '../../../engine/alerts/alert-rules';
import { DEFAULT_ACTION_CATALOG } from '../../../engine/nba/action-catalog';
import { measureLift } from '../../../engine/nba/action-outcomes';
import type { Metrics } from '../../observability/metrics';
import { authenticate, principalOf, requireRole } from '../auth.middleware';
import { listActionOutcomes } from './action-feedback';
import {
  actionCatalogOverrides,
  fieldMappingOverrides,
  fieldMappingViews,
  MAPPABLE_FIELDS,
  parseActionCatalogOverrides,
  parseAlertRules,
  parseFieldMappingOverrides,
  resolveActionCatalog,
  resolveAlertRules,
  resolveCrmTasks,
  CrmTasksSettingSchema,
  SETTING_KEYS,
} from '../../settings/tenant-settings';
import { currentModelEvaluation, defaultEvaluationOptions, storedModelEvaluation } from '../../pipeline/model-evaluation';
import { storedBookInsights } from '../../pipeline/score.step';
import type { JobQueue } from '../../queue/job-queue';
import { notConnectedEraser, type TenantEraser } from './tenant-eraser';
import { defaultWebAssetsDir, pageSecurityHeaders, pageShell, webAssetsRouter } from './web-assets';

export interface ConsoleDeps {
  store: Store;
  /** For the CRM API budget used (the connectors report it as a gauge per tenant and provider). */
  metrics?: Metrics;
  eraser?: TenantEraser;
  /** The job queue when there is one (Redis): explicit backtest re-runs go to the workers. */
  queue?: JobQueue | null;
  assetsDir?: string;
  now?: () => Date;
}

const LIMITS: Record<Provider, ProviderLimitProfile> = { hubspot: HUBSPOT_LIMITS, salesforce: SALESFORCE_LIMITS, file: FILE_LIMITS };
const DAILY: Record<Provider, { requests: number | null; ourShare: number | null }> = {
  hubspot: { requests: HUBSPOT_DAILY_REQUESTS_FREE, ourShare: null },
  salesforce: { requests: null, ourShare: SALESFORCE_DEFAULT_DAILY_BUDGET_SHARE },
  file: { requests: null, ourShare: null },
};

const limitQuery = z.coerce.number().int().min(1).max(1000);
const EvaluateSchema = z
  .object({
    horizonDays: z.number().int().min(7, 'must be at least 7').max(365, 'must be at most 365').optional(),
    alertThreshold: z.number().gt(0, 'must be above 0').lt(1, 'must be below 1').optional(),
  })
  .strict();
const EraseSchema = z.object({ confirm: z.string() }).strict();
const DAY_MS = 86_400_000;

/**
 * The admin console, mounted at `/console`: the page at `/console/` and its JSON API at
 * `/console/api/*` (admin tokens only: readers get 403, no token 401). Every read and write is
 * scoped to the tenant of the caller's token. Settings are validated before they are stored and
 * every change is audited.
 */
export function createConsoleRouter(deps: ConsoleDeps): Router {
  const now = deps.now ?? (() => new Date());
  const eraser = deps.eraser ?? notConnectedEraser;
  const { store } = deps;
  const router = Router();
  const headers = pageSecurityHeaders({ frameAncestors: ["'none'"] });

  router.use('/assets', headers, webAssetsRouter(deps.assetsDir ?? defaultWebAssetsDir()));
  router.get('/', headers, (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.type('html').send(
      pageShell({
        title: 'Success Engine console',
        base: req.baseUrl,
        script: 'console.js',
        style: 'console.css',
        bodyClass: 'se-console-page',
      }),
    );
  });

  const api = Router();
  api.use(headers, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: '256kb' }));
  api.use(authenticate(store));
  api.use(requireRole('admin'));

  const actor = (res: Response) => `token:${principalOf(res).label}`;
  const audit = async (res: Response, action: string, target: string, details: Record<string, unknown>) =>
    store.appendAudit({ tenantId: principalOf(res).tenantId, at: now().toISOString(), actor: actor(res), action, target, details });

  api.get('/overview', async (_req, res) => {
    const { tenantId } = principalOf(res);
    const tenant = await store.getTenant(tenantId);
    const budget = await budgetUsed(deps.metrics, tenantId);
    const connections = (await store.listConnections(tenantId)).map((c) => ({
      ...c,
      limits: {
        requestsPerInterval: LIMITS[c.provider].requestsPerInterval,
        intervalMs: LIMITS[c.provider].intervalMs,
        writeBatchMax: LIMITS[c.provider].writeBatchMax,
        dailyRequests: DAILY[c.provider].requests,
        ourDailyShare: DAILY[c.provider].ourShare,
      },
      budgetUsed: budget.get(c.provider) ?? null,
    }));
    const latest = await store.latestScores(tenantId);
    const bands: Record<string, number> = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const s of latest) bands[s.churn.band] = (bands[s.churn.band] ?? 0) + 1;
    const alerts: Record<string, number> = {};
    for (const a of await store.listAlerts(tenantId)) alerts[a.status] = (alerts[a.status] ?? 0) + 1;
    res.json({
      tenant,
      connections,
      records: Object.fromEntries(await Promise.all(entityNames.map(async (e) => [e, await store.countRecords(tenantId, e)] as const))),
      scores: {
        accounts: latest.length,
        bands,
        latestAt: latest.reduce<string | null>((m, s) => (m === null || s.computedAt > m ? s.computedAt : m), null),
      },
      alerts,
    });
  });

  // Segments and the renewal forecast as the last score run left them, with the forecast's backtest
  // from the stored evaluation (the worker refreshes both; serve only reads).
  api.get('/book', async (_req, res) => {
    const { tenantId } = principalOf(res);
    const insights = await storedBookInsights(store, tenantId);
    const stored = await storedModelEvaluation(store, tenantId);
    res.json({
      insights: insights
        ? {
            asOf: insights.asOf,
            currency: insights.currency,
            segments: insights.segments?.summaries ?? null,
            segmentsMissing: insights.segmentsMissing,
            forecast: insights.forecast,
          }
        : null,
      backtest: stored?.evaluation.forecast
        ? { ...stored.evaluation.forecast, computedAt: stored.evaluation.computedAt, stale: stored.stale }
        : null,
    });
  });

  api.get('/field-mapping', async (_req, res) => {
    const { tenantId } = principalOf(res);
    const stored = await store.getTenantSetting(tenantId, SETTING_KEYS.fieldMapping);
    res.json({
      fields: MAPPABLE_FIELDS,
      providers: fieldMappingViews(await fieldMappingOverrides(store, tenantId)),
      updatedAt: stored?.updatedAt ?? null,
      updatedBy: stored?.updatedBy ?? null,
      // What the CRM would not let the last syncs read: the admin maps around it or grants access.
      findings: await connectorFindings(store, tenantId),
    });
  });
  api.put('/field-mapping', async (req, res) => {
    const { tenantId } = principalOf(res);
    const overrides = parseFieldMappingOverrides(req.body);
    await store.putTenantSetting(tenantId, SETTING_KEYS.fieldMapping, overrides, actor(res));
    await audit(res, 'console.field-mapping.saved', SETTING_KEYS.fieldMapping, { overrides });
    res.json({ fields: MAPPABLE_FIELDS, providers: fieldMappingViews(overrides) });
  });

  api.get('/models', async (_req, res) => {
    const { tenantId } = principalOf(res);
    const models = (await store.listModels(tenantId)).map(({ artifact: _artifact, ...m }) => m);
    // The replay trains five models over the whole book: the worker refreshes it after training, and
    // serve shows what is stored (marked stale when the book moved on) rather than block its event loop.
    // Only a tenant with nothing stored yet (just installed) has it computed here, once.
    const stored = await storedModelEvaluation(store, tenantId);
    res.json({
      models,
      evaluation: stored
        ? { ...stored.evaluation, stale: stored.stale }
        : { ...(await currentModelEvaluation(store, tenantId, now())), stale: false },
    });
  });
  api.post('/models/evaluate', async (req, res) => {
    const { tenantId } = principalOf(res);
    const body = parseOrThrow(EvaluateSchema, req.body ?? {}, 'evaluation options');
    const options = {
      horizonDays: body.horizonDays ?? defaultEvaluationOptions.horizonDays,
      alertThreshold: body.alertThreshold ?? defaultEvaluationOptions.alertThreshold,
    };
    if (deps.queue) {
      // Five trainings over the whole book: a worker's job, never serve's event loop.
      const jobId = await deps.queue.enqueue(
        'model.evaluate',
        { tenantId, ...options, requestedAt: now().toISOString() },
        { lane: 'interactive' },
      );
      await audit(res, 'console.backtest.queued', 'churn', { ...options, jobId });
      res.status(202).json({ queued: true, jobId, options });
      return;
    }
    const evaluation = await currentModelEvaluation(store, tenantId, now(), options, true);
    await audit(res, 'console.backtest.run', 'churn', { ...options, status: evaluation.status });
    res.json({ evaluation });
  });

  api.get('/alert-rules', async (_req, res) => {
    const { tenantId } = principalOf(res);
    const stored = await store.getTenantSetting(tenantId, SETTING_KEYS.alertRules);
    const rules = await resolveAlertRules(store, tenantId);
    res.json({
      rules,
      defaults: DEFAULT_ALERT_RULES,
      updatedAt: stored?.updatedAt ?? null,
      budgetUse: await weeklyAlertUse(store, tenantId, now(), rules.weeklyBudgetPerOwner),
    });
  });
  api.put('/alert-rules', async (req, res) => {
    const { tenantId } = principalOf(res);
    const rules = parseAlertRules(req.body);
    await store.putTenantSetting(tenantId, SETTING_KEYS.alertRules, rules, actor(res));
    await audit(res, 'console.alert-rules.saved', SETTING_KEYS.alertRules, { rules });
    res.json({ rules, defaults: DEFAULT_ALERT_RULES, budgetUse: await weeklyAlertUse(store, tenantId, now(), rules.weeklyBudgetPerOwner) });
  });

  api.get('/action-catalog', async (_req, res) => {
    const { tenantId } = principalOf(res);
    res.json(await catalogView(store, tenantId, await actionCatalogOverrides(store, tenantId)));
  });
  api.put('/action-catalog', async (req, res) => {
    const { tenantId } = principalOf(res);
    const { overrides } = parseActionCatalogOverrides((req.body as { overrides?: unknown } | undefined)?.overrides);
    await store.putTenantSetting(tenantId, SETTING_KEYS.actionCatalog, overrides, actor(res));
    await audit(res, 'console.action-catalog.saved', SETTING_KEYS.actionCatalog, { overrides });
    res.json(await catalogView(store, tenantId, overrides));
  });

  // Owner tasks from the top action: off until an admin turns them on (they land in reps' queues).
  api.get('/crm-tasks', async (_req, res) => {
    const { tenantId } = principalOf(res);
    res.json({
      setting: await resolveCrmTasks(store, tenantId),
      updatedAt: (await store.getTenantSetting(tenantId, SETTING_KEYS.crmTasks))?.updatedAt ?? null,
    });
  });
  api.put('/crm-tasks', async (req, res) => {
    const { tenantId } = principalOf(res);
    const setting = parseOrThrow(CrmTasksSettingSchema, req.body, 'CRM task settings');
    await store.putTenantSetting(tenantId, SETTING_KEYS.crmTasks, setting, actor(res));
    await audit(res, 'console.crm-tasks.saved', SETTING_KEYS.crmTasks, { setting });
    res.json({ setting });
  });

  api.get('/audit', async (req, res) => {
    const { tenantId } = principalOf(res);
    const parsed = limitQuery.safeParse(req.query.limit ?? 200);
    if (!parsed.success) throw new SuccessEngineError('HTTP.BAD_REQUEST', 'query parameter "limit": must be a whole number from 1 to 1000');
    res.json({ entries: await store.listAudit(tenantId, { limit: parsed.data }) });
  });

  // Streamed as JSON Lines: one object per row, so a large tenant never sits in memory at once.
  api.get('/export', async (_req, res) => {
    const { tenantId } = principalOf(res);
    await audit(res, 'console.export', tenantId, {});
    const stamp = now().toISOString().replace(/[:.]/g, '-');
    res.set('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="success-engine-${encodeURIComponent(tenantId)}-${stamp}.jsonl"`);
    res.write(`${JSON.stringify({ format: 'success-engine.export/1', tenantId, exportedAt: now().toISOString() })}\n`);
    for await (const { table, row } of store.exportTenant(tenantId)) res.write(`${JSON.stringify({ table, row })}\n`);
    res.end();
  });

  api.get('/erasure', (_req, res) => {
    const { tenantId } = principalOf(res);
    res.json({ tenantId, confirmWith: tenantId, description: eraser.describe() });
  });
  api.post('/erasure', async (req, res) => {
    const { tenantId } = principalOf(res);
    const { confirm } = parseOrThrow(EraseSchema, req.body, 'erasure request');
    if (confirm.trim() !== tenantId)
      throw new SuccessEngineError('HTTP.BAD_REQUEST', `confirm: type the tenant id "${tenantId}" exactly to delete its data`);
    await audit(res, 'console.erasure.requested', tenantId, {});
    const result = await eraser.erase(tenantId, { actor: actor(res), reason: 'admin request from the console' });
    res.status(result.done ? 200 : 202).json(result);
  });

  // Validation errors keep their field list, so the editors can mark the inputs at fault.
  api.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!isSuccessEngineError(error, 'CORE.VALIDATION_FAILED')) {
      next(error);
      return;
    }
    res
      .status(400)
      .json({ error: { code: error.code, message: error.message, issues: (error.details.issues as unknown[] | undefined) ?? [] } });
  });

  router.use('/api', api);
  return router;
}

async function budgetUsed(metrics: Metrics | undefined, tenantId: TenantId): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!metrics) return out;
  const gauge = await metrics.crmBudgetUsed.get();
  for (const v of gauge.values)
    if (v.labels.tenant === tenantId && typeof v.labels.provider === 'string') out.set(v.labels.provider, v.value);
  return out;
}

/** Alerts routed to each owner or team in the last 7 days against the weekly budget. */
async function weeklyAlertUse(store: Store, tenantId: TenantId, now: Date, budget: number) {
  const since = now.getTime() - 7 * DAY_MS;
  const byTarget = new Map<string, number>();
  for (const a of await store.listAlerts(tenantId)) {
    if (Date.parse(a.createdAt) < since) continue;
    byTarget.set(a.target, (byTarget.get(a.target) ?? 0) + 1);
  }
  return [...byTarget.entries()]
    .map(([target, alerts]) => ({ target, alerts, budget, share: budget > 0 ? alerts / budget : null }))
    .sort((a, b) => b.alerts - a.alerts);
}

async function catalogView(store: Store, tenantId: TenantId, overrides: unknown[]) {
  const outcomes = await listActionOutcomes(store, tenantId);
  const catalog = overrides.length ? parseActionCatalogOverrides(overrides).catalog : await resolveActionCatalog(store, tenantId);
  return {
    catalog: catalog.map((a) => ({
      ...a,
      isDefault: DEFAULT_ACTION_CATALOG.some((d) => d.id === a.id),
      outcomes: {
        completed: outcomes.filter((o) => o.actionId === a.id && o.status === 'completed').length,
        dismissed: outcomes.filter((o) => o.actionId === a.id && o.status === 'dismissed').length,
      },
      lift: measureLift(outcomes, a.id),
    })),
    overrides,
  };
}
