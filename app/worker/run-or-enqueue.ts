import { SuccessEngineError, type StoreDescription, type TenantId } from '../../core';
import { bilingual } from '../cli/i18n';
import type { Logger } from '../log/logger';
import { openAppContext } from '../context';
import { InProcessJobQueue } from '../queue/in-process-queue';
import { assertRedisReachable, BullmqJobQueue } from '../queue/bullmq-queue';
import type { QueueName, QueuePayload } from '../queue/queue-map';
import { alertEndpoints, readSettingsFile } from '../schedules/tenant-settings';
import { crmAppsFromConfig } from '../crm-modules';
import { connectorFindings, type SeenFinding } from '../settings/connector-findings';
import { createPipelineAdapters, textModelFromConfig } from './pipeline-adapters';
import { createProcessors } from './processors';

/** How long `--wait` rides out a Redis outage (a restart) before it gives up naming REDIS_URL. */
const REDIS_OUTAGE_MS = 15_000;

/** Progress lines (stderr in the CLI). */
type Note = (text: string) => void;

export interface RunFlags {
  prefix: string;
  settings?: string;
  wait?: boolean;
}

export interface RunOutcome {
  mode: 'queued' | 'in-process';
  jobId: string;
  completed: Record<string, number>;
  deadLetters: { queue: string; jobId: string; error: string }[];
  /** What the CRM did not let this run read (in-process, or queued with --wait); the run went on without it. */
  findings: SeenFinding[];
}

/**
 * Enqueue one job on Redis (workers do the rest; `--wait` waits until every queue is empty), or,
 * without REDIS_URL, run the same processors in this process until nothing is left.
 */
export async function runOrEnqueue<Q extends QueueName>(
  note: Note,
  flags: RunFlags,
  queue: Q,
  payload: QueuePayload<Q>,
): Promise<RunOutcome> {
  const context = await openAppContext();
  const startedAt = new Date().toISOString();
  const findingsOfThisRun = async (): Promise<SeenFinding[]> =>
    (await connectorFindings(context.store, tenantId)).filter((s) => s.lastSeenAt >= startedAt);
  const tenantId = (payload as { tenantId: TenantId }).tenantId;
  try {
    if (!(await context.store.getTenant(tenantId))) {
      const known = (await context.store.listTenants()).map((t) => t.id);
      throw new SuccessEngineError(
        'PIPELINE.UNKNOWN_TENANT',
        `no tenant "${tenantId}" in ${storeNamed(context.store.description)}; known tenants: ${known.join(', ') || 'none — install a CRM or run the demo first'}`,
        { tenantId },
      );
    }
    if (context.config.redisUrl) {
      await assertRedisReachable(context.config.redisUrl);
      const producer = new BullmqJobQueue({ redisUrl: context.config.redisUrl, prefix: flags.prefix });
      try {
        const jobId = await producer.enqueue(queue, payload, { lane: 'interactive' });
        note(
          bilingual(
            `Queued ${queue} job ${jobId} on ${flags.prefix}; workers (success-engine worker) process it`,
            `已将 ${queue} 任务 ${jobId} 加入队列；由工作进程处理`,
          ),
        );
        if (!flags.wait) return { mode: 'queued', jobId, completed: {}, deadLetters: [], findings: [] };
        await producer.waitForIdle({
          pollMs: 1000,
          maxOutageMs: REDIS_OUTAGE_MS,
          onPoll: (n) => note(`  ${bilingual('unfinished jobs', '未完成任务')}: ${n}`),
        });
        return { mode: 'queued', jobId, completed: {}, deadLetters: [], findings: await findingsOfThisRun() };
      } finally {
        await producer.close();
      }
    }
    return await runInProcess(note, flags, queue, payload, context.log);
  } finally {
    await context.close();
  }

  async function runInProcess(o: Note, f: RunFlags, name: Q, data: QueuePayload<Q>, log: Logger): Promise<RunOutcome> {
    const settings = f.settings ? readSettingsFile(f.settings) : { tenants: [] };
    const adapters = createPipelineAdapters({
      store: context.store,
      alertEndpointFor: alertEndpoints(settings),
      oauthApps: crmAppsFromConfig(context.config),
      crmRequestTimeoutMs: context.config.crmRequestTimeoutSeconds * 1000,
      openTextModel: textModelFromConfig(context.config, (m) => o(m)),
    });
    let pages = 0;
    let scoredSoFar = 0;
    const queued = new InProcessJobQueue(
      createProcessors(adapters, {
        onSyncPage: (r) => {
          pages++;
          if (pages % 10 === 0 || r.done) o(`  ${bilingual('sync', '同步')} ${r.entity}: ${pages} ${bilingual('pages', '页')}`);
        },
        onScore: (s) => o(`  ${bilingual('scored', '已评分')}: ${(scoredSoFar += s.length)}`),
        onWriteBack: (s) =>
          o(
            `  ${bilingual('written back', '已回写')}: ${s.written} / ${bilingual('unchanged', '未变化')} ${s.unchanged} / ${bilingual('failed', '失败')} ${s.failed.length}`,
          ),
      }),
    );
    o(bilingual('No REDIS_URL: running in this process', '未设置 REDIS_URL：在本进程内运行'));
    const jobId = await queued.enqueue(name, data);
    await queued.drain();
    await adapters.closeTextModel();
    for (const d of queued.deadLetters) log.warn({ queue: d.queue, jobId: d.jobId, error: d.error }, 'job dead-lettered');
    return {
      mode: 'in-process',
      jobId,
      completed: Object.fromEntries(queued.completed),
      deadLetters: queued.deadLetters.map((d) => ({ queue: d.queue, jobId: d.jobId, error: d.error })),
      findings: await findingsOfThisRun(),
    };
  }
}

/** The store as the admin chose it: its location and the variable that chose it. */
function storeNamed(description: StoreDescription): string {
  return `${description.location} (${description.kind === 'postgres' ? 'SE_DATABASE_URL' : 'SE_DATABASE_PATH'})`;
}
