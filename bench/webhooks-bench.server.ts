import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { StaticConnectionDirectory } from '../app/http/connection-directory';
import { createInboundSyncEnqueuer } from '../app/http/inbound-sync.enqueuer';
import { createInboundWebhooksDispatcher } from '../app/http/inbound-webhooks.router';
import { listen } from '../app/http/server';
import { createMetrics } from '../app/observability/metrics';
import { BullmqJobQueue } from '../app/queue/bullmq-queue';
import type { JobQueue } from '../app/queue/job-queue';
import { jobIdFor } from '../app/queue/job-ids';
import { systemClock, type ConnectionId, type TenantId } from '../core';
import { createHubSpotWebhookHandler } from '../webhooks/inbound/hubspot-webhook.handler';

/**
 * The server side of the webhooks benchmark, in its own process(es) so autocannon shares neither
 * its event loop nor its CPU accounting. The request path is serve's: the inbound dispatcher in
 * front of an express app, the HubSpot handler, and the inbound → incremental-sync enqueuer over a
 * connection directory. The queue is in memory (idempotent job ids, like BullMQ) unless a Redis
 * URL is given, then it is BullMQ. argv: <clientSecret> <publicBaseUrl> <servers> [redisUrl].
 * With servers > 1 the process is a cluster primary relaying stats summed over its workers.
 */
const [clientSecret = 'secret', publicBaseUrl = 'https://localhost', serversArg = '1', redisUrl = ''] = process.argv.slice(2);
const servers = Math.max(1, Number(serversArg) || 1);
const PORTAL = '62515';

/** An in-memory JobQueue with BullMQ's idempotence: a job id already present is not added again. */
function memoryQueue(): JobQueue & { jobs: Set<string> } {
  const jobs = new Set<string>();
  return {
    jobs,
    enqueue: async (name, payload) => {
      await Promise.resolve();
      const id = jobIdFor(name, payload);
      jobs.add(id);
      return id;
    },
    close: () => Promise.resolve(),
  };
}

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
  const metrics = createMetrics();
  const queue = redisUrl ? new BullmqJobQueue({ redisUrl, prefix: `bench-webhooks-${process.pid}` }) : memoryQueue();
  const toSync = createInboundSyncEnqueuer({
    queue,
    directory: new StaticConnectionDirectory({
      [`hubspot:${PORTAL}`]: [{ tenantId: 'bench-tenant' as TenantId, connectionId: 'bench-hubspot' as ConnectionId }],
    }),
    metrics,
    log: pino({ level: 'silent' }),
  });
  const hubspot = createHubSpotWebhookHandler({
    clientSecret,
    publicBaseUrl,
    clock: systemClock,
    // Events count as enqueued once the sync port resolved for them (their job is in the queue).
    enqueue: async (events) => {
      await toSync(events);
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
  const front = createInboundWebhooksDispatcher({
    hubspot: handler,
    onAnswered: (route, status, seconds) => metrics.httpDuration.observe({ method: 'POST', route, status: String(status) }, seconds),
  });
  let cpuAtStart = process.cpuUsage();
  void listen(app, '127.0.0.1', 0, front).then(({ server }) => {
    server.keepAliveTimeout = 60_000;
    server.on('request', () => requests++);
    report({ type: 'listening', port: (server.address() as AddressInfo).port });
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
        server.close(() => void queue.close().then(() => process.exit(0)));
      }
    });
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
            toParent({
              type: 'stats',
              enqueued: sum('enqueued'),
              accepted: sum('accepted'),
              requests: sum('requests'),
              cpuMs: sum('cpuMs'),
            });
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
