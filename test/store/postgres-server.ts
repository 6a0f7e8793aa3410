import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../helpers/redis';

/**
 * A PostgreSQL for tests. With SE_TEST_DATABASE_URL set (a server where that user may CREATE DATABASE),
 * that server; otherwise a throwaway cluster of Debian's PostgreSQL started here (initdb into a temp
 * folder, 127.0.0.1 on a free port, unix socket in the folder, fsync off), stopped and deleted after.
 * Its default collation is ICU en-US on purpose: ordering must not depend on the database's locale.
 */
export interface TestPostgres {
  /** A URL of the server's maintenance database, for creating and dropping test databases. */
  adminUrl: string;
  /** A fresh empty database (`se_test_<random>`); `drop` removes it (closing its connections). */
  createDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }>;
  /** Stops the server (a cluster of our own) and forgets it. */
  stop(): Promise<void>;
  /** Our own cluster only: stop it and start it again on the same port (fast shutdown, as a restart would). */
  restart?(): void;
  /** Our own cluster only: stop it; `start` brings it back. */
  halt?(): void;
  start?(): void;
}

const PG_ROOT = '/usr/lib/postgresql';

export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.SE_TEST_DATABASE_URL;
  return external ? useExternal(external) : startOwnCluster();
}

/** Tests that stop and start the server need a cluster of their own, whatever SE_TEST_DATABASE_URL says. */
export async function startOwnTestPostgres(): Promise<Required<TestPostgres>> {
  return startOwnCluster();
}

function useExternal(url: string): TestPostgres {
  return { adminUrl: url, createDatabase: () => createDatabase(url), stop: () => Promise.resolve() };
}

async function createDatabase(adminUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `se_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The newest installed server's bin folder, or a failure that says what to install. */
function serverBin(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(path.join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest)
    throw new Error(
      `PostgreSQL server binaries not found (no ${PG_ROOT}/<version>/bin/initdb). Install them (Debian: apt-get install postgresql) ` +
        'or set SE_TEST_DATABASE_URL=postgres://user:password@host:port/postgres for a server where that user may CREATE DATABASE.',
    );
  return path.join(PG_ROOT, newest, 'bin');
}

async function startOwnCluster(): Promise<Required<TestPostgres>> {
  const bin = serverBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-test-postgres-'));
  // PostgreSQL refuses to run as root: as root, run the server as the postgres user, who must own the folder.
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : -1;
  const gid = asRoot ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) : -1;
  if (asRoot) chownSync(dir, uid, gid);
  const run = (tool: string, args: string[]): void => {
    const [command, fullArgs] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]]
      : [path.join(bin, tool), args];
    execFileSync(command, fullArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const data = path.join(dir, 'data');
  const port = await freePort();
  const log = path.join(dir, 'server.log');
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -F -c max_connections=60`;
  const start = (): void => {
    try {
      run('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
    } catch (error) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${(error as Error).message}\n${tail}`);
    }
  };
  const halt = (): void => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  // Password authentication over TCP (scram), as in production: wrong passwords fail, and URLs carry one to hide.
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) chownSync(pwfile, uid, gid);
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    `--pwfile=${pwfile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--locale-provider=icu',
    '--icu-locale=en-US',
    '-N',
  ]);
  start();
  // A test run killed before its afterAll must not leave a server behind.
  const stopOnExit = (): void => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    createDatabase: () => createDatabase(adminUrl),
    stop() {
      process.removeListener('exit', stopOnExit);
      stopOnExit();
      return Promise.resolve();
    },
    restart() {
      halt();
      start();
    },
    halt,
    start,
  };
}
