import type { ErrorRequestHandler } from 'express';
import { errorCodeInfo, isSuccessEngineError } from '../../core';
import type { Logger } from '../log/logger';

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (isSuccessEngineError(error)) {
      // The status comes from the code's row in core/errors.ts; 5xx are logged, never leaked.
      const status = errorCodeInfo(error.code).http;
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
