/**
 * Every error we raise carries a dotted code (`AREA.REASON`) so callers can branch on it
 * (a queue processor maps codes to retry / rate-limit / unrecoverable) without parsing messages.
 */
export type ErrorCode = `${Uppercase<string>}.${Uppercase<string>}`;

export class SuccessEngineError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SuccessEngineError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isSuccessEngineError(value: unknown, code?: ErrorCode): value is SuccessEngineError {
  return value instanceof SuccessEngineError && (code === undefined || value.code === code);
}

/** Codes in use across rooms; rooms may add their own under their area prefix. */
export const ErrorCodes = {
  validationFailed: 'CORE.VALIDATION_FAILED',
  configInvalid: 'CONFIG.INVALID',
  storeCorrupt: 'STORE.CORRUPT',
  storeNotFound: 'STORE.NOT_FOUND',
  storeDecryptFailed: 'STORE.DECRYPT_FAILED',
  storeMigrationFailed: 'STORE.MIGRATION_FAILED',
  connectorRateLimited: 'CONNECTOR.RATE_LIMITED',
  connectorAuthExpired: 'CONNECTOR.AUTH_EXPIRED',
  connectorUnavailable: 'CONNECTOR.UNAVAILABLE',
  engineModelUnavailable: 'ENGINE.MODEL_UNAVAILABLE',
  /** HTTP answers only (app/http): too many failed token checks (429), a method a route does not take (405), a dependency down (503). */
  httpRateLimited: 'HTTP.RATE_LIMITED',
  httpMethodNotAllowed: 'HTTP.METHOD_NOT_ALLOWED',
  httpUnavailable: 'HTTP.UNAVAILABLE',
} as const satisfies Record<string, ErrorCode>;
