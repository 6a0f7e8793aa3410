import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import express from 'express';
import { createInboundWebhooksRouter } from '../app/http/inbound-webhooks.router';
import { systemClock } from '../core';
import { createHubSpotWebhookHandler } from '../webhooks/inbound/hubspot-webhook.handler';

/**
 * The server side of the webhooks benchmark, in its own thread so autocannon does not share its
 * event loop: the express app with the inbound router, and an enqueue port that counts events.
 */
interface ServerData {
  clientSecret: string;
  publicBaseUrl: string;
}

const data = workerData as ServerData;
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
  parentPort?.postMessage({ type: 'listening', port: (server.address() as AddressInfo).port });
});
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'stats') parentPort?.postMessage({ type: 'stats', enqueued, accepted });
  if (message.type === 'close') server.close(() => parentPort?.postMessage({ type: 'closed' }));
});
