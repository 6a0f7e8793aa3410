/* eslint-disable @typescript-eslint/require-await --
   The ports are asynchronous; better-sqlite3 is synchronous. \`async\` keeps each method's throw a rejection, as callers of a port expect. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  CrmTokensSchema,
  SuccessEngineError,
  parseOrThrow,
  type AccountId,
  type ActionOutcome,
  type CanonicalRecordByEntity,
  type ConnectionId,
  type CrmConnection,
  type CrmTokens,
  type EntityName,
  type Provider,
  type ScoreSet,
  type SyncCursor,
  type Tenant,
  type TenantId,
} from '../../core';
import type {
  AccountRange,
  Store,
  StoreDescription,
  ConnectionRef,
  ErasureReceipt,
  StaffPrincipal,
  StaffRole,
  TenantLifecycle,
  AlertDelivery,
  ApiPrincipal,
  TenantSetting,
  AlertDeliveryStatus,
  AuditEntry,
  ModelVersion,
  RecordQuery,
  AnalysedText,
  RecordText,
  StoredConnection,
  TextAnalysis,
  UpsertSummary,
} from '../../core/ports/store.port';
import { migrations, type Migration } from './migrations';
import { erasureHash, exportRow, hashToken, quoteIdent, tokenAad } from '../shared/store-rules';
import { TokenCipher } from '../shared/token-cipher';

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. */
  path: string;
  /**
   * Open an existing store for reading only (backtests, reports): a missing file, an empty one or
   * one that is not a Success Engine store is an error, and nothing is created or migrated.
   */
  readOnly?: boolean;
  /** 32-byte key for tokens at rest; connections can't be saved or read without it. */
  encryptionKey?: Buffer;
  /** Records per transaction in large upserts; each batch lands whole or not at all. */
  batchSize?: number;
  now?: () => Date;
}

type Row = Record<string, unknown>;
const DEFAULT_BATCH_SIZE = 2000;

/** Instants are stored in UTC so that text comparison orders them correctly. */
const utc = (iso: string): string => new Date(iso).toISOString();

export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly description: StoreDescription;
  private readonly cipher: TokenCipher | null;
  private readonly batchSize: number;
  private readonly now: () => Date;
  private readonly statements: ReturnType<SqliteStore['prepareStatements']>;

  constructor(options: SqliteStoreOptions) {
    this.db = openDatabase(options);
    this.description = { kind: 'sqlite', location: options.path };
    this.cipher = options.encryptionKey ? new TokenCipher(options.encryptionKey) : null;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.now = options.now ?? (() => new Date());
    this.statements = explainSqliteErrors(options.path, () => this.prepareStatements());
  }

  private prepareStatements() {
    const db = this.db;
    return {
      findRecord: db.prepare(
        'SELECT data_hash, deleted_at FROM records WHERE tenant_id = ? AND entity = ? AND provider = ? AND external_id = ?',
      ),
      insertRecord: db.prepare(
        `INSERT INTO records (tenant_id, entity, provider, external_id, id, account_id, data_hash, modstamp, deleted_at, data, stored_at)
         VALUES (@tenantId, @entity, @provider, @externalId, @id, @accountId, @dataHash, @modstamp, @deletedAt, @data, @storedAt)`,
      ),
      updateRecord: db.prepare(
        `UPDATE records SET id = @id, account_id = @accountId, data_hash = @dataHash, modstamp = @modstamp, deleted_at = @deletedAt,
           data = @data, stored_at = @storedAt
         WHERE tenant_id = @tenantId AND entity = @entity AND provider = @provider AND external_id = @externalId`,
      ),
      insertVersion: db.prepare(
        `INSERT INTO record_versions (tenant_id, entity, id, account_id, modstamp, deleted_at, data)
         VALUES (@tenantId, @entity, @id, @accountId, @modstamp, @deletedAt, @data)`,
      ),
      softDelete: db.prepare(
        `UPDATE records SET deleted_at = @deletedAt, stored_at = @storedAt
         WHERE tenant_id = @tenantId AND entity = @entity AND provider = @provider AND external_id = @externalId AND deleted_at IS NULL
         RETURNING id, account_id, data`,
      ),
    };
  }

  // Tenants ------------------------------------------------------------------------------------

  async upsertTenant(tenant: Tenant): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO tenants (id, name, locale, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, locale = excluded.locale`,
      )
      .run(tenant.id, tenant.name, tenant.locale, utc(tenant.createdAt));
  }

  async getTenant(id: TenantId): Promise<Tenant | null> {
    const row = this.db.prepare('SELECT * FROM tenants WHERE id = ?').get(id) as Row | undefined;
    return row ? toTenant(row) : null;
  }

  async listTenants(): Promise<Tenant[]> {
    return (this.db.prepare('SELECT * FROM tenants ORDER BY id').all() as Row[]).map(toTenant);
  }

  // Connections --------------------------------------------------------------------------------

  async saveConnection(connection: CrmConnection, tokens: CrmTokens): Promise<void> {
    const cipher = this.requireCipher();
    const validTokens = parseOrThrow(CrmTokensSchema, tokens, `tokens for connection ${connection.id}`);
    const blob = cipher.encrypt(JSON.stringify(validTokens), tokenAad(connection.tenantId, connection.id));
    this.db
      .prepare(
        `INSERT INTO crm_connections (tenant_id, id, provider, external_org_id, base_url, token_ciphertext, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, id) DO UPDATE SET provider = excluded.provider, external_org_id = excluded.external_org_id,
           base_url = excluded.base_url, token_ciphertext = excluded.token_ciphertext, updated_at = excluded.updated_at`,
      )
      .run(
        connection.tenantId,
        connection.id,
        connection.provider,
        connection.externalOrgId,
        connection.baseUrl,
        blob,
        utc(connection.createdAt),
        utc(connection.updatedAt),
      );
  }

  async getConnection(tenantId: TenantId, id: ConnectionId): Promise<StoredConnection | null> {
    const row = this.db.prepare('SELECT * FROM crm_connections WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
    if (!row) return null;
    const plaintext = this.requireCipher().decrypt(row.token_ciphertext as Buffer, tokenAad(tenantId, id));
    return {
      id,
      tenantId,
      provider: row.provider as Provider,
      externalOrgId: row.external_org_id as string,
      baseUrl: row.base_url as string,
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
      tokens: CrmTokensSchema.parse(JSON.parse(plaintext)),
    };
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher)
      throw new SuccessEngineError(
        'CONFIG.INVALID',
        'the store was opened without an encryption key, so CRM tokens cannot be saved or read (set SE_ENCRYPTION_KEY)',
      );
    return this.cipher;
  }

  // Records ------------------------------------------------------------------------------------

  async upsertRecords<E extends EntityName>(entity: E, records: readonly CanonicalRecordByEntity[E][]): Promise<UpsertSummary> {
    const summary: UpsertSummary = { inserted: 0, updated: 0, unchanged: 0, changedIds: [] };
    const upsertBatch = this.db.transaction((batch: readonly CanonicalRecordByEntity[E][]) => {
      for (const record of batch) this.upsertOne(entity, record, summary);
    });
    for (let start = 0; start < records.length; start += this.batchSize) {
      upsertBatch(records.slice(start, start + this.batchSize));
    }
    return summary;
  }

  private upsertOne(entity: EntityName, record: CanonicalRecordByEntity[EntityName], summary: UpsertSummary): void {
    const key = [record.tenantId, entity, record.source.provider, record.source.externalId] as const;
    const existing = this.statements.findRecord.get(...key) as { data_hash: string; deleted_at: string | null } | undefined;
    const deletedAt = record.deletedAt ? utc(record.deletedAt) : null;
    if (existing && existing.data_hash === record.dataHash && existing.deleted_at === deletedAt) {
      summary.unchanged++;
      return;
    }
    const row = {
      tenantId: record.tenantId,
      entity,
      provider: record.source.provider,
      externalId: record.source.externalId,
      id: record.id,
      accountId: entity === 'account' ? record.id : ((record as { accountId?: string }).accountId ?? null),
      dataHash: record.dataHash,
      modstamp: utc(record.source.modstamp),
      deletedAt,
      data: JSON.stringify(record),
      storedAt: this.now().toISOString(),
    };
    if (existing) {
      this.statements.updateRecord.run(row);
      summary.updated++;
    } else {
      this.statements.insertRecord.run(row);
      summary.inserted++;
    }
    this.statements.insertVersion.run(row);
    summary.changedIds.push(record.id);
  }

  async markDeleted(
    tenantId: TenantId,
    entity: EntityName,
    provider: Provider,
    externalIds: readonly string[],
    deletedAt: string,
  ): Promise<number> {
    return this.markDeletedNow(tenantId, entity, provider, externalIds, deletedAt);
  }

  /** Synchronous, so that `finishResync` can run it inside its transaction. */
  private markDeletedNow(
    tenantId: TenantId,
    entity: EntityName,
    provider: Provider,
    externalIds: readonly string[],
    deletedAt: string,
  ): number {
    const at = utc(deletedAt);
    const run = this.db.transaction(() => {
      let count = 0;
      for (const externalId of externalIds) {
        const hit = this.statements.softDelete.get({
          tenantId,
          entity,
          provider,
          externalId,
          deletedAt: at,
          storedAt: this.now().toISOString(),
        }) as Row | undefined;
        if (!hit) continue;
        count++;
        const data = { ...(JSON.parse(hit.data as string) as object), deletedAt: at };
        this.statements.insertVersion.run({
          tenantId,
          entity,
          id: hit.id,
          accountId: hit.account_id,
          modstamp: at,
          deletedAt: at,
          data: JSON.stringify(data),
        });
      }
      return count;
    });
    return run();
  }

  async getRecord<E extends EntityName>(tenantId: TenantId, entity: E, id: string): Promise<CanonicalRecordByEntity[E] | null> {
    const row = this.db
      .prepare('SELECT data, deleted_at FROM records WHERE tenant_id = ? AND entity = ? AND id = ?')
      .get(tenantId, entity, id) as Row | undefined;
    return row ? withDeletedAt<E>(row) : null;
  }

  async listRecords<E extends EntityName>(tenantId: TenantId, entity: E, query: RecordQuery = {}): Promise<CanonicalRecordByEntity[E][]> {
    const { sql, params } = query.modifiedAtOrBefore ? asOfQuery(tenantId, entity, query) : latestQuery(tenantId, entity, query);
    return (this.db.prepare(sql).all(...params) as Row[]).map((row) => withDeletedAt<E>(row));
  }

  async countRecords(tenantId: TenantId, entity: EntityName, query: Pick<RecordQuery, 'includeDeleted'> = {}): Promise<number> {
    const sql = `SELECT COUNT(*) AS n FROM records WHERE tenant_id = ? AND entity = ?${query.includeDeleted ? '' : ' AND deleted_at IS NULL'}`;
    return (this.db.prepare(sql).get(tenantId, entity) as { n: number }).n;
  }

  // Cursors ------------------------------------------------------------------------------------

  async getCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName): Promise<SyncCursor | null> {
    const row = this.db
      .prepare('SELECT cursor FROM sync_cursors WHERE tenant_id = ? AND connection_id = ? AND entity = ?')
      .get(tenantId, connectionId, entity) as Row | undefined;
    return row ? (JSON.parse(row.cursor as string) as SyncCursor) : null;
  }

  async saveCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, cursor: SyncCursor): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sync_cursors (tenant_id, connection_id, entity, cursor, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, connection_id, entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      )
      .run(tenantId, connectionId, entity, JSON.stringify(cursor), this.now().toISOString());
  }

  // Full reloads -------------------------------------------------------------------------------

  async beginResync(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, startedAt: string, reason: string): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM sync_cursors WHERE tenant_id = ? AND connection_id = ? AND entity = ?')
        .run(tenantId, connectionId, entity);
      this.db
        .prepare('DELETE FROM resync_seen WHERE tenant_id = ? AND connection_id = ? AND entity = ?')
        .run(tenantId, connectionId, entity);
      this.db
        .prepare(
          `INSERT INTO resyncs (tenant_id, connection_id, entity, started_at, reason) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, connection_id, entity) DO UPDATE SET started_at = excluded.started_at, reason = excluded.reason`,
        )
        .run(tenantId, connectionId, entity, utc(startedAt), reason);
    })();
  }

  async resyncInProgress(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
  ): Promise<{ startedAt: string; reason: string } | null> {
    const row = this.db
      .prepare('SELECT started_at, reason FROM resyncs WHERE tenant_id = ? AND connection_id = ? AND entity = ?')
      .get(tenantId, connectionId, entity) as Row | undefined;
    return row ? { startedAt: row.started_at as string, reason: row.reason as string } : null;
  }

  async recordResyncSeen(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
    externalIds: readonly string[],
  ): Promise<void> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO resync_seen (tenant_id, connection_id, entity, external_id) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const externalId of externalIds) insert.run(tenantId, connectionId, entity, externalId);
    })();
  }

  async finishResync(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
    provider: Provider,
    deletedAt: string,
  ): Promise<{ deleted: number; accountIds: string[] }> {
    return this.db.transaction(() => {
      const unseen = this.db
        .prepare(
          `SELECT r.external_id, r.account_id FROM records r
           WHERE r.tenant_id = ? AND r.entity = ? AND r.provider = ? AND r.deleted_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM resync_seen s WHERE s.tenant_id = r.tenant_id AND s.connection_id = ? AND s.entity = r.entity AND s.external_id = r.external_id)`,
        )
        .all(tenantId, entity, provider, connectionId) as Row[];
      const deleted = this.markDeletedNow(
        tenantId,
        entity,
        provider,
        unseen.map((r) => r.external_id as string),
        deletedAt,
      );
      this.db
        .prepare('DELETE FROM resync_seen WHERE tenant_id = ? AND connection_id = ? AND entity = ?')
        .run(tenantId, connectionId, entity);
      this.db.prepare('DELETE FROM resyncs WHERE tenant_id = ? AND connection_id = ? AND entity = ?').run(tenantId, connectionId, entity);
      const accountIds = [...new Set(unseen.map((r) => r.account_id as string | null).filter((id): id is string => id !== null))];
      return { deleted, accountIds };
    })();
  }

  // Scores -------------------------------------------------------------------------------------

  async appendScoreSets(scores: readonly ScoreSet[]): Promise<void> {
    const insert = this.db.prepare(
      'INSERT INTO score_sets (tenant_id, account_id, computed_at, model_version, data) VALUES (?, ?, ?, ?, ?)',
    );
    const run = this.db.transaction((batch: readonly ScoreSet[]) => {
      for (const s of batch) insert.run(s.tenantId, s.accountId, utc(s.computedAt), s.modelVersion, JSON.stringify(s));
    });
    for (let start = 0; start < scores.length; start += this.batchSize) run(scores.slice(start, start + this.batchSize));
  }

  async scoreHistory(tenantId: TenantId, accountId: AccountId, options: { limit?: number } = {}): Promise<ScoreSet[]> {
    const rows = this.db
      .prepare('SELECT data FROM score_sets WHERE tenant_id = ? AND account_id = ? ORDER BY computed_at DESC, seq DESC LIMIT ?')
      .all(tenantId, accountId, options.limit ?? -1) as Row[];
    return rows.map((r) => JSON.parse(r.data as string) as ScoreSet);
  }

  async latestScores(tenantId: TenantId, options: { accounts?: AccountRange } = {}): Promise<ScoreSet[]> {
    const where = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (options.accounts) inAccountRange('account_id', options.accounts, where, params);
    const rows = this.db
      .prepare(
        `SELECT data FROM (
           SELECT data, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY computed_at DESC, seq DESC) AS rn
           FROM score_sets WHERE ${where.join(' AND ')}
         ) WHERE rn = 1`,
      )
      .all(...params) as Row[];
    return rows.map((r) => JSON.parse(r.data as string) as ScoreSet);
  }

  // Model registry -----------------------------------------------------------------------------

  async registerModel(model: ModelVersion): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO models (tenant_id, task, version, status, algorithm, window_from, window_to, metrics, features, artifact, created_at)
         VALUES (?, ?, ?, 'candidate', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        model.tenantId,
        model.task,
        model.version,
        model.algorithm,
        model.trainingWindow.from,
        model.trainingWindow.to,
        JSON.stringify(model.metrics),
        JSON.stringify(model.features),
        JSON.stringify(model.artifact),
        utc(model.createdAt),
      );
    if (model.status === 'active') await this.activateModel(model.tenantId, model.task, model.version);
  }

  async activateModel(tenantId: TenantId, task: string, version: string): Promise<void> {
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM models WHERE tenant_id = ? AND task = ? AND version = ?').get(tenantId, task, version);
      if (!exists) throw new SuccessEngineError('STORE.NOT_FOUND', `no ${task} model version ${version} for tenant ${tenantId}`);
      this.db.prepare(`UPDATE models SET status = 'retired' WHERE tenant_id = ? AND task = ? AND status = 'active'`).run(tenantId, task);
      this.db.prepare(`UPDATE models SET status = 'active' WHERE tenant_id = ? AND task = ? AND version = ?`).run(tenantId, task, version);
    })();
  }

  async activeModel(tenantId: TenantId, task: string): Promise<ModelVersion | null> {
    const row = this.db.prepare(`SELECT * FROM models WHERE tenant_id = ? AND task = ? AND status = 'active'`).get(tenantId, task) as
      Row | undefined;
    return row ? toModel(row) : null;
  }

  async listModels(tenantId: TenantId, task?: string): Promise<ModelVersion[]> {
    const rows = (
      task
        ? this.db.prepare('SELECT * FROM models WHERE tenant_id = ? AND task = ? ORDER BY created_at, version').all(tenantId, task)
        : this.db.prepare('SELECT * FROM models WHERE tenant_id = ? ORDER BY task, created_at, version').all(tenantId)
    ) as Row[];
    return rows.map(toModel);
  }

  // Alerts -------------------------------------------------------------------------------------

  async recordAlert(d: AlertDelivery): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO alert_deliveries (tenant_id, idempotency_key, account_id, rule, target, status, attempts, next_attempt_at, last_error, payload, created_at, delivered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING`,
      )
      .run(
        d.tenantId,
        d.idempotencyKey,
        d.accountId,
        d.rule,
        d.target,
        d.status,
        d.attempts,
        d.nextAttemptAt,
        d.lastError,
        JSON.stringify(d.payload),
        utc(d.createdAt),
        d.deliveredAt,
      );
    return result.changes === 1;
  }

  async updateAlert(
    tenantId: TenantId,
    idempotencyKey: string,
    patch: Partial<Pick<AlertDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'deliveredAt'>>,
  ): Promise<void> {
    const columns: Record<string, string> = {
      status: 'status',
      attempts: 'attempts',
      nextAttemptAt: 'next_attempt_at',
      lastError: 'last_error',
      deliveredAt: 'delivered_at',
    };
    const entries = Object.entries(patch).filter(([k]) => k in columns);
    if (entries.length === 0) return;
    const result = this.db
      .prepare(
        `UPDATE alert_deliveries SET ${entries.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE tenant_id = ? AND idempotency_key = ?`,
      )
      .run(...entries.map(([, v]) => v ?? null), tenantId, idempotencyKey);
    if (result.changes === 0) throw new SuccessEngineError('STORE.NOT_FOUND', `no alert delivery ${idempotencyKey} for tenant ${tenantId}`);
  }

  async claimAlertAttempt(
    tenantId: TenantId,
    idempotencyKey: string,
    claim: { expectedAttempts: number; now: string; leaseUntil: string },
  ): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE alert_deliveries SET next_attempt_at = ?
          WHERE tenant_id = ? AND idempotency_key = ? AND status IN ('pending', 'failed') AND attempts = ?
            AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`,
      )
      .run(utc(claim.leaseUntil), tenantId, idempotencyKey, claim.expectedAttempts, utc(claim.now));
    return result.changes === 1;
  }

  async listAlerts(tenantId: TenantId, status?: AlertDeliveryStatus): Promise<AlertDelivery[]> {
    const rows = (
      status
        ? this.db.prepare('SELECT * FROM alert_deliveries WHERE tenant_id = ? AND status = ? ORDER BY created_at').all(tenantId, status)
        : this.db.prepare('SELECT * FROM alert_deliveries WHERE tenant_id = ? ORDER BY created_at').all(tenantId)
    ) as Row[];
    return rows.map(toAlert);
  }

  async getAlert(tenantId: TenantId, idempotencyKey: string): Promise<AlertDelivery | null> {
    const row = this.db
      .prepare('SELECT * FROM alert_deliveries WHERE tenant_id = ? AND idempotency_key = ?')
      .get(tenantId, idempotencyKey) as Row | undefined;
    return row ? toAlert(row) : null;
  }

  // API tokens ---------------------------------------------------------------------------------

  /**
   * Roles beyond the port's admin/reader: `rep` (a card viewer, bound to one CRM user id) and
   * `service` (machine calls). Both are non-admin wherever the port's principal is used.
   */
  async issueApiToken(tenantId: TenantId, role: StaffRole, label: string, options: { crmUserId?: string } = {}): Promise<string> {
    if (role === 'rep' && !options.crmUserId)
      throw new SuccessEngineError(
        'CORE.VALIDATION_FAILED',
        `a rep token (label ${label}) must name the CRM user it speaks for (crmUserId)`,
      );
    const token = `se_${randomBytes(32).toString('base64url')}`;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM api_tokens WHERE tenant_id = ? AND label = ?').run(tenantId, label);
      this.db
        .prepare('INSERT INTO api_tokens (token_hash, tenant_id, role, label, crm_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(hashToken(token), tenantId, role, label, options.crmUserId ?? null, this.now().toISOString());
    })();
    return token;
  }

  /** The port's view: rep and service tokens read as `reader`, so they never pass an admin check. */
  async resolveApiToken(token: string): Promise<ApiPrincipal | null> {
    const principal = await this.resolveStaffToken(token);
    return principal
      ? { tenantId: principal.tenantId, role: principal.role === 'admin' ? 'admin' : 'reader', label: principal.label }
      : null;
  }

  /** The full principal: role and, for reps, the CRM user whose record visibility applies. */
  async resolveStaffToken(token: string): Promise<StaffPrincipal | null> {
    const row = this.db.prepare('SELECT tenant_id, role, label, crm_user_id FROM api_tokens WHERE token_hash = ?').get(hashToken(token)) as
      Row | undefined;
    return row
      ? {
          tenantId: row.tenant_id as TenantId,
          role: row.role as StaffRole,
          label: row.label as string,
          crmUserId: (row.crm_user_id as string | null) ?? null,
        }
      : null;
  }

  async revokeApiTokens(tenantId: TenantId): Promise<number> {
    return this.db.prepare('DELETE FROM api_tokens WHERE tenant_id = ?').run(tenantId).changes;
  }

  // Install lifecycle --------------------------------------------------------------------------

  async findConnectionsByOrg(provider: Provider, externalOrgId: string): Promise<ConnectionRef[]> {
    const org = provider === 'salesforce' ? externalOrgId.slice(0, 15) : externalOrgId;
    const rows = this.db
      .prepare(
        `SELECT tenant_id, id FROM crm_connections
          WHERE provider = ? AND (CASE WHEN provider = 'salesforce' THEN substr(external_org_id, 1, 15) ELSE external_org_id END) = ?
          ORDER BY tenant_id, id`,
      )
      .all(provider, org) as Row[];
    return rows.map((r) => ({ tenantId: r.tenant_id as TenantId, connectionId: r.id as ConnectionId }));
  }

  async listConnections(tenantId: TenantId): Promise<CrmConnection[]> {
    const rows = this.db
      .prepare(
        'SELECT tenant_id, id, provider, external_org_id, base_url, created_at, updated_at FROM crm_connections WHERE tenant_id = ? ORDER BY id',
      )
      .all(tenantId) as Row[];
    return rows.map((r) => ({
      id: r.id as ConnectionId,
      tenantId: r.tenant_id as TenantId,
      provider: r.provider as Provider,
      externalOrgId: r.external_org_id as string,
      baseUrl: r.base_url as string,
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    }));
  }

  /** Forget a connection's tokens (after revoking them at the CRM). */
  async deleteConnection(tenantId: TenantId, id: ConnectionId): Promise<boolean> {
    return this.db.prepare('DELETE FROM crm_connections WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes === 1;
  }

  async markInstalled(tenantId: TenantId, at: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO tenant_lifecycle (tenant_id, status, installed_at) VALUES (?, 'installed', ?)
         ON CONFLICT (tenant_id) DO UPDATE SET status = 'installed', installed_at = excluded.installed_at, uninstalled_at = NULL, uninstall_reason = NULL, erasure_due_at = NULL`,
      )
      .run(tenantId, utc(at));
  }

  /** Uninstalled: the data stays (for the admin's export) until `erasureDueAt`, then `eraseTenant`. */
  async markUninstalled(tenantId: TenantId, at: string, reason: string, erasureDueAt: string): Promise<void> {
    const result = this.db
      .prepare(
        `UPDATE tenant_lifecycle SET status = 'uninstalled', uninstalled_at = ?, uninstall_reason = ?, erasure_due_at = ? WHERE tenant_id = ? AND status = 'installed'`,
      )
      .run(utc(at), reason, utc(erasureDueAt), tenantId);
    if (result.changes === 0 && !(await this.tenantLifecycle(tenantId))) {
      this.db
        .prepare(
          `INSERT INTO tenant_lifecycle (tenant_id, status, installed_at, uninstalled_at, uninstall_reason, erasure_due_at) VALUES (?, 'uninstalled', ?, ?, ?, ?)`,
        )
        .run(tenantId, utc(at), utc(at), reason, utc(erasureDueAt));
    }
  }

  async tenantLifecycle(tenantId: TenantId): Promise<TenantLifecycle | null> {
    const row = this.db.prepare('SELECT * FROM tenant_lifecycle WHERE tenant_id = ?').get(tenantId) as Row | undefined;
    if (!row) return null;
    return {
      tenantId,
      status: row.status as TenantLifecycle['status'],
      installedAt: row.installed_at as string,
      uninstalledAt: (row.uninstalled_at as string | null) ?? null,
      uninstallReason: (row.uninstall_reason as string | null) ?? null,
      erasureDueAt: (row.erasure_due_at as string | null) ?? null,
    };
  }

  /** Uninstalled tenants whose erasure is due at `now`. */
  async dueErasures(now: string): Promise<TenantId[]> {
    return (
      this.db
        .prepare(`SELECT tenant_id FROM tenant_lifecycle WHERE status = 'uninstalled' AND erasure_due_at <= ? ORDER BY erasure_due_at`)
        .all(utc(now)) as Row[]
    ).map((r) => r.tenant_id as TenantId);
  }

  /** True the first time a nonce is seen: an OAuth state can complete one install only. */
  async claimOAuthNonce(nonce: string, at: string): Promise<boolean> {
    return (
      this.db.prepare('INSERT INTO oauth_states (nonce, used_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING').run(nonce, utc(at))
        .changes === 1
    );
  }

  // Export and erasure -------------------------------------------------------------------------

  /** Every table holding tenant data, found from the schema (so tables added later are covered too). */
  async tenantTables(): Promise<string[]> {
    return this.tenantTablesNow();
  }

  private tenantTablesNow(): string[] {
    const tables = (
      this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Row[]
    ).map((r) => r.name as string);
    return tables.filter(
      (t) =>
        t !== 'erasure_in_progress' &&
        (this.db.pragma(`table_info(${quoteIdent(t)})`) as { name: string }[]).some((c) => c.name === 'tenant_id'),
    );
  }

  /**
   * Every row of the tenant, table by table, read lazily (the caller streams it out). Secrets are
   * left out: CRM token ciphertexts and API token hashes. Blobs are base64.
   */
  async *exportTenant(tenantId: TenantId): AsyncGenerator<{ table: string; row: Record<string, unknown> }> {
    const tenant = this.db.prepare('SELECT * FROM tenants WHERE id = ?').get(tenantId) as Row | undefined;
    if (!tenant) throw new SuccessEngineError('STORE.NOT_FOUND', `no tenant ${tenantId}`);
    yield { table: 'tenants', row: tenant };
    const tables = this.tenantTablesNow();
    // A cursor left open across the caller's awaits makes every other statement on this connection
    // fail ("connection is busy"): a file is read through a connection of its own, in one read
    // transaction (one snapshot; WAL lets writers go on); an in-memory database a table at a time.
    const file = this.description.location;
    const reader = file === ':memory:' ? null : new Database(file, { readonly: true, fileMustExist: true });
    try {
      reader?.exec('BEGIN');
      for (const table of tables) {
        const select = `SELECT * FROM ${quoteIdent(table)} WHERE tenant_id = ?`;
        const rows = reader
          ? (reader.prepare(select).iterate(tenantId) as IterableIterator<Row>)
          : (this.db.prepare(select).all(tenantId) as Row[]);
        for (const raw of rows) yield { table, row: exportRow(raw) };
      }
    } finally {
      reader?.close();
    }
  }

  /**
   * Delete every row of the tenant in every table, in one transaction, and append a tenant-free
   * receipt to `erasure_log`. The audit log's delete guard lets rows go only for the tenant named in
   * `erasure_in_progress`, a row that exists only inside this transaction.
   */
  async eraseTenant(tenantId: TenantId, reason: string): Promise<ErasureReceipt> {
    return this.db.transaction((): ErasureReceipt => {
      const rowCounts: Record<string, number> = {};
      this.db.prepare('INSERT INTO erasure_in_progress (tenant_id) VALUES (?)').run(tenantId);
      for (const table of this.tenantTablesNow()) {
        const removed = this.db.prepare(`DELETE FROM ${quoteIdent(table)} WHERE tenant_id = ?`).run(tenantId).changes;
        if (removed > 0) rowCounts[table] = removed;
      }
      const tenants = this.db.prepare('DELETE FROM tenants WHERE id = ?').run(tenantId).changes;
      if (tenants > 0) rowCounts.tenants = tenants;
      this.db.prepare('DELETE FROM erasure_in_progress WHERE tenant_id = ?').run(tenantId);
      const salt = randomBytes(16).toString('hex');
      const receipt: ErasureReceipt = {
        tenantHash: erasureHash(salt, tenantId),
        salt,
        erasedAt: this.now().toISOString(),
        reason,
        rowCounts,
      };
      this.db
        .prepare('INSERT INTO erasure_log (tenant_hash, salt, erased_at, reason, row_counts) VALUES (?, ?, ?, ?, ?)')
        .run(receipt.tenantHash, salt, receipt.erasedAt, reason, JSON.stringify(rowCounts));
      return receipt;
    })();
  }

  /** Erasure receipts for a tenant id (recomputing each row's salted hash), oldest first. */
  async findErasures(tenantId: string): Promise<ErasureReceipt[]> {
    const rows = this.db.prepare('SELECT * FROM erasure_log ORDER BY seq').all() as Row[];
    return rows
      .filter((r) => erasureHash(r.salt as string, tenantId) === r.tenant_hash)
      .map((r) => ({
        tenantHash: r.tenant_hash as string,
        salt: r.salt as string,
        erasedAt: r.erased_at as string,
        reason: r.reason as string,
        rowCounts: JSON.parse(r.row_counts as string) as Record<string, number>,
      }));
  }

  // Tenant settings ----------------------------------------------------------------------------

  async getTenantSetting(tenantId: TenantId, key: string): Promise<TenantSetting | null> {
    const row = this.db
      .prepare('SELECT value, updated_at, updated_by FROM tenant_settings WHERE tenant_id = ? AND key = ?')
      .get(tenantId, key) as Row | undefined;
    return row
      ? { value: JSON.parse(row.value as string) as unknown, updatedAt: row.updated_at as string, updatedBy: row.updated_by as string }
      : null;
  }

  async putTenantSetting(tenantId: TenantId, key: string, value: unknown, updatedBy: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO tenant_settings (tenant_id, key, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
      )
      .run(tenantId, key, JSON.stringify(value), this.now().toISOString(), updatedBy);
  }

  // Action outcomes ----------------------------------------------------------------------------

  async recordActionOutcome(outcome: ActionOutcome, updatedBy: string, options: { keepExisting?: boolean } = {}): Promise<void> {
    const onConflict = options.keepExisting
      ? 'DO NOTHING'
      : `DO UPDATE SET
           arm = excluded.arm, status = excluded.status, completed_at = excluded.completed_at, source = excluded.source,
           retained = excluded.retained, updated_at = excluded.updated_at, updated_by = excluded.updated_by`;
    this.db
      .prepare(
        `INSERT INTO action_outcomes (tenant_id, account_id, action_id, recommended_at, arm, status, completed_at, source, retained, updated_at, updated_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, account_id, action_id, recommended_at) ${onConflict}`,
      )
      .run(
        outcome.tenantId,
        outcome.accountId,
        outcome.actionId,
        utc(outcome.recommendedAt),
        outcome.arm,
        outcome.status,
        outcome.completedAt === null ? null : utc(outcome.completedAt),
        outcome.source,
        outcome.retained === null ? null : Number(outcome.retained),
        this.now().toISOString(),
        updatedBy,
      );
  }

  async linkActionTask(
    tenantId: TenantId,
    recommendation: { accountId: string; actionId: string; recommendedAt: string },
    crmTaskId: string,
  ): Promise<void> {
    this.db
      .prepare('UPDATE action_outcomes SET crm_task_id = ? WHERE tenant_id = ? AND account_id = ? AND action_id = ? AND recommended_at = ?')
      .run(crmTaskId, tenantId, recommendation.accountId, recommendation.actionId, utc(recommendation.recommendedAt));
  }

  async answerActionsByTask(
    tenantId: TenantId,
    answers: readonly { crmTaskId: string; status: 'completed' | 'dismissed'; at: string }[],
  ): Promise<number> {
    const update = this.db.prepare(
      `UPDATE action_outcomes SET status = ?, completed_at = ?, source = 'crm-task', updated_at = ?, updated_by = 'crm-task'
       WHERE tenant_id = ? AND crm_task_id = ? AND arm = 'treatment' AND status = 'open'`,
    );
    return this.db.transaction(() => {
      let changed = 0;
      for (const a of answers)
        changed += update.run(
          a.status,
          a.status === 'completed' ? utc(a.at) : null,
          this.now().toISOString(),
          tenantId,
          a.crmTaskId,
        ).changes;
      return changed;
    })();
  }

  async listActionOutcomes(tenantId: TenantId, filter: { accountId?: string; recommendedAt?: string } = {}): Promise<ActionOutcome[]> {
    const where = ['tenant_id = ?'];
    const params: string[] = [tenantId];
    if (filter.accountId !== undefined) {
      where.push('account_id = ?');
      params.push(filter.accountId);
    }
    if (filter.recommendedAt !== undefined) {
      where.push('recommended_at = ?');
      params.push(utc(filter.recommendedAt));
    }
    const rows = this.db
      .prepare(`SELECT * FROM action_outcomes WHERE ${where.join(' AND ')} ORDER BY recommended_at, account_id, action_id`)
      .all(...params) as Row[];
    return rows.map((r) => ({
      tenantId: r.tenant_id as string,
      accountId: r.account_id as string,
      actionId: r.action_id as string,
      arm: r.arm as ActionOutcome['arm'],
      recommendedAt: r.recommended_at as string,
      status: r.status as ActionOutcome['status'],
      completedAt: (r.completed_at as string | null) ?? null,
      source: r.source as ActionOutcome['source'],
      retained: r.retained === null ? null : r.retained === 1,
    }));
  }

  // Text analyses ------------------------------------------------------------------------------

  async textAnalyses(tenantId: TenantId, modelId: string, contentHashes: readonly string[]): Promise<TextAnalysis[]> {
    const out: TextAnalysis[] = [];
    const select = this.db.prepare('SELECT * FROM text_analyses WHERE tenant_id = ? AND model_id = ? AND content_hash = ?');
    for (const hash of new Set(contentHashes)) {
      const row = select.get(tenantId, modelId, hash) as Row | undefined;
      if (row) out.push(toTextAnalysis(row));
    }
    return out;
  }

  async putTextAnalyses(tenantId: TenantId, analyses: readonly TextAnalysis[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO text_analyses (tenant_id, content_hash, model_id, label, score, topics, masked_text, analysed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, content_hash, model_id) DO UPDATE SET label = excluded.label, score = excluded.score, topics = excluded.topics, masked_text = excluded.masked_text, analysed_at = excluded.analysed_at`,
    );
    this.db.transaction(() => {
      for (const a of analyses)
        insert.run(tenantId, a.contentHash, a.modelId, a.label, a.score, JSON.stringify(a.topics), a.maskedText, utc(a.analysedAt));
    })();
  }

  async putRecordTexts(
    tenantId: TenantId,
    texts: readonly RecordText[],
    removed: readonly { entity: RecordText['entity']; recordId: string }[] = [],
  ): Promise<void> {
    const upsert = this.db.prepare(
      `INSERT INTO record_texts (tenant_id, entity, record_id, account_id, kind, at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, entity, record_id) DO UPDATE SET account_id = excluded.account_id, kind = excluded.kind, at = excluded.at, content_hash = excluded.content_hash`,
    );
    const drop = this.db.prepare('DELETE FROM record_texts WHERE tenant_id = ? AND entity = ? AND record_id = ?');
    this.db.transaction(() => {
      for (const t of texts) upsert.run(tenantId, t.entity, t.recordId, t.accountId, t.kind, utc(t.at), t.contentHash);
      for (const r of removed) drop.run(tenantId, r.entity, r.recordId);
    })();
  }

  async listRecordTexts(tenantId: TenantId): Promise<RecordText[]> {
    const rows = this.db.prepare('SELECT * FROM record_texts WHERE tenant_id = ? ORDER BY entity, record_id').all(tenantId) as Row[];
    return rows.map(toRecordText);
  }

  async listAnalysedTexts(tenantId: TenantId, options: { accounts?: AccountRange } = {}): Promise<AnalysedText[]> {
    const where = ['r.tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (options.accounts) inAccountRange('r.account_id', options.accounts, where, params);
    const rows = this.db
      .prepare(
        `SELECT r.*, a.model_id, a.label, a.score, a.topics, a.masked_text, a.analysed_at FROM record_texts r
         JOIN text_analyses a ON a.tenant_id = r.tenant_id AND a.content_hash = r.content_hash
         WHERE ${where.join(' AND ')} ORDER BY r.at, r.entity, r.record_id, a.analysed_at`,
      )
      .all(...params) as Row[];
    // A text read by more than one model (a model upgrade): the latest reading counts.
    const latest = new Map<string, AnalysedText>();
    for (const r of rows) latest.set(`${r.entity as string}\u0000${r.record_id as string}`, { ...toRecordText(r), ...toTextAnalysis(r) });
    return [...latest.values()];
  }

  // Audit --------------------------------------------------------------------------------------

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.db
      .prepare('INSERT INTO audit_log (tenant_id, at, actor, action, target, details) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.tenantId, utc(entry.at), entry.actor, entry.action, entry.target, JSON.stringify(entry.details));
  }

  async listAudit(tenantId: TenantId, options: { limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?')
      .all(tenantId, options.limit ?? -1) as Row[];
    return rows.map((r) => ({
      tenantId: r.tenant_id as TenantId,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      target: r.target as string,
      details: JSON.parse(r.details as string) as Record<string, unknown>,
    }));
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

// Helpers -------------------------------------------------------------------------------------

/** Open, configure and migrate (or, read-only, check) the file; SQLite's failures come back naming the file and the way out. */
function openDatabase(options: SqliteStoreOptions): Database.Database {
  const file = options.path;
  return explainSqliteErrors(file, () => {
    if (options.readOnly) {
      if (file !== ':memory:' && !existsSync(file))
        throw new SuccessEngineError(
          'STORE.NOT_FOUND',
          `no database at ${path.resolve(file)}: nothing is created when reading; pass the right --database (or SE_DATABASE_PATH), or run a sync or the demo first`,
          { file },
        );
      if (file !== ':memory:' && statSync(file).size === 0)
        throw new SuccessEngineError(
          'STORE.CORRUPT',
          `${path.resolve(file)} is an empty file, not a Success Engine database; pass the right --database (or SE_DATABASE_PATH)`,
          { file },
        );
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        checkSchema(db, file);
      } catch (error) {
        db.close();
        throw error;
      }
      return db;
    }
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, migrations);
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  });
}

/** A read-only store must already hold our schema, at a version this build knows. */
function checkSchema(db: Database.Database, file: string): void {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table)
    throw new SuccessEngineError(
      'STORE.CORRUPT',
      `${path.resolve(file)} is not a Success Engine database (no schema_migrations table); pass the right --database (or SE_DATABASE_PATH)`,
      { file },
    );
  const versions = (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version);
  const known = new Set(migrations.map((m) => m.version));
  if (versions.some((v) => !known.has(v)))
    throw new SuccessEngineError(
      'STORE.MIGRATION_FAILED',
      `${path.resolve(file)} was written by a newer Success Engine (migrations ${versions.filter((v) => !known.has(v)).join(', ')}); upgrade this installation`,
      { file },
    );
  if (migrations.some((m) => !versions.includes(m.version)))
    throw new SuccessEngineError(
      'STORE.MIGRATION_FAILED',
      `${path.resolve(file)} is at an older schema; open it once with a command that writes (sync, serve, worker) to migrate it`,
      { file },
    );
}

/**
 * SQLite's own failures (corrupt, truncated, locked, read-only, unopenable) as one message that
 * names the file and what to do. Other errors pass through unchanged.
 */
export function explainSqliteErrors<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw describeSqliteError(file, error) ?? error;
  }
}

export function describeSqliteError(file: string, error: unknown): SuccessEngineError | undefined {
  if (error instanceof SuccessEngineError && error.cause === undefined) return undefined;
  const cause = error instanceof SuccessEngineError ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const where = file === ':memory:' ? 'the in-memory database' : path.resolve(file);
  const message = (cause as Error).message;
  const elsewhere = 'or point --database (SE_DATABASE_PATH) elsewhere';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new SuccessEngineError(
      'STORE.CORRUPT',
      `database ${where} is corrupt or truncated (${code}: ${message}); restore it from a backup, ${elsewhere} to start a new one`,
      { file, sqlite: code },
      { cause },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new SuccessEngineError(
      'STORE.LOCKED',
      `database ${where} is locked by another process (${code}); stop the other writer (a demo, a sync) and try again, ${elsewhere}`,
      { file, sqlite: code },
      { cause },
    );
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_FULL'
  ) {
    return new SuccessEngineError(
      'STORE.UNWRITABLE',
      `database ${where} cannot be opened or written (${code}: ${message}); check the file's and its folder's permissions and free space, ${elsewhere}`,
      { file, sqlite: code },
      { cause },
    );
  }
  return undefined;
}

export function migrate(db: Database.Database, all: readonly Migration[]): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Map(
    (db.prepare('SELECT version, name FROM schema_migrations').all() as { version: number; name: string }[]).map((r) => [
      r.version,
      r.name,
    ]),
  );
  const known = new Set(all.map((m) => m.version));
  const unknown = [...applied.keys()].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new SuccessEngineError(
      'STORE.MIGRATION_FAILED',
      `the database has migrations this version does not know (${unknown.join(', ')}); it was written by a newer Success Engine`,
    );
  }
  const ran: number[] = [];
  for (const migration of [...all].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          migration.version,
          migration.name,
          new Date().toISOString(),
        );
      })();
    } catch (cause) {
      throw new SuccessEngineError(
        'STORE.MIGRATION_FAILED',
        `migration ${migration.version} (${migration.name}) failed: ${(cause as Error).message}`,
        {},
        { cause },
      );
    }
    ran.push(migration.version);
  }
  return ran;
}

function latestQuery(tenantId: TenantId, entity: EntityName, q: RecordQuery): { sql: string; params: unknown[] } {
  const where = ['tenant_id = ?', 'entity = ?'];
  const params: unknown[] = [tenantId, entity];
  if (!q.includeDeleted) where.push('deleted_at IS NULL');
  if (q.accountId) {
    where.push('account_id = ?');
    params.push(q.accountId);
  }
  if (q.accounts) inAccountRange('account_id', q.accounts, where, params);
  if (q.afterId) {
    where.push('id > ?');
    params.push(q.afterId);
  }
  params.push(q.limit ?? -1);
  // Without statistics (we never ANALYZE), SQLite walks records_by_id for `afterId … ORDER BY id LIMIT`
  // and tests every row of the entity against the range; one chunk's range is the narrower read.
  const index = q.accounts ? ' INDEXED BY records_by_account' : '';
  return { sql: `SELECT data, deleted_at FROM records${index} WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, params };
}

/** The latest version of each record at or before the instant, as a backtest would have seen it. */
function asOfQuery(tenantId: TenantId, entity: EntityName, q: RecordQuery): { sql: string; params: unknown[] } {
  const inner = ['tenant_id = ?', 'entity = ?', 'modstamp <= ?'];
  const params: unknown[] = [tenantId, entity, utc(q.modifiedAtOrBefore as string)];
  if (q.accountId) {
    inner.push('account_id = ?');
    params.push(q.accountId);
  }
  const outer = ['rn = 1'];
  if (!q.includeDeleted) outer.push('deleted_at IS NULL');
  // On the version read, not on every version: a record that moved between accounts lands in one chunk only.
  if (q.accounts) inAccountRange('account_id', q.accounts, outer, params);
  if (q.afterId) {
    outer.push('id > ?');
    params.push(q.afterId);
  }
  params.push(q.limit ?? -1);
  return {
    sql: `SELECT data, deleted_at FROM (
            SELECT id, account_id, data, deleted_at, ROW_NUMBER() OVER (PARTITION BY id ORDER BY modstamp DESC, seq DESC) AS rn
            FROM record_versions WHERE ${inner.join(' AND ')}
          ) WHERE ${outer.join(' AND ')} ORDER BY id LIMIT ?`,
    params,
  };
}

/** `after < column <= through`; TEXT compares bytewise (BINARY collation), as `id > afterId` does. */
function inAccountRange(column: string, range: AccountRange, where: string[], params: unknown[]): void {
  if (range.after !== undefined) {
    where.push(`${column} > ?`);
    params.push(range.after);
  }
  where.push(`${column} <= ?`);
  params.push(range.through);
}

function withDeletedAt<E extends EntityName>(row: Row): CanonicalRecordByEntity[E] {
  const record = JSON.parse(row.data as string) as CanonicalRecordByEntity[E];
  return row.deleted_at ? { ...record, deletedAt: row.deleted_at as string } : record;
}

function toTenant(row: Row): Tenant {
  return { id: row.id as TenantId, name: row.name as string, locale: row.locale as Tenant['locale'], createdAt: row.created_at as string };
}

function toModel(row: Row): ModelVersion {
  return {
    tenantId: row.tenant_id as TenantId,
    task: row.task as string,
    version: row.version as string,
    status: row.status as ModelVersion['status'],
    algorithm: row.algorithm as string,
    trainingWindow: { from: row.window_from as string, to: row.window_to as string },
    metrics: JSON.parse(row.metrics as string) as Record<string, number>,
    features: JSON.parse(row.features as string) as string[],
    artifact: JSON.parse(row.artifact as string) as unknown,
    createdAt: row.created_at as string,
  };
}

function toAlert(row: Row): AlertDelivery {
  return {
    tenantId: row.tenant_id as TenantId,
    idempotencyKey: row.idempotency_key as string,
    accountId: row.account_id as AccountId,
    rule: row.rule as string,
    target: row.target as string,
    status: row.status as AlertDeliveryStatus,
    attempts: row.attempts as number,
    nextAttemptAt: (row.next_attempt_at as string | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    payload: JSON.parse(row.payload as string) as unknown,
    createdAt: row.created_at as string,
    deliveredAt: (row.delivered_at as string | null) ?? null,
  };
}

function toTextAnalysis(r: Row): TextAnalysis {
  return {
    contentHash: r.content_hash as string,
    modelId: r.model_id as string,
    label: r.label as TextAnalysis['label'],
    score: r.score as number,
    topics: JSON.parse(r.topics as string) as string[],
    maskedText: r.masked_text as string,
    analysedAt: r.analysed_at as string,
  };
}

function toRecordText(r: Row): RecordText {
  return {
    entity: r.entity as RecordText['entity'],
    recordId: r.record_id as string,
    accountId: r.account_id as string,
    kind: r.kind as RecordText['kind'],
    at: r.at as string,
    contentHash: r.content_hash as string,
  };
}
