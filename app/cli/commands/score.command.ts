import { type Command } from 'commander';
import type { ConnectionId, TenantId } from '../../../core';
import { runOrEnqueue } from '../../worker/run-or-enqueue';
import { action, isoInstant, type CommandModule } from '../command';
import { bilingual } from '../i18n';

interface ScoreFlags {
  json?: boolean;
  connection?: string;
  asOf?: string;
  prefix: string;
  settings?: string;
  wait?: boolean;
}

/** `success-engine score <tenant>`: score every live account, write back to a connection, raise alerts. */
export const scoreCommand: CommandModule = {
  register(program: Command) {
    program
      .command('score <tenant>')
      .description('Score every live account of a tenant, write back and alert / 为租户的全部客户评分、回写并提醒')
      .option('--json', 'print one JSON object on stdout')
      .option('--connection <id>', 'write the scores back to this connection (default: keep them in the store)')
      .option('--as-of <iso>', 'score as of this instant (default now)', isoInstant('--as-of'))
      .option('--prefix <prefix>', 'BullMQ key prefix', 'se')
      .option('--settings <file>', 'tenants’ alert webhooks (in-process runs)')
      .option('--wait', 'with REDIS_URL: wait until the workers have finished every queued job')
      .action(
        action(async (out, tenant: string, flags: ScoreFlags) => {
          const outcome = await runOrEnqueue((t) => out.note(t), flags, 'score.tenant', {
            tenantId: tenant as TenantId,
            scope: 'all',
            reason: 'manual',
            runId: `manual-${Date.now()}`,
            ...(flags.connection ? { connectionId: flags.connection as ConnectionId } : {}),
            ...(flags.asOf ? { asOf: flags.asOf } : {}),
          });
          out.line(
            outcome.mode === 'queued'
              ? bilingual(`Queued scoring ${outcome.jobId}`, `已排队评分任务 ${outcome.jobId}`)
              : bilingual(`Scoring finished: ${JSON.stringify(outcome.completed)}`, `评分完成：${JSON.stringify(outcome.completed)}`),
          );
          if (outcome.deadLetters.length > 0) {
            for (const d of outcome.deadLetters) out.line(`  ${d.queue} ${d.jobId}: ${d.error}`);
            process.exitCode = 1;
          }
          out.result(outcome);
        }),
      );
  },
};
