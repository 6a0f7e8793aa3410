import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionId, TenantId } from '../../core';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { smallBook } from './install-harness';

/**
 * `success-engine connect salesforce` through the built CLI (`npm run build` first), against the
 * Salesforce sandbox. The Salesforce CLI's own files are written by @salesforce/core exactly as
 * `sf org login web` / `sf org login access-token` write them (AuthInfo.create → save → alias), in
 * a throwaway HOME with the generic keychain (key.json) that headless Linux uses.
 */
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/app/cli/main.js');
const STACK = /\n\s+at .+:\d+:\d+/;
/** `sf org login web` listens here; the code exchange must name the same redirect URI. */
const CLI_REDIRECT = 'http://localhost:1717/OauthRedirect';
const JWT_CLIENT_ID = '3MVG9SE_CONSUMER_KEY';
const JWT_USER = 'integration@jwt.example.com';
const ACCOUNTS = 24;
const STATIC_TOKEN = '00D8d0000000TOK!token-only-static';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('connect salesforce (Salesforce CLI login and JWT bearer)', () => {
  let dir: string;
  let home: string;
  let env: Record<string, string>;
  // The store the CLI writes (SQLite file or PostgreSQL database), read here between commands.
  let opened: TestStore;
  let cliOrg: SalesforceSandbox;
  let jwtOrg: SalesforceSandbox;
  let tokenOrg: SalesforceSandbox;
  let keyFile: string;
  let wrongKeyFile: string;
  let webRefreshToken: string;

  function cli(...args: string[]): Promise<Run> {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  /** `sf org login …` in its own process, under the test's HOME. */
  function sfLogin(request: Record<string, string>): Promise<string> {
    const child = spawn(process.execPath, [path.join(ROOT, 'test/helpers/sf-cli-login.js'), JSON.stringify(request)], {
      cwd: ROOT,
      env: { ...process.env, ...env, SF_DISABLE_LOG_FILE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve, reject) =>
      child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`sf login fixture failed: ${stderr}`)))),
    );
  }

  function expectOneClearFailure(run: Run, ...named: (string | RegExp)[]): void {
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 1 });
    for (const n of named) expect(run.stderr).toMatch(n);
    expect(run.stderr).not.toMatch(STACK);
    expect(run.stderr.match(/^error \[/gm)).toHaveLength(1);
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'se-connect-sf-'));
    home = path.join(dir, 'home');
    mkdirSync(home);
    // @salesforce/core finds ~/.sfdx and ~/.sf through HOME; headless Linux keeps its key in ~/.sfdx/key.json.
    const encryptionKey = randomBytes(32);
    opened = await openTestStore({ sqlitePath: path.join(dir, 'se.db'), encryptionKey });
    env = {
      HOME: home,
      SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
      ...opened.env,
      SE_ENCRYPTION_KEY: encryptionKey.toString('hex'),
      SE_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
    };

    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const wrong = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    keyFile = path.join(dir, 'server.key');
    wrongKeyFile = path.join(dir, 'other.key');
    writeFileSync(keyFile, keys.privateKey, { mode: 0o600 });
    writeFileSync(wrongKeyFile, wrong.privateKey, { mode: 0o600 });

    // The CLI's default connected app is PlatformCLI, a public client (no secret).
    cliOrg = await startSalesforceSandbox({
      book: smallBook(ACCOUNTS, 3),
      packageInstalled: true,
      namespace: 'succeng',
      connectedApp: {
        clientId: 'PlatformCLI',
        clientSecret: 'not-sent-by-public-clients',
        requireSecretForWebServerFlow: false,
        requireSecretForRefreshTokenFlow: false,
      },
    });
    jwtOrg = await startSalesforceSandbox({
      book: smallBook(ACCOUNTS, 4),
      orgId: '00D8d0000000JWTEAA',
      packageInstalled: true,
      namespace: 'succeng',
      usernames: [JWT_USER],
      connectedApp: { clientId: JWT_CLIENT_ID, clientSecret: 'jwt-app-secret', certificatePem: keys.publicKey },
    });

    // `sf org login web --alias my-alias --instance-url <sandbox>`: code exchange, save, alias.
    const web = JSON.parse(
      await sfLogin({
        kind: 'web',
        alias: 'my-alias',
        authCode: cliOrg.state.issueAuthCode(CLI_REDIRECT),
        loginUrl: cliOrg.url,
        redirectUri: CLI_REDIRECT,
      }),
    ) as { refreshToken?: string };
    webRefreshToken = web.refreshToken ?? '';
    // `sf org login access-token --alias token-only`: a session without a refresh token (another org and user).
    tokenOrg = await startSalesforceSandbox({
      orgId: '00D8d0000000TOKEAA',
      usernames: ['token-user@sandbox.example.com'],
      staticAccessTokens: [STATIC_TOKEN],
    });
    await sfLogin({ kind: 'access-token', alias: 'token-only', accessToken: STATIC_TOKEN, instanceUrl: tokenOrg.url });
  }, 120_000);

  afterAll(async () => {
    await cliOrg?.close();
    await jwtOrg?.close();
    await tokenOrg?.close();
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects an org authorised with `sf org login web` and syncs it, refreshing through the CLI's PlatformCLI client", async () => {
    expect(webRefreshToken).not.toBe('');
    const run = await cli('connect', 'salesforce', '--target-org', 'my-alias', '--tenant', 'acme', '--connection', 'sf-cli', '--json');
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      tenantId: 'acme',
      tenantCreated: true,
      connectionId: 'sf-cli',
      orgId: '00D8d0000000SBXEAA',
      username: 'integration@sandbox.example.com',
      instanceUrl: cliOrg.url,
      renewal: 'web',
      next: 'success-engine sync sf-cli --tenant acme --mode backfill',
    });

    const store = opened.store;
    const saved = await store.getConnection('acme' as TenantId, 'sf-cli' as ConnectionId);
    expect(saved?.tokens).toMatchObject({
      refreshToken: webRefreshToken,
      instanceUrl: cliOrg.url,
      oauthClient: { clientId: 'PlatformCLI', loginUrl: cliOrg.url },
    });
    expect(saved?.tokens.oauthClient?.clientSecret).toBeUndefined();

    // Every session dies: the sync must renew with the CLI's refresh token and client (no SE_SALESFORCE_CLIENT_* here).
    cliOrg.state.expireAccessTokens();
    const sync = await cli('sync', 'sf-cli', '--tenant', 'acme', '--mode', 'backfill', '--entities', 'account', '--json');
    expect({ code: sync.code, stderr: sync.stderr }).toMatchObject({ code: 0 });
    const after = opened.store;
    expect(await after.countRecords('acme' as TenantId, 'account')).toBe(cliOrg.state.org.table('Account').size);
    expect((await after.getConnection('acme' as TenantId, 'sf-cli' as ConnectionId))?.tokens.accessToken).not.toBe(
      saved?.tokens.accessToken,
    );
  }, 180_000);

  it('renews an expired CLI session through @salesforce/core, and prints a bilingual summary naming the org, the user, the instance and the next command', async () => {
    cliOrg.state.expireAccessTokens();
    const run = await cli(
      'connect',
      'salesforce',
      '--target-org',
      'integration@sandbox.example.com',
      '--tenant',
      'acme',
      '--connection',
      'sf-cli-2',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Connected Salesforce org 00D8d0000000SBXEAA as integration@sandbox.example.com');
    expect(run.stdout).toContain('已连接 Salesforce 组织 00D8d0000000SBXEAA');
    expect(run.stdout).toContain(cliOrg.url);
    expect(run.stdout).toMatch(/Next: success-engine sync sf-cli-2 --tenant acme --mode backfill \/ 下一步/);
  }, 60_000);

  it('connects server-to-server by JWT bearer, stores only the key path, and re-authorises by JWT when the session expires', async () => {
    const run = await cli(
      'connect',
      'salesforce',
      '--jwt-key-file',
      keyFile,
      '--client-id',
      JWT_CLIENT_ID,
      '--username',
      JWT_USER,
      '--login-url',
      jwtOrg.url,
      '--tenant',
      'beta',
      '--connection',
      'sf-jwt',
      '--json',
    );
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({ orgId: '00D8d0000000JWTEAA', username: JWT_USER, renewal: 'jwt' });
    expect(run.stdout + run.stderr).not.toMatch(/PRIVATE KEY/);

    const store = opened.store;
    const saved = await store.getConnection('beta' as TenantId, 'sf-jwt' as ConnectionId);
    expect(saved?.tokens.jwtBearer).toEqual({ clientId: JWT_CLIENT_ID, username: JWT_USER, privateKeyFile: keyFile, loginUrl: jwtOrg.url });
    expect(saved?.tokens.refreshToken).toBeUndefined();
    expect(JSON.stringify(saved?.tokens)).not.toMatch(/PRIVATE KEY/);

    jwtOrg.state.expireAccessTokens();
    const sync = await cli('sync', 'sf-jwt', '--tenant', 'beta', '--mode', 'backfill', '--entities', 'account', '--json');
    expect({ code: sync.code, stderr: sync.stderr }).toMatchObject({ code: 0 });
    const after = opened.store;
    expect(await after.countRecords('beta' as TenantId, 'account')).toBe(jwtOrg.state.org.table('Account').size);
    expect((await after.getConnection('beta' as TenantId, 'sf-jwt' as ConnectionId))?.tokens.accessToken).not.toBe(
      saved?.tokens.accessToken,
    );
  }, 180_000);

  it('names an alias the CLI does not know and says how to log in', async () => {
    expectOneClearFailure(
      await cli('connect', 'salesforce', '--target-org', 'nope', '--tenant', 'acme'),
      /no org authorised as "nope"/,
      /sf org login web --alias nope/,
    );
  }, 60_000);

  it('names the key file it cannot read, and one that holds no private key', async () => {
    const missing = path.join(dir, 'missing.key');
    expectOneClearFailure(
      await cli(
        'connect',
        'salesforce',
        '--jwt-key-file',
        missing,
        '--client-id',
        JWT_CLIENT_ID,
        '--username',
        JWT_USER,
        '--login-url',
        jwtOrg.url,
        '--tenant',
        'beta',
      ),
      missing,
      /ENOENT/,
    );
    const notAKey = path.join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'hello');
    expectOneClearFailure(
      await cli(
        'connect',
        'salesforce',
        '--jwt-key-file',
        notAKey,
        '--client-id',
        JWT_CLIENT_ID,
        '--username',
        JWT_USER,
        '--login-url',
        jwtOrg.url,
        '--tenant',
        'beta',
      ),
      notAKey,
      /no PEM private key/,
    );
  }, 60_000);

  it('reports a JWT the org rejects (a key the connected app does not hold; an unknown user) as invalid_grant, saving nothing', async () => {
    const wrongKey = await cli(
      'connect',
      'salesforce',
      '--jwt-key-file',
      wrongKeyFile,
      '--client-id',
      JWT_CLIENT_ID,
      '--username',
      JWT_USER,
      '--login-url',
      jwtOrg.url,
      '--tenant',
      'gamma',
      '--connection',
      'sf-bad',
    );
    expectOneClearFailure(wrongKey, /rejected the JWT bearer login/, /invalid_grant/, wrongKeyFile);
    const wrongUser = await cli(
      'connect',
      'salesforce',
      '--jwt-key-file',
      keyFile,
      '--client-id',
      JWT_CLIENT_ID,
      '--username',
      'nobody@jwt.example.com',
      '--login-url',
      jwtOrg.url,
      '--tenant',
      'gamma',
      '--connection',
      'sf-bad',
    );
    expectOneClearFailure(wrongUser, /invalid_grant/, /nobody@jwt\.example\.com/);
    const store = opened.store;
    expect(await store.getTenant('gamma' as TenantId)).toBeNull();
  }, 60_000);

  it('reports an expired access-token login and a revoked refresh token, naming the alias and how to log in again', async () => {
    const ok = await cli('connect', 'salesforce', '--target-org', 'token-only', '--tenant', 'acme', '--connection', 'sf-token');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/holds only an access token/);

    tokenOrg.state.expireAccessTokens(STATIC_TOKEN);
    expectOneClearFailure(
      await cli('connect', 'salesforce', '--target-org', 'token-only', '--tenant', 'acme'),
      /authorisation of "token-only"/,
      /no longer works/,
      /sf org login web --alias token-only/,
    );

    const revoked = await fetch(`${cliOrg.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: webRefreshToken }).toString(),
    });
    expect(revoked.status).toBe(200);
    expectOneClearFailure(
      await cli('connect', 'salesforce', '--target-org', 'my-alias', '--tenant', 'acme'),
      /authorisation of "my-alias"/,
      /no longer works/,
      /sf org login web --alias my-alias/,
    );
  }, 90_000);

  it('needs either --target-org or the three JWT flags (usage error, exit 2)', async () => {
    const none = await cli('connect', 'salesforce', '--tenant', 'acme');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--target-org/);
    const half = await cli('connect', 'salesforce', '--tenant', 'acme', '--jwt-key-file', keyFile, '--username', JWT_USER);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--client-id/);
  }, 60_000);
});
