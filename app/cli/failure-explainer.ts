import path from 'node:path';
import { SuccessEngineError } from '../../core';
import { describeSqliteError } from '../../store';
import { loadConfig } from '../config/config';

/**
 * Turns the raw failures an operator meets (Redis refused, a broken SQLite file, a busy port, a
 * folder we may not read) into one SuccessEngineError that names the setting or file at fault and
 * says what to do. Anything else is returned unchanged.
 */
export function explainFailure(error: unknown): unknown {
  if (error instanceof SuccessEngineError && error.cause === undefined) return error;
  const sqlite = describeSqliteError(configuredDatabase() ?? 'the database', error);
  if (sqlite) return sqlite;
  if (error instanceof SuccessEngineError) return error;
  const e = error as (NodeJS.ErrnoException & { address?: string; port?: number }) | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === 'EADDRINUSE' || (code === 'EACCES' && e?.syscall === 'listen')) {
    const where = `${e?.address ?? ''}:${e?.port ?? ''}`;
    return new SuccessEngineError(
      'HTTP.PORT_IN_USE',
      `cannot listen on ${where} (${code}): another process holds the port; stop it, or choose another port with SE_HTTP_PORT (or --port)`,
      { code },
      { cause: error },
    );
  }
  if ((code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') && typeof e?.path === 'string') {
    return new SuccessEngineError(
      'CONFIG.DATA_DIR_UNUSABLE',
      `cannot ${e.syscall ?? 'use'} ${e.path} (${code}); ${dataDirAdvice(e.path)}`,
      { code, path: e.path },
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
    return new SuccessEngineError(
      'NETWORK.UNREACHABLE',
      `cannot connect to ${e?.address ?? ''}${e?.port ? `:${e.port}` : ''} (${code}); check the URL settings (REDIS_URL, SE_HUBSPOT_API_URL, SE_SALESFORCE_LOGIN_URL) and that the service runs`,
      { code },
      { cause: error },
    );
  }
  return error;
}

function configuredDatabase(): string | undefined {
  try {
    return loadConfig().databasePath;
  } catch {
    return undefined;
  }
}

function dataDirAdvice(file: string): string {
  try {
    const { dataDir } = loadConfig();
    const inside = !path.relative(dataDir, path.resolve(file)).startsWith('..');
    if (inside)
      return `the data directory ${dataDir} (SE_DATA_DIR) must be readable and writable by this user: fix its permissions, or set SE_DATA_DIR to another folder`;
  } catch {
    /* a bad configuration is reported on its own */
  }
  return 'fix the permissions of that path, or point the setting or flag that names it elsewhere';
}
