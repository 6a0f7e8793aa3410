import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, resolveEncryptionKey } from '../../config/config';
import { openAppContext } from '../../context';
import { productRouters } from '../../http/product-routers';
import { startServe, type FeatureName } from '../../http/serve-app';
import { defaultMetrics } from '../../observability/metrics';
import { action, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

interface ServeFlags {
  json?: boolean;
  host?: string;
  port?: number;
  hubspotSecretFile?: string;
  publicUrl?: string;
  salesforceSecretFile?: string;
  salesforceOrg: string[];
  operatorTenant: string[];
  queuePrefix: string;
  drainSeconds: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Secrets live in files (one per line, several during a rotation), never on the command line. */
function readSecrets(file: string, flag: string): string[] {
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path.resolve(file)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const secrets = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (secrets.length === 0) throw new UsageError(`${flag}: ${path.resolve(file)} holds no secret (one per line)`);
  return secrets;
}

const ORDER: FeatureName[] = [
  'score-api',
  'admin-api',
  'metrics',
  'drift',
  'queue',
  'hubspot-webhooks',
  'salesforce-webhooks',
  'queue-board',
  'web-card',
  'console',
  'hubspot-card',
  'salesforce-card',
  'install',
];

/** `success-engine serve`: health, metrics, score and admin APIs, inbound webhooks and Bull Board. */
export const serveCommand: CommandModule = {
  register(program: Command) {
    program
      .command('serve')
      .description(
        'Serve the HTTP API: health, metrics, score and admin APIs, inbound CRM webhooks, Bull Board / 启动 HTTP 服务：健康检查、指标、评分与管理 API、CRM 回调、Bull Board',
      )
      .option('--host <host>', 'address to bind (default SE_HTTP_HOST)')
      .option('--port <port>', 'port (0 picks a free one; default SE_HTTP_PORT)', (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be an integer 0-65535, got "${v}"`);
        return n;
      })
      .option('--hubspot-secret-file <path>', 'file with the HubSpot app client secret(s), one per line; enables POST /webhooks/hubspot')
      .option('--public-url <url>', 'public base URL HubSpot calls (v3 signatures cover the full URL)')
      .option('--salesforce-secret-file <path>', 'file with the Salesforce shared secret(s); enables POST /webhooks/salesforce')
      .option(
        '--salesforce-org <id>',
        'Salesforce organization id allowed to post (repeatable; default any holding the secret)',
        collect,
        [],
      )
      .option('--operator-tenant <id>', 'tenant whose admin tokens may open Bull Board (repeatable; default any admin token)', collect, [])
      .option('--queue-prefix <prefix>', 'BullMQ key prefix shared with the workers', 'se')
      .option(
        '--drain-seconds <n>',
        'on SIGTERM, how long in-flight requests may take to finish',
        (v: string) => {
          const n = Number(v);
          if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`--drain-seconds must be a number ≥ 0, got "${v}"`);
          return n;
        },
        10,
      )
      .option('--json', 'print one JSON object on stdout once listening')
      .action(
        action(async (out, flags: ServeFlags) => {
          if (flags.publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(flags.publicUrl))
            throw new UsageError(`--public-url must be an http(s) URL, got "${flags.publicUrl}"`);
          const config = loadConfig();
          // The app's client secret signs both webhooks and card requests (v3); a file adds rotation secrets.
          const hubspotClientSecrets = [
            ...(config.hubspotClientSecret ? [config.hubspotClientSecret] : []),
            ...(flags.hubspotSecretFile ? readSecrets(flags.hubspotSecretFile, '--hubspot-secret-file') : []),
          ];
          const salesforceSecrets = flags.salesforceSecretFile ? readSecrets(flags.salesforceSecretFile, '--salesforce-secret-file') : [];
          const context = await openAppContext(config);
          const { store, log } = context;
          const metrics = defaultMetrics();
          let serve;
          try {
            serve = await startServe({
              store,
              storeLocation: context.storeLocation,
              log,
              metrics,
              host: flags.host ?? config.httpHost,
              port: flags.port ?? config.httpPort,
              redisUrl: config.redisUrl,
              queuePrefix: flags.queuePrefix,
              hubspotClientSecrets,
              publicBaseUrl: flags.publicUrl ?? config.publicUrl,
              metricsToken: config.metricsToken,
              salesforceSecrets,
              salesforceOrganizationIds: flags.salesforceOrg,
              operatorTenants: flags.operatorTenant,
              drainMs: flags.drainSeconds * 1000,
              productRouters: (queue) =>
                productRouters({
                  store,
                  metrics,
                  queue,
                  settings: {
                    ...config,
                    encryptionKey: resolveEncryptionKey(config),
                    hubspotCardSecrets: hubspotClientSecrets,
                    ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}),
                  },
                }),
            });
          } catch (error) {
            await context.close();
            throw error;
          }
          const tenants = (await store.listTenants()).length;
          out.line(bilingual(`Success Engine serving at ${serve.url}`, `Success Engine 服务地址 ${serve.url}`));
          for (const name of ORDER) {
            const f = serve.features[name];
            out.line(`  ${f.on ? '✓' : '✗'} ${name.padEnd(20)} ${bilingual(f.detail.en, f.detail.zh)}`);
          }
          const offNames = ORDER.filter((n) => !serve.features[n].on);
          if (offNames.length) out.note(bilingual(`off: ${offNames.join(', ')}`, `未启用：${offNames.join('、')}`));
          if (serve.features['queue-board'].on && flags.operatorTenant.length === 0 && tenants > 1) {
            out.note(
              bilingual(
                `warning: ${tenants} tenants share this deployment and any tenant's admin token opens Bull Board; restrict it with --operator-tenant`,
                `警告：${tenants} 个租户共用此部署，任何租户的管理员令牌都能打开 Bull Board；请用 --operator-tenant 限制`,
              ),
            );
          }
          log.info({ url: serve.url, off: offNames }, 'serving');
          out.result({
            url: serve.url,
            features: Object.fromEntries(ORDER.map((n) => [n, { on: serve.features[n].on, detail: serve.features[n].detail.en }])),
            off: offNames,
          });
          out.note(bilingual('press Ctrl+C (or send SIGTERM) to stop', '按 Ctrl+C（或发送 SIGTERM）停止'));
          const signal = await new Promise<NodeJS.Signals>((resolve) => {
            const stop = (s: NodeJS.Signals): void => {
              process.off('SIGINT', stop);
              process.off('SIGTERM', stop);
              resolve(s);
            };
            process.on('SIGINT', stop);
            process.on('SIGTERM', stop);
          });
          log.info({ signal }, 'shutting down: draining in-flight requests');
          const started = Date.now();
          await serve.close();
          await context.close();
          log.info({ ms: Date.now() - started }, 'stopped');
          out.note(bilingual('stopped', '已停止'));
        }),
      );
  },
};
