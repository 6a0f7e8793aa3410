import type { AccountId, ConnectionId, Provider, TenantId } from '../ids';
import type { CanonicalRecordByEntity, EntityName } from '../model/records.schema';
import type { ScoreSet } from '../model/score-set.schema';
import type { ActionOutcome } from '../model/action-outcome.schema';
import type { CrmConnection, CrmTokens, Tenant } from '../model/tenant.schema';
import type { SyncCursor } from './crm-connector.port';

export interface UpsertSummary {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Canonical ids whose content changed (inserted or updated): the ones to re-score. */
  changedIds: string[];
}

export interface RecordQuery {
  /** Point-in-time reads: only records whose provider modstamp is at or before this instant. */
  modifiedAtOrBefore?: string;
  includeDeleted?: boolean;
  accountId?: AccountId;
  limit?: number;
  /** Keyset paging over canonical ids. */
  afterId?: string;
}

export interface ModelVersion {
  tenantId: TenantId;
  /** e.g. `churn`, `clv`, `win-probability`. */
  task: string;
  version: string;
  status: 'candidate' | 'active' | 'retired';
  algorithm: string;
  trainingWindow: { from: string; to: string };
  metrics: Record<string, number>;
  features: string[];
  /** Serialised model (JSON), loaded by engine/. */
  artifact: unknown;
  createdAt: string;
}

export type AlertDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead-lettered';

export interface AlertDelivery {
  tenantId: TenantId;
  idempotencyKey: string;
  accountId: AccountId;
  rule: string;
  target: string;
  status: AlertDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  payload: unknown;
  createdAt: string;
  deliveredAt: string | null;
}

export interface AuditEntry {
  tenantId: TenantId;
  at: string;
  /** Who did it: a user id, `system`, or a CLI user. */
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export type ApiRole = 'admin' | 'reader';

export interface TenantSetting {
  value: unknown;
  updatedAt: string;
  updatedBy: string;
}

/** Who an API token speaks for: every request is scoped to this tenant. */
export interface ApiPrincipal {
  tenantId: TenantId;
  role: ApiRole;
  label: string;
}

export interface StoredConnection extends CrmConnection {
  tokens: CrmTokens;
}

/** What the text model concluded about one distinct text (PII-masked before it was read). */
export interface TextAnalysis {
  contentHash: string;
  modelId: string;
  label: 'positive' | 'neutral' | 'negative';
  /** -1 … +1. */
  score: number;
  topics: string[];
  maskedText: string;
  analysedAt: string;
}

/** The text a ticket or activity carries now, by content hash. */
export interface RecordText {
  entity: 'ticket' | 'activity';
  recordId: string;
  accountId: string;
  kind: 'email' | 'note' | 'ticket' | 'survey' | 'call' | 'other';
  at: string;
  contentHash: string;
}

export type AnalysedText = RecordText & Omit<TextAnalysis, 'contentHash'>;

/** The record store: canonical records plus everything the product keeps about them. */
export interface RecordStore {
  upsertTenant(tenant: Tenant): void;
  getTenant(id: TenantId): Tenant | null;
  listTenants(): Tenant[];

  saveConnection(connection: CrmConnection, tokens: CrmTokens): void;
  getConnection(tenantId: TenantId, id: ConnectionId): StoredConnection | null;

  upsertRecords<E extends EntityName>(entity: E, records: readonly CanonicalRecordByEntity[E][]): UpsertSummary;
  markDeleted(tenantId: TenantId, entity: EntityName, provider: Provider, externalIds: readonly string[], deletedAt: string): number;
  getRecord<E extends EntityName>(tenantId: TenantId, entity: E, id: string): CanonicalRecordByEntity[E] | null;
  listRecords<E extends EntityName>(tenantId: TenantId, entity: E, query?: RecordQuery): CanonicalRecordByEntity[E][];
  countRecords(tenantId: TenantId, entity: EntityName, query?: Pick<RecordQuery, 'includeDeleted'>): number;

  getCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName): SyncCursor | null;
  saveCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, cursor: SyncCursor): void;

  /**
   * Full reload with mark and sweep, for when the CRM cannot replay deletions since the cursor:
   * `beginResync` drops the cursor and starts an empty seen-set, pages record what they see, and
   * `finishResync` marks deleted every live record of the entity (from the connection's provider)
   * the reload did not see. Beginning again restarts it.
   */
  beginResync(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, startedAt: string, reason: string): void;
  resyncInProgress(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName): { startedAt: string; reason: string } | null;
  recordResyncSeen(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, externalIds: readonly string[]): void;
  finishResync(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
    provider: Provider,
    deletedAt: string,
  ): { deleted: number; accountIds: string[] };

  appendScoreSets(scores: readonly ScoreSet[]): void;
  scoreHistory(tenantId: TenantId, accountId: AccountId, options?: { limit?: number }): ScoreSet[];
  latestScores(tenantId: TenantId): ScoreSet[];

  registerModel(model: ModelVersion): void;
  activateModel(tenantId: TenantId, task: string, version: string): void;
  activeModel(tenantId: TenantId, task: string): ModelVersion | null;
  listModels(tenantId: TenantId, task?: string): ModelVersion[];

  /** Idempotent: recording the same key twice keeps the first and returns false. */
  recordAlert(delivery: AlertDelivery): boolean;
  updateAlert(
    tenantId: TenantId,
    idempotencyKey: string,
    patch: Partial<Pick<AlertDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'deliveredAt'>>,
  ): void;
  listAlerts(tenantId: TenantId, status?: AlertDeliveryStatus): AlertDelivery[];
  /** One delivery by its idempotency key (what a delivery job carries). */
  getAlert(tenantId: TenantId, idempotencyKey: string): AlertDelivery | null;

  /** Returns the new token once; only its hash is stored. Re-issuing a label replaces the old token. */
  issueApiToken(tenantId: TenantId, role: ApiRole, label: string): string;
  resolveApiToken(token: string): ApiPrincipal | null;

  /** Console settings (field mapping, alert rules, action catalog): one JSON document per key. */
  getTenantSetting(tenantId: TenantId, key: string): TenantSetting | null;
  putTenantSetting(tenantId: TenantId, key: string, value: unknown, updatedBy: string): void;

  /**
   * Upserts by tenant, account, action and recommendation time: a second answer replaces the first.
   * `keepExisting` leaves an existing row alone (a re-run recording its recommendations again).
   */
  /** Remembers the CRM task made for a recommendation (tasks step), found again by `answerActionsByTask`. */
  linkActionTask(
    tenantId: TenantId,
    recommendation: { accountId: string; actionId: string; recommendedAt: string },
    crmTaskId: string,
  ): void;
  /**
   * A CRM task of ours was completed or cancelled (seen by sync): still-open treatment rows linked to
   * it become completed / dismissed, source `crm-task`. Returns how many rows changed.
   */
  answerActionsByTask(tenantId: TenantId, answers: readonly { crmTaskId: string; status: 'completed' | 'dismissed'; at: string }[]): number;
  recordActionOutcome(outcome: ActionOutcome, updatedBy: string, options?: { keepExisting?: boolean }): void;
  listActionOutcomes(tenantId: TenantId, filter?: { accountId?: string; recommendedAt?: string }): ActionOutcome[];

  /** Analyses already stored for these content hashes by this model. */
  textAnalyses(tenantId: TenantId, modelId: string, contentHashes: readonly string[]): TextAnalysis[];
  putTextAnalyses(tenantId: TenantId, analyses: readonly TextAnalysis[]): void;
  /** Every record's current text (replacing what those records carried before); `removed` drops records without text. */
  putRecordTexts(
    tenantId: TenantId,
    texts: readonly RecordText[],
    removed?: readonly { entity: RecordText['entity']; recordId: string }[],
  ): void;
  listRecordTexts(tenantId: TenantId): RecordText[];
  /** Each record's text joined with its latest analysis (records not yet read are left out), oldest text first. */
  listAnalysedTexts(tenantId: TenantId): AnalysedText[];

  appendAudit(entry: AuditEntry): void;
  listAudit(tenantId: TenantId, options?: { limit?: number }): AuditEntry[];

  close(): void;
}
