import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../test/helpers/run-cli';

describe('success-engine CLI', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'se-cli-'));
  beforeAll(() => {
    process.env.SE_DATA_DIR = dataDir;
    process.env.LOG_LEVEL = 'silent';
  });
  afterAll(() => {
    delete process.env.SE_DATA_DIR;
    delete process.env.LOG_LEVEL;
  });

  it('lists its commands in --help and exits 0', async () => {
    const { code, stdout } = await runCli('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Commands:[\s\S]*demo/);
  });

  it('exits 2 with a suggestion on an unknown command', async () => {
    const { code, stderr } = await runCli('dmeo');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'dmeo'[\s\S]*Did you mean demo\?/);
  });

  it('exits 2 on an unknown flag, naming it', async () => {
    const { code, stderr } = await runCli('demo', '--frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--frobnicate'");
  });

  it('exits 2 on a malformed number, naming the flag', async () => {
    const { code, stderr } = await runCli('demo', '--accounts', '0', '--no-serve');
    expect(code).toBe(2);
    expect(stderr).toContain('--accounts must be a positive integer, got "0"');
  });

  it('prints exactly one JSON object with --json', async () => {
    const csv = path.join(dataDir, 'tiny.csv');
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 7},${i % 3 === 0 ? 'yes' : 'no'}`);
    writeFileSync(csv, ['id,tickets,churned', ...rows].join('\n'));
    const { code, stdout } = await runCli(
      'evaluate',
      'churn',
      '--input',
      csv,
      '--label',
      'churned',
      '--positive',
      'yes',
      '--id',
      'id',
      '--folds',
      '3',
      '--json',
    );
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ n: 60, positives: 20 });
  });

  it('exits 1 with a named error when configuration is bad, as JSON with --json', async () => {
    process.env.SE_HTTP_PORT = 'not-a-port';
    try {
      const { code, stdout, stderr } = await runCli('demo', '--json', '--no-serve');
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual({
        error: { code: 'CONFIG.INVALID', message: expect.stringContaining('SE_HTTP_PORT') as unknown },
      });
      expect(stderr).toContain('SE_HTTP_PORT');
    } finally {
      delete process.env.SE_HTTP_PORT;
    }
  });
});
