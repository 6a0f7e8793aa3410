import { randomBytes } from 'node:crypto';
import {
  entityNames,
  SuccessEngineError,
  type ConnectionId,
  type CrmConnection,
  type CrmConnector,
  type CrmTokens,
  type EntityName,
  type Provider,
  type ScoreSet,
  type TenantId,
} from '../../core';
import type { RoutedAlert } from '../../engine/alerts/alert-rules';
import { summarizeBook, type BookSummary } from '../../engine/scoring/book-summary';
import type { BookInsights } from '../../engine/scoring/book-insights';
import { storedBookInsights } from '../pipeline/score.step';
import { generateBook } from '../../sandbox/seed/book.generator';
import type { Book } from '../../sandbox/seed/book.types';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { startHubSpotSandbox, startSalesforceSandbox, type HubSpotSandbox, type HubSpotTier, type SalesforceSandbox } from '../../sandbox';
import { SqliteStore } from '../../store';
import type { AlertV1 } from '../../webhooks/outbound/alert-payload.schema';
import { createLogger } from '../log/logger';
import { InProcessJobQueue } from '../queue/in-process-queue';
import { startWorkerRuntime } from '../worker/worker-runtime';
import { createPipelineAdapters } from '../worker/pipeline-adapters';
import { createProcessors, type ProcessorHooks } from '../worker/processors';
import type { TrainStepResult } from '../pipeline/train.step';
import type { WriteBackSummary } from '../pipeline/writeback.step';
import { startAlertReceiver } from './alert-receiver';
import { buildingPath, commitBuild, discardBuild } from './demo-database';

export const DEMO_TENANT = 'demo-hubspot' as TenantId;
export const DEMO_SALESFORCE_TENANT = 'demo-salesforce' as TenantId;
export const DEMO_PRIVATE_APP_TOKEN = 'pat-na1-sandbox-demo';
export const DEMO_SALESFORCE_TOKEN = '00D8d0000000SBX!sandbox-demo-token';

export type DemoCrmName = 'hubspot' | 'salesforce';
/** `customised`: the Telco custom fields and invoices (Salesforce also multi-currency); `vanilla`: the vendor's standard schema only. */
export type DemoOrgProfile = 'vanilla' | 'customised';

export interface DemoOptions {
  csvPath: string;
  databasePath: string;
  accounts: number;
  seed: number;
  tier: HubSpotTier;
  onStage: (stage: DemoStage, detail: string) => void;
  onProgress: (stage: DemoStage, done: number, total: number) => void;
  /** The CRM the book lives in (default HubSpot). */
  crm?: DemoCrmName;
  /** Its schema (default customised). */
  org?: DemoOrgProfile;
  /** With Redis, the same run goes through BullMQ workers started in this process. */
  redisUrl?: string;
  /** "Now" of the seeded book; defaults to the moment the demo runs, so its scores are fresh. */
  asOf?: string;
  /** Key for the CRM tokens at rest; pass the deployment's so later commands can use the demo connection. */
  encryptionKey?: Buffer;
}

export type DemoStage = 'seed' | 'install' | 'sync' | 'train' | 'score' | 'writeback' | 'alerts';

/** The sandbox CRM the demo installed into, and how to reach it. */
export interface DemoCrm {
  provider: Provider;
  /** "HubSpot" or "Salesforce", for people. */
  label: string;
  url: string;
  connectionId: ConnectionId;
  /** The CRM user id behind an owner id (HubSpot owners are not users; Salesforce owners are). */
  userIdOfOwner(ownerId: string): Promise<string | null>;
  hubspot?: HubSpotSandbox;
  salesforce?: SalesforceSandbox;
}

export interface DemoResult {
  tenantId: TenantId;
  store: SqliteStore;
  asOf: string;
  synced: Record<EntityName, number>;
  schema: { created: string[]; verified: string[] };
  training: TrainStepResult;
  scores: ScoreSet[];
  /** How the scored book reads (distinct probabilities, reasons, actions, Chinese). */
  summary: BookSummary;
  /** Segments and renewals ahead, as the score run kept them for the console. */
  insights: BookInsights | null;
  writeBack: WriteBackSummary;
  alerts: { raised: RoutedAlert[]; delivered: number; receivedVerified: number; suppressed: number };
  crm: DemoCrm;
  connector: CrmConnector;
  close(): Promise<void>;
}

interface StartedCrm {
  crm: DemoCrm;
  tenantId: TenantId;
  connection: Omit<CrmConnection, 'createdAt' | 'updatedAt'>;
  tokens: CrmTokens;
  close(): Promise<void>;
}

async function startDemoCrm(options: DemoOptions, book: Book): Promise<StartedCrm> {
  const org = options.org ?? 'customised';
  if (options.crm === 'salesforce') {
    const sandbox = await startSalesforceSandbox({ book, org, staticAccessTokens: [DEMO_SALESFORCE_TOKEN] });
    const connectionId = 'salesforce-sandbox' as ConnectionId;
    return {
      tenantId: DEMO_SALESFORCE_TENANT,
      crm: {
        provider: 'salesforce',
        label: 'Salesforce',
        url: sandbox.url,
        connectionId,
        salesforce: sandbox,
        userIdOfOwner: (ownerId) => Promise.resolve(ownerId),
      },
      connection: {
        id: connectionId,
        tenantId: DEMO_SALESFORCE_TENANT,
        provider: 'salesforce',
        externalOrgId: sandbox.state.org.orgId,
        baseUrl: sandbox.url,
      },
      tokens: { accessToken: DEMO_SALESFORCE_TOKEN, instanceUrl: sandbox.url },
      close: () => sandbox.close(),
    };
  }
  const sandbox = await startHubSpotSandbox({ book, tier: options.tier, privateAppTokens: [DEMO_PRIVATE_APP_TOKEN], portal: org });
  const connectionId = 'hubspot-sandbox' as ConnectionId;
  const userIdOfOwner = async (ownerId: string): Promise<string | null> => {
    const res = await fetch(`${sandbox.url}/crm/v3/owners/${encodeURIComponent(ownerId)}`, {
      headers: { authorization: `Bearer ${DEMO_PRIVATE_APP_TOKEN}` },
    });
    const userId = res.ok ? ((await res.json()) as { userId?: number }).userId : undefined;
    return userId === undefined ? null : String(userId);
  };
  return {
    tenantId: DEMO_TENANT,
    crm: { provider: 'hubspot', label: 'HubSpot', url: sandbox.url, connectionId, hubspot: sandbox, userIdOfOwner },
    connection: { id: connectionId, tenantId: DEMO_TENANT, provider: 'hubspot', externalOrgId: 'sandbox', baseUrl: sandbox.url },
    tokens: { accessToken: DEMO_PRIVATE_APP_TOKEN },
    close: () => sandbox.close(),
  };
}

/**
 * The product end to end on the embedded default: a sandbox CRM (HubSpot or Salesforce) seeded
 * with the demo book, install (our fields), then one backfill run — every entity's pages, the
 * customers' texts, training on the tenant's own history, scoring, write-back and signed alerts to
 * a local receiver. The run is the workers' own processors: on BullMQ with REDIS_URL, otherwise on
 * the in-process queue, so the demo cannot drift from what production runs.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  options.onStage('seed', `reading ${options.csvPath}`);
  const book = generateBook({
    seed: options.seed,
    accounts: options.accounts,
    rows: readTelcoCsv(options.csvPath),
    asOf: options.asOf ?? new Date().toISOString(),
  });
  const started = await startDemoCrm(options, book);
  const { tenantId, crm } = started;
  const encryptionKey = options.encryptionKey ?? randomBytes(32);
  const building = buildingPath(options.databasePath);
  let store = new SqliteStore({ path: building, encryptionKey });
  const secret = randomBytes(24).toString('hex');
  const receiver = await startAlertReceiver(secret);
  const close = async () => {
    await receiver.close();
    await started.close();
  };
  try {
    await store.upsertTenant({ id: tenantId, name: `Demo book of business (${crm.label} sandbox)`, locale: 'en', createdAt: book.asOf });
    await store.saveConnection({ ...started.connection, createdAt: book.asOf, updatedAt: book.asOf }, started.tokens);
    const receiverEndpoint = { url: receiver.url, secret };
    // Our fields live in the org itself in the demo (no managed package), so no namespace.
    const adapters = createPipelineAdapters({
      store,
      alertEndpointFor: () => ({ ...receiverEndpoint, format: 'alert.v1' }),
      salesforceNamespace: null,
    });
    const connector = await adapters.connector(tenantId, crm.connectionId);

    options.onStage('install', `creating the Success Engine fields in ${crm.label}`);
    const schema = await connector.ensureSchema();
    const run = options.redisUrl
      ? await runThroughBullmq(options, options.redisUrl, store, receiverEndpoint, tenantId, crm, book.asOf)
      : await runInProcess(options, adapters, tenantId, crm, book.asOf);
    if (!run.training)
      throw new SuccessEngineError(
        'DEMO.INCOMPLETE',
        `the demo run finished without training (dead letters: ${run.deadLetters.join('; ') || 'none'})`,
      );
    const committed = await commitBuild(store, building, options.databasePath, encryptionKey);
    store = committed;
    return {
      tenantId,
      store,
      asOf: book.asOf,
      schema,
      crm,
      connector,
      close,
      synced: run.synced,
      training: run.training,
      scores: run.scores,
      summary: summarizeBook(run.scores),
      insights: await storedBookInsights(store, tenantId),
      writeBack: run.writeBack,
      alerts: {
        raised: await raisedAlerts(store, tenantId),
        delivered: run.delivered,
        receivedVerified: [...receiver.received.values()].filter((r) => r.verified).length,
        suppressed: run.suppressed,
      },
    };
  } catch (error) {
    await close();
    await store.close();
    discardBuild(building);
    throw error;
  }
}

interface RunTally {
  synced: Record<EntityName, number>;
  training: TrainStepResult | undefined;
  scores: ScoreSet[];
  writeBack: WriteBackSummary;
  suppressed: number;
  delivered: number;
  deadLetters: string[];
}

/** Hooks that count what the processors did and move the progress display along. */
function tallyHooks(options: DemoOptions, crm: DemoCrm): { tally: RunTally; hooks: ProcessorHooks } {
  const tally: RunTally = {
    synced: Object.fromEntries(entityNames.map((e) => [e, 0])) as Record<EntityName, number>,
    training: undefined,
    scores: [],
    writeBack: { written: 0, unchanged: 0, failed: [] },
    suppressed: 0,
    delivered: 0,
    deadLetters: [],
  };
  let pages = 0;
  let stage: DemoStage = 'sync';
  const enter = (next: DemoStage, detail: string): void => {
    if (stage === next) return;
    stage = next;
    options.onStage(next, detail);
  };
  const hooks: ProcessorHooks = {
    onSyncPage: (r) => {
      tally.synced[r.entity] += r.upserted + r.unchanged;
      options.onProgress('sync', Math.min(++pages, 999), 1000);
    },
    onTrain: (r) => {
      tally.training = r;
      enter('train', 'learned from the tenant’s own history');
    },
    onScore: (s, _recorded, held) => {
      tally.scores.push(...s);
      tally.suppressed += held;
      enter('score', `${tally.scores.length} accounts scored`);
    },
    onWriteBack: (w) => {
      enter('writeback', `writing score sets to ${crm.label}`);
      tally.writeBack.written += w.written;
      tally.writeBack.unchanged += w.unchanged;
      tally.writeBack.failed.push(...w.failed);
    },
    onAlert: (o) => {
      enter('alerts', 'delivering alerts to the local CS webhook receiver');
      if (o.status === 'delivered') tally.delivered++;
    },
  };
  return { tally, hooks };
}

async function runInProcess(
  options: DemoOptions,
  adapters: ReturnType<typeof createPipelineAdapters>,
  tenantId: TenantId,
  crm: DemoCrm,
  asOf: string,
): Promise<RunTally> {
  const { tally, hooks } = tallyHooks(options, crm);
  options.onStage('sync', `every entity from ${crm.label}, in this process (no REDIS_URL)`);
  const queue = new InProcessJobQueue(createProcessors(adapters, hooks));
  try {
    await queue.enqueue('sync.start', { tenantId, connectionId: crm.connectionId, mode: 'backfill', train: true, asOf, runId: 'demo' });
    await queue.drain();
  } finally {
    await adapters.closeTextModel();
  }
  tally.deadLetters.push(...queue.deadLetters.map((d) => `${d.queue}: ${d.error}`));
  return tally;
}

/**
 * The same run through BullMQ: workers for every queue start in this process, and one
 * `sync.start` job fans out exactly as in production. Returns once every queue is empty.
 */
async function runThroughBullmq(
  options: DemoOptions,
  redisUrl: string,
  store: SqliteStore,
  receiver: { url: string; secret: string },
  tenantId: TenantId,
  crm: DemoCrm,
  asOf: string,
): Promise<RunTally> {
  const { tally, hooks } = tallyHooks(options, crm);
  options.onStage('sync', 'through BullMQ workers (REDIS_URL is set)');
  const runtime = startWorkerRuntime({
    redisUrl,
    // A prefix of its own: a stale demo run in the same Redis can't mix in.
    prefix: `se-demo-${randomBytes(4).toString('hex')}`,
    store,
    log: createLogger({ level: 'warn' }),
    concurrency: 2,
    salesforceNamespace: null,
    alertEndpointFor: () => ({ url: receiver.url, secret: receiver.secret, format: 'alert.v1' }),
    hooks,
  });
  try {
    await runtime.producer.enqueue('sync.start', {
      tenantId,
      connectionId: crm.connectionId,
      mode: 'backfill',
      train: true,
      asOf,
      runId: 'demo',
    });
    await runtime.producer.waitForIdle({ timeoutMs: 15 * 60_000 });
  } finally {
    await runtime.close();
  }
  return tally;
}

/** The alerts the run recorded, read back from the store (where delivery looks them up by key). */
async function raisedAlerts(store: SqliteStore, tenantId: TenantId): Promise<RoutedAlert[]> {
  return (await store.listAlerts(tenantId)).map((d) => {
    const a = (d.payload as { alert: AlertV1 }).alert;
    return {
      target: d.target,
      priority: 0,
      alert: {
        idempotencyKey: a.id,
        tenantId,
        accountId: d.accountId,
        rule: a.rule,
        severity: a.severity,
        title: a.title,
        reasons: a.reasons,
        ...(a.owner ? { ownerId: a.owner.id } : {}),
        raisedAt: a.raisedAt,
        data: a.data,
      },
    };
  });
}
