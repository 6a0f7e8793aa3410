/** How a queue treats a failed step: wait and retry uncounted, retry with backoff, or give up at once. */
export type RetrySemantics = 'unrecoverable' | 'rate-limit' | 'retry';

interface ErrorCodeInfo {
  retry: RetrySemantics;
  /** The status an HTTP handler answers with; 5xx bodies never carry the message. */
  http: number;
}

const U = 'unrecoverable' as const;
const R = 'retry' as const;

/**
 * Every dotted code we raise (`AREA.REASON`), with what a queue does about it and what HTTP says.
 * The one table: a code missing here does not compile, and no mapping can forget one.
 */
export const errorCodes = {
  'CORE.VALIDATION_FAILED': { retry: U, http: 400 },
  'CONFIG.INVALID': { retry: U, http: 500 },
  'CONFIG.DATA_DIR_UNUSABLE': { retry: U, http: 500 },
  'STORE.CORRUPT': { retry: U, http: 500 },
  'STORE.NOT_FOUND': { retry: U, http: 404 },
  'STORE.DECRYPT_FAILED': { retry: U, http: 500 },
  'STORE.MIGRATION_FAILED': { retry: U, http: 500 },
  'STORE.LOCKED': { retry: R, http: 503 },
  'STORE.UNWRITABLE': { retry: R, http: 500 },
  // A database server (PostgreSQL) not answering: refused, reset, restarting, out of connections.
  'STORE.UNAVAILABLE': { retry: R, http: 503 },
  'CONNECTOR.RATE_LIMITED': { retry: 'rate-limit', http: 429 },
  'CONNECTOR.AUTH_EXPIRED': { retry: R, http: 500 },
  'CONNECTOR.AUTH_REVOKED': { retry: U, http: 500 },
  'CONNECTOR.PERMISSION_DENIED': { retry: U, http: 500 },
  // Connecting an org the admin authorised elsewhere (Salesforce CLI, JWT bearer): the admin must act.
  'CONNECTOR.CLI_ORG_UNKNOWN': { retry: U, http: 500 },
  'CONNECTOR.CLI_AUTH_EXPIRED': { retry: U, http: 500 },
  'CONNECTOR.JWT_KEY_UNREADABLE': { retry: U, http: 500 },
  'CONNECTOR.JWT_REJECTED': { retry: U, http: 500 },
  'CONNECTOR.UNAVAILABLE': { retry: R, http: 500 },
  // The CRM refused the request itself: sending it again cannot change the answer.
  'CONNECTOR.BAD_REQUEST': { retry: U, http: 500 },
  'CONNECTOR.NOT_FOUND': { retry: R, http: 500 },
  'CONNECTOR.BAD_CURSOR': { retry: U, http: 500 },
  'CONNECTOR.RESYNC_REQUIRED': { retry: R, http: 500 },
  'CONNECTOR.SCHEMA_MISSING': { retry: U, http: 409 },
  'CONNECTOR.SCHEMA_CONFLICT': { retry: U, http: 409 },
  'CONNECTOR.NOT_HUBSPOT': { retry: U, http: 500 },
  'CONNECTOR.NOT_SALESFORCE': { retry: U, http: 500 },
  'CONNECTOR.NOT_WRITTEN': { retry: R, http: 500 },
  'CONNECTOR.BULK_JOB_FAILED': { retry: R, http: 500 },
  'CONNECTOR.WINDOW_TOO_NARROW': { retry: U, http: 500 },
  'CONNECTOR.UNSUPPORTED_GRANT': { retry: U, http: 500 },
  // A field we write is not visible or not updateable for the integration user (field-level security).
  'CONNECTOR.FIELD_NOT_WRITABLE': { retry: U, http: 500 },
  // Same input, same refusal: bad input to the engine never succeeds on a retry.
  'ENGINE.BAD_INPUT': { retry: U, http: 500 },
  'ENGINE.INSUFFICIENT_DATA': { retry: U, http: 500 },
  'ENGINE.FIT_FAILED': { retry: U, http: 500 },
  'ENGINE.MODEL_UNAVAILABLE': { retry: R, http: 503 },
  'ENGINE.TIMEOUT': { retry: R, http: 500 },
  'ENGINE.FAILED': { retry: R, http: 500 },
  'HTTP.BAD_REQUEST': { retry: U, http: 400 },
  'HTTP.UNAUTHENTICATED': { retry: U, http: 401 },
  'HTTP.FORBIDDEN': { retry: U, http: 403 },
  'HTTP.NOT_FOUND': { retry: U, http: 404 },
  'HTTP.INTERNAL': { retry: R, http: 500 },
  'HTTP.ASSETS_MISSING': { retry: U, http: 500 },
  'HTTP.PORT_IN_USE': { retry: U, http: 500 },
  // Answers only (app/http): too many failed token checks, a method a route does not take, a dependency down.
  'HTTP.RATE_LIMITED': { retry: 'rate-limit', http: 429 },
  'HTTP.METHOD_NOT_ALLOWED': { retry: U, http: 405 },
  'HTTP.UNAVAILABLE': { retry: R, http: 503 },
  'INSTALL.BAD_STATE': { retry: U, http: 400 },
  'INSTALL.CODE_REJECTED': { retry: U, http: 400 },
  'INSTALL.DENIED': { retry: U, http: 400 },
  'INSTALL.NOT_CONFIGURED': { retry: U, http: 404 },
  'INSTALL.NOT_CONNECTED': { retry: U, http: 409 },
  'INSTALL.UNSUPPORTED': { retry: U, http: 400 },
  'ACCESS.RECORD_HIDDEN': { retry: U, http: 403 },
  'ACCESS.NO_CRM_USER': { retry: U, http: 403 },
  'ACCESS.CRM_UNAVAILABLE': { retry: R, http: 503 },
  'QUEUE.BAD_PAYLOAD': { retry: U, http: 400 },
  'QUEUE.NO_PARENT': { retry: U, http: 500 },
  'QUEUE.NO_PROCESSOR': { retry: U, http: 500 },
  'QUEUE.UNAVAILABLE': { retry: R, http: 503 },
  'QUEUE.TIMEOUT': { retry: R, http: 500 },
  'PIPELINE.UNKNOWN_CONNECTION': { retry: U, http: 404 },
  'PIPELINE.UNKNOWN_TENANT': { retry: U, http: 404 },
  'PIPELINE.UNKNOWN_ALERT': { retry: U, http: 404 },
  'PIPELINE.WRITEBACK_PARTIAL': { retry: R, http: 500 },
  'PIPELINE.TASKS_PARTIAL': { retry: R, http: 500 },
  'PIPELINE.TENANT_BUSY': { retry: R, http: 503 },
  'ALERT.UNDELIVERABLE': { retry: U, http: 500 },
  'NETWORK.UNREACHABLE': { retry: R, http: 503 },
  'SANDBOX.BAD_INPUT': { retry: U, http: 400 },
  'SANDBOX.BAD_JSON': { retry: U, http: 400 },
  'SANDBOX.SEED_FILE_INVALID': { retry: U, http: 400 },
  'SANDBOX.SEED_FILE_MISSING': { retry: U, http: 400 },
  'CLI.USAGE': { retry: U, http: 400 },
  'CLI.FAILED': { retry: R, http: 500 },
  'CLI.BAD_INPUT': { retry: U, http: 400 },
  'CLI.INPUT_UNREADABLE': { retry: U, http: 400 },
  'DEMO.INCOMPLETE': { retry: U, http: 500 },
} as const satisfies Record<`${Uppercase<string>}.${Uppercase<string>}`, ErrorCodeInfo>;

/** The closed union of our codes: a typo is a compile error. */
export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  return errorCodes[code];
}

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
