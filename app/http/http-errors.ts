import type { ErrorRequestHandler } from 'express';
import { isSuccessEngineError } from '../../core';
import type { Logger } from '../log/logger';

/** HTTP status for an error code; anything unknown is a 500 that is logged, never leaked. */
const STATUS_BY_CODE: Record<string, number> = {
  'CORE.VALIDATION_FAILED': 400,
  'HTTP.BAD_REQUEST': 400,
  'HTTP.UNAUTHENTICATED': 401,
  'HTTP.FORBIDDEN': 403,
  'STORE.NOT_FOUND': 404,
  'HTTP.NOT_FOUND': 404,
  'CONNECTOR.RATE_LIMITED': 429,
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (isSuccessEngineError(error)) {
      const status = STATUS_BY_CODE[error.code] ?? 500;
      if (status >= 500) log.error({ err: error, path: req.path }, 'request failed');
      res.status(status).json({ error: { code: error.code, message: status >= 500 ? 'internal error' : error.message } });
      return;
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.parse.failed' || bodyError.type === 'entity.too.large') {
      res.status(bodyError.status ?? 400).json({ error: { code: 'HTTP.BAD_REQUEST', message: bodyError.type === 'entity.too.large' ? 'request body too large' : 'request body is not valid JSON' } });
      return;
    }
    log.error({ err: error, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'HTTP.INTERNAL', message: 'internal error' } });
  };
}
