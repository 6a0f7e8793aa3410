import path from 'node:path';
import { type Command } from 'commander';
import { SuccessEngineError, type ConnectionId, type CrmTokens, type TenantId } from '../../../core';
import { SalesforceConnector } from '../../../connectors/salesforce/salesforce.connector';
import { identityOf, readCliAuthorisation, type SalesforceOrgIdentity } from '../../../connectors/salesforce/salesforce-cli-auth';
import { openAppContext } from '../../context';
import { DEFAULT_SALESFORCE_API_VERSION } from '../../../connectors/salesforce/salesforce-account.mapping';
import { readPrivateKey } from '../../../connectors/salesforce/salesforce-session';
import { action, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';
import type { Output } from '../output';

interface ConnectSalesforceFlags {
  json?: boolean;
  tenant: string;
  connection: string;
  targetOrg?: string;
  jwtKeyFile?: string;
  clientId?: string;
  username?: string;
  loginUrl: string;
}

interface Connected {
  identity: SalesforceOrgIdentity;
  tokens: CrmTokens;
  method: 'web' | 'jwt' | 'token';
  orgName?: string;
}

/** `success-engine connect salesforce`: store a connection to an org the admin already authorised (Salesforce CLI or JWT bearer). */
export const connectCommand: CommandModule = {
  register(program: Command) {
    const connect = program
      .command('connect')
      .description('Connect a CRM without the marketplace install / 不经应用市场安装，直接连接 CRM');
    connect
      .command('salesforce')
      .description(
        'Connect an org authorised with the Salesforce CLI (--target-org), or server-to-server by JWT bearer (--jwt-key-file) / 连接已用 Salesforce CLI 授权的组织，或通过 JWT 持有者流程连接',
      )
      .option('--json', 'print one JSON object on stdout')
      .requiredOption('--tenant <id>', 'the tenant to connect the org to (created when new)')
      .option('--connection <id>', 'the connection id to save it as', 'salesforce')
      .option('--target-org <alias>', 'alias or username of an org authorised with `sf org login`')
      .option('--jwt-key-file <file>', 'JWT bearer: the private key (PEM) whose certificate the connected app holds')
      .option('--client-id <key>', 'JWT bearer: the connected app consumer key')
      .option('--username <user>', 'JWT bearer: the integration user to log in as')
      .option('--login-url <url>', 'JWT bearer: login URL (https://test.salesforce.com for sandboxes)', 'https://login.salesforce.com')
      .action(
        action(async (out, flags: ConnectSalesforceFlags) => {
          const connected = await connectedOrg(flags);
          const context = await openAppContext();
          try {
            const now = new Date().toISOString();
            const tenantId = flags.tenant as TenantId;
            const tenantExisted = (await context.store.getTenant(tenantId)) !== null;
            if (!tenantExisted)
              await context.store.upsertTenant({ id: tenantId, name: connected.orgName ?? flags.tenant, locale: 'en', createdAt: now });
            const previous = await context.store.getConnection(tenantId, flags.connection as ConnectionId);
            await context.store.saveConnection(
              {
                id: flags.connection as ConnectionId,
                tenantId,
                provider: 'salesforce',
                externalOrgId: connected.identity.orgId,
                baseUrl: connected.identity.instanceUrl,
                createdAt: previous?.createdAt ?? now,
                updatedAt: now,
              },
              connected.tokens,
            );
            printSummary(out, flags, connected, !tenantExisted);
          } finally {
            await context.close();
          }
        }),
      );
  },
};

async function connectedOrg(flags: ConnectSalesforceFlags): Promise<Connected> {
  const jwtFlags = [flags.jwtKeyFile, flags.clientId, flags.username];
  if (flags.targetOrg !== undefined) {
    if (jwtFlags.some((f) => f !== undefined))
      throw new UsageError(
        "--target-org reads the Salesforce CLI's own login; do not combine it with --jwt-key-file, --client-id or --username",
      );
    return readCliAuthorisation(flags.targetOrg);
  }
  if (flags.jwtKeyFile === undefined)
    throw new UsageError(
      'connect salesforce needs --target-org <alias> (an org authorised with `sf org login`) or --jwt-key-file, --client-id and --username (JWT bearer)',
    );
  if (flags.clientId === undefined) throw new UsageError('--jwt-key-file needs --client-id <consumer key> of the connected app');
  if (flags.username === undefined) throw new UsageError('--jwt-key-file needs --username <integration user>');
  if (!URL.canParse(flags.loginUrl))
    throw new UsageError(`--login-url must be a URL such as https://login.salesforce.com, got "${flags.loginUrl}"`);
  return connectByJwt(path.resolve(flags.jwtKeyFile), flags.clientId, flags.username, flags.loginUrl.replace(/\/$/, ''));
}

/** Log in once by JWT bearer to prove the key, client and user work; store what renews the session, never the key. */
async function connectByJwt(privateKeyFile: string, clientId: string, username: string, loginUrl: string): Promise<Connected> {
  const privateKeyPem = readPrivateKey(privateKeyFile);
  const connector = new SalesforceConnector({
    tenantId: 'connect' as TenantId,
    orgKey: `jwt:${username}`,
    loginUrl,
    oauthClient: { clientId },
    version: DEFAULT_SALESFORCE_API_VERSION,
  });
  let session: CrmTokens;
  try {
    session = await connector.authorise({ kind: 'jwt-bearer', username, privateKeyPem });
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const reason = e.name && e.name !== 'Error' ? `${e.name}: ${e.message ?? ''}` : (e.message ?? String(error));
    throw new SuccessEngineError(
      'CONNECTOR.JWT_REJECTED',
      `Salesforce at ${loginUrl} rejected the JWT bearer login of ${username} with client id ${clientId} (${reason}); check that the connected app holds the certificate of ${privateKeyFile}, that ${username} is pre-authorised for the app, and --login-url (https://test.salesforce.com for sandboxes)`,
      { username, clientId, loginUrl },
      { cause: error },
    );
  }
  const instanceUrl = session.instanceUrl ?? loginUrl;
  const identity = await identityOf({ accessToken: session.accessToken, instanceUrl }, DEFAULT_SALESFORCE_API_VERSION);
  return {
    identity,
    method: 'jwt',
    tokens: { accessToken: session.accessToken, instanceUrl, jwtBearer: { clientId, username, privateKeyFile, loginUrl } },
  };
}

function printSummary(out: Output, flags: ConnectSalesforceFlags, connected: Connected, tenantCreated: boolean): void {
  const { identity } = connected;
  const next = `success-engine sync ${flags.connection} --tenant ${flags.tenant} --mode backfill`;
  out.line(
    bilingual(
      `Connected Salesforce org ${identity.orgId} as ${identity.username} (${identity.displayName})`,
      `已连接 Salesforce 组织 ${identity.orgId}，用户 ${identity.username}（${identity.displayName}）`,
    ),
  );
  out.line(`  ${bilingual('instance', '实例')}: ${identity.instanceUrl}`);
  out.line(
    `  ${bilingual('tenant', '租户')}: ${flags.tenant}${tenantCreated ? ` (${bilingual('created', '已创建')})` : ''}   ${bilingual('connection', '连接')}: ${flags.connection}`,
  );
  const renewal = {
    web: bilingual("the session renews with the Salesforce CLI's refresh token", '会话通过 Salesforce CLI 的刷新令牌续期'),
    jwt: bilingual(
      'the session renews by JWT bearer with the key file (only its path is stored)',
      '会话通过 JWT 持有者流程用密钥文件续期（只保存文件路径）',
    ),
    token: bilingual(
      'this login holds only an access token: when it expires, log in again with `sf org login web` and reconnect',
      '此登录只有访问令牌：过期后请用 `sf org login web` 重新登录并重新连接',
    ),
  }[connected.method];
  out.line(`  ${renewal}`);
  out.line(bilingual(`Next: ${next}`, `下一步：${next}`));
  out.result({
    tenantId: flags.tenant,
    tenantCreated,
    connectionId: flags.connection,
    orgId: identity.orgId,
    username: identity.username,
    userId: identity.userId,
    instanceUrl: identity.instanceUrl,
    renewal: connected.method,
    next,
  });
}
