import { Writable } from 'node:stream';
import express from 'express';
import { createLogger } from '../log/logger';
import { jobLogger, requestLogging } from './log-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination }) };
}

describe('log context', () => {
  it('binds queue, job, tenant and attempt to every line of a job', () => {
    const { lines, log } = capture();
    jobLogger(log, { queue: 'score.batch', jobId: 'score.batch.ab12', tenantId: 't1', attempt: 2 }).info({ accounts: 100 }, 'scored');
    expect(lines[0]).toMatchObject({
      queue: 'score.batch',
      jobId: 'score.batch.ab12',
      tenantId: 't1',
      attempt: 2,
      accounts: 100,
      msg: 'scored',
    });
  });

  it('logs each request with its request id, and the tenant once authenticated', async () => {
    const { lines, log } = capture();
    const app = express();
    app.use(requestLogging(log));
    app.get('/x', (_req, res) => {
      res.locals.principal = { tenantId: 't9', role: 'reader' };
      res.status(404).json({});
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/x`, { headers: { 'x-request-id': 'req-123' } });
      expect(res.headers.get('x-request-id')).toBe('req-123');
      const bad = await fetch(`http://127.0.0.1:${port}/x`, { headers: { 'x-request-id': 'not ok; <script>' } });
      expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(lines[0]).toMatchObject({ requestId: 'req-123', tenantId: 't9', status: 404, method: 'GET', path: '/x', msg: 'request' });
  });
});
