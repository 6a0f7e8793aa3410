import type { BullmqJobQueue } from '../queue/bullmq-queue';
import { RETRY_POLICY } from '../queue/job-queue';
import { queueNames, type QueueName, type QueuePayload } from '../queue/queue-map';
import type { SettingsFile } from './tenant-settings';

export type Schedule = {
  [Q in QueueName]: { id: string; queue: Q; every?: number; pattern?: string; tz?: string; payload: QueuePayload<Q> };
}[QueueName];

/** Every schedule the settings ask for. Ids are stable, so upserting again replaces, never duplicates. */
export function schedulesFor(settings: SettingsFile): Schedule[] {
  const out: Schedule[] = [];
  for (const t of settings.tenants) {
    for (const c of t.connections) {
      if (c.incrementalSyncMinutes > 0) {
        out.push({
          id: `sync.${t.tenantId}.${c.id}`,
          queue: 'sync.start',
          every: c.incrementalSyncMinutes * 60_000,
          payload: { tenantId: t.tenantId, connectionId: c.id, mode: 'incremental', ...(c.entities ? { entities: c.entities } : {}) },
        });
      }
      if (t.nightlyScoreCron)
        out.push({
          id: `score.${t.tenantId}.${c.id}`,
          queue: 'score.tenant',
          pattern: t.nightlyScoreCron,
          tz: t.timezone,
          payload: { tenantId: t.tenantId, connectionId: c.id, scope: 'all', reason: 'nightly' },
        });
    }
    if (t.weeklyTrainCron)
      out.push({
        id: `train.${t.tenantId}`,
        queue: 'model.train',
        pattern: t.weeklyTrainCron,
        tz: t.timezone,
        payload: { tenantId: t.tenantId, task: 'churn', runId: 'scheduled' },
      });
  }
  return out;
}

/**
 * BullMQ job schedulers (`upsertJobScheduler`): one per schedule, kept in Redis, firing once
 * however many workers run. Schedulers of tenants no longer in the settings are removed.
 */
export async function upsertSchedules(queue: BullmqJobQueue, settings: SettingsFile): Promise<Schedule[]> {
  const wanted = schedulesFor(settings);
  const ids = new Set(wanted.map((s) => s.id));
  for (const s of wanted) {
    await queue
      .queue(s.queue)
      .upsertJobScheduler(s.id, s.every !== undefined ? { every: s.every } : { pattern: s.pattern ?? '', ...(s.tz ? { tz: s.tz } : {}) }, {
        name: s.queue,
        data: s.payload,
        opts: {
          attempts: RETRY_POLICY.attempts,
          backoff: { type: 'exponential', delay: RETRY_POLICY.backoffMs },
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 1000 },
        },
      });
  }
  for (const name of queueNames) {
    for (const existing of await queue.queue(name).getJobSchedulers())
      if (!ids.has(existing.key)) await queue.queue(name).removeJobScheduler(existing.key);
  }
  return wanted;
}

export interface ListedSchedule {
  id: string;
  queue: QueueName;
  every: number | null;
  pattern: string | null;
  tz: string | null;
  next: string | null;
  payload: unknown;
}

/** The schedulers Redis holds now, with their next firing. */
export async function listSchedules(queue: BullmqJobQueue): Promise<ListedSchedule[]> {
  const out: ListedSchedule[] = [];
  for (const name of queueNames) {
    for (const s of await queue.queue(name).getJobSchedulers()) {
      out.push({
        id: s.key,
        queue: name,
        every: s.every ? Number(s.every) : null,
        pattern: s.pattern ?? null,
        tz: s.tz ?? null,
        next: s.next ? new Date(s.next).toISOString() : null,
        payload: s.template?.data ?? null,
      });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
