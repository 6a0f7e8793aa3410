import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSuccessEngineError } from '../../core';
import { loadConfig, resolveEncryptionKey } from './config';
import { settings } from './settings';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'se-config-'));

describe('loadConfig', () => {
  it('applies defaults relative to the working directory', () => {
    const config = loadConfig({}, cwd);
    expect(config).toMatchObject({
      dataDir: path.join(cwd, '.data'),
      databasePath: path.join(cwd, '.data', 'success-engine.sqlite'),
      httpPort: 3000,
      httpHost: '127.0.0.1',
      logLevel: 'info',
      allowRemoteModels: true,
    });
    expect(config.redisUrl).toBeUndefined();
  });

  it('parses typed values from the environment', () => {
    const config = loadConfig(
      { SE_HTTP_PORT: '8080', SE_ALLOW_REMOTE_MODELS: 'false', REDIS_URL: 'redis://127.0.0.1:6390', LOG_LEVEL: 'debug' },
      cwd,
    );
    expect(config).toMatchObject({ httpPort: 8080, allowRemoteModels: false, redisUrl: 'redis://127.0.0.1:6390', logLevel: 'debug' });
  });

  it('names every malformed variable at once', () => {
    expect.assertions(4);
    try {
      loadConfig({ SE_HTTP_PORT: 'eighty', LOG_LEVEL: 'loud', SE_ENCRYPTION_KEY: 'short' }, cwd);
    } catch (error) {
      expect(isSuccessEngineError(error, 'CONFIG.INVALID')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain('environment variable SE_HTTP_PORT');
      expect(message).toContain('environment variable LOG_LEVEL');
      expect(message).toContain('SE_ENCRYPTION_KEY: must be 32 bytes');
    }
  });

  it('reads a JSON config file, with the environment taking precedence', () => {
    const file = path.join(cwd, 'config.json');
    writeFileSync(file, JSON.stringify({ httpPort: 9000, logLevel: 'warn' }));
    expect(loadConfig({ SE_CONFIG_FILE: file, LOG_LEVEL: 'error' }, cwd)).toMatchObject({ httpPort: 9000, logLevel: 'error' });
  });

  it('names unknown keys and bad values in the config file', () => {
    const file = path.join(cwd, 'bad.json');
    writeFileSync(file, JSON.stringify({ httpPort: 'x', redis: 'redis://oops' }));
    expect(() => loadConfig({ SE_CONFIG_FILE: file }, cwd)).toThrow(/"httpPort" in .*bad\.json[\s\S]*"redis" in .*unknown setting/);
  });

  it('fails clearly on a missing or malformed config file', () => {
    expect(() => loadConfig({ SE_CONFIG_FILE: 'nope.json' }, cwd)).toThrow(/SE_CONFIG_FILE: cannot read .*nope\.json \(ENOENT\)/);
    writeFileSync(path.join(cwd, 'broken.json'), '{ not json');
    expect(() => loadConfig({ SE_CONFIG_FILE: 'broken.json' }, cwd)).toThrow(/is not valid JSON/);
  });
});

describe('resolveEncryptionKey', () => {
  it('uses the configured key (hex or base64)', () => {
    const hex = 'ab'.repeat(32);
    expect(resolveEncryptionKey(loadConfig({ SE_ENCRYPTION_KEY: hex }, cwd)).toString('hex')).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(resolveEncryptionKey(loadConfig({ SE_ENCRYPTION_KEY: b64 }, cwd)).equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('generates a key file once, readable only by its owner, and reuses it', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'se-key-'));
    const config = loadConfig({ SE_DATA_DIR: dataDir }, cwd);
    const first = resolveEncryptionKey(config);
    expect(resolveEncryptionKey(config).equals(first)).toBe(true);
    expect(statSync(path.join(dataDir, 'encryption.key')).mode & 0o777).toBe(0o600);
  });
});

describe('README configuration table', () => {
  it('documents every setting', () => {
    const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    for (const setting of Object.values(settings)) expect(readme).toContain(`\`${setting.env}\``);
    expect(readme).toContain('`SE_CONFIG_FILE`');
  });
});
