import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../log/logger';

/** The ids a job's log lines carry, so one tenant's or one job's story can be filtered out. */
export interface JobLogContext {
  queue: string;
  jobId: string;
  tenantId?: string | undefined;
  attempt?: number | undefined;
  runId?: string | undefined;
}

/** A child logger for one job: every line it writes names the queue, job, tenant and attempt. */
export function jobLogger(log: Logger, context: JobLogContext): Logger {
  const bindings: Record<string, unknown> = { queue: context.queue, jobId: context.jobId };
  if (context.tenantId !== undefined) bindings.tenantId = context.tenantId;
  if (context.attempt !== undefined) bindings.attempt = context.attempt;
  if (context.runId !== undefined) bindings.runId = context.runId;
  return log.child(bindings);
}

/** A child logger for one tenant (schedulers, the drift monitor). */
export function tenantLogger(log: Logger, tenantId: string): Logger {
  return log.child({ tenantId });
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The request's child logger (set by `requestLogging`), or the given fallback. */
export function requestLog(res: Response, fallback: Logger): Logger {
  return (res.locals.log as Logger | undefined) ?? fallback;
}

/**
 * One child logger per request with its request id (the caller's `X-Request-Id` when it looks
 * sane, else a new one, echoed back), and one line when the response is sent, naming the tenant
 * once authentication knows it. Successful requests log at debug: the webhook path answers
 * thousands a second and its counts live in metrics.
 */
export function requestLogging(log: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    const child = log.child({ requestId });
    res.locals.log = child;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const principal = res.locals.principal as { tenantId?: string } | undefined;
      const status = res.statusCode;
      const level = status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
      if (!child.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      child[level](
        {
          method: req.method,
          path: req.path,
          status,
          ms: Math.round(ms * 10) / 10,
          ...(principal?.tenantId ? { tenantId: principal.tenantId } : {}),
        },
        'request',
      );
    });
    next();
  };
}
