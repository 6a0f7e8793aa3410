import { type Command } from 'commander';
import { openAppContext } from '../../context';
import { loadConfig } from '../../config/config';
import { RedisHealth } from '../../http/redis-health';
import { assertRedisReachable, BullmqJobQueue, redactRedisUrl } from '../../queue/bullmq-queue';
import { listSchedules, upsertSchedules } from '../../schedules/schedules';
import { alertEndpoints, readSettingsFile, type SettingsFile } from '../../schedules/tenant-settings';
import { crmAppsFromConfig } from '../../crm-modules';
import { textModelFromConfig } from '../../worker/pipeline-adapters';
import { startWorkerRuntime } from '../../worker/worker-runtime';
import { action, positiveInt, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';
import type { Output } from '../output';

interface WorkerFlags {
  json?: boolean;
  concurrency: number;
  prefix: string;
  settings?: string;
  listSchedules?: boolean;
  lockMs?: number;
  hubspotRate?: number;
}

/** REDIS_URL or a usage error that says what to do. */
export function requireRedis(command: string): string {
  const url = loadConfig().redisUrl;
  if (!url)
    throw new UsageError(
      `${command} needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379). Every worker process shares it. / ${command} 需要 Redis：请设置 REDIS_URL。`,
    );
  return url;
}

/** `success-engine worker`: BullMQ workers for every queue; run as many processes as you like against one Redis. */
export const workerCommand: CommandModule = {
  register(program: Command) {
    program
      .command('worker')
      .description('Process queued jobs (sync, score, write-back, alerts, training) until SIGTERM / 处理队列任务直到收到 SIGTERM')
      .option('--json', 'print one JSON object on stdout')
      .option('--concurrency <n>', 'jobs run at once per queue in this process', positiveInt('--concurrency'), 4)
      .option('--prefix <prefix>', 'BullMQ key prefix shared by the deployment', 'se')
      .option('--settings <file>', 'tenants’ schedules and alert webhooks (JSON; see docs/operations.md); schedulers are upserted at start')
      .option('--list-schedules', 'print the job schedulers in Redis and exit')
      .option('--lock-ms <ms>', 'job lock; a killed worker’s job is taken back after about this long', positiveInt('--lock-ms'))
      .option(
        '--hubspot-rate <n>',
        'HubSpot requests per 10 s of the app’s tier (default 100, the public-app limit)',
        positiveInt('--hubspot-rate'),
      )
      .action(action(async (out, flags: WorkerFlags) => runWorker(out, flags)));
  },
};

async function runWorker(out: Output, flags: WorkerFlags): Promise<void> {
  const redisUrl = requireRedis('success-engine worker');
  const settings: SettingsFile = flags.settings ? readSettingsFile(flags.settings) : { tenants: [] };
  if (flags.listSchedules) {
    await assertRedisReachable(redisUrl);
    const queue = new BullmqJobQueue({ redisUrl, prefix: flags.prefix });
    try {
      const schedules = await listSchedules(queue);
      out.line(`${bilingual('Job schedulers', '定时任务')}: ${schedules.length}`);
      for (const s of schedules)
        out.line(
          `  ${s.id}  ${s.queue}  ${s.every ? `every ${s.every / 60_000} min` : `${s.pattern ?? ''} ${s.tz ?? ''}`}  next ${s.next ?? '-'}`,
        );
      out.result({ schedules });
    } finally {
      await queue.close();
    }
    return;
  }
  // Listen first: whatever happens next (Redis away, schedules pending), a signal stops us.
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const context = await openAppContext();
  const runtime = startWorkerRuntime({
    redisUrl,
    prefix: flags.prefix,
    store: context.store,
    log: context.log,
    concurrency: flags.concurrency,
    alertEndpointFor: alertEndpoints(settings),
    oauthApps: crmAppsFromConfig(context.config),
    crmRequestTimeoutMs: context.config.crmRequestTimeoutSeconds * 1000,
    openTextModel: textModelFromConfig(context.config, (m) => context.log.info(m)),
    ...(flags.lockMs ? { lockDurationMs: flags.lockMs, stalledIntervalMs: Math.max(1000, Math.floor(flags.lockMs / 2)) } : {}),
    ...(flags.hubspotRate ? { hubspotRequestsPerInterval: flags.hubspotRate } : {}),
  });
  const health = new RedisHealth(redisUrl);
  const watch = watchRedis(out, health, redisUrl);
  if (flags.settings) {
    // Waits for Redis if it is away; the worker keeps answering signals meanwhile.
    upsertSchedules(runtime.producer, settings).then(
      (schedules) => out.note(`${bilingual('Schedules upserted', '已更新定时任务')}: ${schedules.length}`),
      (error: unknown) => context.log.error({ err: error }, 'could not upsert the schedules'),
    );
  }
  out.note(
    bilingual(
      `Worker ${process.pid} processing queues under prefix "${flags.prefix}" (SIGTERM to stop)`,
      `工作进程 ${process.pid} 正在处理前缀 "${flags.prefix}" 的队列（SIGTERM 停止）`,
    ),
  );
  const signal = await stopped;
  clearInterval(watch);
  const up = health.isUp();
  out.note(
    up
      ? bilingual(`${signal}: finishing active jobs, then stopping`, `${signal}：完成进行中的任务后停止`)
      : bilingual(`${signal}: Redis is unreachable, stopping now`, `${signal}：Redis 不可达，立即停止`),
  );
  // Without Redis nothing can be finished or handed back: drop the connections instead of waiting.
  if (up) await runtime.close();
  else await Promise.race([runtime.close({ force: true }), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  runtime.abandon();
  await Promise.race([health.close(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
  await context.close();
  out.result({ stopped: signal, pid: process.pid });
  // ioredis clients still waiting for an absent Redis keep reconnect timers alive; nothing is
  // left to finish, so do not let them hold the process.
  if (!up) setTimeout(() => process.exit(), 500).unref();
}

/** A one-line warning every 30 s while Redis is unreachable (the workers keep reconnecting). */
function watchRedis(out: Output, health: RedisHealth, redisUrl: string): NodeJS.Timeout {
  let wasDown = false;
  let lastWarned = 0;
  const check = (): void => {
    if (health.isUp()) {
      if (wasDown)
        out.note(
          bilingual(`Redis at REDIS_URL=${redactRedisUrl(redisUrl)} is back`, `Redis（REDIS_URL=${redactRedisUrl(redisUrl)}）已恢复`),
        );
      wasDown = false;
      return;
    }
    wasDown = true;
    if (Date.now() - lastWarned < REDIS_WARN_EVERY_MS) return;
    lastWarned = Date.now();
    out.note(
      bilingual(
        `warning: cannot reach Redis at REDIS_URL=${redactRedisUrl(redisUrl)} (${health.status()}); retrying, no jobs run until it answers`,
        `警告：无法连接 Redis（REDIS_URL=${redactRedisUrl(redisUrl)}），正在重试，恢复前不处理任务`,
      ),
    );
  };
  const timer = setInterval(check, 1_000);
  return timer;
}

const REDIS_WARN_EVERY_MS = 30_000;
