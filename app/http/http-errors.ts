import type { ErrorRequestHandler } from 'express';
import { errorCodeInfo, isSuccessEngineError } from '../../core';
import type { Logger } from '../log/logger';

/** body-parser's error types (https://github.com/expressjs/body-parser#errors), said for people. */
const CLIENT_ERROR_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'request body is not valid JSON',
  'entity.too.large': 'request body too large',
  'entity.verify.failed': 'request body failed verification',
  'encoding.unsupported': 'unsupported Content-Encoding: send the body uncompressed, gzip, deflate or br',
  'charset.unsupported': 'unsupported charset: send JSON as UTF-8',
  'request.aborted': 'the request was aborted before its body arrived',
  'request.size.invalid': 'the body is not as long as Content-Length says',
  'stream.encoding.set': 'bad request',
  'parameters.too.many': 'too many form parameters',
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (isSuccessEngineError(error)) {
      // The status comes from the code's row in core/errors.ts; 5xx are logged, never leaked.
      const status = errorCodeInfo(error.code).http;
      if (status >= 500) log.error({ err: error, path: req.path }, 'request failed');
      res.status(status).json({ error: { code: error.code, message: status >= 500 ? 'internal error' : error.message } });
      return;
    }
    // Errors raised by body-parser (http-errors, with a 4xx status) and by the router (a path
    // parameter that is not valid percent-encoding: URIError, status 400) are the client's fault.
    const clientError = error as { type?: string; status?: number; statusCode?: number };
    const status = clientError.status ?? clientError.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({
        error: {
          code: 'HTTP.BAD_REQUEST',
          message:
            CLIENT_ERROR_MESSAGES[clientError.type ?? ''] ??
            (error instanceof URIError ? 'the request path is not valid percent-encoded UTF-8' : 'bad request'),
        },
      });
      return;
    }
    log.error({ err: error, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'HTTP.INTERNAL', message: 'internal error' } });
  };
}
