import { refreshOrgCurrencies } from '../settings/org-currencies';
import { createHash } from 'node:crypto';
import { entityNames, SuccessEngineError, type ScoreSet, type TenantId } from '../../core';
import type { FlowNode, Processors, StepContext } from '../queue/job-queue';
import type { QueuePayload } from '../queue/queue-map';
import { observeChurnScores } from '../observability/metrics';
import { currentModelEvaluation } from '../pipeline/model-evaluation';
import { scoreRunStep } from '../pipeline/score-run.step';
import { syncPage, type SyncPageResult } from '../pipeline/sync.step';
import { analyzeTextsStep, type TextAnalysisResult } from '../pipeline/text-analysis.step';
import { resolveTextSettings } from '../settings/text-settings';
import { trainChurnStep, type TrainStepResult } from '../pipeline/train.step';
import type { WriteBackSummary } from '../pipeline/writeback.step';
import { writeBackBatchStep } from '../pipeline/writeback-batch.step';
import type { PipelineAdapters } from './pipeline-adapters';

/** Accounts per `writeback.batch` job (the connector writes them 100 to a call). */
export const WRITEBACK_BATCH = 1000;
/** Accounts per `score.batch` job from an on-change sync page. */
const SCORE_BATCH = 1000;

/** Observers for runs that want the full results in-process (the demo); jobs themselves return small summaries. */
export interface ProcessorHooks {
  onSyncPage?(result: SyncPageResult): void;
  onTrain?(result: TrainStepResult): void;
  onTexts?(result: TextAnalysisResult): void;
  onScore?(scoreSets: readonly ScoreSet[], alertsRecorded: number, suppressed: number): void;
  onWriteBack?(summary: WriteBackSummary): void;
  onAlert?(outcome: Awaited<ReturnType<ReturnType<PipelineAdapters['alertSink']>['deliver']>>): void;
}

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** A run id from a job id (scheduler jobs have no run id of their own); BullMQ ids may not hold ':'. */
const runIdOf = (jobId: string): string => `run-${createHash('sha256').update(jobId).digest('hex').slice(0, 16)}`;

/**
 * The thin processors of every queue: each parses nothing (the runner did), calls one pipeline
 * step with real adapters, and enqueues what follows. The same processors run under BullMQ
 * workers and in-process.
 */
export function createProcessors(adapters: PipelineAdapters, hooks: ProcessorHooks = {}): Processors {
  const { store } = adapters;

  /** Score the book (see scoreRunStep), queue each page's write-back as it is kept, then the pending alert deliveries. */
  const scoreAndFanOut = async (
    tenantId: TenantId,
    keep: ReadonlySet<string> | undefined,
    p: { connectionId?: QueuePayload<'score.tenant'>['connectionId']; runId: string; asOf: string },
    ctx: StepContext,
  ): Promise<{ scored: number; writebackJobs: number; alerts: number }> => {
    let writebackJobs = 0;
    // Pages hold fewer live accounts than a write-back job: full jobs are queued as pages come, the rest at the end (a CRM batch call is paid per 100).
    const unwritten: string[] = [];
    const queueWriteBack = async (accountIds: string[]) => {
      if (!p.connectionId) return;
      await ctx.queue.enqueue('writeback.batch', { tenantId, connectionId: p.connectionId, accountIds, runId: p.runId });
      writebackJobs++;
    };
    // Alert cooldowns and budgets are read when a run starts and spent as it goes: one run of a tenant at a time.
    const { scored } = await adapters.tenantLock.hold(`score:${tenantId}`, () =>
      scoreRunStep(store, tenantId, { asOf: p.asOf, recordedAt: adapters.clock.now(), ...(keep ? { keep } : {}) }, async (page) => {
        hooks.onScore?.(page.kept, page.alertsRecorded, page.alertsSuppressed);
        observeChurnScores(
          tenantId,
          page.kept.map((s) => s.churn.probability),
        );
        unwritten.push(...page.accountIds);
        while (unwritten.length >= WRITEBACK_BATCH) await queueWriteBack(unwritten.splice(0, WRITEBACK_BATCH));
      }),
    );
    if (unwritten.length) await queueWriteBack(unwritten);
    // Every pending delivery of the tenant, including ones an interrupted attempt recorded; job ids dedupe.
    const pending = await store.listAlerts(tenantId, 'pending');
    for (const d of pending)
      await ctx.queue.enqueue('alert.deliver', { tenantId, idempotencyKey: d.idempotencyKey }, { lane: 'interactive' });
    return { scored, writebackJobs, alerts: pending.length };
  };

  return {
    'sync.start': async (p, ctx) => {
      const runId = p.runId ?? runIdOf(ctx.jobId);
      const entities = p.entities ?? [...entityNames];
      const asOf = p.asOf ?? ctx.enqueuedAt;
      const syncs: FlowNode[] = entities.map((entity) => ({
        queue: 'sync.page',
        payload: { tenantId: p.tenantId, connectionId: p.connectionId, entity, mode: p.mode, runId, page: 0 },
      }));
      // Texts are read after every page is in and before training and scoring, which use them.
      const texts: FlowNode = { queue: 'text.analyze', payload: { tenantId: p.tenantId, runId }, children: syncs };
      const score: FlowNode = {
        queue: 'score.tenant',
        payload: {
          tenantId: p.tenantId,
          connectionId: p.connectionId,
          scope: p.mode === 'backfill' ? 'all' : 'changed',
          reason: 'sync',
          runId,
          asOf,
        },
        children: p.train
          ? [{ queue: 'model.train', payload: { tenantId: p.tenantId, task: 'churn', runId, asOf }, children: [texts] }]
          : [texts],
      };
      const root = await ctx.queue.enqueueFlow(score);
      return { runId, root, entities };
    },

    'sync.page': async (p, ctx) => {
      const connector = await adapters.connector(p.tenantId, p.connectionId);
      // Amounts are converted to the org's corporate currency before features read them.
      if (p.entity === 'account' && p.page === 0) await refreshOrgCurrencies(store, p.tenantId, connector);
      const result = await syncPage(store, connector, {
        tenantId: p.tenantId,
        connectionId: p.connectionId,
        entity: p.entity,
      });
      hooks.onSyncPage?.(result);
      if (!result.done) await ctx.queue.enqueue('sync.page', { ...p, page: p.page + 1 }, ctx.parent ? { parent: ctx.parent } : {});
      // Outside a run (an on-change page), changed accounts are scored at once, after their texts are read.
      if (!ctx.parent && result.changedAccountIds.length > 0) {
        for (const accountIds of chunks(result.changedAccountIds, SCORE_BATCH)) {
          await ctx.queue.enqueue(
            'text.analyze',
            { tenantId: p.tenantId, accountIds, runId: `${p.runId}.${p.entity}.${p.page}`, connectionId: p.connectionId },
            { lane: 'interactive' },
          );
        }
      }
      return {
        entity: result.entity,
        page: p.page,
        done: result.done,
        upserted: result.upserted,
        unchanged: result.unchanged,
        deleted: result.deleted,
        rejected: result.rejected,
        changedAccountIds: result.changedAccountIds,
      };
    },

    'text.analyze': async (p, ctx) => {
      const settings = await resolveTextSettings(store, p.tenantId);
      const result = await analyzeTextsStep(store, await adapters.textModel(), p.tenantId, {
        now: adapters.clock.now().toISOString(),
        topics: settings.tagger,
        batchSize: settings.batchSize,
      });
      hooks.onTexts?.(result);
      // In a run: pass the pages' changed accounts on (scoring keeps those), with the accounts whose texts changed.
      const changed = new Set(result.changedAccountIds);
      for (const value of await ctx.childValues())
        for (const id of (value as { changedAccountIds?: string[] } | null)?.changedAccountIds ?? []) changed.add(id);
      if (p.accountIds) {
        await ctx.queue.enqueue(
          'score.batch',
          {
            tenantId: p.tenantId,
            accountIds: p.accountIds,
            reason: 'on-change',
            runId: p.runId,
            ...(p.connectionId ? { connectionId: p.connectionId } : {}),
          },
          { lane: 'interactive' },
        );
      }
      return {
        read: result.read,
        reused: result.reused,
        unchanged: result.unchanged,
        removed: result.removed,
        model: result.modelId,
        changedAccountIds: [...changed].sort(),
      };
    },

    'model.train': async (p, ctx) => {
      if (p.task !== 'churn') return Promise.resolve({ task: p.task, skipped: 'only churn is trained per tenant' });
      const result = await trainChurnStep(store, p.tenantId, p.asOf ?? ctx.enqueuedAt);
      hooks.onTrain?.(result);
      // The console's model metrics and backtest, refreshed here so serve never computes them in a request.
      await currentModelEvaluation(store, p.tenantId, adapters.clock.now());
      return Promise.resolve({ task: p.task, version: result.version, promoted: result.promoted, decision: result.decision });
    },

    'score.tenant': async (p, ctx) => {
      let keep: Set<string> | undefined;
      if (p.scope === 'changed') {
        keep = new Set<string>();
        for (const value of await ctx.childValues())
          for (const id of (value as { changedAccountIds?: string[] } | null)?.changedAccountIds ?? []) keep.add(id);
        if (keep.size === 0) return { scored: 0, writebackJobs: 0, alerts: 0 };
      }
      return scoreAndFanOut(
        p.tenantId,
        keep,
        {
          ...(p.connectionId ? { connectionId: p.connectionId } : {}),
          runId: p.runId ?? runIdOf(ctx.jobId),
          asOf: p.asOf ?? ctx.enqueuedAt,
        },
        ctx,
      );
    },

    'score.batch': (p, ctx) =>
      scoreAndFanOut(
        p.tenantId,
        new Set(p.accountIds),
        { ...(p.connectionId ? { connectionId: p.connectionId } : {}), runId: p.runId, asOf: p.asOf ?? ctx.enqueuedAt },
        ctx,
      ),

    'writeback.batch': async (p) =>
      writeBackBatchStep(store, await adapters.connector(p.tenantId, p.connectionId), p.tenantId, p.accountIds, (summary) =>
        hooks.onWriteBack?.(summary),
      ),

    'model.evaluate': async (p) => {
      const evaluation = await currentModelEvaluation(
        store,
        p.tenantId,
        adapters.clock.now(),
        { horizonDays: p.horizonDays, alertThreshold: p.alertThreshold },
        true,
      );
      return Promise.resolve({ status: evaluation.status, computedAt: evaluation.computedAt, accounts: evaluation.accounts });
    },

    'alert.deliver': async (p, ctx) => {
      const row = await store.getAlert(p.tenantId, p.idempotencyKey);
      if (!row) throw new SuccessEngineError('PIPELINE.UNKNOWN_ALERT', `tenant ${p.tenantId} has no recorded alert ${p.idempotencyKey}`);
      const outcome = await adapters.alertSink(p.tenantId).attempt(p.tenantId, p.idempotencyKey);
      hooks.onAlert?.(outcome);
      // An alert nobody receives is a failure the run must show (dead letters, exit status, metrics).
      if (outcome.status === 'dead-lettered') {
        const hint = /no webhook endpoint/.test(outcome.reason)
          ? `; configure alertWebhooks for tenant ${p.tenantId} (route ${row.target} or "default") in the --settings file (docs/operations.md), then replay`
          : '';
        throw new SuccessEngineError(
          'ALERT.UNDELIVERABLE',
          `alert ${p.idempotencyKey} for ${row.target} was not delivered: ${outcome.reason}${hint}`,
          { target: row.target },
        );
      }
      if (outcome.status === 'retry') {
        const waitMs = Math.max(0, Date.parse(outcome.retryAt) - adapters.clock.now().getTime());
        await ctx.queue.enqueue(
          'alert.deliver',
          { tenantId: p.tenantId, idempotencyKey: p.idempotencyKey, attempt: (p.attempt ?? 0) + 1 },
          { delayMs: waitMs, lane: 'interactive' },
        );
      }
      return outcome;
    },
  };
}
