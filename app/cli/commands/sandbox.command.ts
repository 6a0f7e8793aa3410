import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { startHubSpotSandbox } from '../../../sandbox/hubspot/hubspot-sandbox.server';
import type { HubSpotTier } from '../../../sandbox/hubspot/hubspot-rate-limiter';
import { HUBSPOT_TIERS } from '../../../sandbox/hubspot/hubspot-rate-limiter';
import { startSalesforceSandbox } from '../../../sandbox/salesforce/salesforce-sandbox.server';
import { generateBook } from '../../../sandbox/seed/book.generator';
import { readTelcoCsv } from '../../../sandbox/seed/telco.reader';
import { action, positiveInt, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';

interface SandboxFlags {
  crm: string;
  port: number;
  seed: number;
  accounts: number;
  csv: string;
  tier: string;
  org: string;
  webhookUrl?: string;
  exitAfterStart?: boolean;
}

/** `success-engine sandbox`: a local Salesforce or HubSpot stand-in with a seeded book of business. */
export const sandboxCommand: CommandModule = {
  register(program: Command) {
    program
      .command('sandbox')
      .description(
        'Serve a local, API-faithful Salesforce or HubSpot with seeded demo data / 启动本地 Salesforce 或 HubSpot 沙箱（含种子数据）',
      )
      .requiredOption('--crm <crm>', 'salesforce or hubspot')
      .option(
        '--port <port>',
        'port to listen on (0 picks a free one)',
        (v: string) => {
          const n = Number(v);
          // InvalidArgumentError lets commander report it as a usage error (exit 2).
          if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be an integer 0-65535, got "${v}"`);
          return n;
        },
        0,
      )
      .option('--seed <n>', 'seed for the generated data', positiveInt('--seed'), 42)
      .option('--accounts <n>', 'accounts (companies) to generate', positiveInt('--accounts'), 500)
      .option('--csv <path>', 'the Telco churn CSV the book is built from', DEFAULT_CSV)
      .option('--tier <tier>', `HubSpot rate-limit tier (${Object.keys(HUBSPOT_TIERS).join(', ')})`, 'professional')
      .option('--webhook-url <url>', 'HubSpot only: POST signed webhook batches here (client secret sandbox-client-secret)')
      .option(
        '--org <profile>',
        "vanilla (the vendor's standard schema only: Salesforce single-currency, HubSpot default properties) or customised (custom fields, invoices; Salesforce multi-currency)",
        'customised',
      )
      .option('--exit-after-start', 'start, print the connection details, and stop (for scripts and tests)')
      .option('--json', 'print one JSON object on stdout')
      .action(
        action(async (out, flags: SandboxFlags) => {
          if (flags.crm !== 'salesforce' && flags.crm !== 'hubspot')
            throw new UsageError(`--crm must be salesforce or hubspot, got "${flags.crm}"`);
          if (flags.org !== 'vanilla' && flags.org !== 'customised')
            throw new UsageError(`--org must be vanilla or customised, got "${flags.org}"`);
          if (!(flags.tier in HUBSPOT_TIERS))
            throw new UsageError(`--tier must be one of ${Object.keys(HUBSPOT_TIERS).join(', ')}, got "${flags.tier}"`);
          const csv = path.resolve(flags.csv);
          out.note(
            bilingual(
              `generating ${flags.accounts} accounts (seed ${flags.seed}) from ${csv}`,
              `正在生成 ${flags.accounts} 个客户（种子 ${flags.seed}）`,
            ),
          );
          const book = generateBook({ seed: flags.seed, accounts: flags.accounts, rows: readTelcoCsv(csv) });
          let details: Record<string, unknown>;
          let close: () => Promise<void>;
          if (flags.crm === 'hubspot') {
            if (flags.webhookUrl !== undefined && !/^https?:\/\//.test(flags.webhookUrl))
              throw new UsageError(`--webhook-url must be an http(s) URL, got "${flags.webhookUrl}"`);
            const webhooks = flags.webhookUrl
              ? { webhooks: { targetUrl: flags.webhookUrl, clientSecret: 'sandbox-client-secret', autoFlushMs: 1000 } }
              : {};
            const sandbox = await startHubSpotSandbox({
              book,
              port: flags.port,
              tier: flags.tier as HubSpotTier,
              portal: flags.org,
              ...webhooks,
            });
            close = () => sandbox.close();
            details = {
              crm: 'hubspot',
              url: sandbox.url,
              port: sandbox.port,
              accessToken: 'pat-na1-sandbox-0000',
              oauthClientId: 'sandbox-client-id',
              oauthClientSecret: 'sandbox-client-secret',
              tier: flags.tier,
              org: flags.org,
              companies: sandbox.state.portal.table('companies').size,
            };
            out.line(bilingual('HubSpot sandbox ready', 'HubSpot 沙箱已就绪'));
            out.line(`  basePath     ${sandbox.url}`);
            out.line(`  accessToken  pat-na1-sandbox-0000`);
          } else {
            const sandbox = await startSalesforceSandbox({ book, port: flags.port, org: flags.org });
            close = () => sandbox.close();
            details = {
              crm: 'salesforce',
              url: sandbox.url,
              port: sandbox.port,
              accessToken: '00D8d0000000SBX!sandbox-static-token',
              clientId: 'sandbox-consumer-key',
              clientSecret: 'sandbox-consumer-secret',
              orgId: sandbox.state.org.orgId,
              org: flags.org,
              accounts: sandbox.state.org.table('Account').size,
            };
            out.line(bilingual('Salesforce sandbox ready', 'Salesforce 沙箱已就绪'));
            out.line(`  instanceUrl  ${sandbox.url}`);
            out.line(`  accessToken  00D8d0000000SBX!sandbox-static-token`);
          }
          out.line(`  ${bilingual('accounts', '客户数')}: ${flags.accounts}, seed ${flags.seed}`);
          out.result({ ...details, seed: flags.seed });
          if (flags.exitAfterStart) {
            await close();
            return;
          }
          out.note(bilingual('press Ctrl+C to stop', '按 Ctrl+C 停止'));
          await new Promise<void>((resolve) => {
            const stop = (): void => {
              process.off('SIGINT', stop);
              process.off('SIGTERM', stop);
              void close().then(resolve);
            };
            process.on('SIGINT', stop);
            process.on('SIGTERM', stop);
          });
        }),
      );
  },
};
