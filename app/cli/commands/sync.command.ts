import { type Command } from 'commander';
import type { ConnectionId, EntityName, TenantId } from '../../../core';
import { entityNames } from '../../../core';
import { runOrEnqueue } from '../../worker/run-or-enqueue';
import { action, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

interface SyncFlags {
  json?: boolean;
  tenant?: string;
  mode: string;
  entities?: string;
  train?: boolean;
  prefix: string;
  settings?: string;
  wait?: boolean;
}

/** `success-engine sync <connection>`: one sync run (then score, write back, alert); queued with REDIS_URL, in-process without. */
export const syncCommand: CommandModule = {
  register(program: Command) {
    program
      .command('sync <connection>')
      .description('Sync a saved CRM connection, then score, write back and alert / 同步 CRM 连接，然后评分、回写并提醒')
      .option('--json', 'print one JSON object on stdout')
      .requiredOption('--tenant <id>', 'the tenant the connection belongs to')
      .option('--mode <mode>', 'incremental (changes since the saved cursor) or backfill (score every account after)', 'incremental')
      .option('--entities <list>', `comma-separated entities (default all: ${entityNames.join(', ')})`)
      .option('--train', 'retrain the churn model after the sync (promoted only without regression)')
      .option('--prefix <prefix>', 'BullMQ key prefix', 'se')
      .option('--settings <file>', 'tenants’ alert webhooks (in-process runs)')
      .option('--wait', 'with REDIS_URL: wait until the workers have finished every queued job')
      .action(
        action(async (out, connection: string, flags: SyncFlags) => {
          if (flags.mode !== 'incremental' && flags.mode !== 'backfill')
            throw new UsageError(`--mode must be incremental or backfill, got "${flags.mode}"`);
          const entities = flags.entities
            ?.split(',')
            .map((e) => e.trim())
            .filter(Boolean);
          const unknown = entities?.filter((e) => !(entityNames as readonly string[]).includes(e)) ?? [];
          if (unknown.length > 0)
            throw new UsageError(`--entities: unknown entity ${unknown.join(', ')} (known: ${entityNames.join(', ')})`);
          const outcome = await runOrEnqueue((t) => out.note(t), flags, 'sync.start', {
            tenantId: flags.tenant as TenantId,
            connectionId: connection as ConnectionId,
            mode: flags.mode,
            ...(entities ? { entities: entities as EntityName[] } : {}),
            ...(flags.train ? { train: true } : {}),
          });
          out.line(
            outcome.mode === 'queued'
              ? bilingual(`Queued sync run ${outcome.jobId}`, `已排队同步任务 ${outcome.jobId}`)
              : bilingual(`Sync run finished: ${JSON.stringify(outcome.completed)}`, `同步完成：${JSON.stringify(outcome.completed)}`),
          );
          if (outcome.findings.length > 0) {
            out.line(
              bilingual(
                `The CRM did not let this run read ${outcome.findings.length} item(s); the sync went on without them:`,
                `CRM 未允许本次运行读取 ${outcome.findings.length} 项内容；同步已跳过它们继续进行：`,
              ),
            );
            for (const { finding: f } of outcome.findings)
              out.line(`  ${f.code} ${[f.object, f.field ?? f.property ?? f.scope].filter(Boolean).join('.')}: ${f.message}`);
          }
          if (outcome.deadLetters.length > 0) {
            out.line(bilingual(`${outcome.deadLetters.length} job(s) failed for good:`, `${outcome.deadLetters.length} 个任务最终失败：`));
            for (const d of outcome.deadLetters) out.line(`  ${d.queue} ${d.jobId}: ${d.error}`);
            process.exitCode = 1;
          }
          out.result(outcome);
        }),
      );
  },
};
