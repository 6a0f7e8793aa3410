import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SuccessEngineError } from '../../core';
import { decodeKey, settings, type SettingKey } from './settings';

export interface AppConfig {
  dataDir: string;
  databasePath: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  encryptionKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  redisUrl: string | undefined;
  httpHost: string;
  httpPort: number;
  publicUrl: string | undefined;
  metricsToken: string | undefined;
  hubspotClientId: string | undefined;
  hubspotClientSecret: string | undefined;
  hubspotApiUrl: string;
  hubspotAuthorizeUrl: string;
  salesforceClientId: string | undefined;
  salesforceClientSecret: string | undefined;
  salesforceLoginUrl: string;
  crmRequestTimeoutSeconds: number;
  modelsDir: string | undefined;
  allowRemoteModels: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parse the whole configuration once. A missing or malformed setting fails here, naming the
 * variable (and the file key) at fault, so nothing half-configured starts.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const file = readConfigFile(env.SE_CONFIG_FILE, cwd);
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(settings) as [SettingKey, (typeof settings)[SettingKey]][]) {
    const fromEnv = env[setting.env];
    const fromFile = file.values[key];
    const value =
      fromEnv !== undefined && fromEnv !== ''
        ? fromEnv
        : fromFile !== undefined
          ? fileValueText(fromFile)
          : 'default' in setting
            ? setting.default
            : undefined;
    const parsed = setting.schema.safeParse(value);
    if (parsed.success) raw[key] = parsed.data;
    else {
      const where = fromEnv ? `environment variable ${setting.env}` : fromFile !== undefined ? `"${key}" in ${file.path}` : setting.env;
      problems.push(`${where}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
  }
  const unknownKeys = Object.keys(file.values).filter((k) => !(k in settings));
  for (const k of unknownKeys) problems.push(`"${k}" in ${file.path}: unknown setting (known: ${Object.keys(settings).join(', ')})`);
  if (problems.length > 0) {
    throw new SuccessEngineError('CONFIG.INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  const dataDir = path.resolve(cwd, raw.dataDir as string);
  return {
    ...(raw as Omit<AppConfig, 'dataDir' | 'databasePath'>),
    dataDir,
    databasePath: path.resolve(cwd, (raw.databasePath as string | undefined) ?? path.join(dataDir, 'success-engine.sqlite')),
  };
}

/** File values may be JSON strings, numbers or booleans; anything else fails validation by name. */
function fileValueText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function readConfigFile(filePath: string | undefined, cwd: string): { path: string; values: Record<string, unknown> } {
  if (!filePath) return { path: '', values: {} };
  const resolved = path.resolve(cwd, filePath);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new SuccessEngineError(
      'CONFIG.INVALID',
      `SE_CONFIG_FILE: cannot read ${resolved} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  try {
    const values: unknown = JSON.parse(text);
    if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new Error('top level must be a JSON object');
    return { path: resolved, values: values as Record<string, unknown> };
  } catch (error) {
    throw new SuccessEngineError('CONFIG.INVALID', `SE_CONFIG_FILE: ${resolved} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The token-encryption key: the configured one, or one generated once into the data folder. */
export function resolveEncryptionKey(config: AppConfig): Buffer {
  if (config.encryptionKey) return decodeKey(config.encryptionKey) as Buffer;
  const keyPath = path.join(config.dataDir, 'encryption.key');
  if (existsSync(keyPath)) {
    const key = decodeKey(readFileSync(keyPath, 'utf8'));
    if (!key)
      throw new SuccessEngineError(
        'CONFIG.INVALID',
        `${keyPath} does not hold a 32-byte key (64 hex characters); restore it or set SE_ENCRYPTION_KEY`,
      );
    return key;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyPath, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(keyPath, 0o600);
  return key;
}

/** Whether failures may print stack traces: only at LOG_LEVEL=debug or trace, read leniently so a bad config still reports cleanly. */
export function debugStacksEnabled(env: Env = process.env): boolean {
  return env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
}
