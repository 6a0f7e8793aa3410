import { spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { TenantId } from '../../core';
import { SqliteStore } from '../../store';
import { freePort, startOwnRedis } from '../helpers/redis';

/**
 * Every operational failure a new user or an operator meets, through the built CLI
 * (`node dist/app/cli/main.js`, run `npm run build` first): one message naming the setting or file
 * and what to do, exit 1, no stack trace.
 */
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/app/cli/main.js');
const STACK = /\n\s+at .+:\d+:\d+/;
const TENANT = 'acme' as TenantId;
const ASNOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(
  args: string[],
  env: Record<string, string | undefined>,
  options: SpawnOptions = {},
): Promise<Run> & { child: ReturnType<typeof spawn> } {
  const started = Date.now();
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', REDIS_URL: '', ...env };
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
  return Object.assign(done, { child });
}

/** The shape every case asserts: exit 1, the named setting or file, no stack trace. */
function expectOneClearFailure(run: Run, ...named: (string | RegExp)[]): void {
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 1 });
  for (const n of named) expect(run.stderr).toMatch(n);
  expect(run.stderr).not.toMatch(STACK);
  expect(run.stderr).not.toMatch(/Unhandled error event/);
  expect(run.stderr.match(/^error \[/gm)).toHaveLength(1);
}

function waitFor(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (pattern.test(read())) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${String(pattern)} in:\n${read()}`));
      else setTimeout(tick, 100);
    };
    tick();
  });
}

/** A port with a listener on it, closed at the end of the test. */
async function occupiedPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

jest.setTimeout(30_000);

describe('operational failures through the built CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  let dbPath: string;
  let closedRedis: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'se-cli-failures-'));
    chmodSync(dir, 0o755);
    dbPath = path.join(dir, 'store.sqlite');
    const store = new SqliteStore({ path: dbPath });
    await store.upsertTenant({ id: TENANT, name: 'Acme', locale: 'en', createdAt: '2026-01-01T00:00:00.000Z' });
    await store.close();
    env = { SE_DATA_DIR: dir, SE_DATABASE_PATH: dbPath };
    closedRedis = `redis://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('PostgreSQL', () => {
    it('an unreachable SE_DATABASE_URL at start is one line naming it and the server, never the password', async () => {
      const url = `postgres://se:do-not-print@127.0.0.1:${await freePort()}/success_engine`;
      for (const args of [['backtest'], ['score', TENANT, '--json']]) {
        const run = await cli(args, { ...env, SE_DATABASE_URL: url });
        expectOneClearFailure(run, /SE_DATABASE_URL/, /127\.0\.0\.1:\d+\/success_engine/);
        expect(run.stdout + run.stderr).not.toContain('do-not-print');
      }
    });
  });

  describe('Redis', () => {
    it('sync with REDIS_URL on a closed port fails once, naming REDIS_URL', async () => {
      const run = await cli(['sync', 'hubspot-main', '--tenant', TENANT], { ...env, REDIS_URL: closedRedis });
      expectOneClearFailure(run, /REDIS_URL=redis:\/\/127\.0\.0\.1/, /ECONNREFUSED/, /unset REDIS_URL/);
    });

    it('score with REDIS_URL on a closed port fails once, as the one JSON object under --json', async () => {
      const run = await cli(['score', TENANT, '--json'], { ...env, REDIS_URL: closedRedis });
      expectOneClearFailure(run, /REDIS_URL/);
      expect(JSON.parse(run.stdout)).toEqual({
        error: { code: 'QUEUE.UNAVAILABLE', message: expect.stringContaining('REDIS_URL') as unknown },
      });
    });

    it('worker keeps retrying with a one-line warning naming REDIS_URL, and stops at once on SIGTERM', async () => {
      const run = cli(['worker', '--json'], { ...env, REDIS_URL: closedRedis });
      let stderr = '';
      run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      await waitFor(() => stderr, /warning: cannot reach Redis at REDIS_URL=/, 10_000);
      const signalled = Date.now();
      run.child.kill('SIGTERM');
      const result = await run;
      expect(Date.now() - signalled).toBeLessThan(5_000);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ stopped: 'SIGTERM' });
      expect(result.stderr).not.toMatch(STACK);
      expect(result.stderr).not.toMatch(/Unhandled error event/);
    }, 20_000);

    it('worker stops at once on SIGINT too', async () => {
      const run = cli(['worker'], { ...env, REDIS_URL: closedRedis });
      let stderr = '';
      run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      await waitFor(() => stderr, /SIGTERM to stop/, 10_000);
      const signalled = Date.now();
      run.child.kill('SIGINT');
      expect((await run).code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(5_000);
    }, 20_000);

    it('serve starts without Redis, answers not-ready on /readyz naming redis, and stops promptly', async () => {
      const port = await freePort();
      const run = cli(['serve', '--port', String(port)], { ...env, REDIS_URL: closedRedis, LOG_LEVEL: 'warn' });
      let stdout = '';
      run.child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
      await waitFor(() => stdout, /serving at/, 15_000);
      const ready = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${port}/readyz`, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
      expect(ready.status).toBe(503);
      expect(ready.body).toMatch(/redis/);
      const signalled = Date.now();
      run.child.kill('SIGTERM');
      const result = await run;
      expect(Date.now() - signalled).toBeLessThan(8_000);
      expect(result.stderr).not.toMatch(/Unhandled error event/);
    }, 30_000);

    it('sync --wait fails naming REDIS_URL when Redis goes away mid-run', async () => {
      const redisDir = mkdtempSync(path.join(os.tmpdir(), 'se-redis-lost-'));
      const port = await freePort();
      const redis = await startOwnRedis(port, redisDir);
      try {
        // No worker runs, so the queued job stays unfinished until Redis is stopped under it.
        const run = cli(['sync', 'hubspot-main', '--tenant', TENANT, '--wait', '--prefix', 'lost'], {
          ...env,
          REDIS_URL: `redis://127.0.0.1:${port}`,
        });
        let stderr = '';
        run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
        await waitFor(() => stderr, /未完成任务: 1/, 15_000);
        redis.kill('SIGKILL');
        const result = await run;
        expectOneClearFailure(result, /REDIS_URL=redis:\/\/127\.0\.0\.1/, /lost for more than/);
      } finally {
        redis.kill('SIGKILL');
        rmSync(redisDir, { recursive: true, force: true });
      }
    }, 60_000);
  });

  describe('the database', () => {
    it('a corrupt file names the file and says to restore it or use another', async () => {
      const bad = path.join(dir, 'corrupt.sqlite');
      writeFileSync(bad, Buffer.from('this is not a database '.repeat(400)));
      const run = await cli(['score', TENANT], { ...env, SE_DATABASE_PATH: bad });
      expectOneClearFailure(run, bad, /corrupt or truncated/, /restore it from a backup/, /SE_DATABASE_PATH/);
    });

    it('a truncated file is reported the same way', async () => {
      const truncated = path.join(dir, 'truncated.sqlite');
      const db = new Database(truncated);
      db.exec('CREATE TABLE filler (x TEXT)');
      const insert = db.prepare('INSERT INTO filler VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(500));
      })();
      db.close();
      writeFileSync(truncated, readFileSync(truncated).subarray(0, 20_000));
      const run = await cli(['score', TENANT], { ...env, SE_DATABASE_PATH: truncated });
      expectOneClearFailure(run, truncated, /corrupt or truncated/);
    });

    it('a file locked by another process names the file and the way out', async () => {
      const locked = path.join(dir, 'locked.sqlite');
      const holder = new Database(locked);
      holder.exec('CREATE TABLE t (x)');
      holder.exec('BEGIN EXCLUSIVE');
      try {
        const run = await cli(['score', TENANT], { ...env, SE_DATABASE_PATH: locked });
        expectOneClearFailure(run, locked, /locked by another process/);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    }, 20_000);

    it('a file this user may not write names the file and the permissions to check', async () => {
      const roDir = path.join(dir, 'read-only');
      mkdirSync(roDir);
      const ro = path.join(roDir, 'store.sqlite');
      await new SqliteStore({ path: ro }).close();
      chmodSync(ro, 0o444);
      chmodSync(roDir, 0o555);
      const nobodyData = mkdtempSync(path.join(os.tmpdir(), 'se-nobody-'));
      chmodSync(nobodyData, 0o777);
      try {
        const run = await cli(['score', TENANT], { SE_DATA_DIR: nobodyData, SE_DATABASE_PATH: ro }, ASNOBODY);
        expectOneClearFailure(run, ro, /cannot be opened or written/, /permissions/);
      } finally {
        rmSync(nobodyData, { recursive: true, force: true });
      }
    });

    it('backtest --database on a missing path fails and creates neither the file nor its folders', async () => {
      const missing = path.join(dir, 'no-such-folder', 'store.sqlite');
      const run = await cli(['backtest', '--database', missing], env);
      expectOneClearFailure(run, missing, /nothing is created/);
      expect(existsSync(path.dirname(missing))).toBe(false);
    });

    it('backtest --database on an empty file fails and leaves it empty', async () => {
      const empty = path.join(dir, 'empty.sqlite');
      writeFileSync(empty, '');
      const run = await cli(['backtest', '--database', empty, '--json'], env);
      expectOneClearFailure(run, empty, /empty file/);
      expect(statSync(empty).size).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'STORE.CORRUPT' } });
    });
  });

  describe('the data directory', () => {
    it('a data directory this user may not read or write names SE_DATA_DIR', async () => {
      const locked = path.join(dir, 'no-access');
      mkdirSync(locked, { mode: 0o700 });
      const run = await cli(['score', TENANT], { SE_DATA_DIR: locked, SE_DATABASE_PATH: undefined }, ASNOBODY);
      expectOneClearFailure(run, locked, /SE_DATA_DIR/);
    });

    it('a data directory under a file names SE_DATA_DIR', async () => {
      const file = path.join(dir, 'plain-file');
      writeFileSync(file, '');
      const run = await cli(['score', TENANT], { SE_DATA_DIR: path.join(file, 'data'), SE_DATABASE_PATH: undefined });
      expectOneClearFailure(run, /SE_DATA_DIR/, /ENOTDIR/);
    });
  });

  describe('ports', () => {
    it('demo fails at once on a busy port, before any work, naming SE_HTTP_PORT', async () => {
      const busy = await occupiedPort();
      try {
        const run = await cli(['demo'], { ...env, SE_HTTP_PORT: String(busy.port) });
        expectOneClearFailure(run, `127.0.0.1:${busy.port}`, /SE_HTTP_PORT/);
        expect(run.stderr).not.toMatch(/Seeding/);
        expect(run.ms).toBeLessThan(15_000);
      } finally {
        await busy.close();
      }
    });

    it('serve on a busy port names the port and SE_HTTP_PORT', async () => {
      const busy = await occupiedPort();
      try {
        const run = await cli(['serve', '--port', String(busy.port)], env);
        expectOneClearFailure(run, `127.0.0.1:${busy.port}`, /SE_HTTP_PORT/);
      } finally {
        await busy.close();
      }
    });
  });

  describe('tenants and usage', () => {
    it('score on a tenant that does not exist fails, naming the database and the known tenants', async () => {
      const run = await cli(['score', 'no-such-tenant'], env);
      expectOneClearFailure(run, /no tenant "no-such-tenant"/, dbPath, /acme/);
    });

    it('--json turns a usage error into the one JSON object too', async () => {
      const run = await cli(['score', '--json'], env);
      expect(run.code).toBe(2);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'CLI.USAGE', message: "missing required argument 'tenant'" } });
    });

    it.each([
      ['score', [TENANT, '--as-of', 'yesterday']],
      ['score', [TENANT, '--as-of', '2026-02-31']],
      ['backtest', ['--as-of', '31/03/2026']],
    ])('%s rejects a malformed --as-of by name (bad input, exit 1), as JSON too', async (command, args) => {
      const run = await cli([command, ...args, '--json'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--as-of must be an ISO 8601 date/);
      expect(run.stderr).not.toMatch(STACK);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'CLI.BAD_INPUT', message: expect.stringContaining('--as-of') } });
    });
  });

  describe('evaluation inputs that would make the figures meaningless', () => {
    it('evaluate sentiment on a CSV with a stray quote names the line and column', async () => {
      const file = path.join(dir, 'stray-quote.csv');
      writeFileSync(file, 'id,text,label\n1,fine,pos\n2,"great" product,pos\n3,bad,neg\n');
      const run = await cli(['evaluate', 'sentiment', '--input', file, '--text-col', 'text', '--label-col', 'label', '--cv', '2'], env);
      expectOneClearFailure(run, file, /line 3, column "text"/, /double quotes/);
    });

    it('evaluate churn on a CSV with an unclosed quote names the line', async () => {
      const file = path.join(dir, 'unclosed.csv');
      writeFileSync(file, 'id,tickets,churned\n1,2,yes\n2,"3,no\n3,1,no\n');
      const run = await cli(['evaluate', 'churn', '--input', file, '--label', 'churned', '--positive', 'yes'], env);
      expectOneClearFailure(run, file, /malformed CSV at line \d/);
    });

    it('evaluate sentiment refuses a file with one class', async () => {
      const file = path.join(dir, 'one-class.csv');
      writeFileSync(file, ['text,label', ...Array.from({ length: 40 }, (_, i) => `great product ${i},pos`)].join('\n'));
      const run = await cli(['evaluate', 'sentiment', '--input', file, '--text-col', 'text', '--label-col', 'label', '--cv', '2'], env);
      expectOneClearFailure(run, file, /column "label" is in one class/);
    });

    it('evaluate churn refuses a numeric column with stray text, naming row and column', async () => {
      const file = path.join(dir, 'stray-text.csv');
      const rows = Array.from({ length: 60 }, (_, i) => `${i},${i === 17 ? 'n/a' : i % 7},${i % 3 === 0 ? 'yes' : 'no'}`);
      writeFileSync(file, ['id,tickets,churned', ...rows].join('\n'));
      const run = await cli(
        ['evaluate', 'churn', '--input', file, '--label', 'churned', '--positive', 'yes', '--id', 'id', '--folds', '3'],
        env,
      );
      expectOneClearFailure(run, file, /column "tickets" is numeric but data row 18 holds "n\/a"/, /--ignore tickets/);
    });

    it('evaluate churn refuses label values it cannot place, and names the row once --negative is given', async () => {
      const file = path.join(dir, 'labels.csv');
      const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 7},${i === 40 ? 'maybe' : i % 3 === 0 ? 'yes' : 'no'}`);
      writeFileSync(file, ['id,tickets,churned', ...rows].join('\n'));
      const args = ['evaluate', 'churn', '--input', file, '--label', 'churned', '--positive', 'yes', '--id', 'id', '--folds', '3'];
      expectOneClearFailure(await cli(args, env), file, /column "churned" holds 3 values/, /--negative/);
      expectOneClearFailure(await cli([...args, '--negative', 'no'], env), file, /data row 41, column "churned": "maybe"/);
    });

    it('evaluate clv with periods outside the data says where the data lies, not NaN%', async () => {
      const file = path.join(dir, 'purchases.csv');
      const rows = Array.from({ length: 40 }, (_, i) => `c${i % 8},2024-0${1 + (i % 6)}-1${i % 9},${10 + i}`);
      writeFileSync(file, ['customer,date,amount', ...rows].join('\n'));
      const base = ['evaluate', 'clv', '--input', file, '--customer-col', 'customer', '--date-col', 'date', '--amount-col', 'amount'];
      const late = await cli([...base, '--calibration-end', '2025-06-30', '--holdout-end', '2025-12-31'], env);
      expectOneClearFailure(late, file, /no purchases between --calibration-end 2025-06-30/, /from 2024-01-10 to 2024-06-18/);
      expect(late.stdout).not.toMatch(/NaN/);
      const early = await cli([...base, '--calibration-end', '2020-01-31', '--holdout-end', '2024-12-31'], env);
      expectOneClearFailure(early, /--calibration-end 2020-01-31 is before the first purchase/);
    });
  });
});
