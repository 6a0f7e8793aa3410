import { createHash } from 'node:crypto';
import type { CreateTaskResult, CrmConnector, CrmTaskInput, Store, RiskBand, ScoreSet, TenantId } from '../../core';

/**
 * The top next-best-action as a CRM task for the account owner (#8, item 6). Tasks are idempotent by
 * key: one task per account, action and period (default: ISO week of the scoring run), so daily
 * re-scoring and retried jobs never pile up duplicates. Not wired in by default: call it after
 * write-back when the tenant has task creation turned on.
 */
export interface TasksStepOptions {
  /** Risk bands that get a task (default: high and critical). */
  bands?: readonly RiskBand[];
  /** Days from the scoring run to the due date (default 3). */
  dueInDays?: number;
  /** One task per account and action per this period (default week). */
  period?: 'day' | 'week';
  /** Tasks per connector call (default 200). */
  batchSize?: number;
}

export interface TasksSummary {
  created: number;
  exists: number;
  /** Accounts without an action or outside the bands. */
  skipped: number;
  failed: { accountExternalId: string; code: string; message: string; retryable: boolean }[];
  /** The connector has no task object (files). */
  unsupported: boolean;
}

const PRIORITY: Record<RiskBand, CrmTaskInput['priority']> = { critical: 'high', high: 'high', medium: 'normal', low: 'low' };

function isoWeek(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00.000Z`);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((d.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const topAction = (score: ScoreSet): ScoreSet['nextBestActions'][number] | undefined =>
  [...score.nextBestActions].sort((a, b) => a.rank - b.rank)[0];

/** The task for one ScoreSet's top-ranked action, or undefined when there is none or the band is out of scope. */
export function taskForTopAction(score: ScoreSet, options: TasksStepOptions = {}): CrmTaskInput | undefined {
  const bands = options.bands ?? ['high', 'critical'];
  if (!bands.includes(score.churn.band)) return undefined;
  const top = topAction(score);
  if (!top) return undefined;
  const period = (options.period ?? 'week') === 'week' ? isoWeek(score.computedAt) : score.computedAt.slice(0, 10);
  const key = `se1-${createHash('sha256').update(`${score.tenantId}|${score.accountId}|${top.actionId}|${period}`).digest('hex').slice(0, 40)}`;
  const due = new Date(Date.parse(score.computedAt) + (options.dueInDays ?? 3) * 86_400_000).toISOString().slice(0, 10);
  const pct = `${(score.churn.probability * 100).toFixed(0)}%`;
  const body = [
    `Churn risk ${pct} (${score.churn.band}). Why this action:`,
    ...top.reasons.map((r) => `- ${r.en}`),
    '',
    `流失风险 ${pct}（${score.churn.band}）。建议原因：`,
    ...top.reasons.map((r) => `- ${r.zh}`),
    '',
    `Success Engine ${score.modelVersion}`,
  ].join('\n');
  return {
    accountId: score.accountId,
    key,
    subject: `${top.title.en} / ${top.title.zh}`.slice(0, 255),
    body,
    dueDate: due,
    priority: PRIORITY[score.churn.band],
  };
}

/** Create owner tasks for the top action of each ScoreSet of this connector's CRM; per-task results. */
export async function createTasksStep(
  store: Store,
  connector: CrmConnector,
  tenantId: TenantId,
  scores: readonly ScoreSet[],
  options: TasksStepOptions = {},
): Promise<TasksSummary> {
  const summary: TasksSummary = { created: 0, exists: 0, skipped: 0, failed: [], unsupported: false };
  const mine = scores.filter((s) => s.accountId.startsWith(`${connector.provider}:`));
  if (!connector.createTasks) return { ...summary, skipped: mine.length, unsupported: true };
  const tasks: CrmTaskInput[] = [];
  // The recommendation each task answers (its action_outcomes row), by task key.
  const recommendations = new Map<string, { accountId: string; actionId: string; recommendedAt: string }>();
  for (const s of mine) {
    const task = taskForTopAction(s, options);
    const top = topAction(s);
    if (task && top) {
      tasks.push(task);
      recommendations.set(task.key, { accountId: s.accountId, actionId: top.actionId, recommendedAt: s.computedAt });
    } else summary.skipped++;
  }
  const size = options.batchSize ?? 200;
  for (let i = 0; i < tasks.length; i += size) {
    const results: CreateTaskResult[] = await connector.createTasks(tasks.slice(i, i + size));
    for (const r of results) {
      if (r.status === 'failed') {
        summary.failed.push({ accountExternalId: r.accountExternalId, code: r.code, message: r.message, retryable: r.retryable });
        continue;
      }
      if (r.status === 'created') summary.created++;
      else summary.exists++;
      // Completing or cancelling the task in the CRM then answers this recommendation (see sync.step).
      const recommendation = recommendations.get(r.key);
      if (recommendation) await store.linkActionTask(tenantId, recommendation, r.taskExternalId);
    }
  }
  await store.appendAudit({
    tenantId,
    at: new Date().toISOString(),
    actor: 'system',
    action: 'tasks.created',
    target: connector.provider,
    details: { created: summary.created, exists: summary.exists, skipped: summary.skipped, failed: summary.failed.length },
  });
  return summary;
}
