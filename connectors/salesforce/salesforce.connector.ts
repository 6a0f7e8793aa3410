import { createSign } from 'node:crypto';
import { Connection, OAuth2 } from 'jsforce';
import {
  SuccessEngineError,
  systemClock,
  type AuthGrant,
  type Clock,
  type CreateTaskResult,
  type CrmConnector,
  type OrgCurrencies,
  type CrmTaskInput,
  type CrmTokens,
  type EntityName,
  type ProviderLimits,
  type PulledPage,
  type ScoreSet,
  type SyncCursor,
  type TenantId,
  type WriteBackResult,
} from '../../core';
import {
  SALESFORCE_DEFAULT_NAMESPACE,
  SALESFORCE_SCORE_OBJECT,
  SALESFORCE_TYPES,
  SCORE_FIELDS,
  TASK_KEY_FIELD,
  salesforceFieldName,
  type ScoreFieldKey,
} from '../../manifests/field-map';
import { mappedFields, resolveAccountMapping, type AccountFieldMapping, type AccountMappingOverrides } from '../shared/field-mapping';
import { emptyCallStats, governedCall, type CallStats, type GovernedCallOptions } from '../shared/governed-call';
import {
  SALESFORCE_BULK_INGEST_MAX_BYTES,
  SALESFORCE_BULK_QUERY_PAGE_ROWS,
  SALESFORCE_BULK_THRESHOLD_RECORDS,
  SALESFORCE_RETRIEVE_MAX,
  SALESFORCE_COLLECTIONS_MAX,
  SALESFORCE_DEFAULT_DAILY_BUDGET_SHARE,
  SALESFORCE_LIMITS,
  SALESFORCE_QUERY_PAGE_MAX,
  type ProviderLimitProfile,
} from '../shared/provider-limits';
import { realSleep, sharedGovernor, type RateGovernor, type Sleep } from '../shared/rate-governor';
import { type FailedCall } from '../shared/retry-policy';
import { ApiBudgetExhaustedError, processBudgetCounter, type ApiBudgetCounter } from '../shared/api-budget';
import { ingestCsv, parseBulkCsv, parseIngestResults, rawRequest, type RawRequest, type RawResponse } from './salesforce-bulk';
import { sameAsCrm, scoreFieldValues, scoreValuesHash, type ScoreFieldValues } from '../shared/score-values';
import { DEFAULT_SALESFORCE_API_VERSION, SALESFORCE_ACCOUNT_MAPPING } from './salesforce-account.mapping';
import { MemoryWriteLedger, type WriteLedger } from '../shared/write-ledger';
import type { SfRow } from './salesforce-account.mapper';
import { initialSalesforceCursor, parseSalesforceCursor, toSyncCursor, type SalesforceCursor } from './salesforce-cursor';
import { SALESFORCE_OBJECTS_BY_ENTITY, SALESFORCE_READ_FIELDS, type SalesforceObjectName } from './salesforce-objects';
import { mapSalesforceRow } from './salesforce-record.mapper';

export interface SalesforceConnectorOptions {
  tenantId: TenantId;
  /** Org id or any stable key: the governor is shared per key. */
  orgKey: string;
  instanceUrl?: string;
  /** Where OAuth and JWT bearer logins go (login.salesforce.com, or the sandbox URL). */
  loginUrl?: string;
  accessToken?: string;
  refreshToken?: string;
  /** A public client (the Salesforce CLI's `PlatformCLI`) has no secret. */
  oauthClient?: { clientId: string; clientSecret?: string; redirectUri?: string };
  /** Server-to-server: when the session expires, log in again by JWT bearer (oauthClient.clientId is the consumer key). */
  jwtBearer?: { username: string; privateKeyPem: () => string };
  onTokens?: (tokens: CrmTokens) => void | Promise<void>;
  /** API version; jsforce defaults to 50.0, so we always pass one. */
  version?: string;
  /** Managed-package namespace of our fields; null in an unmanaged or scratch org. */
  namespace?: string | null;
  /** Share of the org's daily API allocation this connector may use (default 25%). */
  dailyBudgetShare?: number;
  /** Where our calls per org and day are counted (default: in-process, shared per orgKey). */
  budgetCounter?: ApiBudgetCounter;
  /** Records above which a first load uses a Bulk API 2.0 query and write-back a Bulk API 2.0 ingest job (default 2,000). */
  bulkThreshold?: number;
  /** Rows per Bulk API 2.0 result page (default 50,000). */
  bulkPageSize?: number;
  /** How often and how long to wait for a Bulk job to finish. */
  bulkPollMs?: number;
  bulkTimeoutMs?: number;
  /** Collections calls in flight at once during write-back (default 1: the governor's rate still binds). */
  writeConcurrency?: number;
  accountMapping?: AccountMappingOverrides;
  governor?: RateGovernor;
  limits?: Partial<ProviderLimitProfile>;
  ledger?: WriteLedger;
  readBeforeWrite?: boolean;
  pageSize?: number;
  clock?: Clock;
  sleep?: Sleep;
  stats?: CallStats;
}

type JsforceError = { errorCode?: string; name?: string; code?: string; message?: string; data?: unknown };

/** jsforce errors carry an errorCode, not the HTTP status: map the codes back for the retry policy. */
export function describeJsforceError(error: unknown): Omit<FailedCall, 'attempt'> {
  const e = (error ?? {}) as JsforceError;
  const code = e.errorCode ?? '';
  if (typeof e.code === 'string' && !code) return { networkCode: e.code };
  const http = /^ERROR_HTTP_(\d{3})$/.exec(code);
  if (http) return { status: Number(http[1]), body: e.data };
  const status: Record<string, number> = {
    INVALID_SESSION_ID: 401,
    REQUEST_LIMIT_EXCEEDED: 403,
    INSUFFICIENT_ACCESS: 403,
    NOT_FOUND: 404,
    SERVER_UNAVAILABLE: 503,
    UNABLE_TO_LOCK_ROW: 503,
    MALFORMED_QUERY: 400,
    INVALID_FIELD: 400,
    INVALID_TYPE: 400,
    INVALID_QUERY_LOCATOR: 400,
  };
  if (status[code] !== undefined) return { status: status[code], body: [{ errorCode: code, message: e.message }] };
  if (/socket hang up|ECONNRESET|network|fetch failed/i.test(e.message ?? '')) return { networkCode: 'ECONNRESET' };
  // jsforce's own refresh delegate failed: the session is gone, not the network.
  if (/Unable to refresh session/i.test(e.message ?? ''))
    return { status: 401, body: [{ errorCode: 'INVALID_SESSION_ID', message: e.message }] };
  return code ? { status: 400, body: [{ errorCode: code, message: e.message }] } : { networkCode: 'UNKNOWN' };
}

const MAP_SLICE_ROWS = 500;
/** How long a describe of an object is trusted at the start of a pass (schema changes are rare; INVALID_FIELD re-describes at once). */
const DESCRIBE_TTL_MS = 15 * 60_000;
/** Objects that carry CurrencyIsoCode in a multi-currency org and whose amounts we read. */
const CURRENCY_OBJECTS: readonly SalesforceObjectName[] = ['Account', 'Opportunity', 'Invoice__c'];
/** Custom sources: a vanilla org has none of them, and the default mapping works without. */
const OPTIONAL_OBJECTS: readonly SalesforceObjectName[] = ['Invoice__c'];
/** Fields without which an object's rows cannot be mapped (a finding on these is not optional). */
const REQUIRED_READ_FIELDS: Partial<Record<SalesforceObjectName, readonly string[]>> = {
  Account: ['Name'],
  Contact: ['AccountId', 'LastName'],
  Opportunity: ['AccountId', 'Name', 'StageName', 'CloseDate'],
  Case: ['AccountId'],
  Task: ['WhatId'],
  Event: ['WhatId'],
  Invoice__c: ['Account__c', 'Amount__c'],
};
/** The permission set the package carries for our fields (manifests' integration permission set). */
export const SALESFORCE_INTEGRATION_PERMISSION_SET = 'Success_Engine_Integration';
/** Our idempotency key on Task (an Activity custom field the package installs; namespaced like the Account fields). */
export const SALESFORCE_TASK_KEY_FIELD = TASK_KEY_FIELD.salesforce;

interface PendingWrite {
  id: string;
  values: ScoreFieldValues;
  hash: string;
}

/** SOQL datetime literal (no quotes, UTC). */
const soqlDateTime = (iso: string): string => new Date(iso).toISOString();
const soqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Salesforce through jsforce 3.10.16: incremental by SystemModstamp with keyset paging (queryAll,
 * so IsDeleted rows arrive as deletions), sObject Collections write-back (200 a call), namespaced
 * fields, and a daily budget read from Sforce-Limit-Info.
 */
export class SalesforceConnector implements CrmConnector {
  readonly provider = 'salesforce' as const;
  readonly stats: CallStats;
  private readonly conn: Connection;
  private readonly clock: Clock;
  private readonly version: string;
  private readonly namespace: string | null;
  private readonly mapping: AccountFieldMapping;
  private readonly ledger: WriteLedger;
  private readonly callOptions: GovernedCallOptions;
  private readonly budgetShare: number;
  /** Per object, the field names (lower-cased) describe showed us; null when the org has no such object. */
  private readonly described = new Map<SalesforceObjectName, Set<string> | null>();
  private readonly describedAt = new Map<SalesforceObjectName, number>();
  private readonly budget: ApiBudgetCounter;

  constructor(private readonly options: SalesforceConnectorOptions) {
    this.clock = options.clock ?? systemClock;
    this.stats = options.stats ?? emptyCallStats();
    this.version = options.version ?? DEFAULT_SALESFORCE_API_VERSION;
    this.namespace = options.namespace === undefined ? SALESFORCE_DEFAULT_NAMESPACE : options.namespace;
    this.mapping = resolveAccountMapping(SALESFORCE_ACCOUNT_MAPPING, options.accountMapping ?? {});
    this.ledger = options.ledger ?? new MemoryWriteLedger();
    this.budgetShare = options.dailyBudgetShare ?? SALESFORCE_DEFAULT_DAILY_BUDGET_SHARE;
    if (!(this.budgetShare > 0 && this.budgetShare <= 1))
      throw new SuccessEngineError('CONFIG.INVALID', `dailyBudgetShare must be in (0, 1], got ${this.budgetShare}`, {
        field: 'dailyBudgetShare',
      });
    this.budget = options.budgetCounter ?? processBudgetCounter;
    this.conn = new Connection({
      version: this.version,
      ...(options.instanceUrl ? { instanceUrl: options.instanceUrl } : {}),
      ...(options.loginUrl ? { loginUrl: options.loginUrl } : {}),
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
      ...(options.oauthClient ? { oauth2: this.oauth2() } : {}),
    });
    // With the connected app, jsforce refreshes an expired session itself: store the new token as our own refresh does.
    this.conn.on('refresh', (accessToken: string) => void this.options.onTokens?.({ ...this.currentTokens(), accessToken }));
    const sleep = options.sleep ?? realSleep;
    const governor =
      options.governor ??
      sharedGovernor(
        `salesforce:${options.orgKey}`,
        {
          capacity: SALESFORCE_LIMITS.requestsPerInterval,
          refillPerSecond: (SALESFORCE_LIMITS.requestsPerInterval * 1000) / SALESFORCE_LIMITS.intervalMs,
        },
        this.clock,
        sleep,
      );
    this.callOptions = {
      limits: { ...SALESFORCE_LIMITS, ...(options.limits ?? {}) },
      governor,
      sleep,
      stats: this.stats,
      describe: describeJsforceError,
      refreshAuth: () => this.refresh(),
    };
  }

  private oauth2(): OAuth2 {
    const c = this.options.oauthClient;
    if (!c) throw new SuccessEngineError('CONFIG.INVALID', 'Salesforce OAuth needs oauthClient (clientId and clientSecret)');
    return new OAuth2({
      clientId: c.clientId,
      ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
      ...(c.redirectUri ? { redirectUri: c.redirectUri } : {}),
      ...(this.options.loginUrl ? { loginUrl: this.options.loginUrl } : {}),
    });
  }

  /** Every REST call without jsforce's own retries (real-time backoff, GET only): the one policy retries instead. */
  private req<T>(
    request: string | { method: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE'; url: string; body?: string; headers?: Record<string, string> },
  ): Promise<T> {
    return this.conn.request<T>(request, { retry: { maxRetries: 0 } });
  }

  private async budgetCheck(): Promise<void> {
    const usage = this.conn.limitInfo?.apiUsage;
    if (!usage || usage.limit <= 0) return;
    const day = this.clock.now().toISOString().slice(0, 10);
    const used = await this.budget.used(this.options.orgKey, day);
    // Our share is counted from our own calls; the org's total stops us too when the org runs dry.
    if (used >= usage.limit * this.budgetShare || usage.used >= usage.limit)
      throw new ApiBudgetExhaustedError(
        'Salesforce',
        { used, orgLimit: usage.limit, orgUsed: usage.used, share: this.budgetShare },
        this.clock.now(),
      );
  }

  private async call<T>(what: string, send: () => Promise<T>, options: GovernedCallOptions = this.callOptions): Promise<T> {
    await this.budgetCheck();
    const before = this.stats.calls;
    try {
      return await governedCall(what, send, options);
    } finally {
      await this.budget.add(this.options.orgKey, this.clock.now().toISOString().slice(0, 10), this.stats.calls - before);
    }
  }

  /** A raw call keeping response headers (Bulk API 2.0 locators), with Sforce-Limit-Info read as jsforce does. */
  private raw(request: RawRequest): Promise<RawResponse> {
    return rawRequest(this.conn, request, (headers) => {
      const m = /api-usage=(\d+)\/(\d+)/.exec(headers['sforce-limit-info'] ?? '');
      if (m) this.conn.limitInfo = { apiUsage: { used: Number(m[1]), limit: Number(m[2]) } };
    });
  }

  // ---------------------------------------------------------------- auth

  async authorise(grant: AuthGrant): Promise<CrmTokens> {
    let tokens: CrmTokens;
    if (grant.kind === 'private-app-token') {
      this.conn.accessToken = grant.token;
      tokens = { accessToken: grant.token };
    } else if (grant.kind === 'authorization-code') {
      await this.conn.authorize(grant.code);
      tokens = this.currentTokens();
    } else if (grant.kind === 'refresh') {
      const res = await this.oauth2().refreshToken(grant.refreshToken);
      this.conn.accessToken = res.access_token;
      this.conn.instanceUrl = res.instance_url;
      tokens = { accessToken: res.access_token, refreshToken: grant.refreshToken, instanceUrl: res.instance_url };
    } else {
      const c = this.options.oauthClient;
      if (!c) throw new SuccessEngineError('CONFIG.INVALID', 'JWT bearer needs oauthClient.clientId (the connected app consumer key)');
      const aud = this.options.loginUrl ?? 'https://login.salesforce.com';
      const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
      const body = `${enc({ alg: 'RS256' })}.${enc({ iss: c.clientId, sub: grant.username, aud, exp: Math.floor(this.clock.now().getTime() / 1000) + 180 })}`;
      const assertion = `${body}.${createSign('RSA-SHA256').update(body).sign(grant.privateKeyPem).toString('base64url')}`;
      await this.conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
      tokens = this.currentTokens();
    }
    await this.options.onTokens?.(tokens);
    return tokens;
  }

  private currentTokens(): CrmTokens {
    return {
      accessToken: this.conn.accessToken ?? '',
      ...(this.conn.refreshToken ? { refreshToken: this.conn.refreshToken } : {}),
      ...(this.conn.instanceUrl ? { instanceUrl: this.conn.instanceUrl } : {}),
    };
  }

  private async refresh(): Promise<void> {
    const jwt = this.options.jwtBearer;
    if (jwt) {
      await this.authorise({ kind: 'jwt-bearer', username: jwt.username, privateKeyPem: jwt.privateKeyPem() });
      return;
    }
    const rt = this.conn.refreshToken ?? this.options.refreshToken;
    if (!rt || !this.options.oauthClient)
      throw new SuccessEngineError(
        'CONNECTOR.AUTH_REVOKED',
        'Salesforce session expired and there is no refresh token (JWT bearer: log in again)',
      );
    await this.authorise({ kind: 'refresh', refreshToken: rt });
  }

  limits(): Promise<ProviderLimits> {
    const usage = this.conn.limitInfo?.apiUsage;
    return Promise.resolve({
      provider: 'salesforce',
      observedAt: this.clock.now().toISOString(),
      ...(usage ? { daily: { max: usage.limit, remaining: usage.limit - usage.used } } : {}),
    });
  }

  // ---------------------------------------------------------------- schema

  private field(key: ScoreFieldKey): string {
    const spec = SCORE_FIELDS.find((f) => f.key === key);
    if (!spec) throw new SuccessEngineError('CONNECTOR.SCHEMA_CONFLICT', `unknown score field ${key}`);
    return salesforceFieldName(spec, this.namespace);
  }

  /**
   * Makes every field we write exist, visible and updateable for the integration user. Fields made
   * through the Tooling API or a package have no field-level security until a permission set grants
   * them (Salesforce Help "Field-Level Security"), so: assign the package's permission set when it
   * is there, create missing fields (unmanaged orgs only) and grant them through that permission
   * set, then verify by describe before the first write-back, naming any field still not writable.
   */
  async ensureSchema(): Promise<{ created: string[]; verified: string[] }> {
    const wanted = SCORE_FIELDS.map((spec) => ({ spec, name: salesforceFieldName(spec, this.namespace) }));
    let permSetId = await this.findPermissionSet();
    if (permSetId) await this.assignPermissionSet(permSetId);
    const have = await this.describeWritable(SALESFORCE_SCORE_OBJECT);
    const created: string[] = [];
    for (const { spec, name } of wanted) {
      if (have.has(name)) continue;
      // Namespaced fields come with the managed package; we can only create fields in an unmanaged org.
      if (this.namespace)
        throw new SuccessEngineError(
          'CONNECTOR.SCHEMA_MISSING',
          `Salesforce field Account.${name} is missing or not visible: install or upgrade the Success Engine package`,
          { field: name },
        );
      const type = SALESFORCE_TYPES[spec.kind];
      const metadata: Record<string, unknown> = { label: spec.label.en, type, description: spec.description.en };
      if (type === 'Text') metadata.length = spec.maxLength ?? 255;
      if (type === 'LongTextArea') Object.assign(metadata, { length: spec.maxLength ?? 32_768, visibleLines: 5 });
      if (type === 'Number') Object.assign(metadata, { precision: 18, scale: spec.kind === 'percent' ? 4 : 2 });
      if (type === 'Picklist')
        metadata.valueSet = { valueSetDefinition: { value: (spec.options ?? []).map((v) => ({ fullName: v, label: v })) } };
      try {
        await this.call(`Salesforce create field ${name}`, () =>
          this.conn.tooling.sobject('CustomField').create({ FullName: `${SALESFORCE_SCORE_OBJECT}.${name}`, Metadata: metadata }),
        );
        created.push(name);
      } catch (error) {
        // Created by an earlier run that stopped before granting it: grant it below.
        if ((error as { cause?: JsforceError }).cause?.errorCode !== 'DUPLICATE_DEVELOPER_NAME') throw error;
      }
    }
    const missing = wanted.filter(({ name }) => !have.has(name)).map(({ name }) => name);
    if (missing.length > 0) {
      permSetId ??= await this.createPermissionSet();
      await this.grantFields(permSetId, SALESFORCE_SCORE_OBJECT, missing);
      await this.assignPermissionSet(permSetId);
    }
    const after = missing.length > 0 ? await this.describeWritable(SALESFORCE_SCORE_OBJECT) : have;
    const notWritable = wanted.filter(({ name }) => !after.has(name)).map(({ name }) => name);
    if (notWritable.length > 0)
      throw new SuccessEngineError(
        'CONNECTOR.FIELD_NOT_WRITABLE',
        `Salesforce field ${notWritable.map((f) => `${SALESFORCE_SCORE_OBJECT}.${f}`).join(', ')} is not visible and updateable for the integration user: assign the ${SALESFORCE_INTEGRATION_PERMISSION_SET} permission set (Setup → Permission Sets)`,
        { fields: notWritable },
      );
    return { created, verified: wanted.map(({ name }) => name).filter((n) => !created.includes(n)) };
  }

  /** Names of the fields the calling user can see and update on `object` (describe answers per user). */
  private async describeWritable(object: string): Promise<Set<string>> {
    const describe = await this.call(`Salesforce describe ${object}`, () =>
      this.req<{ fields: { name: string; updateable: boolean }[] }>(`/services/data/v${this.version}/sobjects/${object}/describe`),
    );
    return new Set(describe.fields.filter((f) => f.updateable).map((f) => f.name));
  }

  /**
   * Multi-currency orgs have CurrencyType (one row per currency, ConversionRate against the corporate
   * currency): https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_currencytype.htm.
   * Single-currency orgs have no such object: null.
   */
  async currencies(): Promise<OrgCurrencies | null> {
    try {
      await this.call('Salesforce describe CurrencyType', () =>
        this.req<unknown>(`/services/data/v${this.version}/sobjects/CurrencyType/describe`),
      );
    } catch (error) {
      if (error instanceof SuccessEngineError && error.code === 'CONNECTOR.NOT_FOUND') return null;
      throw error;
    }
    type Row = { IsoCode: string; ConversionRate: number; IsCorporate: boolean };
    const res = await this.call(
      'Salesforce read currencies',
      async () =>
        (await this.conn.query<Row>('SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true')) as {
          records: Row[];
        },
    );
    const corporate = res.records.find((r) => r.IsCorporate)?.IsoCode;
    if (!corporate) return null;
    return { corporate, rates: Object.fromEntries(res.records.map((r) => [r.IsoCode, r.ConversionRate])) };
  }

  private async userId(): Promise<string> {
    const identity = await this.call('Salesforce identity', () => this.conn.identity());
    return identity.user_id;
  }

  private async findPermissionSet(): Promise<string | undefined> {
    const ns = this.namespace ? `NamespacePrefix = ${soqlString(this.namespace)}` : 'NamespacePrefix = null';
    const res = await this.call(
      'Salesforce find permission set',
      async () =>
        (await this.conn.query<{ Id: string }>(
          `SELECT Id FROM PermissionSet WHERE Name = ${soqlString(SALESFORCE_INTEGRATION_PERMISSION_SET)} AND ${ns}`,
        )) as { totalSize: number; records: { Id: string }[] },
    );
    return res.records[0]?.Id;
  }

  private async createPermissionSet(): Promise<string> {
    const res = await this.call('Salesforce create permission set', () =>
      this.conn.sobject('PermissionSet').create({ Name: SALESFORCE_INTEGRATION_PERMISSION_SET, Label: 'Success Engine Integration' }),
    );
    if (!res.success)
      throw new SuccessEngineError(
        'CONNECTOR.SCHEMA_MISSING',
        `Salesforce could not create permission set ${SALESFORCE_INTEGRATION_PERMISSION_SET}`,
        { errors: res.errors },
      );
    return res.id;
  }

  private async grantFields(permSetId: string, object: string, fields: string[]): Promise<void> {
    const existing = await this.call(
      'Salesforce read field permissions',
      async () =>
        (await this.conn.query<{ Field: string }>(
          `SELECT Field FROM FieldPermissions WHERE ParentId = ${soqlString(permSetId)} AND SobjectType = ${soqlString(object)}`,
        )) as { totalSize: number; records: { Field: string }[] },
    );
    const granted = new Set(existing.records.map((r) => r.Field.toLowerCase()));
    for (const field of fields) {
      if (granted.has(`${object}.${field}`.toLowerCase())) continue;
      await this.call(`Salesforce grant ${object}.${field}`, () =>
        this.conn
          .sobject('FieldPermissions')
          .create({ ParentId: permSetId, SobjectType: object, Field: `${object}.${field}`, PermissionsRead: true, PermissionsEdit: true }),
      );
    }
  }

  private async assignPermissionSet(permSetId: string): Promise<void> {
    const userId = await this.userId();
    const existing = await this.call(
      'Salesforce read permission set assignment',
      async () =>
        (await this.conn.query<{ Id: string }>(
          `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)} AND PermissionSetId = ${soqlString(permSetId)}`,
        )) as { totalSize: number; records: { Id: string }[] },
    );
    if (existing.totalSize > 0) return;
    await this.call('Salesforce assign permission set', () =>
      this.conn.sobject('PermissionSetAssignment').create({ AssigneeId: userId, PermissionSetId: permSetId }),
    );
  }

  // ---------------------------------------------------------------- pull

  async pullPage<E extends EntityName>(entity: E, cursorIn: SyncCursor | null): Promise<PulledPage<E>> {
    const objects = SALESFORCE_OBJECTS_BY_ENTITY[entity];
    const cursor = parseSalesforceCursor(cursorIn);
    const page: PulledPage<E> = { entity, records: [], deletions: [], rejected: [], nextCursor: toSyncCursor(cursor), done: true };
    if (objects.length === 0) return page;
    const object = objects[cursor.type];
    if (object === undefined)
      throw new SuccessEngineError('CONNECTOR.BAD_CURSOR', `Salesforce cursor type index ${cursor.type} is out of range for ${entity}`, {
        cursor: cursorIn,
      });
    const until = cursor.until ?? this.clock.now().toISOString();
    if (cursor.phase !== 'deleted') {
      // Describe first, at the start of each object's pass: query only what exists and is readable.
      // Describe at the start of a pass when the last one is older than DESCRIBE_TTL_MS; otherwise
      // (later pages, restarts, frequent polls) describe again only when Salesforce answers
      // INVALID_FIELD (see pullQuery): a deleted or hidden field still becomes a finding at once.
      const startOfPass = cursor.phase === 'query' && cursor.lastStamp === null && cursor.locator === null && cursor.bulkJob === null;
      const stale = this.clock.now().getTime() - (this.describedAt.get(object) ?? Number.NEGATIVE_INFINITY) > DESCRIBE_TTL_MS;
      const readable = startOfPass && stale ? await this.readableFields(object, true, page) : this.described.get(object);
      if (readable === null) {
        const step = this.nextObject(cursor, until, objects.length);
        page.nextCursor = toSyncCursor(step.next);
        page.done = step.done;
        return page;
      }
    }
    let step: { next: SalesforceCursor; done: boolean };
    if (cursor.phase === 'deleted') step = await this.pullDeleted(object, cursor, until, objects.length, page);
    else if (cursor.phase === 'bulk') step = await this.pullBulk(object, cursor, until, objects.length, page);
    else step = await this.pullQuery(object, cursor, until, objects.length, page);
    page.nextCursor = toSyncCursor(step.next);
    page.done = step.done;
    return page;
  }

  /** The fields we would like per object: the defaults, the admin's Account mapping, and CurrencyIsoCode (multi-currency orgs). */
  private wantedFields(object: SalesforceObjectName): string[] {
    return [
      ...new Set([
        'Id',
        'IsDeleted',
        'SystemModstamp',
        ...SALESFORCE_READ_FIELDS[object],
        ...(object === 'Account' ? mappedFields(this.mapping) : []),
        ...(CURRENCY_OBJECTS.includes(object) ? ['CurrencyIsoCode'] : []),
      ]),
    ];
  }

  /** What we read: the wanted fields the org has and lets us read (describe answers per user). */
  private fieldsOf(object: SalesforceObjectName): string[] {
    const readable = this.described.get(object);
    return readable ? this.wantedFields(object).filter((f) => readable.has(f.toLowerCase())) : this.wantedFields(object);
  }

  /**
   * Describes `object` (cached until `refresh`): the readable field names, or null when the org has no
   * such object. Each wanted field that is missing or hidden becomes a named finding on the page;
   * the sync goes on without it. CurrencyIsoCode exists only in multi-currency orgs: not a finding.
   */
  private async readableFields<E extends EntityName>(
    object: SalesforceObjectName,
    refresh: boolean,
    page: PulledPage<E>,
  ): Promise<Set<string> | null> {
    if (!refresh && this.described.has(object)) return this.described.get(object) ?? null;
    let fields: Set<string> | null;
    try {
      const describe = await this.call(`Salesforce describe ${object}`, () =>
        this.req<{ fields: { name: string }[] }>(`/services/data/v${this.version}/sobjects/${object}/describe`),
      );
      fields = new Set(describe.fields.map((f) => f.name.toLowerCase()));
    } catch (error) {
      if (!(error instanceof SuccessEngineError && error.code === 'CONNECTOR.NOT_FOUND')) throw error;
      fields = null;
    }
    this.described.set(object, fields);
    this.describedAt.set(object, this.clock.now().getTime());
    const findings = (page.findings ??= []);
    if (fields === null) {
      findings.push({
        code: 'CONNECTOR.OBJECT_UNREADABLE',
        object,
        optional: OPTIONAL_OBJECTS.includes(object),
        message: `Salesforce object ${object} does not exist in this org or is not visible to the integration user: its records are not read`,
      });
      return null;
    }
    for (const field of this.wantedFields(object)) {
      if (fields.has(field.toLowerCase()) || field === 'CurrencyIsoCode') continue;
      const optional = !(REQUIRED_READ_FIELDS[object] ?? []).includes(field);
      findings.push({
        code: 'CONNECTOR.FIELD_UNREADABLE',
        object,
        field,
        optional,
        message: `Salesforce field ${object}.${field} does not exist or is not readable by the integration user (field-level security): the sync goes on without it`,
      });
    }
    return fields;
  }

  /** SOQL over the pass window, after the keyset position, in keyset order. */
  private passSoql(object: SalesforceObjectName, cursor: SalesforceCursor, until: string): string {
    const where = [`SystemModstamp <= ${soqlDateTime(until)}`];
    if (cursor.since) where.push(`SystemModstamp > ${soqlDateTime(cursor.since)}`);
    if (cursor.lastStamp && cursor.lastId)
      where.push(
        `(SystemModstamp > ${soqlDateTime(cursor.lastStamp)} OR (SystemModstamp = ${soqlDateTime(cursor.lastStamp)} AND Id > ${soqlString(cursor.lastId)}))`,
      );
    return `SELECT ${this.fieldsOf(object).join(', ')} FROM ${object} WHERE ${where.join(' AND ')} ORDER BY SystemModstamp ASC, Id ASC`;
  }

  /** Map rows, giving the event loop a turn every few hundred rows so writes in flight keep moving during a 50k-row Bulk page. */
  private async mapRows<E extends EntityName>(object: SalesforceObjectName, rows: readonly SfRow[], page: PulledPage<E>): Promise<void> {
    for (const [i, row] of rows.entries()) {
      if (i > 0 && i % MAP_SLICE_ROWS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (row.IsDeleted === true || (row.IsDeleted as unknown) === 'true') {
        page.deletions.push({ externalId: row.Id, deletedAt: new Date(row.SystemModstamp).toISOString() });
        continue;
      }
      const outcome = mapSalesforceRow(object, row, { tenantId: this.options.tenantId, mapping: this.mapping });
      if (outcome.ok) page.records.push(outcome.record as PulledPage<E>['records'][number]);
      else page.rejected.push({ externalId: outcome.externalId, field: outcome.field, reason: outcome.reason });
    }
  }

  /** After an object's rows: incremental passes check getDeleted next; a first load moves on. */
  private afterRows(cursor: SalesforceCursor, until: string, count: number): { next: SalesforceCursor; done: boolean } {
    if (cursor.since !== null)
      return {
        next: { ...cursor, phase: 'deleted', until, lastStamp: null, lastId: null, locator: null, bulkJob: null, bulkLocator: null },
        done: false,
      };
    return this.nextObject(cursor, until, count);
  }

  private nextObject(cursor: SalesforceCursor, until: string, count: number): { next: SalesforceCursor; done: boolean } {
    const fresh = initialSalesforceCursor();
    if (cursor.type + 1 < count)
      return { next: { ...fresh, type: cursor.type + 1, since: cursor.since, until, deletedFrom: cursor.deletedFrom }, done: false };
    return { next: { ...fresh, since: until, until: null, deletedFrom: cursor.deletedFrom }, done: true };
  }

  private async pullQuery<E extends EntityName>(
    object: SalesforceObjectName,
    cursor: SalesforceCursor,
    until: string,
    count: number,
    page: PulledPage<E>,
  ): Promise<{ next: SalesforceCursor; done: boolean }> {
    const pageSize = Math.min(this.options.pageSize ?? SALESFORCE_QUERY_PAGE_MAX, SALESFORCE_QUERY_PAGE_MAX);
    type QueryPage = { totalSize?: number; records: SfRow[]; done: boolean; nextRecordsUrl?: string };
    const run = (): Promise<QueryPage> => {
      const soql = this.passSoql(object, cursor, until);
      return this.call(`Salesforce queryAll ${object}`, () =>
        this.req<QueryPage>({
          method: 'GET',
          url: `/services/data/v${this.version}/queryAll?q=${encodeURIComponent(soql)}`,
          headers: { 'Sforce-Query-Options': `batchSize=${pageSize}` },
        }),
      );
    };
    // A field deleted or hidden since the describe: describe again (a named finding) and retry once without it.
    const keyset = (): Promise<QueryPage> =>
      run().catch(async (error: unknown) => {
        if (!(error instanceof SuccessEngineError && (error as { cause?: JsforceError }).cause?.errorCode === 'INVALID_FIELD')) throw error;
        if ((await this.readableFields(object, true, page)) === null) return { records: [], done: true, totalSize: 0 };
        return run();
      });
    let res: QueryPage;
    if (cursor.locator) {
      const locator = cursor.locator;
      res = await this.call(`Salesforce queryAll ${object} next page`, () => this.req<QueryPage>(locator)).catch((error: unknown) => {
        // Locators expire (15 min) or belong to a dead session: resume from the keyset instead.
        if (error instanceof SuccessEngineError && error.code === 'CONNECTOR.BAD_REQUEST') return keyset();
        throw error;
      });
    } else res = await keyset();
    await this.mapRows(object, res.records, page);
    const last = res.records.at(-1);
    const more = !res.done && res.nextRecordsUrl !== undefined;
    if (!more) return this.afterRows(cursor, until, count);
    const position = last ? { lastStamp: new Date(last.SystemModstamp).toISOString(), lastId: last.Id } : {};
    const next: SalesforceCursor = { ...cursor, ...position, until, locator: res.nextRecordsUrl ?? null };
    // A backfill bigger than the threshold: the rest comes through one Bulk API 2.0 query job
    // (a few calls per 50,000 rows instead of one per 2,000).
    const remaining = (res.totalSize ?? 0) - res.records.length;
    if (cursor.since === null && cursor.lastStamp === null && !cursor.locator && remaining > this.bulkThreshold) {
      const job = await this.startBulkQuery(object, next, until);
      return { next: { ...next, phase: 'bulk', locator: null, bulkJob: job, bulkLocator: null }, done: false };
    }
    return { next, done: false };
  }

  private get bulkThreshold(): number {
    return this.options.bulkThreshold ?? SALESFORCE_BULK_THRESHOLD_RECORDS;
  }

  private async startBulkQuery(object: SalesforceObjectName, after: SalesforceCursor, until: string): Promise<string> {
    // No ORDER BY: it turns off PK chunking. The job's result locator is our position instead.
    const soql = this.passSoql(object, after, until).replace(/ ORDER BY .*$/, '');
    const res = await this.call(`Salesforce Bulk 2.0 queryAll ${object}`, () =>
      this.req<{ id: string }>({
        method: 'POST',
        url: `/services/data/v${this.version}/jobs/query`,
        body: JSON.stringify({ operation: 'queryAll', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' }),
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    return res.id;
  }

  /** Wait for a Bulk job (query or ingest) to finish; a failed or vanished job is a typed error. */
  private async waitForJob(kind: 'query' | 'ingest', id: string): Promise<Record<string, unknown>> {
    const pollMs = this.options.bulkPollMs ?? 1_000;
    const deadline = this.clock.now().getTime() + (this.options.bulkTimeoutMs ?? 10 * 60_000);
    for (;;) {
      const info = await this.call(`Salesforce Bulk 2.0 ${kind} job ${id}`, () =>
        this.req<Record<string, unknown>>(`/services/data/v${this.version}/jobs/${kind}/${id}`),
      );
      const state = String(info.state);
      if (state === 'JobComplete') return info;
      if (state === 'Failed' || state === 'Aborted')
        throw new SuccessEngineError(
          'CONNECTOR.BULK_JOB_FAILED',
          `Salesforce Bulk 2.0 ${kind} job ${id} ended ${state}: ${typeof info.errorMessage === 'string' ? info.errorMessage : 'no message'}`,
          { job: id, state },
        );
      if (this.clock.now().getTime() >= deadline)
        throw new SuccessEngineError(
          'CONNECTOR.UNAVAILABLE',
          `Salesforce Bulk 2.0 ${kind} job ${id} still ${state} after ${this.options.bulkTimeoutMs ?? 600_000} ms`,
          { job: id, state, waitMs: pollMs },
        );
      await this.callOptions.sleep(pollMs);
    }
  }

  /** One page of a Bulk API 2.0 query job's results; the locator goes into the cursor. */
  private async pullBulk<E extends EntityName>(
    object: SalesforceObjectName,
    cursor: SalesforceCursor,
    until: string,
    count: number,
    page: PulledPage<E>,
  ): Promise<{ next: SalesforceCursor; done: boolean }> {
    const job = cursor.bulkJob;
    if (!job) return this.pullQuery(object, { ...cursor, phase: 'query' }, until, count, page);
    let res: RawResponse;
    try {
      if (cursor.bulkLocator === null) await this.waitForJob('query', job);
      const max = Math.max(1, this.options.bulkPageSize ?? SALESFORCE_BULK_QUERY_PAGE_ROWS);
      const locator = cursor.bulkLocator === null ? '' : `&locator=${encodeURIComponent(cursor.bulkLocator)}`;
      res = await this.call(`Salesforce Bulk 2.0 results ${object}`, () =>
        this.raw({
          method: 'GET',
          url: `/services/data/v${this.version}/jobs/query/${job}/results?maxRecords=${max}${locator}`,
          headers: { Accept: 'text/csv' },
        }),
      );
    } catch (error) {
      // Results are kept for days, but a deleted or failed job cannot be resumed: reload this object's
      // window from the keyset (REST) — records already delivered come again and upsert as unchanged.
      if (
        error instanceof SuccessEngineError &&
        (error.code === 'CONNECTOR.NOT_FOUND' || error.code === 'CONNECTOR.BULK_JOB_FAILED' || error.code === 'CONNECTOR.BAD_REQUEST')
      ) {
        return this.pullQuery(
          object,
          { ...cursor, phase: 'query', lastStamp: null, lastId: null, locator: null, bulkJob: null, bulkLocator: null },
          until,
          count,
          page,
        );
      }
      throw error;
    }
    await this.mapRows(object, parseBulkCsv(res.body), page);
    const next = res.headers['sforce-locator'];
    if (next === undefined || next === 'null' || next === '')
      return this.afterRows({ ...cursor, bulkJob: null, bulkLocator: null }, until, count);
    return { next: { ...cursor, until, bulkLocator: next }, done: false };
  }

  /**
   * getDeleted over the pass window: rows purged from the Recycle Bin (emptied, hard-deleted) no
   * longer show in queryAll but stay in the delete log for up to 15 days. A window the log no longer
   * covers cannot be replayed: the caller must reload the entity and sweep what it did not see.
   */
  private async pullDeleted<E extends EntityName>(
    object: SalesforceObjectName,
    cursor: SalesforceCursor,
    until: string,
    count: number,
    page: PulledPage<E>,
  ): Promise<{ next: SalesforceCursor; done: boolean }> {
    const start = cursor.deletedFrom[object] ?? cursor.since ?? until;
    type Deleted = { deletedRecords: { id: string; deletedDate: string }[]; earliestDateAvailable?: string; latestDateCovered?: string };
    let res: Deleted;
    try {
      res = await this.call(`Salesforce getDeleted ${object}`, () =>
        this.req<Deleted>(
          `/services/data/v${this.version}/sobjects/${object}/deleted/?start=${encodeURIComponent(soqlDateTime(start))}&end=${encodeURIComponent(soqlDateTime(until))}`,
        ),
      );
    } catch (error) {
      const cause = (error as { cause?: JsforceError }).cause;
      if (error instanceof SuccessEngineError && cause?.errorCode === 'INVALID_REPLICATION_DATE') {
        throw new SuccessEngineError(
          'CONNECTOR.RESYNC_REQUIRED',
          `Salesforce ${object}: deletions since ${start} are no longer available (${cause.message ?? 'getDeleted window too old'}); reload ${page.entity} in full and sweep records not seen`,
          { entity: page.entity, object, since: start },
          { cause: error },
        );
      }
      throw error;
    }
    if (res.earliestDateAvailable && Date.parse(res.earliestDateAvailable.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) > Date.parse(start)) {
      throw new SuccessEngineError(
        'CONNECTOR.RESYNC_REQUIRED',
        `Salesforce ${object}: the delete log starts at ${res.earliestDateAvailable}, after ${start}; reload ${page.entity} in full and sweep records not seen`,
        { entity: page.entity, object, since: start },
      );
    }
    for (const d of res.deletedRecords)
      page.deletions.push({ externalId: d.id, deletedAt: new Date(d.deletedDate.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString() });
    const covered = res.latestDateCovered ? new Date(res.latestDateCovered.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString() : until;
    // Whole minutes only: the next call starts where this one's coverage ended, never later than asked.
    const deletedFrom = { ...cursor.deletedFrom, [object]: covered > start ? covered : start };
    return this.nextObject({ ...cursor, deletedFrom }, until, count);
  }

  // ---------------------------------------------------------------- write back

  private toSalesforce(values: ScoreFieldValues): Record<string, string | number | null> {
    const out: Record<string, string | number | null> = {};
    for (const spec of SCORE_FIELDS) out[this.field(spec.key)] = values[spec.key];
    return out;
  }

  /** Current score values (sObject Collections retrieve, up to 2,000 ids a call). */
  private async readCurrent(
    ids: readonly string[],
    counted = true,
  ): Promise<Map<string, Record<ScoreFieldKey, string | null | undefined>>> {
    const names = SCORE_FIELDS.map((f) => this.field(f.key));
    const out = new Map<string, Record<ScoreFieldKey, string | null | undefined>>();
    for (let i = 0; i < ids.length; i += SALESFORCE_RETRIEVE_MAX) {
      const chunk = ids.slice(i, i + SALESFORCE_RETRIEVE_MAX);
      const send = (): Promise<(Record<string, unknown> | null)[]> =>
        this.req<(Record<string, unknown> | null)[]>({
          method: 'POST',
          url: `/services/data/v${this.version}/composite/sobjects/${SALESFORCE_SCORE_OBJECT}`,
          body: JSON.stringify({ ids: chunk, fields: ['Id', ...names] }),
          headers: { 'Content-Type': 'application/json' },
        });
      const rows = counted ? await this.call('Salesforce read scores', send) : await send();
      for (const r of rows) {
        if (!r) continue;
        out.set(
          String(r.Id),
          Object.fromEntries(
            SCORE_FIELDS.map((f) => {
              const v = r[this.field(f.key)];
              return [f.key, typeof v === 'string' || typeof v === 'number' ? String(v) : null];
            }),
          ) as Record<ScoreFieldKey, string | null>,
        );
      }
    }
    return out;
  }

  async writeBack(scores: readonly ScoreSet[]): Promise<WriteBackResult[]> {
    const results = new Map<string, WriteBackResult>();
    let pending: PendingWrite[] = [];
    for (const s of scores) {
      const id = s.accountId.startsWith('salesforce:') ? s.accountId.slice('salesforce:'.length) : undefined;
      if (!id) {
        results.set(s.accountId, {
          accountExternalId: s.accountId,
          status: 'failed',
          code: 'CONNECTOR.NOT_SALESFORCE',
          message: `account ${s.accountId} is not a Salesforce account`,
          retryable: false,
        });
        continue;
      }
      const values = scoreFieldValues(s);
      const hash = scoreValuesHash(values);
      if ((await this.ledger.get(id)) === hash) results.set(id, { accountExternalId: id, status: 'unchanged' });
      else pending.push({ id, values, hash });
    }
    if (this.options.readBeforeWrite ?? true) {
      // Accounts the ledger does not know (first write, or after a restart): skip what the CRM already holds.
      const unknown: string[] = [];
      for (const b of pending) if ((await this.ledger.get(b.id)) === undefined) unknown.push(b.id);
      if (unknown.length) {
        const current = await this.readCurrent(unknown);
        const keep: PendingWrite[] = [];
        for (const b of pending) {
          const have = current.get(b.id);
          if (have && sameAsCrm(b.values, have)) {
            await this.ledger.set(b.id, b.hash);
            results.set(b.id, { accountExternalId: b.id, status: 'unchanged' });
          } else keep.push(b);
        }
        pending = keep;
      }
    }
    const written = pending.length > this.bulkThreshold ? await this.writeBulk(pending) : await this.writeCollections(pending);
    for (const r of written) results.set(r.accountExternalId, r);
    return scores.map((s) => results.get(s.accountId.replace(/^salesforce:/, '')) ?? (results.get(s.accountId) as WriteBackResult));
  }

  /** sObject Collections updates, 200 a call, up to `writeConcurrency` calls in flight. */
  private async writeCollections(pending: readonly PendingWrite[]): Promise<WriteBackResult[]> {
    const batches: PendingWrite[][] = [];
    for (let i = 0; i < pending.length; i += SALESFORCE_COLLECTIONS_MAX) batches.push(pending.slice(i, i + SALESFORCE_COLLECTIONS_MAX));
    const out: WriteBackResult[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++] as PendingWrite[];
        out.push(...(await this.writeCollection(batch)));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.options.writeConcurrency ?? 1, batches.length)) }, worker));
    return out;
  }

  private async writeCollection(batch: readonly PendingWrite[]): Promise<WriteBackResult[]> {
    const results: WriteBackResult[] = [];
    let remaining = [...batch];
    let attempt = 0;
    type SaveResult = { id?: string; success: boolean; errors: { statusCode?: string; message?: string }[] };
    let res: SaveResult[];
    try {
      res = await this.call('Salesforce collections update', async () => {
        // After an answer we never saw (reset, 5xx): read back first, so a retried batch never applies twice.
        if (attempt++ > 0) {
          this.stats.calls++;
          const current = await this.readCurrent(
            remaining.map((b) => b.id),
            false,
          );
          const already = new Set(
            remaining
              .filter((b) => {
                const h = current.get(b.id);
                return h !== undefined && sameAsCrm(b.values, h);
              })
              .map((b) => b.id),
          );
          for (const b of remaining) {
            if (!already.has(b.id)) continue;
            await this.ledger.set(b.id, b.hash);
            results.push({ accountExternalId: b.id, status: 'written' });
          }
          remaining = remaining.filter((b) => !already.has(b.id));
          if (remaining.length === 0) return [];
        }
        const body = {
          allOrNone: false,
          records: remaining.map((b) => ({ attributes: { type: SALESFORCE_SCORE_OBJECT }, id: b.id, ...this.toSalesforce(b.values) })),
        };
        return this.req<SaveResult[]>({
          method: 'PATCH',
          url: `/services/data/v${this.version}/composite/sobjects`,
          body: JSON.stringify(body),
          headers: { 'Content-Type': 'application/json' },
        });
      });
    } catch (error) {
      if (!(error instanceof SuccessEngineError)) throw error;
      // Rate limits, budget and revoked access are the queue's business; a bad batch becomes per-record failures.
      if (error.code !== 'CONNECTOR.BAD_REQUEST' && error.code !== 'CONNECTOR.NOT_FOUND') throw error;
      for (const b of remaining)
        results.push({
          accountExternalId: b.id,
          status: 'failed',
          code: error.code,
          message: `Account ${b.id}: ${error.message}`,
          retryable: false,
        });
      return results;
    }
    for (const [j, b] of remaining.entries()) {
      const r = res[j];
      if (r?.success) {
        await this.ledger.set(b.id, b.hash);
        results.push({ accountExternalId: b.id, status: 'written' });
      } else results.push(this.failedWrite(b.id, r?.errors[0]?.statusCode, r?.errors[0]?.message));
    }
    return results;
  }

  private failedWrite(id: string, statusCode: string | undefined, message: string | undefined): WriteBackResult {
    const code = statusCode ?? 'UNKNOWN';
    return {
      accountExternalId: id,
      status: 'failed',
      code: `CONNECTOR.${code}`,
      message: `Account ${id}: ${message ?? 'not written'}`,
      retryable: code === 'UNABLE_TO_LOCK_ROW' || code === 'UNPROCESSED',
    };
  }

  /**
   * Bulk API 2.0 ingest (update) for large write-backs: create, upload once, close, wait, read the
   * per-record results. The upload is never blindly retried (a second PUT could add the rows twice):
   * on an answer we did not see, the job is aborted unclosed — an aborted job applies nothing — and
   * the records go through Collections, which read back before any retry.
   */
  private async writeBulk(pending: readonly PendingWrite[]): Promise<WriteBackResult[]> {
    const base = `/services/data/v${this.version}/jobs/ingest`;
    const fields = SCORE_FIELDS.map((f) => this.field(f.key));
    const csv = ingestCsv(
      fields,
      pending.map((b) => ({ id: b.id, values: this.toSalesforce(b.values) })),
    );
    if (Buffer.byteLength(csv) > SALESFORCE_BULK_INGEST_MAX_BYTES) {
      const half = Math.ceil(pending.length / 2);
      return [...(await this.writeBulk(pending.slice(0, half))), ...(await this.writeBulk(pending.slice(half)))];
    }
    const job = await this.call('Salesforce Bulk 2.0 create ingest job', () =>
      this.req<{ id: string }>({
        method: 'POST',
        url: base,
        body: JSON.stringify({
          object: SALESFORCE_SCORE_OBJECT,
          operation: 'update',
          contentType: 'CSV',
          columnDelimiter: 'COMMA',
          lineEnding: 'LF',
        }),
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    try {
      await this.call(
        'Salesforce Bulk 2.0 upload',
        () => this.raw({ method: 'PUT', url: `${base}/${job.id}/batches`, body: csv, headers: { 'Content-Type': 'text/csv' } }),
        this.onceOptions,
      );
    } catch (error) {
      if (!(error instanceof SuccessEngineError) || error.code === 'CONNECTOR.RATE_LIMITED' || error.code === 'CONNECTOR.AUTH_REVOKED')
        throw error;
      await this.call('Salesforce Bulk 2.0 abort ingest job', () =>
        this.req({
          method: 'PATCH',
          url: `${base}/${job.id}`,
          body: JSON.stringify({ state: 'Aborted' }),
          headers: { 'Content-Type': 'application/json' },
        }),
      ).catch(() => undefined);
      return this.writeCollections(await this.stillToWrite(pending));
    }
    let closeAttempt = 0;
    await this.call('Salesforce Bulk 2.0 close ingest job', async () => {
      // A close whose answer we missed may have landed: only an Open job is closed again.
      if (closeAttempt++ > 0) {
        this.stats.calls++;
        const info = await this.req<{ state: string }>(`${base}/${job.id}`);
        if (info.state !== 'Open') return info;
      }
      return this.req({
        method: 'PATCH',
        url: `${base}/${job.id}`,
        body: JSON.stringify({ state: 'UploadComplete' }),
        headers: { 'Content-Type': 'application/json' },
      });
    });
    await this.waitForJob('ingest', job.id);
    const get = async (what: string): Promise<Record<string, string>[]> =>
      parseIngestResults(
        (
          await this.call(`Salesforce Bulk 2.0 ${what}`, () =>
            this.raw({ method: 'GET', url: `${base}/${job.id}/${what}`, headers: { Accept: 'text/csv' } }),
          )
        ).body,
      );
    const ok = new Set((await get('successfulResults')).map((r) => r.sf__Id ?? r.Id ?? ''));
    const failed = new Map((await get('failedResults')).map((r) => [r.Id ?? r.sf__Id ?? '', r.sf__Error ?? '']));
    const results: WriteBackResult[] = [];
    for (const b of pending) {
      if (ok.has(b.id)) {
        await this.ledger.set(b.id, b.hash);
        results.push({ accountExternalId: b.id, status: 'written' });
        continue;
      }
      const error = failed.get(b.id);
      // "CODE:message"; rows in neither list were not processed and may be retried.
      const m = error === undefined ? null : /^([A-Z_]+):(.*)$/s.exec(error);
      results.push(
        error === undefined
          ? this.failedWrite(b.id, 'UNPROCESSED', 'not processed by the Bulk job')
          : this.failedWrite(b.id, m?.[1], m?.[2] ?? error),
      );
    }
    return results;
  }

  /** Records whose values the CRM does not hold yet (after an upload whose fate we do not know). */
  private async stillToWrite(pending: readonly PendingWrite[]): Promise<PendingWrite[]> {
    const current = await this.readCurrent(pending.map((b) => b.id));
    return pending.filter((b) => {
      const h = current.get(b.id);
      return !(h && sameAsCrm(b.values, h));
    });
  }

  /** Options for calls that must not be replayed blindly (one attempt; rate-limit answers still wait and resend, as nothing was processed). */
  private get onceOptions(): GovernedCallOptions {
    return { ...this.callOptions, limits: { ...this.callOptions.limits, maxAttempts: 1 } };
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Owner tasks for the top next-best-action: Task with WhatId = the account, OwnerId = its owner,
   * and our key in `SE_Action_Key__c` (installed by the package on Activity). Keys already present are
   * reported as `exists`; a create whose answer was lost is read back by key before any retry.
   */
  async createTasks(tasks: readonly CrmTaskInput[]): Promise<CreateTaskResult[]> {
    const keyField = salesforceFieldName({ salesforce: SALESFORCE_TASK_KEY_FIELD }, this.namespace);
    const results = new Map<string, CreateTaskResult>();
    const todo: (CrmTaskInput & { accountExternalId: string })[] = [];
    for (const t of tasks) {
      const id = t.accountId.startsWith('salesforce:') ? t.accountId.slice('salesforce:'.length) : '';
      if (!id)
        results.set(t.key, {
          key: t.key,
          accountExternalId: t.accountId,
          status: 'failed',
          code: 'CONNECTOR.NOT_SALESFORCE',
          message: `account ${t.accountId} is not a Salesforce account`,
          retryable: false,
        });
      else if (!results.has(t.key) && !todo.some((x) => x.key === t.key)) todo.push({ ...t, accountExternalId: id });
    }
    for (let i = 0; i < todo.length; i += SALESFORCE_COLLECTIONS_MAX) {
      const chunk = todo.slice(i, i + SALESFORCE_COLLECTIONS_MAX);
      const existingByKey = async (keys: string[]): Promise<Map<string, string>> => {
        const soql = `SELECT Id, ${keyField} FROM Task WHERE ${keyField} IN (${keys.map(soqlString).join(', ')})`;
        const res = await this.req<{ records: Record<string, unknown>[] }>(
          `/services/data/v${this.version}/query?q=${encodeURIComponent(soql)}`,
        );
        return new Map(res.records.map((r) => [String(r[keyField]), String(r.Id)]));
      };
      const existing = await this.call('Salesforce find tasks by key', () => existingByKey(chunk.map((t) => t.key)));
      let remaining = chunk.filter((t) => {
        const found = existing.get(t.key);
        if (found) results.set(t.key, { key: t.key, accountExternalId: t.accountExternalId, status: 'exists', taskExternalId: found });
        return !found;
      });
      if (remaining.length === 0) continue;
      const needOwner = [...new Set(remaining.filter((t) => !t.ownerId).map((t) => t.accountExternalId))];
      const owners = new Map<string, string>();
      if (needOwner.length) {
        const soql = `SELECT Id, OwnerId FROM Account WHERE Id IN (${needOwner.map(soqlString).join(', ')})`;
        const res = await this.call('Salesforce read account owners', () =>
          this.req<{ records: { Id: string; OwnerId?: string | null }[] }>(
            `/services/data/v${this.version}/query?q=${encodeURIComponent(soql)}`,
          ),
        );
        for (const r of res.records) if (r.OwnerId) owners.set(r.Id, r.OwnerId);
      }
      let attempt = 0;
      type SaveResult = { id?: string; success: boolean; errors: { statusCode?: string; message?: string }[] };
      let res: SaveResult[];
      try {
        res = await this.call('Salesforce create tasks', async () => {
          // After an answer we never saw: look the keys up first, so a retried create never makes a second task.
          if (attempt++ > 0) {
            this.stats.calls++;
            const landed = await existingByKey(remaining.map((t) => t.key));
            for (const t of remaining) {
              const found = landed.get(t.key);
              if (found)
                results.set(t.key, { key: t.key, accountExternalId: t.accountExternalId, status: 'created', taskExternalId: found });
            }
            remaining = remaining.filter((t) => !landed.has(t.key));
            if (remaining.length === 0) return [];
          }
          const records = remaining.map((t) => {
            const ownerId = t.ownerId ?? owners.get(t.accountExternalId);
            return {
              attributes: { type: 'Task' },
              WhatId: t.accountExternalId,
              ...(ownerId ? { OwnerId: ownerId } : {}),
              Subject: t.subject.slice(0, 255),
              Description: t.body,
              ActivityDate: t.dueDate,
              Status: 'Not Started',
              Priority: t.priority === 'high' ? 'High' : t.priority === 'low' ? 'Low' : 'Normal',
              [keyField]: t.key,
            };
          });
          return this.req<SaveResult[]>({
            method: 'POST',
            url: `/services/data/v${this.version}/composite/sobjects`,
            body: JSON.stringify({ allOrNone: false, records }),
            headers: { 'Content-Type': 'application/json' },
          });
        });
      } catch (error) {
        if (!(error instanceof SuccessEngineError) || (error.code !== 'CONNECTOR.BAD_REQUEST' && error.code !== 'CONNECTOR.NOT_FOUND'))
          throw error;
        for (const t of remaining)
          results.set(t.key, {
            key: t.key,
            accountExternalId: t.accountExternalId,
            status: 'failed',
            code: error.code,
            message: `Task for account ${t.accountExternalId}: ${error.message}`,
            retryable: false,
          });
        continue;
      }
      for (const [j, t] of remaining.entries()) {
        const r = res[j];
        if (r?.success && r.id)
          results.set(t.key, { key: t.key, accountExternalId: t.accountExternalId, status: 'created', taskExternalId: r.id });
        else {
          const code = r?.errors[0]?.statusCode ?? 'UNKNOWN';
          results.set(t.key, {
            key: t.key,
            accountExternalId: t.accountExternalId,
            status: 'failed',
            code: `CONNECTOR.${code}`,
            message: `Task for account ${t.accountExternalId}: ${r?.errors[0]?.message ?? 'not created'}`,
            retryable: code === 'UNABLE_TO_LOCK_ROW',
          });
        }
      }
    }
    return tasks.map((t) => results.get(t.key) as CreateTaskResult);
  }
}
