import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createInboundWebhooksRouter } from '../app/http/inbound-webhooks.router';
import { systemClock } from '../core';
import { createHubSpotWebhookHandler } from '../webhooks/inbound/hubspot-webhook.handler';

/**
 * The server side of the webhooks benchmark, in its own process so autocannon shares neither its
 * event loop nor its CPU accounting: the express app with the inbound router, and an enqueue port
 * that counts events. Settings come as argv: <clientSecret> <publicBaseUrl>.
 */
const data = { clientSecret: process.argv[2] ?? 'secret', publicBaseUrl: process.argv[3] ?? 'https://localhost' };
const send = (message: Record<string, unknown>) => process.send?.(message);
let enqueued = 0;
let accepted = 0;
const hubspot = createHubSpotWebhookHandler({
  clientSecret: data.clientSecret,
  publicBaseUrl: data.publicBaseUrl,
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
server.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});
let requests = 0;
server.on('request', () => requests++);
let cpuAtStart = process.cpuUsage();
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset-cpu') {
    cpuAtStart = process.cpuUsage();
    requests = 0;
  }
  if (message.type === 'stats') {
    const cpu = process.cpuUsage(cpuAtStart);
    send({ type: 'stats', enqueued, accepted, requests, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  if (message.type === 'close') server.close(() => process.exit(0));
  // Keep-alive sockets would hold close() open; the bench is done with them.
  if (message.type === 'close') server.closeAllConnections();
});
