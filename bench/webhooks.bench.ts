import { createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { median, type Benchmark } from './bench-kit';

const SECRET = 'bench-client-secret';
const BASE = 'https://hooks.bench.local';
const PATH = '/webhooks/hubspot';

interface RunResult {
  requestsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  accepted: number;
  /** Accepted events whose 200 reached autocannon before the run stopped. */
  acknowledged: number;
  enqueued: number;
  lost: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per request: the load-independent cost (1000 / this = req/s one free core could serve). */
  serverCpuMsPerRequest: number;
}

function waitFor<T extends { type: string }>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('error', reject);
  });
}

/** One autocannon run against a fresh server thread; every request is a new, validly signed batch. */
function buildRequests(n: number, eventsPerBatch: number, firstEventId: number): { body: Buffer; headers: Record<string, string> }[] {
  const now = Date.now();
  const ts = String(now);
  const out = [];
  let id = firstEventId;
  for (let r = 0; r < n; r++) {
    const batch = [];
    for (let i = 0; i < eventsPerBatch; i++, id++) {
      batch.push({
        eventId: id,
        subscriptionId: 11,
        portalId: 62515,
        appId: 7,
        occurredAt: now - 500,
        subscriptionType: 'company.propertyChange',
        attemptNumber: 0,
        objectId: 10_000 + (id % 5_000),
        propertyName: 'hs_lastmodifieddate',
        propertyValue: ts,
        changeSource: 'CRM_UI',
      });
    }
    const body = JSON.stringify(batch);
    const signature = createHmac('sha256', SECRET).update(`POST${BASE}${PATH}${body}${ts}`).digest('base64');
    out.push({
      body: Buffer.from(body),
      headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts },
    });
  }
  return out;
}

async function runOnce(options: {
  seconds: number;
  connections: number;
  eventsPerBatch: number;
  runIndex: number;
  poolSize: number;
  servers: number;
  cpuProfDir?: string;
  redisUrl?: string;
}): Promise<RunResult> {
  // dist/bench/*.js normally; the .ts source when run through a TypeScript require hook.
  const server = path.join(__dirname, `webhooks-bench.server${path.extname(__filename)}`);
  const worker = fork(server, [SECRET, BASE, String(options.servers), options.redisUrl ?? ''], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [])],
  });
  const { port } = await waitFor<{ type: string; port: number }>(worker, 'listening');
  worker.send({ type: 'reset-cpu' });
  // Requests are built and signed before the run so the client spends its CPU on sending, not
  // hashing; one timestamp stays inside HubSpot's 5-minute window for the whole run.
  const pool = buildRequests(options.poolSize, options.eventsPerBatch, options.runIndex * 1e9);
  let next = 0;
  let acknowledged = 0;

  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        path: PATH,
        setupRequest: (request) => ({ ...request, ...(pool[next++ % pool.length] as { body: Buffer; headers: Record<string, string> }) }),
        onResponse: (status, body) => {
          if (status === 200) acknowledged += (JSON.parse(body) as { accepted: number }).accepted;
        },
      },
    ],
  });
  worker.send({ type: 'stats' });
  const { enqueued, accepted, requests, cpuMs } = await waitFor<{
    type: string;
    enqueued: number;
    accepted: number;
    requests: number;
    cpuMs: number;
  }>(worker, 'stats');
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.send({ type: 'close' });
  await exited;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    accepted,
    acknowledged,
    enqueued,
    // An acknowledgement the server never sent would be a bug too: count the larger gap.
    lost: Math.max(accepted, acknowledged) - enqueued,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuMsPerRequest: requests ? cpuMs / requests : 0,
  };
}

/**
 * Inbound HubSpot webhooks through the express router on loopback: autocannon posts validly
 * signed (v3) batches with fresh event ids. lost = events the server accepted (per its answers)
 * minus events that reached the enqueue port.
 */
export const webhooksBench: Benchmark = async ({ flags, progress }) => {
  const runs = Number(flags.runs ?? 3);
  const seconds = Number(flags.duration ?? 5);
  // HubSpot sends at most 10 concurrent webhook requests per app by default.
  const connections = Number(flags.connections ?? 10);
  const eventsPerBatch = Number(flags.events ?? 10);
  // Server processes sharing the port (node:cluster); 1 = a single express process.
  const servers = Number(flags.servers ?? 1);
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    // Enough distinct batches for 8,000 req/s; beyond that, repeats come back as duplicates (still 200).
    const r = await runOnce({
      seconds,
      connections,
      eventsPerBatch,
      runIndex: i,
      poolSize: Math.min(seconds * 8_000, 80_000),
      servers,
      ...(typeof flags['cpu-prof'] === 'string' ? { cpuProfDir: flags['cpu-prof'] } : {}),
      ...(typeof flags.redis === 'string' ? { redisUrl: flags.redis } : {}),
    });
    results.push(r);
    progress(
      `run ${i + 1}/${runs}: ${r.requestsPerSecond} req/s, p99 ${r.p99Ms} ms, accepted ${r.accepted} events (${r.acknowledged} acknowledged before stop), enqueued ${r.enqueued}, lost ${r.lost}, non-2xx ${r.non2xx}, errors ${r.errors}, server CPU ${r.serverCpuMsPerRequest.toFixed(3)} ms/req`,
    );
  }
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    lost: results.reduce((s, r) => s + r.lost, 0),
    p50Ms: median(results.map((r) => r.p50Ms)),
    eventsPerSecond: median(results.map((r) => r.requestsPerSecond)) * eventsPerBatch,
    acceptedEvents: results.reduce((s, r) => s + r.accepted, 0),
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    serverCpuMsPerRequest: Number(median(results.map((r) => r.serverCpuMsPerRequest)).toFixed(3)),
    loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)),
    errors: results.reduce((s, r) => s + r.errors, 0),
    runs,
    secondsPerRun: seconds,
    connections,
    servers,
    eventsPerBatch,
    queue: typeof flags.redis === 'string' ? 'bullmq (redis)' : 'in-memory',
    goals: { requestsPerSecond: 2_000, p99Ms: 50, lost: 0 },
  };
};
