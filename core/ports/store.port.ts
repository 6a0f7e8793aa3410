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

/**
 * A range of account ids, `after` (exclusive, none: from the first) to `through` (inclusive), compared
 * bytewise like `afterId`: the ids of one keyset page of accounts, so that chunked scoring reads only
 * that page's related rows. Consecutive pages' ranges cover the book once, without overlap.
 */
export interface AccountRange {
  after?: string;
  through: string;
}

export interface RecordQuery {
  /** Point-in-time reads: only records whose provider modstamp is at or before this instant. */
  modifiedAtOrBefore?: string;
  includeDeleted?: boolean;
  accountId?: AccountId;
  /**
   * Only records whose account id is in the range (an account's own id is its account id). With
   * `modifiedAtOrBefore`, the account of the version read then counts.
   */
  accounts?: AccountRange;
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

/**
 * Every role a token can carry: the port's admin/reader, plus `rep` (a card viewer, bound to one CRM
 * user id) and `service` (machine calls). Both extra roles are non-admin wherever `ApiPrincipal` is used.
 */
export type StaffRole = 'admin' | 'reader' | 'rep' | 'service';

/** An API token's full principal (see `resolveStaffToken`). */
export interface StaffPrincipal {
  tenantId: TenantId;
  role: StaffRole;
  label: string;
  /** The CRM user a rep token speaks for; null for other roles. */
  crmUserId: string | null;
}

export interface TenantLifecycle {
  tenantId: TenantId;
  status: 'installed' | 'uninstalled';
  installedAt: string;
  uninstalledAt: string | null;
  uninstallReason: string | null;
  erasureDueAt: string | null;
}

/** What `eraseTenant` leaves behind: no tenant id, only a salted hash of it and counts per table. */
export interface ErasureReceipt {
  tenantHash: string;
  salt: string;
  erasedAt: string;
  reason: string;
  rowCounts: Record<string, number>;
}

/** A connection found by its CRM org (HubSpot portal id, Salesforce organization id). */
export interface ConnectionRef {
  tenantId: TenantId;
  connectionId: ConnectionId;
}

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

/*
 * The store, split by what callers need. Every method returns a promise, so an adapter over a network
 * database (PostgreSQL) implements the same ports as the embedded SQLite one. Callers name the
 * narrowest roles they use (`RecordRepository & CursorRepository`), never an adapter class; only the
 * composition root opens a concrete store. One conformance suite (test/store) runs on every adapter.
 */

/** Tenants, their install lifecycle, CRM connections and API tokens. */
export interface TenantRepository {
  upsertTenant(tenant: Tenant): Promise<void>;
  getTenant(id: TenantId): Promise<Tenant | null>;
  listTenants(): Promise<Tenant[]>;

  markInstalled(tenantId: TenantId, at: string): Promise<void>;
  /** Uninstalled: the data stays (for the admin's export) until `erasureDueAt`, then `eraseTenant`. */
  markUninstalled(tenantId: TenantId, at: string, reason: string, erasureDueAt: string): Promise<void>;
  tenantLifecycle(tenantId: TenantId): Promise<TenantLifecycle | null>;
  /** Uninstalled tenants whose erasure is due at `now`. */
  dueErasures(now: string): Promise<TenantId[]>;
  /** True the first time a nonce is seen: an OAuth state can complete one install only. */
  claimOAuthNonce(nonce: string, at: string): Promise<boolean>;

  saveConnection(connection: CrmConnection, tokens: CrmTokens): Promise<void>;
  getConnection(tenantId: TenantId, id: ConnectionId): Promise<StoredConnection | null>;
  listConnections(tenantId: TenantId): Promise<CrmConnection[]>;
  /** Forget a connection's tokens (after revoking them at the CRM). */
  deleteConnection(tenantId: TenantId, id: ConnectionId): Promise<boolean>;
  /**
   * Every connection installed for a CRM org, by tenant then id. Salesforce org ids compare on their
   * 15-character form, since either form may arrive.
   */
  findConnectionsByOrg(provider: Provider, externalOrgId: string): Promise<ConnectionRef[]>;

  /** Returns the new token once; only its hash is stored. Re-issuing a label replaces the old token. */
  issueApiToken(tenantId: TenantId, role: StaffRole, label: string, options?: { crmUserId?: string }): Promise<string>;
  /** The port's view: rep and service tokens read as `reader`, so they never pass an admin check. */
  resolveApiToken(token: string): Promise<ApiPrincipal | null>;
  /** The full principal: role and, for reps, the CRM user whose record visibility applies. */
  resolveStaffToken(token: string): Promise<StaffPrincipal | null>;
  revokeApiTokens(tenantId: TenantId): Promise<number>;
}

/** Canonical records, their versions (point-in-time reads) and soft deletes. */
export interface RecordRepository {
  upsertRecords<E extends EntityName>(entity: E, records: readonly CanonicalRecordByEntity[E][]): Promise<UpsertSummary>;
  markDeleted(
    tenantId: TenantId,
    entity: EntityName,
    provider: Provider,
    externalIds: readonly string[],
    deletedAt: string,
  ): Promise<number>;
  getRecord<E extends EntityName>(tenantId: TenantId, entity: E, id: string): Promise<CanonicalRecordByEntity[E] | null>;
  listRecords<E extends EntityName>(tenantId: TenantId, entity: E, query?: RecordQuery): Promise<CanonicalRecordByEntity[E][]>;
  countRecords(tenantId: TenantId, entity: EntityName, query?: Pick<RecordQuery, 'includeDeleted'>): Promise<number>;
}

/** Sync cursors, and full reloads with mark and sweep. */
export interface CursorRepository {
  getCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName): Promise<SyncCursor | null>;
  saveCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, cursor: SyncCursor): Promise<void>;
  /**
   * Full reload with mark and sweep, for when the CRM cannot replay deletions since the cursor:
   * `beginResync` drops the cursor and starts an empty seen-set, pages record what they see, and
   * `finishResync` marks deleted every live record of the entity (from the connection's provider)
   * the reload did not see. Beginning again restarts it.
   */
  beginResync(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, startedAt: string, reason: string): Promise<void>;
  resyncInProgress(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
  ): Promise<{ startedAt: string; reason: string } | null>;
  recordResyncSeen(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, externalIds: readonly string[]): Promise<void>;
  finishResync(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
    provider: Provider,
    deletedAt: string,
  ): Promise<{ deleted: number; accountIds: string[] }>;
}

/** Score sets and the model versions that produced them. */
export interface ScoreRepository {
  appendScoreSets(scores: readonly ScoreSet[]): Promise<void>;
  scoreHistory(tenantId: TenantId, accountId: AccountId, options?: { limit?: number }): Promise<ScoreSet[]>;
  /** The latest score set of each account (of those in `accounts`, when given). */
  latestScores(tenantId: TenantId, options?: { accounts?: AccountRange }): Promise<ScoreSet[]>;

  registerModel(model: ModelVersion): Promise<void>;
  activateModel(tenantId: TenantId, task: string, version: string): Promise<void>;
  activeModel(tenantId: TenantId, task: string): Promise<ModelVersion | null>;
  listModels(tenantId: TenantId, task?: string): Promise<ModelVersion[]>;
}

/** Alert deliveries by idempotency key, and what became of recommended actions. */
export interface AlertRepository {
  /** Idempotent: recording the same key twice keeps the first and returns false. */
  recordAlert(delivery: AlertDelivery): Promise<boolean>;
  updateAlert(
    tenantId: TenantId,
    idempotencyKey: string,
    patch: Partial<Pick<AlertDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'deliveredAt'>>,
  ): Promise<void>;
  /**
   * Takes the next attempt of a pending or failed delivery whose time has come, for this worker alone:
   * true when its attempt count was still `expectedAttempts`; the row's next attempt moves to
   * `leaseUntil`, so no other worker (on any host) sends it meanwhile, and a crashed worker's claim
   * lapses then.
   */
  claimAlertAttempt(
    tenantId: TenantId,
    idempotencyKey: string,
    claim: { expectedAttempts: number; now: string; leaseUntil: string },
  ): Promise<boolean>;
  listAlerts(tenantId: TenantId, status?: AlertDeliveryStatus): Promise<AlertDelivery[]>;
  /** One delivery by its idempotency key (what a delivery job carries). */
  getAlert(tenantId: TenantId, idempotencyKey: string): Promise<AlertDelivery | null>;

  /** Remembers the CRM task made for a recommendation (tasks step), found again by `answerActionsByTask`. */
  linkActionTask(
    tenantId: TenantId,
    recommendation: { accountId: string; actionId: string; recommendedAt: string },
    crmTaskId: string,
  ): Promise<void>;
  /**
   * A CRM task of ours was completed or cancelled (seen by sync): still-open treatment rows linked to
   * it become completed / dismissed, source `crm-task`. Returns how many rows changed.
   */
  answerActionsByTask(
    tenantId: TenantId,
    answers: readonly { crmTaskId: string; status: 'completed' | 'dismissed'; at: string }[],
  ): Promise<number>;
  /**
   * Upserts by tenant, account, action and recommendation time: a second answer replaces the first.
   * `keepExisting` leaves an existing row alone (a re-run recording its recommendations again).
   */
  recordActionOutcome(outcome: ActionOutcome, updatedBy: string, options?: { keepExisting?: boolean }): Promise<void>;
  listActionOutcomes(tenantId: TenantId, filter?: { accountId?: string; recommendedAt?: string }): Promise<ActionOutcome[]>;
}

/** What the text model read in tickets and activities, by content hash. */
export interface TextRepository {
  /** Analyses already stored for these content hashes by this model. */
  textAnalyses(tenantId: TenantId, modelId: string, contentHashes: readonly string[]): Promise<TextAnalysis[]>;
  putTextAnalyses(tenantId: TenantId, analyses: readonly TextAnalysis[]): Promise<void>;
  /** Every record's current text (replacing what those records carried before); `removed` drops records without text. */
  putRecordTexts(
    tenantId: TenantId,
    texts: readonly RecordText[],
    removed?: readonly { entity: RecordText['entity']; recordId: string }[],
  ): Promise<void>;
  listRecordTexts(tenantId: TenantId): Promise<RecordText[]>;
  /**
   * Each record's text joined with its latest analysis (records not yet read are left out), oldest text
   * first; with `accounts`, only texts of accounts in the range.
   */
  listAnalysedTexts(tenantId: TenantId, options?: { accounts?: AccountRange }): Promise<AnalysedText[]>;
}

/** Console settings (field mapping, alert rules, action catalog): one JSON document per key. */
export interface SettingsRepository {
  getTenantSetting(tenantId: TenantId, key: string): Promise<TenantSetting | null>;
  putTenantSetting(tenantId: TenantId, key: string, value: unknown, updatedBy: string): Promise<void>;
}

/** The append-only audit log, the tenant export and erasure. */
export interface AuditRepository {
  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(tenantId: TenantId, options?: { limit?: number }): Promise<AuditEntry[]>;

  /** Every table holding tenant data, found from the schema (so tables added later are covered too). */
  tenantTables(): Promise<string[]>;
  /**
   * Every row of the tenant, table by table, read lazily (the caller streams it out). Secrets are
   * left out: CRM token ciphertexts and API token hashes. Blobs are base64.
   */
  exportTenant(tenantId: TenantId): AsyncIterable<{ table: string; row: Record<string, unknown> }>;
  /**
   * Delete every row of the tenant in every table, in one transaction, and append a tenant-free
   * receipt. Audit rows go only inside this transaction.
   */
  eraseTenant(tenantId: TenantId, reason: string): Promise<ErasureReceipt>;
  /** Erasure receipts for a tenant id (recomputing each row's salted hash), oldest first. */
  findErasures(tenantId: string): Promise<ErasureReceipt[]>;
}

/** Which database a store is, for logs, health and error messages (never a password). */
export interface StoreDescription {
  kind: 'sqlite' | 'postgres';
  /** A file path, or a URL with its password removed. */
  location: string;
}

/** Every role at once: what the composition root opens and hands out by role. */
export interface Store
  extends
    TenantRepository,
    RecordRepository,
    CursorRepository,
    ScoreRepository,
    AlertRepository,
    TextRepository,
    SettingsRepository,
    AuditRepository {
  readonly description: StoreDescription;
  /** Resolves when the database answers a trivial query (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
