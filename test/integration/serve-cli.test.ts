import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliWithEnv } from '../helpers/run-cli';

describe('success-engine serve: flags', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-serve-cli-'));
  const env = { SE_DATA_DIR: dir, SE_ENCRYPTION_KEY: 'ab'.repeat(32) };

  it('rejects a malformed public URL and an out-of-range port as usage errors (exit 2)', async () => {
    const badUrl = await runCliWithEnv(env, 'serve', '--public-url', 'hooks.example.com', '--json');
    expect(badUrl.code).toBe(2);
    expect(JSON.parse(badUrl.stdout)).toEqual({
      error: { code: 'CLI.USAGE', message: '--public-url must be an http(s) URL, got "hooks.example.com"' },
    });
    expect((await runCliWithEnv(env, 'serve', '--port', '70000')).code).toBe(2);
  });

  it('names a secret file it cannot read, or one without a secret', async () => {
    const missing = await runCliWithEnv(env, 'serve', '--hubspot-secret-file', path.join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--hubspot-secret-file: cannot read ${path.join(dir, 'nope')} (ENOENT)`);
    writeFileSync(path.join(dir, 'empty'), '# only a comment\n\n');
    const empty = await runCliWithEnv(env, 'serve', '--salesforce-secret-file', path.join(dir, 'empty'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('holds no secret (one per line)');
  });

  it('is listed in the help', async () => {
    const help = await runCliWithEnv(env, 'serve', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--operator-tenant');
  });
});
