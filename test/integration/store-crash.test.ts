import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * A process killed (SIGKILL) in the middle of a large upsert must leave whole batches only:
 * the child upserts 200k accounts in batches of 1,000; we kill it once some batches have landed.
 */
const BATCH = 1000;
const TOTAL = 200_000;

const childScript = `
require(${JSON.stringify(path.join(__dirname, '../helpers/ts-register.js'))});
const { SqliteStore } = require(${JSON.stringify(path.join(__dirname, '../../store'))});
const { makeAccount, TEST_TENANT } = require(${JSON.stringify(path.join(__dirname, '../helpers/records.ts'))});
const store = new SqliteStore({ path: process.argv[1], batchSize: ${BATCH} });
store.upsertTenant({ id: TEST_TENANT, name: 't', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
const accounts = Array.from({ length: ${TOTAL} }, (_, i) => makeAccount(String(i).padStart(6, '0')));
process.stdout.write('ready\\n');
store.upsertRecords('account', accounts);
process.stdout.write('finished\\n');
`;

describe('store crash safety', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-crash-'));
  const dbPath = path.join(dir, 'crash.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no partial batch when killed mid-upsert', async () => {
    const child = spawn(process.execPath, ['-e', childScript, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    await waitFor(() => output.includes('ready'), 60_000);
    // Kill once at least two batches are committed and before the upsert finishes.
    await waitFor(() => committedRows(dbPath) >= 2 * BATCH || output.includes('finished'), 60_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(output).not.toContain('finished');

    const db = new Database(dbPath);
    const records = (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
    const versions = (db.prepare('SELECT COUNT(*) AS n FROM record_versions').get() as { n: number }).n;
    const ids = (db.prepare('SELECT external_id FROM records ORDER BY external_id').all() as { external_id: string }[]).map((r) =>
      Number(r.external_id),
    );
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    expect(records).toBeGreaterThanOrEqual(2 * BATCH);
    expect(records).toBeLessThan(TOTAL);
    expect(records % BATCH).toBe(0);
    expect(versions).toBe(records);
    // The committed rows are exactly the first whole batches, with no gaps.
    expect(ids).toEqual(Array.from({ length: records }, (_, i) => i));
  }, 120_000);
});

function committedRows(dbPath: string): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the child process');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
