import { SuccessEngineError } from '../../core';

/** Where a store points, for messages: host, port and database, never the password. */
export interface PostgresTarget {
  /** The URL with its password removed. */
  location: string;
  /** `host:port/database`. */
  where: string;
}

export function describeTarget(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SuccessEngineError('CONFIG.INVALID', 'SE_DATABASE_URL is not a URL; expected postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new SuccessEngineError('CONFIG.INVALID', `SE_DATABASE_URL must start with postgres:// (got ${parsed.protocol}//…)`);
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const port = parsed.port || parsed.searchParams.get('port') || '5432';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres';
  if (parsed.password) parsed.password = '';
  for (const secret of ['password', 'sslpassword', 'sslkey']) parsed.searchParams.delete(secret);
  return { location: parsed.toString(), where: `${host}:${port}/${database}` };
}

/** Socket-level failures: the server is down, restarting, or the network dropped us. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT',
]);
/** node-postgres's own words for a connection that went away or never came. */
const LOST_CONNECTION =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended/i;

/**
 * SQLSTATEs (https://www.postgresql.org/docs/15/errcodes-appendix.html) that mean "not now": connection
 * exceptions (08), the server shutting down or starting (57P01-57P03), out of connections or resources (53).
 */
const unavailable = (sqlState: string): boolean => sqlState.startsWith('08') || /^57P0[123]$/.test(sqlState) || sqlState.startsWith('53');
/** Lost a race with another transaction: running it again succeeds. */
const conflicted = (sqlState: string): boolean => sqlState === '40001' || sqlState === '40P01' || sqlState === '55P03';
/** Wrong user or password, or no such database: only the operator can fix these. */
const misconfigured = (sqlState: string): boolean => sqlState === '28P01' || sqlState === '28000' || sqlState === '3D000';

/**
 * PostgreSQL and network failures as our codes: the server not answering is `STORE.UNAVAILABLE` (a
 * queue retries it), credentials or an unknown database are `CONFIG.INVALID`. Messages name
 * SE_DATABASE_URL and host:port/database, never the password. Other errors (constraints) pass through.
 */
export function translatePostgresError(error: unknown, target: PostgresTarget, phase: 'open' | 'run'): unknown {
  // Not `instanceof Error`: socket errors can come from another realm (a test runner's sandbox).
  if (error instanceof SuccessEngineError || typeof error !== 'object' || error === null || !('message' in error)) return error;
  const { code, name } = error as { code?: unknown; name?: unknown };
  const reason = String(error.message) || String(code);
  if (typeof code === 'string' && misconfigured(code))
    return new SuccessEngineError(
      'CONFIG.INVALID',
      `PostgreSQL at ${target.where} refused the connection: ${reason}; check the user, password and database in SE_DATABASE_URL`,
      { database: target.where, sqlState: code },
      { cause: error },
    );
  const down =
    (typeof code === 'string' && (NETWORK_CODES.has(code) || unavailable(code))) ||
    LOST_CONNECTION.test(reason) ||
    name === 'AggregateError';
  if (down) {
    const message =
      phase === 'open'
        ? `cannot connect to PostgreSQL at ${target.where} (SE_DATABASE_URL): ${reason}; start the server or fix SE_DATABASE_URL`
        : `PostgreSQL at ${target.where} (SE_DATABASE_URL) is unavailable: ${reason}; the step can be retried once it answers`;
    return new SuccessEngineError(
      'STORE.UNAVAILABLE',
      message,
      { database: target.where, ...(typeof code === 'string' ? { cause: code } : {}) },
      { cause: error },
    );
  }
  if (typeof code === 'string' && conflicted(code))
    return new SuccessEngineError(
      'STORE.LOCKED',
      `PostgreSQL at ${target.where} aborted a transaction that conflicted with another (${code}: ${reason}); retry it`,
      { database: target.where, sqlState: code },
      { cause: error },
    );
  return error;
}
