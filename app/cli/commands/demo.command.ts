import { type Command } from 'commander';
import { entityNames, type TenantId } from '../../../core';
import { openAppContext } from '../../context';
import { action, type CommandModule } from '../command';
import { bilingual } from '../i18n';

const DEMO_TENANT = 'demo' as TenantId;

/**
 * The one-command demo. Today it prepares the embedded store and shows what is in it; it grows
 * into sync → score → write-back → alerts as those parts land (see the running-system issue).
 */
export const demoCommand: CommandModule = {
  register(program: Command) {
    program
      .command('demo')
      .description('Run the product end to end on the embedded default (sandbox CRMs, SQLite, no credentials)')
      .option('--json', 'print one JSON object on stdout')
      .option('--no-serve', 'exit after the summary instead of serving the API')
      .action(
        action((out) => {
          const ctx = openAppContext();
          try {
            const existing = ctx.store.getTenant(DEMO_TENANT);
            if (!existing) ctx.store.upsertTenant({ id: DEMO_TENANT, name: 'Demo book of business', locale: 'en', createdAt: new Date().toISOString() });
            const counts = Object.fromEntries(entityNames.map((e) => [e, ctx.store.countRecords(DEMO_TENANT, e)]));
            out.line(bilingual('Success Engine demo', '客户成功引擎演示'));
            out.line(`${bilingual('Store', '数据存储')}: ${ctx.config.databasePath}`);
            out.line(`${bilingual('Tenant', '租户')}: ${DEMO_TENANT}`);
            for (const [entity, n] of Object.entries(counts)) out.line(`  ${entity.padEnd(13)} ${n}`);
            out.line();
            out.line(bilingual('Available now: the canonical model, the embedded store, and `success-engine --help`.', '当前可用：规范数据模型、内嵌存储，以及 `success-engine --help`。'));
            out.result({ databasePath: ctx.config.databasePath, tenant: DEMO_TENANT, records: counts });
          } finally {
            ctx.close();
          }
        }),
      );
  },
};
