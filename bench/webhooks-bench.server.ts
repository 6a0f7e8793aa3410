import cluster from 'node:cluster';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createInboundWebhooksRouter } from '../app/http/inbound-webhooks.router';
import { systemClock } from '../core';
import { createHubSpotWebhookHandler } from '../webhooks/inbound/hubspot-webhook.handler';

/**
 * The server side of the webhooks benchmark, in its own process(es) so autocannon shares neither
 * its event loop nor its CPU accounting: the express app with the inbound router, and an enqueue
 * port that counts events. argv: <clientSecret> <publicBaseUrl> <servers>. With servers > 1 the
 * process is a cluster primary that relays stats summed over its workers (one shared port).
 */
const [clientSecret = 'secret', publicBaseUrl = 'https://localhost', serversArg = '1'] = process.argv.slice(2);
const servers = Math.max(1, Number(serversArg) || 1);

interface Stats {
  enqueued: number;
  accepted: number;
  requests: number;
  cpuMs: number;
}
type Message = { type: string } & Partial<Stats> & { port?: number };

function serve(report: (m: Message) => void): void {
  let enqueued = 0;
  let accepted = 0;
  let requests = 0;
  const hubspot = createHubSpotWebhookHandler({
    clientSecret,
    publicBaseUrl,
    clock: systemClock,
    // A queue port that resolves on the next tick, like an in-memory queue.
    enqueue: async (events) => {
      await Promise.resolve();
      enqueued += events.length;
    },
  });
  // What the server promised: events it answered 200 "accepted" for (some answers may never reach
  // autocannon when a run stops mid-flight, so the server counts its own promises).
  const handler: typeof hubspot = async (request) => {
    const response = await hubspot(request);
    if (response.status === 200) accepted += (JSON.parse(response.body) as { accepted: number }).accepted;
    return response;
  };
  const app = express();
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.use(createInboundWebhooksRouter({ hubspot: handler }));
  const server = http.createServer(app);
  server.keepAliveTimeout = 60_000;
  server.on('request', () => requests++);
  let cpuAtStart = process.cpuUsage();
  server.listen(0, '127.0.0.1', () => report({ type: 'listening', port: (server.address() as AddressInfo).port }));
  process.on('message', (message: Message) => {
    if (message.type === 'reset-cpu') {
      cpuAtStart = process.cpuUsage();
      requests = 0;
    }
    if (message.type === 'stats') {
      const cpu = process.cpuUsage(cpuAtStart);
      report({ type: 'stats', enqueued, accepted, requests, cpuMs: (cpu.user + cpu.system) / 1000 });
    }
    if (message.type === 'close') {
      // Keep-alive sockets would hold close() open; the bench is done with them.
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
}

const toParent = (m: Message) => process.send?.(m);

if (servers === 1) serve(toParent);
else if (cluster.isPrimary) {
  const workers = Array.from({ length: servers }, () => cluster.fork());
  let listening = 0;
  for (const w of workers) {
    w.on('message', (m: Message) => {
      if (m.type === 'listening' && ++listening === servers) toParent(m);
    });
  }
  process.on('message', (message: Message) => {
    if (message.type === 'stats') {
      const replies: Stats[] = [];
      for (const w of workers) {
        const onReply = (m: Message) => {
          if (m.type !== 'stats') return;
          w.off('message', onReply);
          replies.push({ enqueued: m.enqueued ?? 0, accepted: m.accepted ?? 0, requests: m.requests ?? 0, cpuMs: m.cpuMs ?? 0 });
          if (replies.length === servers) {
            const sum = (k: keyof Stats) => replies.reduce((s, r) => s + r[k], 0);
            toParent({ type: 'stats', enqueued: sum('enqueued'), accepted: sum('accepted'), requests: sum('requests'), cpuMs: sum('cpuMs') });
          }
        };
        w.on('message', onReply);
        w.send(message);
      }
      return;
    }
    for (const w of workers) w.send(message);
    if (message.type === 'close') {
      let exited = 0;
      for (const w of workers) w.on('exit', () => ++exited === servers && process.exit(0));
    }
  });
} else serve((m) => process.send?.(m));
