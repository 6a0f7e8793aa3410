import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
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
  AlertDelivery,
  AlertDeliveryStatus,
  AnalysedText,
  ApiPrincipal,
  AuditEntry,
  ConnectionRef,
  ErasureReceipt,
  ModelVersion,
  RecordQuery,
  RecordText,
  StaffPrincipal,
  StaffRole,
  Store,
  StoreDescription,
  StoredConnection,
  TenantLifecycle,
  TenantSetting,
  TextAnalysis,
  UpsertSummary,
} from '../../core/ports/store.port';
import { TokenCipher } from '../shared/token-cipher';
import {
  DEFAULT_BATCH_SIZE,
  exportRow,
  checkTokenRequest,
  comparableOrgId,
  erasureHash,
  hashToken,
  newApiToken,
  newErasureSalt,
  quoteIdent,
  tokenAad,
  utc,
} from '../shared/store-rules';
import { migratePostgres } from './migrate';
import { postgresMigrations } from './migrations';
import { describeTarget, translatePostgresError, type PostgresTarget } from './postgres-errors';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` (SE_DATABASE_URL). */
  url: string;
  /** 32-byte key for CRM tokens at rest; connections can't be saved or read without it. */
  encryptionKey?: Buffer;
  /** Connections this process keeps open at most (default 10); sum over processes must stay under `max_connections`. */
  poolSize?: number;
  /** Records per transaction in large upserts; each batch lands whole or not at all. */
  batchSize?: number;
  now?: () => Date;
  /** Told when a pooled connection fails (a server restart); the pool replaces it by itself. Default: ignored. */
  onConnectionError?: (error: Error) => void;
}

type Row = Record<string, unknown>;
type Queryable = Pick<PoolClient, 'query'>;

/** Rows per FETCH when exporting: memory stays bounded whatever the tenant's size. */
const EXPORT_PAGE_ROWS = 500;

/**
 * Connects, applies the migrations this database lacks (under an advisory lock, so that workers starting
 * together migrate once) and returns the store. An unreachable server, wrong credentials or an unknown
 * database fail here with a message naming SE_DATABASE_URL and host:port/database.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const target = describeTarget(options.url);
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'success-engine',
  });
  // Without listeners, a connection dropped by a server restart (idle in the pool, or checked out between
  // two queries of a transaction) would be an unhandled 'error' event and crash the process. The query
  // that needed it fails with STORE.UNAVAILABLE and the pool replaces it.
  const onError = (error: Error): void => options.onConnectionError?.(error);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  try {
    await pool.query('SELECT 1');
    await migratePostgres(pool, postgresMigrations);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translatePostgresError(error, target, 'open');
  }
  return new PostgresStore(pool, target, options);
}

export class PostgresStore implements Store {
  readonly description: StoreDescription;
  private readonly cipher: TokenCipher | null;
  private readonly batchSize: number;
  private readonly now: () => Date;
  private closed = false;

  /** Use `openPostgresStore`, which connects and migrates first. */
  constructor(
    readonly pool: Pool,
    private readonly target: PostgresTarget,
    options: Pick<PostgresStoreOptions, 'encryptionKey' | 'batchSize' | 'now'> = {},
  ) {
    this.description = { kind: 'postgres', location: target.location };
    this.cipher = options.encryptionKey ? new TokenCipher(options.encryptionKey) : null;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.now = options.now ?? (() => new Date());
  }

  // Plumbing -----------------------------------------------------------------------------------

  private async q<R extends QueryResultRow = Row>(sql: string, params: unknown[] = [], on: Queryable = this.pool): Promise<QueryResult<R>> {
    try {
      return await on.query<R>(sql, params);
    } catch (error) {
      throw translatePostgresError(error, this.target, 'run');
    }
  }

  private async rows<R extends QueryResultRow = Row>(sql: string, params: unknown[] = [], on: Queryable = this.pool): Promise<R[]> {
    return (await this.q<R>(sql, params, on)).rows;
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw translatePostgresError(error, this.target, 'run');
    }
  }

  /** Runs `work` in one transaction on one pooled connection; a connection that failed is dropped, not reused. */
  private async tx<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await this.q('BEGIN', [], client);
      const result = await work(client);
      await this.q('COMMIT', [], client);
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(isUnavailable(error) ? (error as Error) : undefined);
      throw error;
    }
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher)
      throw new SuccessEngineError(
        'CONFIG.INVALID',
        'the store was opened without an encryption key, so CRM tokens cannot be saved or read (set SE_ENCRYPTION_KEY)',
      );
    return this.cipher;
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // Tenants ------------------------------------------------------------------------------------

  async upsertTenant(tenant: Tenant): Promise<void> {
    await this.q(
      `INSERT INTO tenants (id, name, locale, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, locale = excluded.locale`,
      [tenant.id, tenant.name, tenant.locale, utc(tenant.createdAt)],
    );
  }

  async getTenant(id: TenantId): Promise<Tenant | null> {
    const [row] = await this.rows('SELECT * FROM tenants WHERE id = $1', [id]);
    return row ? toTenant(row) : null;
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.rows('SELECT * FROM tenants ORDER BY id')).map(toTenant);
  }

  async markInstalled(tenantId: TenantId, at: string): Promise<void> {
    await this.q(
      `INSERT INTO tenant_lifecycle (tenant_id, status, installed_at) VALUES ($1, 'installed', $2)
       ON CONFLICT (tenant_id) DO UPDATE SET status = 'installed', installed_at = excluded.installed_at,
         uninstalled_at = NULL, uninstall_reason = NULL, erasure_due_at = NULL`,
      [tenantId, utc(at)],
    );
  }

  async markUninstalled(tenantId: TenantId, at: string, reason: string, erasureDueAt: string): Promise<void> {
    const params = [tenantId, utc(at), reason, utc(erasureDueAt)];
    const updated = await this.q(
      `UPDATE tenant_lifecycle SET status = 'uninstalled', uninstalled_at = $2, uninstall_reason = $3, erasure_due_at = $4
       WHERE tenant_id = $1 AND status = 'installed'`,
      params,
    );
    if (updated.rowCount === 0)
      await this.q(
        `INSERT INTO tenant_lifecycle (tenant_id, status, installed_at, uninstalled_at, uninstall_reason, erasure_due_at)
         VALUES ($1, 'uninstalled', $2, $2, $3, $4) ON CONFLICT (tenant_id) DO NOTHING`,
        params,
      );
  }

  async tenantLifecycle(tenantId: TenantId): Promise<TenantLifecycle | null> {
    const [row] = await this.rows('SELECT * FROM tenant_lifecycle WHERE tenant_id = $1', [tenantId]);
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

  async dueErasures(now: string): Promise<TenantId[]> {
    const rows = await this.rows(
      `SELECT tenant_id FROM tenant_lifecycle WHERE status = 'uninstalled' AND erasure_due_at <= $1 ORDER BY erasure_due_at, tenant_id`,
      [utc(now)],
    );
    return rows.map((r) => r.tenant_id as TenantId);
  }

  async claimOAuthNonce(nonce: string, at: string): Promise<boolean> {
    const result = await this.q('INSERT INTO oauth_states (nonce, used_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING', [
      nonce,
      utc(at),
    ]);
    return result.rowCount === 1;
  }

  // Connections --------------------------------------------------------------------------------

  async saveConnection(connection: CrmConnection, tokens: CrmTokens): Promise<void> {
    const cipher = this.requireCipher();
    const validTokens = parseOrThrow(CrmTokensSchema, tokens, `tokens for connection ${connection.id}`);
    const blob = cipher.encrypt(JSON.stringify(validTokens), tokenAad(connection.tenantId, connection.id));
    await this.q(
      `INSERT INTO crm_connections (tenant_id, id, provider, external_org_id, base_url, token_ciphertext, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id, id) DO UPDATE SET provider = excluded.provider, external_org_id = excluded.external_org_id,
         base_url = excluded.base_url, token_ciphertext = excluded.token_ciphertext, updated_at = excluded.updated_at`,
      [
        connection.tenantId,
        connection.id,
        connection.provider,
        connection.externalOrgId,
        connection.baseUrl,
        blob,
        utc(connection.createdAt),
        utc(connection.updatedAt),
      ],
    );
  }

  async getConnection(tenantId: TenantId, id: ConnectionId): Promise<StoredConnection | null> {
    const [row] = await this.rows('SELECT * FROM crm_connections WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    if (!row) return null;
    const plaintext = this.requireCipher().decrypt(row.token_ciphertext as Buffer, tokenAad(tenantId, id));
    return { ...toConnection(row), tokens: CrmTokensSchema.parse(JSON.parse(plaintext)) };
  }

  async listConnections(tenantId: TenantId): Promise<CrmConnection[]> {
    const rows = await this.rows(
      'SELECT tenant_id, id, provider, external_org_id, base_url, created_at, updated_at FROM crm_connections WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );
    return rows.map(toConnection);
  }

  async deleteConnection(tenantId: TenantId, id: ConnectionId): Promise<boolean> {
    return (await this.q('DELETE FROM crm_connections WHERE tenant_id = $1 AND id = $2', [tenantId, id])).rowCount === 1;
  }

  async findConnectionsByOrg(provider: Provider, externalOrgId: string): Promise<ConnectionRef[]> {
    const rows = await this.rows(
      `SELECT tenant_id, id FROM crm_connections
       WHERE provider = $1 AND (CASE WHEN provider = 'salesforce' THEN substr(external_org_id, 1, 15) ELSE external_org_id END) = $2
       ORDER BY tenant_id, id`,
      [provider, comparableOrgId(provider, externalOrgId)],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id as TenantId, connectionId: r.id as ConnectionId }));
  }

  // API tokens ---------------------------------------------------------------------------------

  async issueApiToken(tenantId: TenantId, role: StaffRole, label: string, options: { crmUserId?: string } = {}): Promise<string> {
    checkTokenRequest(role, label, options.crmUserId);
    const token = newApiToken();
    await this.tx(async (client) => {
      await this.q('DELETE FROM api_tokens WHERE tenant_id = $1 AND label = $2', [tenantId, label], client);
      await this.q(
        'INSERT INTO api_tokens (token_hash, tenant_id, role, label, crm_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [hashToken(token), tenantId, role, label, options.crmUserId ?? null, this.now().toISOString()],
        client,
      );
    });
    return token;
  }

  async resolveApiToken(token: string): Promise<ApiPrincipal | null> {
    const principal = await this.resolveStaffToken(token);
    return principal
      ? { tenantId: principal.tenantId, role: principal.role === 'admin' ? 'admin' : 'reader', label: principal.label }
      : null;
  }

  async resolveStaffToken(token: string): Promise<StaffPrincipal | null> {
    const [row] = await this.rows('SELECT tenant_id, role, label, crm_user_id FROM api_tokens WHERE token_hash = $1', [hashToken(token)]);
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
    return (await this.q('DELETE FROM api_tokens WHERE tenant_id = $1', [tenantId])).rowCount ?? 0;
  }

  // Records ------------------------------------------------------------------------------------

  async upsertRecords<E extends EntityName>(entity: E, records: readonly CanonicalRecordByEntity[E][]): Promise<UpsertSummary> {
    const summary: UpsertSummary = { inserted: 0, updated: 0, unchanged: 0, changedIds: [] };
    for (let start = 0; start < records.length; start += this.batchSize) {
      const batch = records.slice(start, start + this.batchSize);
      await this.tx(async (client) => {
        for (const run of runsWithoutRepeats(batch)) await this.upsertRun(client, entity, run, summary);
      });
    }
    return summary;
  }

  /**
   * One statement for a run of distinct records: rows whose hash and deletion state are unchanged are
   * left alone (the ON CONFLICT ... WHERE), the others are written and get a version row in the same
   * statement. `xmax = 0` tells an inserted row from an updated one. Rows are written in key order, so
   * workers upserting overlapping batches take row locks in the same order and cannot deadlock.
   */
  private async upsertRun(
    client: PoolClient,
    entity: EntityName,
    run: readonly CanonicalRecordByEntity[EntityName][],
    summary: UpsertSummary,
  ): Promise<void> {
    const columns: (string | null)[][] = [[], [], [], [], [], [], [], [], []];
    for (const record of run) {
      const values = [
        record.tenantId,
        record.source.provider,
        record.source.externalId,
        record.id,
        entity === 'account' ? record.id : ((record as { accountId?: string }).accountId ?? null),
        record.dataHash,
        utc(record.source.modstamp),
        record.deletedAt ? utc(record.deletedAt) : null,
        JSON.stringify(record),
      ];
      values.forEach((value, i) => columns[i]?.push(value));
    }
    const written = await this.rows<{ ord: string; inserted: boolean }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           WITH ORDINALITY AS u (tenant_id, provider, external_id, id, account_id, data_hash, modstamp, deleted_at, data, ord)
       ), upserted AS (
         INSERT INTO records AS r (tenant_id, entity, provider, external_id, id, account_id, data_hash, modstamp, deleted_at, data, stored_at)
         SELECT tenant_id, $10, provider, external_id, id, account_id, data_hash, modstamp, deleted_at, data, $11 FROM input
         ORDER BY tenant_id, provider, external_id
         ON CONFLICT (tenant_id, entity, provider, external_id) DO UPDATE SET
           id = excluded.id, account_id = excluded.account_id, data_hash = excluded.data_hash, modstamp = excluded.modstamp,
           deleted_at = excluded.deleted_at, data = excluded.data, stored_at = excluded.stored_at
           WHERE r.data_hash IS DISTINCT FROM excluded.data_hash OR r.deleted_at IS DISTINCT FROM excluded.deleted_at
         RETURNING r.tenant_id, r.provider, r.external_id, (r.xmax = 0) AS inserted
       ), changed AS (
         SELECT i.*, u.inserted FROM input i JOIN upserted u USING (tenant_id, provider, external_id)
       ), versions AS (
         INSERT INTO record_versions (tenant_id, entity, id, account_id, modstamp, deleted_at, data)
         SELECT tenant_id, $10, id, account_id, modstamp, deleted_at, data FROM changed ORDER BY ord
       )
       SELECT ord, inserted FROM changed ORDER BY ord`,
      [...columns, entity, this.now().toISOString()],
      client,
    );
    for (const row of written) {
      const record = run[Number(row.ord) - 1];
      if (!record) continue;
      if (row.inserted) summary.inserted++;
      else summary.updated++;
      summary.changedIds.push(record.id);
    }
    summary.unchanged += run.length - written.length;
  }

  async markDeleted(
    tenantId: TenantId,
    entity: EntityName,
    provider: Provider,
    externalIds: readonly string[],
    deletedAt: string,
  ): Promise<number> {
    if (externalIds.length === 0) return 0;
    return this.tx((client) => this.markDeletedIn(client, tenantId, entity, provider, externalIds, deletedAt));
  }

  private async markDeletedIn(
    client: PoolClient,
    tenantId: TenantId,
    entity: EntityName,
    provider: Provider,
    externalIds: readonly string[],
    deletedAt: string,
  ): Promise<number> {
    if (externalIds.length === 0) return 0;
    const at = utc(deletedAt);
    const hits = await this.rows(
      `UPDATE records SET deleted_at = $5, stored_at = $6
       WHERE tenant_id = $1 AND entity = $2 AND provider = $3 AND external_id = ANY($4::text[]) AND deleted_at IS NULL
       RETURNING id, account_id, data`,
      [tenantId, entity, provider, [...externalIds], at, this.now().toISOString()],
      client,
    );
    if (hits.length === 0) return 0;
    await this.q(
      `INSERT INTO record_versions (tenant_id, entity, id, account_id, modstamp, deleted_at, data)
       SELECT $1, $2, id, account_id, $3, $3, data FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS u (id, account_id, data, ord)
       ORDER BY ord`,
      [
        tenantId,
        entity,
        at,
        hits.map((h) => h.id as string),
        hits.map((h) => (h.account_id as string | null) ?? null),
        hits.map((h) => JSON.stringify({ ...(JSON.parse(h.data as string) as object), deletedAt: at })),
      ],
      client,
    );
    return hits.length;
  }

  async getRecord<E extends EntityName>(tenantId: TenantId, entity: E, id: string): Promise<CanonicalRecordByEntity[E] | null> {
    const [row] = await this.rows('SELECT data, deleted_at FROM records WHERE tenant_id = $1 AND entity = $2 AND id = $3', [
      tenantId,
      entity,
      id,
    ]);
    return row ? withDeletedAt<E>(row) : null;
  }

  async listRecords<E extends EntityName>(tenantId: TenantId, entity: E, query: RecordQuery = {}): Promise<CanonicalRecordByEntity[E][]> {
    const { sql, params } = query.modifiedAtOrBefore ? asOfQuery(tenantId, entity, query) : latestQuery(tenantId, entity, query);
    return (await this.rows(sql, params)).map((row) => withDeletedAt<E>(row));
  }

  async countRecords(tenantId: TenantId, entity: EntityName, query: Pick<RecordQuery, 'includeDeleted'> = {}): Promise<number> {
    const [row] = await this.rows<{ n: string }>(
      `SELECT count(*) AS n FROM records WHERE tenant_id = $1 AND entity = $2${query.includeDeleted ? '' : ' AND deleted_at IS NULL'}`,
      [tenantId, entity],
    );
    return Number(row?.n ?? 0);
  }

  // Cursors and full reloads -------------------------------------------------------------------

  async getCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName): Promise<SyncCursor | null> {
    const [row] = await this.rows('SELECT cursor FROM sync_cursors WHERE tenant_id = $1 AND connection_id = $2 AND entity = $3', [
      tenantId,
      connectionId,
      entity,
    ]);
    return row ? (row.cursor as SyncCursor) : null;
  }

  async saveCursor(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, cursor: SyncCursor): Promise<void> {
    await this.q(
      `INSERT INTO sync_cursors (tenant_id, connection_id, entity, cursor, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (tenant_id, connection_id, entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      [tenantId, connectionId, entity, JSON.stringify(cursor), this.now().toISOString()],
    );
  }

  async beginResync(tenantId: TenantId, connectionId: ConnectionId, entity: EntityName, startedAt: string, reason: string): Promise<void> {
    const key = [tenantId, connectionId, entity];
    await this.tx(async (client) => {
      await this.q('DELETE FROM sync_cursors WHERE tenant_id = $1 AND connection_id = $2 AND entity = $3', key, client);
      await this.q('DELETE FROM resync_seen WHERE tenant_id = $1 AND connection_id = $2 AND entity = $3', key, client);
      await this.q(
        `INSERT INTO resyncs (tenant_id, connection_id, entity, started_at, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, connection_id, entity) DO UPDATE SET started_at = excluded.started_at, reason = excluded.reason`,
        [...key, utc(startedAt), reason],
        client,
      );
    });
  }

  async resyncInProgress(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
  ): Promise<{ startedAt: string; reason: string } | null> {
    const [row] = await this.rows('SELECT started_at, reason FROM resyncs WHERE tenant_id = $1 AND connection_id = $2 AND entity = $3', [
      tenantId,
      connectionId,
      entity,
    ]);
    return row ? { startedAt: row.started_at as string, reason: row.reason as string } : null;
  }

  async recordResyncSeen(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
    externalIds: readonly string[],
  ): Promise<void> {
    if (externalIds.length === 0) return;
    await this.q(
      `INSERT INTO resync_seen (tenant_id, connection_id, entity, external_id) SELECT $1, $2, $3, unnest($4::text[])
       ON CONFLICT DO NOTHING`,
      [tenantId, connectionId, entity, [...new Set(externalIds)]],
    );
  }

  async finishResync(
    tenantId: TenantId,
    connectionId: ConnectionId,
    entity: EntityName,
    provider: Provider,
    deletedAt: string,
  ): Promise<{ deleted: number; accountIds: string[] }> {
    return this.tx(async (client) => {
      const unseen = await this.rows(
        `SELECT r.external_id, r.account_id FROM records r
         WHERE r.tenant_id = $1 AND r.entity = $2 AND r.provider = $3 AND r.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM resync_seen s
                           WHERE s.tenant_id = r.tenant_id AND s.connection_id = $4 AND s.entity = r.entity AND s.external_id = r.external_id)
         ORDER BY r.external_id`,
        [tenantId, entity, provider, connectionId],
        client,
      );
      const deleted = await this.markDeletedIn(
        client,
        tenantId,
        entity,
        provider,
        unseen.map((r) => r.external_id as string),
        deletedAt,
      );
      const key = [tenantId, connectionId, entity];
      await this.q('DELETE FROM resync_seen WHERE tenant_id = $1 AND connection_id = $2 AND entity = $3', key, client);
      await this.q('DELETE FROM resyncs WHERE tenant_id = $1 AND connection_id = $2 AND entity = $3', key, client);
      const accountIds = [...new Set(unseen.map((r) => r.account_id as string | null).filter((id): id is string => id !== null))];
      return { deleted, accountIds };
    });
  }

  // Scores and models --------------------------------------------------------------------------

  async appendScoreSets(scores: readonly ScoreSet[]): Promise<void> {
    for (let start = 0; start < scores.length; start += this.batchSize) {
      const batch = scores.slice(start, start + this.batchSize);
      await this.q(
        `INSERT INTO score_sets (tenant_id, account_id, computed_at, model_version, data)
         SELECT tenant_id, account_id, computed_at, model_version, data
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u (tenant_id, account_id, computed_at, model_version, data, ord)
         ORDER BY ord`,
        [
          batch.map((s) => s.tenantId),
          batch.map((s) => s.accountId),
          batch.map((s) => utc(s.computedAt)),
          batch.map((s) => s.modelVersion),
          batch.map((s) => JSON.stringify(s)),
        ],
      );
    }
  }

  async scoreHistory(tenantId: TenantId, accountId: AccountId, options: { limit?: number } = {}): Promise<ScoreSet[]> {
    const rows = await this.rows(
      'SELECT data FROM score_sets WHERE tenant_id = $1 AND account_id = $2 ORDER BY computed_at DESC, seq DESC LIMIT $3',
      [tenantId, accountId, options.limit ?? null],
    );
    return rows.map((r) => JSON.parse(r.data as string) as ScoreSet);
  }

  async latestScores(tenantId: TenantId, options: { accounts?: AccountRange } = {}): Promise<ScoreSet[]> {
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1'];
    if (options.accounts) inAccountRange('account_id', options.accounts, where, params);
    const rows = await this.rows(
      `SELECT DISTINCT ON (account_id) data FROM score_sets WHERE ${where.join(' AND ')} ORDER BY account_id, computed_at DESC, seq DESC`,
      params,
    );
    return rows.map((r) => JSON.parse(r.data as string) as ScoreSet);
  }

  async registerModel(model: ModelVersion): Promise<void> {
    await this.q(
      `INSERT INTO models (tenant_id, task, version, status, algorithm, window_from, window_to, metrics, features, artifact, created_at)
       VALUES ($1, $2, $3, 'candidate', $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10)`,
      [
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
      ],
    );
    if (model.status === 'active') await this.activateModel(model.tenantId, model.task, model.version);
  }

  async activateModel(tenantId: TenantId, task: string, version: string): Promise<void> {
    await this.tx(async (client) => {
      // Locking the task's rows makes concurrent activations take turns instead of breaking one_active_model.
      const versions = await this.rows(
        'SELECT version FROM models WHERE tenant_id = $1 AND task = $2 FOR UPDATE',
        [tenantId, task],
        client,
      );
      if (!versions.some((v) => v.version === version))
        throw new SuccessEngineError('STORE.NOT_FOUND', `no ${task} model version ${version} for tenant ${tenantId}`);
      await this.q(
        `UPDATE models SET status = 'retired' WHERE tenant_id = $1 AND task = $2 AND status = 'active'`,
        [tenantId, task],
        client,
      );
      await this.q(
        `UPDATE models SET status = 'active' WHERE tenant_id = $1 AND task = $2 AND version = $3`,
        [tenantId, task, version],
        client,
      );
    });
  }

  async activeModel(tenantId: TenantId, task: string): Promise<ModelVersion | null> {
    const [row] = await this.rows(`SELECT * FROM models WHERE tenant_id = $1 AND task = $2 AND status = 'active'`, [tenantId, task]);
    return row ? toModel(row) : null;
  }

  async listModels(tenantId: TenantId, task?: string): Promise<ModelVersion[]> {
    const rows = task
      ? await this.rows('SELECT * FROM models WHERE tenant_id = $1 AND task = $2 ORDER BY created_at, version', [tenantId, task])
      : await this.rows('SELECT * FROM models WHERE tenant_id = $1 ORDER BY task, created_at, version', [tenantId]);
    return rows.map(toModel);
  }

  // Alerts and action outcomes -----------------------------------------------------------------

  async recordAlert(d: AlertDelivery): Promise<boolean> {
    const result = await this.q(
      `INSERT INTO alert_deliveries (tenant_id, idempotency_key, account_id, rule, target, status, attempts, next_attempt_at, last_error, payload, created_at, delivered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING`,
      [
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
      ],
    );
    return result.rowCount === 1;
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
    const sets = entries.map(([k], i) => `${columns[k]} = $${i + 3}`).join(', ');
    const result = await this.q(`UPDATE alert_deliveries SET ${sets} WHERE tenant_id = $1 AND idempotency_key = $2`, [
      tenantId,
      idempotencyKey,
      ...entries.map(([, v]) => v ?? null),
    ]);
    if (result.rowCount === 0)
      throw new SuccessEngineError('STORE.NOT_FOUND', `no alert delivery ${idempotencyKey} for tenant ${tenantId}`);
  }

  async claimAlertAttempt(
    tenantId: TenantId,
    idempotencyKey: string,
    claim: { expectedAttempts: number; now: string; leaseUntil: string },
  ): Promise<boolean> {
    const result = await this.q(
      `UPDATE alert_deliveries SET next_attempt_at = $5
        WHERE tenant_id = $1 AND idempotency_key = $2 AND status IN ('pending', 'failed') AND attempts = $3
          AND (next_attempt_at IS NULL OR next_attempt_at <= $4)`,
      [tenantId, idempotencyKey, claim.expectedAttempts, new Date(claim.now).toISOString(), new Date(claim.leaseUntil).toISOString()],
    );
    return result.rowCount === 1;
  }

  async listAlerts(tenantId: TenantId, status?: AlertDeliveryStatus): Promise<AlertDelivery[]> {
    const rows = status
      ? await this.rows('SELECT * FROM alert_deliveries WHERE tenant_id = $1 AND status = $2 ORDER BY created_at, idempotency_key', [
          tenantId,
          status,
        ])
      : await this.rows('SELECT * FROM alert_deliveries WHERE tenant_id = $1 ORDER BY created_at, idempotency_key', [tenantId]);
    return rows.map(toAlert);
  }

  async getAlert(tenantId: TenantId, idempotencyKey: string): Promise<AlertDelivery | null> {
    const [row] = await this.rows('SELECT * FROM alert_deliveries WHERE tenant_id = $1 AND idempotency_key = $2', [
      tenantId,
      idempotencyKey,
    ]);
    return row ? toAlert(row) : null;
  }

  async recordActionOutcome(outcome: ActionOutcome, updatedBy: string, options: { keepExisting?: boolean } = {}): Promise<void> {
    const onConflict = options.keepExisting
      ? 'DO NOTHING'
      : `DO UPDATE SET arm = excluded.arm, status = excluded.status, completed_at = excluded.completed_at, source = excluded.source,
           retained = excluded.retained, updated_at = excluded.updated_at, updated_by = excluded.updated_by`;
    await this.q(
      `INSERT INTO action_outcomes (tenant_id, account_id, action_id, recommended_at, arm, status, completed_at, source, retained, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (tenant_id, account_id, action_id, recommended_at) ${onConflict}`,
      [
        outcome.tenantId,
        outcome.accountId,
        outcome.actionId,
        utc(outcome.recommendedAt),
        outcome.arm,
        outcome.status,
        outcome.completedAt === null ? null : utc(outcome.completedAt),
        outcome.source,
        outcome.retained,
        this.now().toISOString(),
        updatedBy,
      ],
    );
  }

  async linkActionTask(
    tenantId: TenantId,
    recommendation: { accountId: string; actionId: string; recommendedAt: string },
    crmTaskId: string,
  ): Promise<void> {
    await this.q(
      'UPDATE action_outcomes SET crm_task_id = $1 WHERE tenant_id = $2 AND account_id = $3 AND action_id = $4 AND recommended_at = $5',
      [crmTaskId, tenantId, recommendation.accountId, recommendation.actionId, utc(recommendation.recommendedAt)],
    );
  }

  async answerActionsByTask(
    tenantId: TenantId,
    answers: readonly { crmTaskId: string; status: 'completed' | 'dismissed'; at: string }[],
  ): Promise<number> {
    if (answers.length === 0) return 0;
    return this.tx(async (client) => {
      let changed = 0;
      for (const a of answers) {
        const result = await this.q(
          `UPDATE action_outcomes SET status = $1, completed_at = $2, source = 'crm-task', updated_at = $3, updated_by = 'crm-task'
           WHERE tenant_id = $4 AND crm_task_id = $5 AND arm = 'treatment' AND status = 'open'`,
          [a.status, a.status === 'completed' ? utc(a.at) : null, this.now().toISOString(), tenantId, a.crmTaskId],
          client,
        );
        changed += result.rowCount ?? 0;
      }
      return changed;
    });
  }

  async listActionOutcomes(tenantId: TenantId, filter: { accountId?: string; recommendedAt?: string } = {}): Promise<ActionOutcome[]> {
    const where = ['tenant_id = $1'];
    const params: string[] = [tenantId];
    if (filter.accountId !== undefined) {
      params.push(filter.accountId);
      where.push(`account_id = $${params.length}`);
    }
    if (filter.recommendedAt !== undefined) {
      params.push(utc(filter.recommendedAt));
      where.push(`recommended_at = $${params.length}`);
    }
    const rows = await this.rows(
      `SELECT * FROM action_outcomes WHERE ${where.join(' AND ')} ORDER BY recommended_at, account_id, action_id`,
      params,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id as string,
      accountId: r.account_id as string,
      actionId: r.action_id as string,
      arm: r.arm as ActionOutcome['arm'],
      recommendedAt: r.recommended_at as string,
      status: r.status as ActionOutcome['status'],
      completedAt: (r.completed_at as string | null) ?? null,
      source: r.source as ActionOutcome['source'],
      retained: (r.retained as boolean | null) ?? null,
    }));
  }

  // Texts --------------------------------------------------------------------------------------

  async textAnalyses(tenantId: TenantId, modelId: string, contentHashes: readonly string[]): Promise<TextAnalysis[]> {
    const hashes = [...new Set(contentHashes)];
    if (hashes.length === 0) return [];
    const rows = await this.rows('SELECT * FROM text_analyses WHERE tenant_id = $1 AND model_id = $2 AND content_hash = ANY($3::text[])', [
      tenantId,
      modelId,
      hashes,
    ]);
    const order = new Map(hashes.map((h, i) => [h, i]));
    return rows.map(toTextAnalysis).sort((a, b) => (order.get(a.contentHash) ?? 0) - (order.get(b.contentHash) ?? 0));
  }

  async putTextAnalyses(tenantId: TenantId, analyses: readonly TextAnalysis[]): Promise<void> {
    // One statement cannot upsert a row twice: the last analysis of a hash and model wins, as it would one by one.
    const latest = [...new Map(analyses.map((a) => [`${a.contentHash}\u0000${a.modelId}`, a])).values()];
    if (latest.length === 0) return;
    await this.q(
      `INSERT INTO text_analyses (tenant_id, content_hash, model_id, label, score, topics, masked_text, analysed_at)
       SELECT $1, content_hash, model_id, label, score, topics::jsonb, masked_text, analysed_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[])
         AS u (content_hash, model_id, label, score, topics, masked_text, analysed_at)
       ON CONFLICT (tenant_id, content_hash, model_id) DO UPDATE SET label = excluded.label, score = excluded.score,
         topics = excluded.topics, masked_text = excluded.masked_text, analysed_at = excluded.analysed_at`,
      [
        tenantId,
        latest.map((a) => a.contentHash),
        latest.map((a) => a.modelId),
        latest.map((a) => a.label),
        latest.map((a) => a.score),
        latest.map((a) => JSON.stringify(a.topics)),
        latest.map((a) => a.maskedText),
        latest.map((a) => utc(a.analysedAt)),
      ],
    );
  }

  async putRecordTexts(
    tenantId: TenantId,
    texts: readonly RecordText[],
    removed: readonly { entity: RecordText['entity']; recordId: string }[] = [],
  ): Promise<void> {
    const latest = [...new Map(texts.map((t) => [`${t.entity}\u0000${t.recordId}`, t])).values()];
    await this.tx(async (client) => {
      if (latest.length > 0)
        await this.q(
          `INSERT INTO record_texts (tenant_id, entity, record_id, account_id, kind, at, content_hash)
           SELECT $1, entity, record_id, account_id, kind, at, content_hash
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u (entity, record_id, account_id, kind, at, content_hash)
           ON CONFLICT (tenant_id, entity, record_id) DO UPDATE SET account_id = excluded.account_id, kind = excluded.kind,
             at = excluded.at, content_hash = excluded.content_hash`,
          [
            tenantId,
            latest.map((t) => t.entity),
            latest.map((t) => t.recordId),
            latest.map((t) => t.accountId),
            latest.map((t) => t.kind),
            latest.map((t) => utc(t.at)),
            latest.map((t) => t.contentHash),
          ],
          client,
        );
      if (removed.length > 0)
        await this.q(
          `DELETE FROM record_texts t USING unnest($2::text[], $3::text[]) AS u (entity, record_id)
           WHERE t.tenant_id = $1 AND t.entity = u.entity AND t.record_id = u.record_id`,
          [tenantId, removed.map((r) => r.entity), removed.map((r) => r.recordId)],
          client,
        );
    });
  }

  async listRecordTexts(tenantId: TenantId): Promise<RecordText[]> {
    return (await this.rows('SELECT * FROM record_texts WHERE tenant_id = $1 ORDER BY entity, record_id', [tenantId])).map(toRecordText);
  }

  async listAnalysedTexts(tenantId: TenantId, options: { accounts?: AccountRange } = {}): Promise<AnalysedText[]> {
    const params: unknown[] = [tenantId];
    const where = ['r.tenant_id = $1'];
    if (options.accounts) inAccountRange('r.account_id', options.accounts, where, params);
    const rows = await this.rows(
      `SELECT r.*, a.model_id, a.label, a.score, a.topics, a.masked_text, a.analysed_at FROM record_texts r
       JOIN text_analyses a ON a.tenant_id = r.tenant_id AND a.content_hash = r.content_hash
       WHERE ${where.join(' AND ')} ORDER BY r.at, r.entity, r.record_id, a.analysed_at, a.model_id`,
      params,
    );
    // A text read by more than one model (a model upgrade): the latest reading counts.
    const latest = new Map<string, AnalysedText>();
    for (const r of rows) latest.set(`${r.entity as string}\u0000${r.record_id as string}`, { ...toRecordText(r), ...toTextAnalysis(r) });
    return [...latest.values()];
  }

  // Settings -----------------------------------------------------------------------------------

  async getTenantSetting(tenantId: TenantId, key: string): Promise<TenantSetting | null> {
    const [row] = await this.rows('SELECT value, updated_at, updated_by FROM tenant_settings WHERE tenant_id = $1 AND key = $2', [
      tenantId,
      key,
    ]);
    return row ? { value: row.value, updatedAt: row.updated_at as string, updatedBy: row.updated_by as string } : null;
  }

  async putTenantSetting(tenantId: TenantId, key: string, value: unknown, updatedBy: string): Promise<void> {
    await this.q(
      `INSERT INTO tenant_settings (tenant_id, key, value, updated_at, updated_by) VALUES ($1, $2, $3::jsonb, $4, $5)
       ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [tenantId, key, JSON.stringify(value), this.now().toISOString(), updatedBy],
    );
  }

  // Audit, export and erasure ------------------------------------------------------------------

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.q('INSERT INTO audit_log (tenant_id, at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)', [
      entry.tenantId,
      utc(entry.at),
      entry.actor,
      entry.action,
      entry.target,
      JSON.stringify(entry.details),
    ]);
  }

  async listAudit(tenantId: TenantId, options: { limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = await this.rows('SELECT * FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2', [
      tenantId,
      options.limit ?? null,
    ]);
    return rows.map((r) => ({
      tenantId: r.tenant_id as TenantId,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      target: r.target as string,
      details: r.details as Record<string, unknown>,
    }));
  }

  async tenantTables(): Promise<string[]> {
    return this.tenantTablesOn(this.pool);
  }

  private async tenantTablesOn(on: Queryable): Promise<string[]> {
    const rows = await this.rows(
      `SELECT c.table_name::text AS name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name::text COLLATE "C"`,
      [],
      on,
    );
    return rows.map((r) => r.name as string);
  }

  /**
   * Reads in one read-only snapshot (REPEATABLE READ) through a server-side cursor, a page at a time,
   * so the export is consistent across tables and memory stays bounded. Stopping early rolls back.
   */
  async *exportTenant(tenantId: TenantId): AsyncGenerator<{ table: string; row: Record<string, unknown> }> {
    const client = await this.connect();
    let finished = false;
    let failed: unknown;
    try {
      await this.q('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', [], client);
      const [tenant] = await this.rows('SELECT * FROM tenants WHERE id = $1', [tenantId], client);
      if (!tenant) throw new SuccessEngineError('STORE.NOT_FOUND', `no tenant ${tenantId}`);
      yield { table: 'tenants', row: tenant };
      for (const table of await this.tenantTablesOn(client)) {
        await this.q(
          `DECLARE export_rows NO SCROLL CURSOR FOR SELECT * FROM ${quoteIdent(table)} WHERE tenant_id = ${client.escapeLiteral(tenantId)}`,
          [],
          client,
        );
        for (;;) {
          const page = await this.rows(`FETCH ${EXPORT_PAGE_ROWS} FROM export_rows`, [], client);
          if (page.length === 0) break;
          for (const raw of page) yield { table, row: exportRow(raw) };
        }
        await this.q('CLOSE export_rows', [], client);
      }
      await this.q('COMMIT', [], client);
      finished = true;
    } catch (error) {
      failed = error;
      throw error;
    } finally {
      if (!finished) await client.query('ROLLBACK').catch(() => undefined);
      client.release(isUnavailable(failed) ? (failed as Error) : undefined);
    }
  }

  /**
   * One transaction: every tenant table, then the tenant, then a tenant-free receipt. The audit log's
   * delete guard lets rows go only for the tenant named in the transaction-local setting
   * `success_engine.erasing_tenant`, which no other session can see.
   */
  async eraseTenant(tenantId: TenantId, reason: string): Promise<ErasureReceipt> {
    return this.tx(async (client) => {
      const rowCounts: Record<string, number> = {};
      // Every tenant table references tenants(id): with the row locked, writers on other connections
      // wait for this erasure (then fail, the tenant gone) instead of committing rows between our deletes.
      await this.q('SELECT id FROM tenants WHERE id = $1 FOR UPDATE', [tenantId], client);
      await this.q(`SELECT set_config('success_engine.erasing_tenant', $1, true)`, [tenantId], client);
      for (const table of await this.tenantTablesOn(client)) {
        const removed = (await this.q(`DELETE FROM ${quoteIdent(table)} WHERE tenant_id = $1`, [tenantId], client)).rowCount ?? 0;
        if (removed > 0) rowCounts[table] = removed;
      }
      const tenants = (await this.q('DELETE FROM tenants WHERE id = $1', [tenantId], client)).rowCount ?? 0;
      if (tenants > 0) rowCounts.tenants = tenants;
      await this.q(`SELECT set_config('success_engine.erasing_tenant', '', true)`, [], client);
      const salt = newErasureSalt();
      const receipt: ErasureReceipt = {
        tenantHash: erasureHash(salt, tenantId),
        salt,
        erasedAt: this.now().toISOString(),
        reason,
        rowCounts,
      };
      await this.q(
        'INSERT INTO erasure_log (tenant_hash, salt, erased_at, reason, row_counts) VALUES ($1, $2, $3, $4, $5::jsonb)',
        [receipt.tenantHash, salt, receipt.erasedAt, reason, JSON.stringify(rowCounts)],
        client,
      );
      return receipt;
    });
  }

  async findErasures(tenantId: string): Promise<ErasureReceipt[]> {
    const rows = await this.rows('SELECT * FROM erasure_log ORDER BY seq');
    return rows
      .filter((r) => erasureHash(r.salt as string, tenantId) === r.tenant_hash)
      .map((r) => ({
        tenantHash: r.tenant_hash as string,
        salt: r.salt as string,
        erasedAt: r.erased_at as string,
        reason: r.reason as string,
        rowCounts: r.row_counts as Record<string, number>,
      }));
  }
}

// Helpers -------------------------------------------------------------------------------------

const isUnavailable = (error: unknown): boolean => error instanceof SuccessEngineError && error.code === 'STORE.UNAVAILABLE';

/**
 * Splits a batch into runs in which no record key repeats: one INSERT ... ON CONFLICT cannot touch a
 * row twice, and a repeated record must see the write before it, as it does one by one.
 */
function runsWithoutRepeats<R extends CanonicalRecordByEntity[EntityName]>(batch: readonly R[]): R[][] {
  const runs: R[][] = [];
  let run: R[] = [];
  let keys = new Set<string>();
  for (const record of batch) {
    const key = `${record.tenantId}\u0000${record.source.provider}\u0000${record.source.externalId}`;
    if (keys.has(key)) {
      runs.push(run);
      run = [];
      keys = new Set();
    }
    keys.add(key);
    run.push(record);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function latestQuery(tenantId: TenantId, entity: EntityName, q: RecordQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId, entity];
  const where = ['tenant_id = $1', 'entity = $2'];
  if (!q.includeDeleted) where.push('deleted_at IS NULL');
  if (q.accountId) {
    params.push(q.accountId);
    where.push(`account_id = $${params.length}`);
  }
  if (q.accounts) inAccountRange('account_id', q.accounts, where, params);
  if (q.afterId) {
    params.push(q.afterId);
    where.push(`id > $${params.length}`);
  }
  params.push(q.limit ?? null);
  return { sql: `SELECT data, deleted_at FROM records WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`, params };
}

/** The latest version of each record at or before the instant, as a backtest would have seen it. */
function asOfQuery(tenantId: TenantId, entity: EntityName, q: RecordQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId, entity, utc(q.modifiedAtOrBefore as string)];
  const inner = ['tenant_id = $1', 'entity = $2', 'modstamp <= $3'];
  if (q.accountId) {
    params.push(q.accountId);
    inner.push(`account_id = $${params.length}`);
  }
  const outer: string[] = [];
  if (!q.includeDeleted) outer.push('deleted_at IS NULL');
  // On the version read, not on every version: a record that moved between accounts lands in one chunk only.
  if (q.accounts) inAccountRange('account_id', q.accounts, outer, params);
  if (q.afterId) {
    params.push(q.afterId);
    outer.push(`id > $${params.length}`);
  }
  params.push(q.limit ?? null);
  return {
    sql: `SELECT data, deleted_at FROM (
            SELECT DISTINCT ON (id) id, account_id, data, deleted_at FROM record_versions WHERE ${inner.join(' AND ')}
            ORDER BY id, modstamp DESC, seq DESC
          ) latest ${outer.length > 0 ? `WHERE ${outer.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
    params,
  };
}

/**
 * `after < column <= through`. Account id columns are `text COLLATE "C"`, so the comparison is bytewise
 * (as SQLite's and as `id > afterId`) and the (tenant_id, …, account_id) indexes serve it.
 */
function inAccountRange(column: string, range: AccountRange, where: string[], params: unknown[]): void {
  if (range.after !== undefined) {
    params.push(range.after);
    where.push(`${column} > $${params.length}`);
  }
  params.push(range.through);
  where.push(`${column} <= $${params.length}`);
}

function withDeletedAt<E extends EntityName>(row: Row): CanonicalRecordByEntity[E] {
  const record = JSON.parse(row.data as string) as CanonicalRecordByEntity[E];
  return row.deleted_at ? { ...record, deletedAt: row.deleted_at as string } : record;
}

function toTenant(row: Row): Tenant {
  return { id: row.id as TenantId, name: row.name as string, locale: row.locale as Tenant['locale'], createdAt: row.created_at as string };
}

function toConnection(row: Row): CrmConnection {
  return {
    id: row.id as ConnectionId,
    tenantId: row.tenant_id as TenantId,
    provider: row.provider as Provider,
    externalOrgId: row.external_org_id as string,
    baseUrl: row.base_url as string,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
  };
}

function toModel(row: Row): ModelVersion {
  return {
    tenantId: row.tenant_id as TenantId,
    task: row.task as string,
    version: row.version as string,
    status: row.status as ModelVersion['status'],
    algorithm: row.algorithm as string,
    trainingWindow: { from: row.window_from as string, to: row.window_to as string },
    metrics: row.metrics as Record<string, number>,
    features: row.features as string[],
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
    payload: row.payload,
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
    topics: r.topics as string[],
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
