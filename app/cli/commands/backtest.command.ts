import path from 'node:path';
import { type Command } from 'commander';
import type { TenantId } from '../../../core';
import { backtestChurn } from '../../../engine/scoring/backtest';
import { openStore, storeLocationOf } from '../../open-store';
import { loadConfig } from '../../config/config';
import { textAblation } from '../../pipeline/model-evaluation';
import { loadTenantRecords } from '../../pipeline/tenant-records';
import { action, isoInstant, positiveInt, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

interface BacktestFlags {
  json?: boolean;
  database?: string;
  tenant?: string;
  horizon: number;
  threshold: string;
  asOf?: string;
}

/** `success-engine backtest`: what the churn model would have said N days ago, on the tenant's own synced history. */
export const backtestCommand: CommandModule = {
  register(program: Command) {
    program
      .command('backtest')
      .description('Replay churn scoring on your own synced history ("had this run N days ago") / 用您自己的历史数据回测流失预测')
      .option('--database <path>', 'SQLite store to read (default: SE_DATABASE_PATH)')
      .option('--tenant <id>', 'tenant to replay (default: the only tenant in the store)')
      .option('--horizon <days>', 'how far back the replay starts', positiveInt('--horizon'), 30)
      .option('--threshold <p>', 'churn probability at which an alert is raised', '0.6')
      .option('--as-of <iso>', 'the "now" of the replay (default: the latest record modstamp)', isoInstant('--as-of'))
      .option('--json', 'print one JSON object on stdout')
      .action(
        action(async (out, flags: BacktestFlags) => {
          const threshold = Number(flags.threshold);
          if (!(threshold > 0 && threshold < 1))
            throw new UsageError(`--threshold must be a probability between 0 and 1, got "${flags.threshold}"`);
          const config = loadConfig();
          // Reading only: a missing or empty file is an error, never a new database.
          const location = flags.database ? { databasePath: path.resolve(flags.database) } : storeLocationOf(config);
          const store = await openStore(location, { readOnly: true });
          try {
            const tenants = await store.listTenants();
            const tenantId = (flags.tenant ?? (tenants.length === 1 ? tenants[0]?.id : undefined)) as TenantId | undefined;
            if (!tenantId)
              throw new UsageError(
                `--tenant is needed: the store holds ${tenants.length} tenants (${tenants.map((t) => t.id).join(', ') || 'none; run a sync or the demo first'})`,
              );
            if (!(await store.getTenant(tenantId)))
              throw new UsageError(`--tenant: no tenant "${tenantId}" in ${store.description.location}`);
            const records = await loadTenantRecords(store, tenantId);
            const now = flags.asOf ?? latestModstamp(records.accounts);
            out.note(
              bilingual(
                `replaying ${records.accounts.length} accounts as of ${flags.horizon} days before ${now}`,
                `回放 ${records.accounts.length} 个客户（${now} 之前 ${flags.horizon} 天）`,
              ),
            );
            const options = { horizonDays: flags.horizon, alertThreshold: threshold };
            const report = backtestChurn(records, now, options);
            const ablation = textAblation(records, now, options, report);
            const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
            const flaggedChurns = Math.round(report.recall * report.churned);
            out.line(bilingual(`Had this run on ${report.asOf.slice(0, 10)}:`, `如果在 ${report.asOf.slice(0, 10)} 运行：`));
            out.line(
              `  ${bilingual(`would have flagged ${flaggedChurns} of your ${report.churned} churns${report.medianDaysOfWarning !== null ? `, a median ${report.medianDaysOfWarning.toFixed(0)} days early` : ''}`, `将提前识别 ${report.churned} 个流失客户中的 ${flaggedChurns} 个${report.medianDaysOfWarning !== null ? `，中位提前 ${report.medianDaysOfWarning.toFixed(0)} 天` : ''}`)}`,
            );
            out.line(
              `  ROC-AUC ${report.rocAuc.toFixed(3)} · ${bilingual('precision', '精确率')} ${pct(report.precision)} · ${bilingual('recall', '召回率')} ${pct(report.recall)} @ ${pct(threshold)}`,
            );
            out.line(
              `  ${bilingual('top-decile lift', '前 10% 提升度')} ${report.topDecileLift.toFixed(2)}× · ${bilingual('alerts per owner per week', '每位负责人每周提醒数')} ${report.alertsPerOwnerPerWeek.median.toFixed(1)} (${bilingual('busiest', '最多')} ${report.alertsPerOwnerPerWeek.max.toFixed(1)})`,
            );
            out.line(
              `  ${bilingual(
                `what customers say: ROC-AUC ${ablation.rocAucWithText.toFixed(3)} with text features, ${ablation.rocAucWithoutText.toFixed(3)} without (same folds; ${ablation.textsBeforeAsOf} texts from ${ablation.accountsWithText} accounts)`,
                `客户声音：含文本特征 ROC-AUC ${ablation.rocAucWithText.toFixed(3)}，不含 ${ablation.rocAucWithoutText.toFixed(3)}（相同折；${ablation.accountsWithText} 个客户的 ${ablation.textsBeforeAsOf} 条文本）`,
              )}`,
            );
            out.line(
              `  ${bilingual('Replay: cross-fitted on one window (each account scored by a model that never saw it)', '回放方式：单一时间窗内交叉拟合（每个客户由未见过它的模型评分）')}`,
            );
            out.result({ tenantId, ...report, textAblation: ablation });
          } finally {
            await store.close();
          }
        }),
      );
  },
};

function latestModstamp(accounts: readonly { source: { modstamp: string } }[]): string {
  let latest = 0;
  for (const a of accounts) latest = Math.max(latest, Date.parse(a.source.modstamp));
  if (latest === 0) throw new UsageError('the tenant has no accounts yet: sync first (or run the demo)');
  return new Date(latest).toISOString();
}
