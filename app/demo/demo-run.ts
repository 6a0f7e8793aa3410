import { randomBytes } from 'node:crypto';
import { entityNames, SuccessEngineError, systemClock, type ConnectionId, type EntityName, type ScoreSet, type TenantId, type TextModel } from '../../core';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import type { RoutedAlert } from '../../engine/alerts/alert-rules';
import { summarizeBook, type BookSummary } from '../../engine/scoring/book-summary';
import { openTextModel } from '../../engine/text/text-model.factory';
import { generateBook } from '../../sandbox/seed/book.generator';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { startHubSpotSandbox, type HubSpotSandbox, type HubSpotTier, type PortalProfile } from '../../sandbox';
import { SqliteRecordStore } from '../../store';
import { WebhookAlertSink } from '../../webhooks/outbound/webhook-alert.sink';
import type { AlertV1 } from '../../webhooks/outbound/alert-payload.schema';
import { createLogger } from '../log/logger';
import { startWorkerRuntime } from '../worker/worker-runtime';
import { alertsStep } from '../pipeline/alerts.step';
import { scoreStep } from '../pipeline/score.step';
import { syncEntity } from '../pipeline/sync.step';
import { analyzeTextsStep } from '../pipeline/text-analysis.step';
import { resolveTextSettings } from '../settings/text-settings';
import { currentModelEvaluation } from '../pipeline/model-evaluation';
import { trainChurnStep, type TrainStepResult } from '../pipeline/train.step';
import { writeBackStep, type WriteBackSummary } from '../pipeline/writeback.step';
import { startAlertReceiver } from './alert-receiver';
import { buildingPath, commitBuild, discardBuild } from './demo-database';

export const DEMO_TENANT = 'demo-hubspot' as TenantId;
const CONNECTION = 'hubspot-sandbox' as ConnectionId;
export const DEMO_PRIVATE_APP_TOKEN = 'pat-na1-sandbox-demo';

export interface DemoOptions {
  csvPath: string;
  databasePath: string;
  accounts: number;
  seed: number;
  tier: HubSpotTier;
  onStage: (stage: DemoStage, detail: string) => void;
  onProgress: (stage: DemoStage, done: number, total: number) => void;
  /** With Redis, the same run goes through BullMQ workers started in this process. */
  redisUrl?: string;
  /** "Now" of the seeded book; defaults to the moment the demo runs, so its scores are fresh. */
  asOf?: string;
  /** The HubSpot portal: `customised` (default, the Telco custom properties) or `vanilla` (HubSpot's defaults only). */
  portal?: PortalProfile;
  /** Key for the CRM tokens at rest; pass the deployment's so later commands can use the demo connection. */
  encryptionKey?: Buffer;
  /** The model that reads the synced texts in the in-process path; defaults to the shipped bilingual sentiment model (offline). */
  openTextModel?: () => Promise<TextModel>;
}

export type DemoStage = 'seed' | 'install' | 'sync' | 'train' | 'score' | 'writeback' | 'alerts';

export interface DemoResult {
  tenantId: TenantId;
  store: SqliteRecordStore;
  asOf: string;
  synced: Record<EntityName, number>;
  schema: { created: string[]; verified: string[] };
  training: TrainStepResult;
  scores: ScoreSet[];
  /** How the scored book reads (distinct probabilities, reasons, actions, Chinese). */
  summary: BookSummary;
  writeBack: WriteBackSummary;
  alerts: { raised: RoutedAlert[]; delivered: number; receivedVerified: number; suppressed: number };
  hubspotUrl: string;
  sandbox: HubSpotSandbox;
  connector: HubSpotConnector;
  close(): Promise<void>;
}

/**
 * The product end to end on the embedded default: a HubSpot sandbox seeded with the demo book,
 * install (our properties), sync every entity into SQLite, train on the tenant's own history,
 * score, write back, and raise signed alerts to a local receiver. Same pipeline steps the
 * workers run; here they run in this process, one after another.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  options.onStage('seed', `reading ${options.csvPath}`);
  const book = generateBook({ seed: options.seed, accounts: options.accounts, rows: readTelcoCsv(options.csvPath), asOf: options.asOf ?? new Date().toISOString() });
  const sandbox = await startHubSpotSandbox({ book, tier: options.tier, privateAppTokens: [DEMO_PRIVATE_APP_TOKEN], portal: options.portal ?? 'customised' });
  const encryptionKey = options.encryptionKey ?? randomBytes(32);
  const building = buildingPath(options.databasePath);
  let store = new SqliteRecordStore({ path: building, encryptionKey });
  const secret = randomBytes(24).toString('hex');
  const receiver = await startAlertReceiver(secret);
  const close = async () => {
    await receiver.close();
    await sandbox.close();
  };
  try {
    store.upsertTenant({ id: DEMO_TENANT, name: 'Demo book of business (HubSpot sandbox)', locale: 'en', createdAt: book.asOf });
    store.saveConnection(
      { id: CONNECTION, tenantId: DEMO_TENANT, provider: 'hubspot', externalOrgId: 'sandbox', baseUrl: sandbox.url, createdAt: book.asOf, updatedAt: book.asOf },
      { accessToken: DEMO_PRIVATE_APP_TOKEN },
    );
    const connector = new HubSpotConnector({ tenantId: DEMO_TENANT, portalKey: `demo-${sandbox.url}`, basePath: sandbox.url, accessToken: DEMO_PRIVATE_APP_TOKEN });

    options.onStage('install', 'creating the Success Engine property group and properties');
    const schema = await connector.ensureSchema();
    const sink = new WebhookAlertSink({ store, clock: systemClock, endpointFor: () => ({ url: receiver.url, secret, format: 'alert.v1' }) });
    const done = (r: Omit<DemoResult, 'tenantId' | 'store' | 'asOf' | 'schema' | 'hubspotUrl' | 'sandbox' | 'connector' | 'close' | 'summary'>): DemoResult => ({
      summary: summarizeBook(r.scores),
      tenantId: DEMO_TENANT,
      store: (store = commitBuild(store, building, options.databasePath, encryptionKey)),
      asOf: book.asOf,
      schema,
      hubspotUrl: sandbox.url,
      sandbox,
      connector,
      close,
      ...r,
    });

    if (options.redisUrl) {
      const queued = await runThroughQueues(options, options.redisUrl, store, { url: receiver.url, secret }, book.asOf);
      return done({ ...queued, alerts: { ...queued.alerts, receivedVerified: [...receiver.received.values()].filter((r) => r.verified).length } });
    }

    const synced = {} as Record<EntityName, number>;
    for (const [i, entity] of entityNames.entries()) {
      options.onStage('sync', entity);
      let pages = 0;
      const result = await syncEntity(store, connector, { tenantId: DEMO_TENANT, connectionId: CONNECTION, entity }, () => options.onProgress('sync', i * 1000 + Math.min(999, ++pages), entityNames.length * 1000));
      synced[entity] = result.upserted + result.unchanged;
    }
    options.onProgress('sync', entityNames.length * 1000, entityNames.length * 1000);

    // As the text.analyze job does after a sync: masked, read once per distinct text, before training.
    const textModel = await (options.openTextModel ?? (() => openTextModel({ modelsDir: undefined, allowRemoteModels: false, backend: 'shipped' })))();
    try {
      const settings = resolveTextSettings(store, DEMO_TENANT);
      await analyzeTextsStep(store, textModel, DEMO_TENANT, { now: book.asOf, topics: settings.tagger, batchSize: settings.batchSize });
    } finally {
      await textModel.close();
    }

    options.onStage('train', 'learning from the tenant’s own history');
    const training = trainChurnStep(store, DEMO_TENANT, book.asOf);
    // As the training job does: the console's model metrics, ready before anyone opens it.
    currentModelEvaluation(store, DEMO_TENANT, new Date());

    options.onStage('score', 'churn, CLV and next-best-actions for every live account');
    const scored = scoreStep(store, DEMO_TENANT, book.asOf, { currency: 'USD' });

    options.onStage('writeback', `writing ${scored.scoreSets.length} score sets to HubSpot companies`);
    const writeBack = await writeBackStep(store, connector, DEMO_TENANT, scored.scoreSets, 100);

    options.onStage('alerts', 'raising alerts to the local CS webhook receiver');
    const alerts = await alertsStep(store, sink, DEMO_TENANT, scored.alertSignals, new Date(book.asOf));
    return done({
      synced,
      training,
      scores: scored.scoreSets,
      writeBack,
      alerts: {
        raised: alerts.raised,
        delivered: alerts.outcomes.filter((o) => o.status === 'delivered').length,
        receivedVerified: [...receiver.received.values()].filter((r) => r.verified).length,
        suppressed: alerts.suppressed,
      },
    });
  } catch (error) {
    await close();
    store.close();
    discardBuild(building);
    throw error;
  }
}

/**
 * The same run through BullMQ: workers for every queue start in this process, one `sync.start`
 * job fans out into a flow (every entity's pages → train → score), and scoring fans out into
 * write-back batches and alert deliveries. Returns once every queue is empty.
 */
async function runThroughQueues(options: DemoOptions, redisUrl: string, store: SqliteRecordStore, receiver: { url: string; secret: string }, asOf: string): Promise<Pick<DemoResult, 'synced' | 'training' | 'scores' | 'writeBack' | 'alerts'>> {
  const synced = Object.fromEntries(entityNames.map((e) => [e, 0])) as Record<EntityName, number>;
  let training: TrainStepResult | undefined;
  const scores: ScoreSet[] = [];
  const writeBack: WriteBackSummary = { written: 0, unchanged: 0, failed: [] };
  let suppressed = 0;
  let delivered = 0;
  let pages = 0;
  let stage: DemoStage = 'sync';
  const enter = (next: DemoStage, detail: string): void => {
    if (stage === next) return;
    stage = next;
    options.onStage(next, detail);
  };
  options.onStage('sync', 'through BullMQ workers (REDIS_URL is set)');
  const runtime = startWorkerRuntime({
    redisUrl,
    // A prefix of its own: a stale demo run in the same Redis can't mix in.
    prefix: `se-demo-${randomBytes(4).toString('hex')}`,
    store,
    log: createLogger({ level: 'warn' }),
    concurrency: 2,
    alertEndpointFor: () => ({ url: receiver.url, secret: receiver.secret, format: 'alert.v1' }),
    hooks: {
      onSyncPage: (r) => {
        synced[r.entity] += r.upserted + r.unchanged;
        options.onProgress('sync', Math.min(++pages, 999), 1000);
      },
      onTrain: (r) => {
        training = r;
        enter('train', 'learned from the tenant’s own history');
      },
      onScore: (s, _recorded, held) => {
        scores.push(...s);
        suppressed += held;
        enter('score', `${s.length} accounts scored`);
      },
      onWriteBack: (w) => {
        enter('writeback', 'writing score sets to HubSpot companies');
        writeBack.written += w.written;
        writeBack.unchanged += w.unchanged;
        writeBack.failed.push(...w.failed);
      },
      onAlert: (o) => {
        enter('alerts', 'delivering alerts to the local CS webhook receiver');
        if (o.status === 'delivered') delivered++;
      },
    },
  });
  try {
    await runtime.producer.enqueue('sync.start', { tenantId: DEMO_TENANT, connectionId: CONNECTION, mode: 'backfill', train: true, asOf, runId: 'demo' });
    await runtime.producer.waitForIdle({ timeoutMs: 15 * 60_000 });
  } finally {
    await runtime.close();
  }
  if (!training) throw new SuccessEngineError('DEMO.INCOMPLETE', 'the queued demo run finished without training (see the dead-letter queue)');
  const raised: RoutedAlert[] = store.listAlerts(DEMO_TENANT).map((d) => {
    const a = (d.payload as { alert: AlertV1 }).alert;
    return { target: d.target, priority: 0, alert: { idempotencyKey: a.id, tenantId: DEMO_TENANT, accountId: d.accountId, rule: a.rule, severity: a.severity, title: a.title, reasons: a.reasons, ...(a.owner ? { ownerId: a.owner.id } : {}), raisedAt: a.raisedAt, data: a.data } };
  });
  return { synced, training, scores, writeBack, alerts: { raised, delivered, receivedVerified: 0, suppressed } };
}
