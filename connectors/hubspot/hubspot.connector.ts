import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter';
import {
  SuccessEngineError,
  systemClock,
  type AuthGrant,
  type CanonicalRecordByEntity,
  type Clock,
  type ConnectorFinding,
  type CreateTaskResult,
  type CrmConnector,
  type CrmTaskInput,
  type CrmTokens,
  type Deletion,
  type EntityName,
  type ProviderLimits,
  type PulledPage,
  type ScoreSet,
  type SyncCursor,
  type TenantId,
  type WriteBackResult,
} from '../../core';
import {
  HUBSPOT_PROPERTY_GROUP,
  HUBSPOT_SCORE_OBJECT,
  HUBSPOT_TYPES,
  SCORE_FIELDS,
  TASK_KEY_FIELD,
  type ScoreFieldKey,
} from '../../manifests/field-map';
import { mappedFields, resolveAccountMapping, type AccountFieldMapping, type AccountMappingOverrides } from '../shared/field-mapping';
import { emptyCallStats, governedCall, observeRateHeaders, type CallStats, type GovernedCallOptions } from '../shared/governed-call';
import {
  HUBSPOT_ASSOCIATIONS_BATCH_MAX,
  HUBSPOT_BATCH_MAX,
  HUBSPOT_LIMITS,
  HUBSPOT_REQUEST_TIMEOUT_MS,
  HUBSPOT_LIST_PAGE_MAX,
  HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL,
  HUBSPOT_RATE_INTERVAL_MS,
  HUBSPOT_SEARCH_PAGE_MAX,
  HUBSPOT_SEARCH_REQUESTS_PER_SECOND,
  HUBSPOT_SEARCH_RESULT_CAP,
  type ProviderLimitProfile,
} from '../shared/provider-limits';
import { hubspotWindow, realSleep, sharedGovernor, sharedWindowGovernor, type RateGovernor, type Sleep } from '../shared/rate-governor';
import { header, type FailedCall } from '../shared/retry-policy';
import { sameAsCrm, scoreFieldValues, scoreValuesHash, type ScoreFieldValues } from '../shared/score-values';
import { initialCursor, parseHubSpotCursor, toSyncCursor, type HubSpotCursor } from './hubspot-cursor';
import { HUBSPOT_TYPES_BY_ENTITY, MODIFIED_PROPERTY, READ_PROPERTIES, needsCompany, type HubSpotObjectType } from './hubspot-objects';
import { mapHubSpotObject, type HubSpotObject } from './hubspot-record.mapper';
import {
  cachedSchema,
  forgetSchema,
  missingScopesOf,
  propertyFinding,
  rememberSchema,
  scopeFinding,
  type PortalProperty,
  type PortalSchema,
} from './hubspot-schema';
import { HUBSPOT_ACCOUNT_MAPPING } from './hubspot-account.mapping';
import { MemoryWriteLedger, type WriteLedger } from '../shared/write-ledger';

export interface HubSpotConnectorOptions {
  tenantId: TenantId;
  /** Portal id or any stable tenant key: the governor is shared per key. */
  portalKey: string;
  /** API base, no trailing slash (the sandbox's URL in tests). */
  basePath?: string;
  /** A private-app token or an OAuth access token. */
  accessToken?: string;
  refreshToken?: string;
  /** When the access token expires (OAuth); refreshed ahead of time. */
  expiresAt?: string;
  oauthClient?: { clientId: string; clientSecret: string };
  /** Called with new tokens after a refresh, so the app can store them (encrypted). */
  onTokens?: (tokens: CrmTokens) => void | Promise<void>;
  accountMapping?: AccountMappingOverrides;
  /** Rate governor for the 10-second window; default: in-process, shared per portalKey. Pass a RedisSlidingWindowGovernor under BullMQ. */
  governor?: RateGovernor;
  /** Governor for the search endpoints' own per-second limit. */
  searchGovernor?: RateGovernor;
  /** Requests per 10 s of the app's tier (public app: 100). */
  requestsPerInterval?: number;
  /** A call without an answer for this long is given up and retried (default HUBSPOT_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  limits?: Partial<ProviderLimitProfile>;
  ledger?: WriteLedger;
  /** Read current values before writing accounts the ledger does not know (first write after a restart). */
  readBeforeWrite?: boolean;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  /** Call counters; pass one object to several instances to count a whole run. */
  stats?: CallStats;
}

const REFRESH_AHEAD_MS = 5 * 60_000;
/** Our idempotency key on tasks (a hidden custom task property). */
export const HUBSPOT_TASK_KEY_PROPERTY = TASK_KEY_FIELD.hubspot;
// https://developers.hubspot.com/docs/api/crm/associations (HUBSPOT_DEFINED task → company)
const HUBSPOT_TASK_TO_COMPANY_TYPE_ID = 192;
type SdkError = { code?: number | string; body?: unknown; headers?: Record<string, string>; message?: string };

/** HubSpot through @hubspot/api-client 13.5.0; every call goes through the shared governor and the one retry policy. */
export class HubSpotConnector implements CrmConnector {
  readonly provider = 'hubspot' as const;
  readonly stats: CallStats;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly mapping: AccountFieldMapping;
  private readonly ledger: WriteLedger;
  private readonly callOptions: GovernedCallOptions;
  private readonly searchGovernor: RateGovernor;
  private tokens: CrmTokens | undefined;
  private lastLimits: ProviderLimits;

  constructor(private readonly options: HubSpotConnectorOptions) {
    this.clock = options.clock ?? systemClock;
    this.stats = options.stats ?? emptyCallStats();
    this.mapping = resolveAccountMapping(HUBSPOT_ACCOUNT_MAPPING, options.accountMapping ?? {});
    this.ledger = options.ledger ?? new MemoryWriteLedger();
    // Retries are ours (one policy, shared governor); the SDK's own retry and limiter stay off.
    this.client = new Client({
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      ...(options.basePath ? { basePath: options.basePath } : {}),
      numberOfApiCallRetries: 0,
    });
    if (options.accessToken)
      this.tokens = {
        accessToken: options.accessToken,
        ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
        ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
      };
    const sleep = options.sleep ?? realSleep;
    const perInterval = options.requestsPerInterval ?? HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL;
    const governor =
      options.governor ??
      sharedWindowGovernor(`hubspot:${options.portalKey}`, hubspotWindow(perInterval, HUBSPOT_RATE_INTERVAL_MS), this.clock, sleep);
    this.searchGovernor =
      options.searchGovernor ??
      sharedGovernor(
        `hubspot-search:${options.portalKey}`,
        { capacity: 1, refillPerSecond: HUBSPOT_SEARCH_REQUESTS_PER_SECOND - 1 },
        this.clock,
        sleep,
      );
    this.callOptions = {
      limits: { ...HUBSPOT_LIMITS, ...(options.limits ?? {}) },
      governor,
      sleep,
      stats: this.stats,
      describe: describeSdkError,
      refreshAuth: () => this.refresh(true),
      timeoutMs: options.requestTimeoutMs ?? HUBSPOT_REQUEST_TIMEOUT_MS,
      ...(options.random ? { random: options.random } : {}),
    };
    this.lastLimits = { provider: 'hubspot', observedAt: this.clock.now().toISOString() };
  }

  // ---------------------------------------------------------------- auth

  async authorise(grant: AuthGrant): Promise<CrmTokens> {
    if (grant.kind === 'private-app-token') {
      this.setTokens({ accessToken: grant.token });
      return { accessToken: grant.token };
    }
    if (grant.kind === 'jwt-bearer')
      throw new SuccessEngineError(
        'CONNECTOR.UNSUPPORTED_GRANT',
        'HubSpot has no JWT bearer flow; use OAuth (authorization code) or a private-app token',
      );
    const client = this.oauthClient();
    const response = await governedCall(
      'HubSpot OAuth token',
      () =>
        grant.kind === 'authorization-code'
          ? this.client.oauth.tokensApi.create('authorization_code', grant.code, grant.redirectUri, client.clientId, client.clientSecret)
          : this.client.oauth.tokensApi.create(
              'refresh_token',
              undefined,
              undefined,
              client.clientId,
              client.clientSecret,
              grant.refreshToken,
            ),
      this.withoutRefresh(),
    ).catch((error: unknown) => {
      // A bad code or refresh token is a 400: the grant is gone, not a transient fault.
      if (error instanceof SuccessEngineError && error.code === 'CONNECTOR.BAD_REQUEST')
        throw new SuccessEngineError('CONNECTOR.AUTH_REVOKED', `HubSpot rejected the ${grant.kind} grant`, error.details, { cause: error });
      throw error;
    });
    const tokens: CrmTokens = {
      accessToken: response.accessToken,
      refreshToken: response.refreshToken,
      expiresAt: new Date(this.clock.now().getTime() + response.expiresIn * 1000).toISOString(),
    };
    this.setTokens(tokens);
    await this.options.onTokens?.(tokens);
    return tokens;
  }

  /** Token calls must not try to refresh on failure (that would recurse). */
  private withoutRefresh(): GovernedCallOptions {
    const { refreshAuth: _refresh, ...rest } = this.callOptions;
    return rest;
  }

  private oauthClient(): { clientId: string; clientSecret: string } {
    if (!this.options.oauthClient)
      throw new SuccessEngineError('CONFIG.INVALID', 'HubSpot OAuth needs oauthClient (clientId and clientSecret)');
    return this.options.oauthClient;
  }

  private setTokens(tokens: CrmTokens): void {
    this.tokens = tokens;
    this.client.setAccessToken(tokens.accessToken);
  }

  /** Refresh ahead of expiry (HubSpot tokens last 30 minutes), or now after a 401. */
  private async refresh(force: boolean): Promise<void> {
    const t = this.tokens;
    if (!t?.refreshToken || !this.options.oauthClient) {
      if (force) throw new SuccessEngineError('CONNECTOR.AUTH_REVOKED', 'HubSpot token expired and there is no refresh token to renew it');
      return;
    }
    if (!force && (!t.expiresAt || Date.parse(t.expiresAt) - this.clock.now().getTime() > REFRESH_AHEAD_MS)) return;
    await this.authorise({ kind: 'refresh', refreshToken: t.refreshToken });
  }

  /** One API call: refresh ahead of expiry, pace, retry, watch the rate headers. */
  private async call<T>(what: string, send: () => Promise<{ headers: Record<string, string>; data: T }>, extra?: RateGovernor): Promise<T> {
    await this.refresh(false);
    return governedCall(
      what,
      async () => {
        if (extra) await extra.acquire();
        const info = await send();
        this.observe(info.headers);
        await observeRateHeaders(this.callOptions.governor, info.headers);
        return info.data;
      },
      this.callOptions,
    );
  }

  private observe(headers: Record<string, string>): void {
    const max = Number(header(headers, 'x-hubspot-ratelimit-max'));
    const remaining = Number(header(headers, 'x-hubspot-ratelimit-remaining'));
    const interval = Number(header(headers, 'x-hubspot-ratelimit-interval-milliseconds'));
    const dailyMax = Number(header(headers, 'x-hubspot-ratelimit-daily'));
    const dailyRemaining = Number(header(headers, 'x-hubspot-ratelimit-daily-remaining'));
    const next: ProviderLimits = { provider: 'hubspot', observedAt: this.clock.now().toISOString() };
    if (Number.isFinite(max) && Number.isFinite(remaining))
      next.window = { max, remaining, intervalMs: Number.isFinite(interval) ? interval : HUBSPOT_RATE_INTERVAL_MS };
    else if (this.lastLimits.window) next.window = this.lastLimits.window;
    if (Number.isFinite(dailyMax) && Number.isFinite(dailyRemaining)) next.daily = { max: dailyMax, remaining: dailyRemaining };
    else if (this.lastLimits.daily) next.daily = this.lastLimits.daily;
    this.lastLimits = next;
  }

  limits(): Promise<ProviderLimits> {
    return Promise.resolve(this.lastLimits);
  }

  // ---------------------------------------------------------------- schema

  async ensureSchema(): Promise<{ created: string[]; verified: string[] }> {
    const created: string[] = [];
    const verified: string[] = [];
    const type = HUBSPOT_SCORE_OBJECT;
    const groups = await this.call('HubSpot list property groups', async () => {
      await Promise.resolve();
      const data = await this.client.crm.properties.groupsApi.getAll(type);
      return { headers: {}, data };
    });
    if (groups.results.some((g) => g.name === HUBSPOT_PROPERTY_GROUP.name)) verified.push(`group:${HUBSPOT_PROPERTY_GROUP.name}`);
    else {
      await this.createIgnoringConflict(() =>
        this.client.crm.properties.groupsApi.create(type, {
          name: HUBSPOT_PROPERTY_GROUP.name,
          label: HUBSPOT_PROPERTY_GROUP.label,
          displayOrder: HUBSPOT_PROPERTY_GROUP.displayOrder,
        }),
      );
      created.push(`group:${HUBSPOT_PROPERTY_GROUP.name}`);
    }
    const existing = await this.call('HubSpot list properties', async () => ({
      headers: {},
      data: await this.client.crm.properties.coreApi.getAll(type),
    }));
    const byName = new Map(existing.results.map((p) => [p.name, p]));
    for (const spec of SCORE_FIELDS) {
      const want = HUBSPOT_TYPES[spec.kind];
      const have = byName.get(spec.hubspot);
      if (have) {
        if (have.type !== want.type)
          throw new SuccessEngineError(
            'CONNECTOR.SCHEMA_CONFLICT',
            `HubSpot property ${spec.hubspot} exists with type ${have.type}; Success Engine needs ${want.type}`,
            { property: spec.hubspot },
          );
        verified.push(spec.hubspot);
        continue;
      }
      const options = (spec.options ?? []).map((value, i) => ({ label: value, value, displayOrder: i, hidden: false }));
      await this.createIgnoringConflict(() =>
        this.client.crm.properties.coreApi.create(type, {
          name: spec.hubspot,
          label: spec.label.en,
          description: `${spec.description.en} / ${spec.description.zh}`,
          groupName: HUBSPOT_PROPERTY_GROUP.name,
          type: want.type as never,
          fieldType: want.fieldType as never,
          options,
          hasUniqueValue: false,
          hidden: false,
          formField: false,
        }),
      );
      created.push(spec.hubspot);
    }
    // The cached schema predates what was just created.
    forgetSchema(this.schemaKey(type));
    return { created, verified };
  }

  /** Install is idempotent: a 409 (another worker created it first) counts as done. */
  private async createIgnoringConflict(create: () => Promise<unknown>): Promise<void> {
    try {
      await this.call('HubSpot create schema item', async () => ({ headers: {}, data: await create() }));
    } catch (error) {
      if (error instanceof SuccessEngineError && error.details.status === 409) return;
      throw error;
    }
  }

  // ---------------------------------------------------------------- pull

  private readonly found: ConnectorFinding[] = [];

  /** Everything this instance could not read or write so far (also returned per page in `findings`). */
  findings(): ConnectorFinding[] {
    return [...this.found];
  }

  private note(page: { findings?: ConnectorFinding[] }, finding: ConnectorFinding): void {
    const key = (f: ConnectorFinding): string => `${f.code}|${f.object}|${f.property ?? ''}|${f.scope ?? ''}`;
    if (!this.found.some((f) => key(f) === key(finding))) this.found.push(finding);
    page.findings ??= [];
    if (!page.findings.some((f) => key(f) === key(finding))) page.findings.push(finding);
  }

  /** The API host is part of the key: two portals may share a portal key (tenant and connection ids) in one process. */
  private schemaKey(type: HubSpotObjectType): string {
    return `${this.options.basePath ?? 'api'}|${this.options.portalKey}:${type}`;
  }

  /**
   * The portal's properties for a type, read before any query (cached per portal for a few minutes).
   * A type the token may not read comes back unreadable with the scopes HubSpot named.
   */
  async describe(type: HubSpotObjectType): Promise<PortalSchema> {
    const key = this.schemaKey(type);
    const hit = cachedSchema(key, this.clock);
    if (hit) return hit;
    let schema: PortalSchema;
    try {
      const res = await this.call(`HubSpot read ${type} properties`, async () => ({
        headers: {},
        data: await this.client.crm.properties.coreApi.getAll(type),
      }));
      const properties = new Map<string, PortalProperty>();
      for (const p of res.results)
        properties.set(p.name, {
          name: p.name,
          type: p.type,
          fieldType: p.fieldType,
          options: p.options.map((o) => o.value),
          readOnlyValue: p.modificationMetadata?.readOnlyValue ?? false,
        });
      schema = { readable: true, properties };
    } catch (error) {
      const scopes = missingScopesOf(error);
      if (!scopes) throw error;
      schema = { readable: false, scopes };
    }
    rememberSchema(key, this.clock, schema);
    return schema;
  }

  /** The properties we want that the portal has; each one it lacks becomes a finding. */
  private propertiesFor(
    type: HubSpotObjectType,
    schema: ReadonlyMap<string, PortalProperty>,
    page: { findings?: ConnectorFinding[] },
    report: boolean,
  ): string[] {
    const wanted =
      type === 'companies' ? [...new Set([...READ_PROPERTIES.companies, ...mappedFields(this.mapping)])] : [...READ_PROPERTIES[type]];
    const present = wanted.filter((name) => schema.has(name));
    // Reported on the first page of each pass over a type, not on every page.
    if (report) for (const name of wanted) if (!schema.has(name)) this.note(page, propertyFinding(type, name));
    return present;
  }

  async pullPage<E extends EntityName>(entity: E, cursorIn: SyncCursor | null): Promise<PulledPage<E>> {
    const types = HUBSPOT_TYPES_BY_ENTITY[entity];
    const cursor = parseHubSpotCursor(cursorIn);
    const page: PulledPage<E> = { entity, records: [], deletions: [], rejected: [], nextCursor: toSyncCursor(cursor), done: true };
    if (types.length === 0) return page;
    const type = types[cursor.type];
    if (type === undefined)
      throw new SuccessEngineError('CONNECTOR.BAD_CURSOR', `HubSpot cursor type index ${cursor.type} is out of range for ${entity}`);
    const schema = await this.describe(type);
    if (!schema.readable) return this.skipType(page, type, types.length, cursor, schema.scopes);
    try {
      return await this.pullTypePage(page, type, types.length, cursor, schema.properties);
    } catch (error) {
      // A scope revoked since the schema was read: skip this type, keep the rest of the sync going.
      const scopes = missingScopesOf(error);
      if (!scopes) throw error;
      forgetSchema(this.schemaKey(type));
      return this.skipType({ ...page, records: [], deletions: [], rejected: [] }, type, types.length, cursor, scopes);
    }
  }

  /** Moves the cursor past an unreadable type as if its phase had found nothing. */
  private skipType<E extends EntityName>(
    page: PulledPage<E>,
    type: HubSpotObjectType,
    count: number,
    cursor: HubSpotCursor,
    scopes: string[],
  ): PulledPage<E> {
    this.note(page, scopeFinding(type, scopes, `syncing ${type}`));
    const now = this.clock.now().toISOString();
    const passFrom = cursor.passFrom ?? now;
    const last = cursor.type + 1 >= count;
    let next: HubSpotCursor;
    if (cursor.phase === 'list')
      next = last
        ? { v: 1, phase: 'search', type: 0, after: null, passFrom, windowFrom: passFrom, until: null }
        : { ...cursor, passFrom, type: cursor.type + 1, after: null };
    else {
      const until = cursor.until ?? now;
      next = last
        ? { v: 1, phase: 'search', type: 0, after: null, passFrom: until, windowFrom: until, until: null }
        : { v: 1, phase: 'search', type: cursor.type + 1, after: null, passFrom, windowFrom: passFrom, until };
    }
    page.nextCursor = toSyncCursor(next);
    page.done = last;
    return page;
  }

  private async pullTypePage<E extends EntityName>(
    page: PulledPage<E>,
    type: HubSpotObjectType,
    count: number,
    cursor: HubSpotCursor,
    schema: ReadonlyMap<string, PortalProperty>,
  ): Promise<PulledPage<E>> {
    const types = { length: count };
    const now = this.clock.now().toISOString();
    let objects: (HubSpotObject & { companyId?: string })[];
    let next: HubSpotCursor;
    let typeDone: boolean;

    if (cursor.phase === 'list') {
      // The incremental pass that follows starts where this load started, so changes during the load are caught.
      const passFrom = cursor.passFrom ?? now;
      const res = await this.call(`HubSpot list ${type}`, () =>
        this.client.crm.objects.basicApi.getPageWithHttpInfo(
          type,
          HUBSPOT_LIST_PAGE_MAX,
          cursor.after ?? undefined,
          this.propertiesFor(type, schema, page, cursor.after === null),
          undefined,
          needsCompany(type) ? ['companies'] : undefined,
          false,
        ),
      );
      objects = res.results.map((r) => ({ ...r, ...companyFromInline(type, r.associations) }));
      const after = res.paging?.next?.after;
      typeDone = !after;
      next = after ? { ...cursor, passFrom, after } : { ...cursor, passFrom, after: null };
      if (typeDone)
        next =
          cursor.type + 1 < types.length
            ? { ...next, type: cursor.type + 1 }
            : { v: 1, phase: 'search', type: 0, after: null, passFrom, windowFrom: passFrom, until: null };
      await this.mapInto(page, type, objects);
      page.nextCursor = toSyncCursor(next);
      page.done = typeDone && cursor.type + 1 >= types.length;
      return page;
    }

    if (cursor.phase === 'search') {
      const passFrom = cursor.passFrom ?? initialCursor().passFrom ?? now;
      const until = cursor.until ?? now;
      const windowFrom = cursor.windowFrom ?? passFrom;
      const modified = MODIFIED_PROPERTY[type];
      const offset = cursor.after === null ? 0 : Number(cursor.after);
      const res = await this.call(
        `HubSpot search ${type}`,
        () =>
          this.client.crm.objects.searchApi.doSearchWithHttpInfo(type, {
            filterGroups: [
              {
                filters: [
                  { propertyName: modified, operator: FilterOperatorEnum.Gte, value: windowFrom },
                  { propertyName: modified, operator: FilterOperatorEnum.Lte, value: until },
                ],
              },
            ],
            sorts: [{ propertyName: modified, direction: 'ASCENDING' } as unknown as string],
            properties: this.propertiesFor(type, schema, page, cursor.after === null),
            limit: HUBSPOT_SEARCH_PAGE_MAX,
            ...(cursor.after === null ? {} : { after: cursor.after }),
          }),
        this.searchGovernor,
      );
      objects = res.results;
      if (needsCompany(type)) objects = await this.attachCompanies(type, objects);
      await this.mapInto(page, type, objects);
      const after = res.paging?.next?.after;
      // HubSpot stops paging at 10,000 results even when `total` says there are more.
      const more = offset + res.results.length < res.total;
      if (after !== undefined && Number(after) < HUBSPOT_SEARCH_RESULT_CAP) next = { ...cursor, passFrom, windowFrom, until, after };
      else if (more && res.results.length > 0) {
        // Restart the window at the last stamp seen (inclusive, so ties are re-read, never lost).
        const last = res.results.at(-1)?.properties[modified] ?? windowFrom;
        const lastIso = new Date(last).toISOString();
        if (lastIso === windowFrom)
          throw new SuccessEngineError(
            'CONNECTOR.WINDOW_TOO_NARROW',
            `more than ${HUBSPOT_SEARCH_RESULT_CAP} ${type} share the modified stamp ${windowFrom}; cannot page past the search cap`,
            { type, windowFrom },
          );
        next = { ...cursor, passFrom, windowFrom: lastIso, until, after: null };
      } else next = { v: 1, phase: 'archived', type: cursor.type, after: null, passFrom, windowFrom: null, until };
      page.nextCursor = toSyncCursor(next);
      page.done = false;
      return page;
    }

    // archived: deletions since this pass began
    const passFrom = cursor.passFrom ?? now;
    const until = cursor.until ?? now;
    const res = await this.call(`HubSpot list archived ${type}`, () =>
      this.client.crm.objects.basicApi.getPageWithHttpInfo(
        type,
        HUBSPOT_LIST_PAGE_MAX,
        cursor.after ?? undefined,
        [MODIFIED_PROPERTY[type]],
        undefined,
        undefined,
        true,
      ),
    );
    for (const r of res.results) {
      const archivedAt = (r as { archivedAt?: Date }).archivedAt;
      const at = archivedAt ? new Date(archivedAt).toISOString() : new Date(r.updatedAt).toISOString();
      if (at >= passFrom) page.deletions.push({ externalId: r.id, deletedAt: at } satisfies Deletion);
    }
    const after = res.paging?.next?.after;
    if (after) next = { ...cursor, after };
    else if (cursor.type + 1 < types.length)
      next = { v: 1, phase: 'search', type: cursor.type + 1, after: null, passFrom, windowFrom: passFrom, until };
    else next = { v: 1, phase: 'search', type: 0, after: null, passFrom: until, windowFrom: until, until: null };
    page.nextCursor = toSyncCursor(next);
    page.done = !after && cursor.type + 1 >= types.length;
    return page;
  }

  private async mapInto<E extends EntityName>(
    page: PulledPage<E>,
    type: HubSpotObjectType,
    objects: (HubSpotObject & { companyId?: string })[],
  ): Promise<void> {
    await Promise.resolve();
    for (const obj of objects) {
      const outcome = mapHubSpotObject(type, obj, { tenantId: this.options.tenantId, companyId: obj.companyId, mapping: this.mapping });
      if (outcome.ok) page.records.push(outcome.record as CanonicalRecordByEntity[E]);
      else page.rejected.push({ externalId: outcome.externalId, field: outcome.field, reason: outcome.reason });
    }
  }

  /** Search results carry no associations: one batch read (≤ 1,000 ids) links them to companies. */
  private async attachCompanies(type: HubSpotObjectType, objects: HubSpotObject[]): Promise<(HubSpotObject & { companyId?: string })[]> {
    if (objects.length === 0) return objects;
    const companyOf = new Map<string, string>();
    for (let i = 0; i < objects.length; i += HUBSPOT_ASSOCIATIONS_BATCH_MAX) {
      const inputs = objects.slice(i, i + HUBSPOT_ASSOCIATIONS_BATCH_MAX).map((o) => ({ id: o.id }));
      const res = await this.call(`HubSpot read ${type} → companies`, () =>
        this.client.crm.associations.v4.batchApi.getPageWithHttpInfo(type, 'companies', { inputs }),
      );
      for (const r of res.results) {
        const primary =
          r.to.find((t) =>
            t.associationTypes.some(
              (a) => String(a.category) === 'HUBSPOT_DEFINED' && (a.label === 'Primary' || PRIMARY_COMPANY_TYPE_IDS.has(a.typeId)),
            ),
          ) ?? r.to[0];
        if (primary) companyOf.set(String(r._from.id), String(primary.toObjectId));
      }
    }
    return objects.map((o) => {
      const companyId = companyOf.get(o.id);
      return companyId === undefined ? o : { ...o, companyId };
    });
  }

  // ---------------------------------------------------------------- write back

  async writeBack(scores: readonly ScoreSet[]): Promise<WriteBackResult[]> {
    const results = new Map<string, WriteBackResult>();
    const pending: { externalId: string; values: ScoreFieldValues; hash: string }[] = [];
    for (const score of scores) {
      const externalId = externalIdOf(score.accountId);
      if (externalId === undefined) {
        results.set(score.accountId, {
          accountExternalId: score.accountId,
          status: 'failed',
          code: 'CONNECTOR.NOT_HUBSPOT',
          message: `account ${score.accountId} is not a HubSpot company`,
          retryable: false,
        });
        continue;
      }
      const values = scoreFieldValues(score);
      const hash = scoreValuesHash(values);
      if ((await this.ledger.get(externalId)) === hash) results.set(externalId, { accountExternalId: externalId, status: 'unchanged' });
      else pending.push({ externalId, values, hash });
    }
    const writable = await this.refuseDisallowed(pending, results);
    for (let i = 0; i < writable.length; i += HUBSPOT_BATCH_MAX) {
      const batch = writable.slice(i, i + HUBSPOT_BATCH_MAX);
      for (const r of await this.writeBatch(batch)) results.set(r.accountExternalId, r);
    }
    return scores.map((s) => results.get(externalIdOf(s.accountId) ?? s.accountId) as WriteBackResult);
  }

  /**
   * HubSpot rejects a whole batch for one bad value, so values the portal would refuse (a property
   * deleted, an enumeration option an admin removed) fail by name here and the rest are written.
   */
  private async refuseDisallowed<T extends { externalId: string; values: ScoreFieldValues }>(
    pending: T[],
    results: Map<string, WriteBackResult>,
  ): Promise<T[]> {
    if (pending.length === 0) return pending;
    const type = HUBSPOT_SCORE_OBJECT as HubSpotObjectType;
    let schema = await this.describe(type);
    // Our properties may have been created since the schema was cached (ensureSchema in another worker).
    if (schema.readable && SCORE_FIELDS.some((f) => !schema.readable || !schema.properties.has(f.hubspot))) {
      forgetSchema(this.schemaKey(type));
      schema = await this.describe(type);
    }
    if (!schema.readable) return pending; // the write itself answers 403, which the queue reports
    const props = schema.properties;
    const sink: { findings?: ConnectorFinding[] } = {};
    const ok: T[] = [];
    for (const b of pending) {
      const wire = toHubSpotProperties(b.values);
      const problem = Object.entries(wire)
        .map(([name, value]) => ({ name, value, def: props.get(name) }))
        .find(({ value, def }) => !def || (def.type === 'enumeration' && value !== '' && !def.options.includes(value)));
      if (!problem) {
        ok.push(b);
        continue;
      }
      const finding: ConnectorFinding = problem.def
        ? {
            code: 'CONNECTOR.VALUE_NOT_ALLOWED',
            object: type,
            property: problem.name,
            message: `HubSpot ${type}.${problem.name} does not allow "${problem.value}" (allowed: ${problem.def.options.join(', ')}) / HubSpot ${type}.${problem.name} 不允许值 "${problem.value}"`,
          }
        : propertyFinding(type, problem.name);
      this.note(sink, finding);
      results.set(b.externalId, {
        accountExternalId: b.externalId,
        status: 'failed',
        code: finding.code,
        message: `company ${b.externalId}: ${finding.message}`,
        retryable: false,
      });
    }
    return ok;
  }

  /** Current values of our properties, to skip records that already hold what we would write. */
  private async readCurrent(ids: string[]): Promise<Map<string, Record<ScoreFieldKey, string | null | undefined>>> {
    const names = SCORE_FIELDS.map((f) => f.hubspot);
    const res = await this.call('HubSpot batch read scores', () =>
      this.client.crm.objects.batchApi.readWithHttpInfo(
        HUBSPOT_SCORE_OBJECT,
        { inputs: ids.map((id) => ({ id })), properties: names, propertiesWithHistory: [] },
        false,
      ),
    );
    const out = new Map<string, Record<ScoreFieldKey, string | null | undefined>>();
    for (const r of res.results)
      out.set(
        r.id,
        Object.fromEntries(SCORE_FIELDS.map((f) => [f.key, r.properties[f.hubspot]])) as Record<ScoreFieldKey, string | null | undefined>,
      );
    return out;
  }

  private async writeBatch(batch: { externalId: string; values: ScoreFieldValues; hash: string }[]): Promise<WriteBackResult[]> {
    const results: WriteBackResult[] = [];
    let todo = batch;
    if (this.options.readBeforeWrite ?? true) {
      const unknown: string[] = [];
      for (const b of batch) if ((await this.ledger.get(b.externalId)) === undefined) unknown.push(b.externalId);
      if (unknown.length) {
        const current = await this.readCurrent(unknown);
        todo = [];
        for (const b of batch) {
          const have = current.get(b.externalId);
          if (have && sameAsCrm(b.values, have)) {
            await this.ledger.set(b.externalId, b.hash);
            results.push({ accountExternalId: b.externalId, status: 'unchanged' });
          } else todo.push(b);
        }
      }
    }
    if (todo.length === 0) return results;
    let attempt = 0;
    let remaining = todo;
    let res: Awaited<ReturnType<Client['crm']['objects']['batchApi']['update']>>;
    try {
      res = await this.call('HubSpot batch update scores', async () => {
        // After an answer we never saw (reset, 5xx), read back first: a retried batch must not apply twice.
        if (attempt++ > 0) {
          const current = await this.client.crm.objects.batchApi.readWithHttpInfo(
            HUBSPOT_SCORE_OBJECT,
            {
              inputs: remaining.map((b) => ({ id: b.externalId })),
              properties: SCORE_FIELDS.map((f) => f.hubspot),
              propertiesWithHistory: [],
            },
            false,
          );
          const holds = new Map(
            current.data.results.map((r) => [
              r.id,
              Object.fromEntries(SCORE_FIELDS.map((f) => [f.key, r.properties[f.hubspot]])) as Record<
                ScoreFieldKey,
                string | null | undefined
              >,
            ]),
          );
          const already = remaining.filter((b) => {
            const h = holds.get(b.externalId);
            return h !== undefined && sameAsCrm(b.values, h);
          });
          for (const b of already) {
            await this.ledger.set(b.externalId, b.hash);
            results.push({ accountExternalId: b.externalId, status: 'written' });
          }
          remaining = remaining.filter((b) => !already.includes(b));
          if (remaining.length === 0)
            return {
              headers: current.headers,
              data: { status: 'COMPLETE', results: [], startedAt: new Date(), completedAt: new Date() } as never,
            };
        }
        return this.client.crm.objects.batchApi.updateWithHttpInfo(HUBSPOT_SCORE_OBJECT, {
          inputs: remaining.map((b) => ({ id: b.externalId, properties: toHubSpotProperties(b.values) })),
        });
      });
    } catch (error) {
      if (!(error instanceof SuccessEngineError)) throw error;
      // Rate limits and revoked access are the queue's business; a bad batch becomes per-record failures.
      if (error.code !== 'CONNECTOR.BAD_REQUEST' && error.code !== 'CONNECTOR.NOT_FOUND') throw error;
      for (const b of remaining)
        results.push({ accountExternalId: b.externalId, status: 'failed', code: error.code, message: error.message, retryable: false });
      return results;
    }
    const written = new Set(res.results.map((r) => r.id));
    const missing = new Set<string>();
    for (const e of (res as { errors?: { category?: string; message?: string; context?: Record<string, string[]> }[] }).errors ?? [])
      for (const id of e.context?.ids ?? []) missing.add(id);
    for (const b of remaining) {
      if (written.has(b.externalId)) {
        await this.ledger.set(b.externalId, b.hash);
        results.push({ accountExternalId: b.externalId, status: 'written' });
      } else
        results.push({
          accountExternalId: b.externalId,
          status: 'failed',
          code: missing.has(b.externalId) ? 'CONNECTOR.NOT_FOUND' : 'CONNECTOR.NOT_WRITTEN',
          message: missing.has(b.externalId)
            ? `HubSpot company ${b.externalId} does not exist (deleted or merged)`
            : `HubSpot did not confirm the write to company ${b.externalId}`,
          retryable: !missing.has(b.externalId),
        });
    }
    return results;
  }

  // ---------------------------------------------------------------- tasks

  private taskPropertyReady = false;

  /** Our key property on tasks (created once; a 409 from a racing worker counts as done). */
  private async ensureTaskKeyProperty(): Promise<void> {
    if (this.taskPropertyReady) return;
    const existing = await this.call('HubSpot list task properties', async () => ({
      headers: {},
      data: await this.client.crm.properties.coreApi.getAll('tasks'),
    }));
    if (!existing.results.some((p) => p.name === HUBSPOT_TASK_KEY_PROPERTY)) {
      // The group task properties live in (it differs between portals and API versions).
      const groupName = existing.results.find((p) => p.name === 'hs_task_subject')?.groupName ?? 'task';
      await this.createIgnoringConflict(() =>
        this.client.crm.properties.coreApi.create('tasks', {
          name: HUBSPOT_TASK_KEY_PROPERTY,
          label: 'Success Engine action key',
          description: 'Idempotency key of a task Success Engine created / Success Engine 创建任务的幂等键',
          groupName,
          type: 'string' as never,
          fieldType: 'text' as never,
          hasUniqueValue: false,
          hidden: true,
          formField: false,
        }),
      );
    }
    this.taskPropertyReady = true;
  }

  /**
   * Tasks holding any of these keys, by key. Not a search: HubSpot's search index lags a create by
   * a few seconds (https://developers.hubspot.com/docs/api/crm/search), so a repeat right after a
   * create would duplicate it. The companies' task associations and a batch read by id are current.
   */
  private async tasksByKey(items: readonly { key: string; accountExternalId: string }[], counted = true): Promise<Map<string, string>> {
    const wanted = new Set(items.map((t) => t.key));
    const companies = [...new Set(items.map((t) => t.accountExternalId))];
    const run = async <T>(what: string, send: () => Promise<{ headers: Record<string, string>; data: T }>): Promise<T> => {
      if (counted) return this.call(what, send);
      this.stats.calls++;
      return (await send()).data;
    };
    const taskIds = new Set<string>();
    for (let i = 0; i < companies.length; i += HUBSPOT_ASSOCIATIONS_BATCH_MAX) {
      const inputs = companies.slice(i, i + HUBSPOT_ASSOCIATIONS_BATCH_MAX).map((id) => ({ id }));
      const res = await run('HubSpot read companies → tasks', () =>
        this.client.crm.associations.v4.batchApi.getPageWithHttpInfo('companies', 'tasks', { inputs }),
      );
      for (const r of res.results) for (const t of r.to) taskIds.add(String(t.toObjectId));
    }
    const found = new Map<string, string>();
    const ids = [...taskIds];
    for (let i = 0; i < ids.length; i += HUBSPOT_BATCH_MAX) {
      const inputs = ids.slice(i, i + HUBSPOT_BATCH_MAX).map((id) => ({ id }));
      const res = await run('HubSpot read tasks by id', () =>
        this.client.crm.objects.batchApi.readWithHttpInfo(
          'tasks',
          { inputs, properties: [HUBSPOT_TASK_KEY_PROPERTY], propertiesWithHistory: [] },
          false,
        ),
      );
      for (const r of res.results) {
        const key = r.properties[HUBSPOT_TASK_KEY_PROPERTY];
        if (typeof key === 'string' && wanted.has(key)) found.set(key, r.id);
      }
    }
    return found;
  }

  /**
   * Owner tasks for the top next-best-action: batch create (100) associated to the company, owned by
   * the company owner unless given, our key in `se_action_key`. Keys already present come back as
   * `exists`; after a create whose answer was lost, the keys are looked up before any retry.
   */
  async createTasks(tasks: readonly CrmTaskInput[]): Promise<CreateTaskResult[]> {
    const results = new Map<string, CreateTaskResult>();
    const todo: (CrmTaskInput & { accountExternalId: string })[] = [];
    for (const t of tasks) {
      const id = externalIdOf(t.accountId);
      if (id === undefined)
        results.set(t.key, {
          key: t.key,
          accountExternalId: t.accountId,
          status: 'failed',
          code: 'CONNECTOR.NOT_HUBSPOT',
          message: `account ${t.accountId} is not a HubSpot company`,
          retryable: false,
        });
      else if (!todo.some((x) => x.key === t.key)) todo.push({ ...t, accountExternalId: id });
    }
    const scopeFailure = (t: { key: string; accountExternalId: string }, scopes: string[]): CreateTaskResult => {
      const finding = scopeFinding('tasks', scopes, 'creating tasks');
      this.note({}, finding);
      return {
        key: t.key,
        accountExternalId: t.accountExternalId,
        status: 'failed',
        code: finding.code,
        message: `task for company ${t.accountExternalId}: ${finding.message}`,
        retryable: false,
      };
    };
    if (todo.length) {
      try {
        await this.ensureTaskKeyProperty();
      } catch (error) {
        const scopes = missingScopesOf(error);
        if (!scopes) throw error;
        for (const t of todo) results.set(t.key, scopeFailure(t, scopes));
        return tasks.map((t) => results.get(t.key) as CreateTaskResult);
      }
    }
    for (let i = 0; i < todo.length; i += HUBSPOT_BATCH_MAX) {
      const chunk = todo.slice(i, i + HUBSPOT_BATCH_MAX);
      const existing = await this.tasksByKey(chunk);
      let remaining = chunk.filter((t) => {
        const found = existing.get(t.key);
        if (found) results.set(t.key, { key: t.key, accountExternalId: t.accountExternalId, status: 'exists', taskExternalId: found });
        return !found;
      });
      if (remaining.length === 0) continue;
      const owners = new Map<string, string>();
      const needOwner = [...new Set(remaining.filter((t) => !t.ownerId).map((t) => t.accountExternalId))];
      if (needOwner.length) {
        const res = await this.call('HubSpot read company owners', () =>
          this.client.crm.objects.batchApi.readWithHttpInfo(
            HUBSPOT_SCORE_OBJECT,
            { inputs: needOwner.map((id) => ({ id })), properties: ['hubspot_owner_id'], propertiesWithHistory: [] },
            false,
          ),
        );
        for (const r of res.results) if (r.properties.hubspot_owner_id) owners.set(r.id, r.properties.hubspot_owner_id);
      }
      let attempt = 0;
      let created: { id: string; properties: Record<string, string | null> }[];
      try {
        created = await this.call('HubSpot batch create tasks', async () => {
          if (attempt++ > 0) {
            const landed = await this.tasksByKey(remaining, false);
            for (const t of remaining) {
              const found = landed.get(t.key);
              if (found)
                results.set(t.key, { key: t.key, accountExternalId: t.accountExternalId, status: 'created', taskExternalId: found });
            }
            remaining = remaining.filter((t) => !landed.has(t.key));
            if (remaining.length === 0) return { headers: {}, data: [] };
          }
          const inputs = remaining.map((t) => {
            const owner = t.ownerId ?? owners.get(t.accountExternalId);
            return {
              properties: {
                hs_task_subject: t.subject,
                hs_task_body: t.body,
                hs_task_status: 'NOT_STARTED',
                hs_task_priority: t.priority === 'high' ? 'HIGH' : t.priority === 'low' ? 'LOW' : 'MEDIUM',
                hs_timestamp: `${t.dueDate}T09:00:00.000Z`,
                ...(owner ? { hubspot_owner_id: owner } : {}),
                [HUBSPOT_TASK_KEY_PROPERTY]: t.key,
              },
              associations: [
                {
                  to: { id: t.accountExternalId },
                  types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: HUBSPOT_TASK_TO_COMPANY_TYPE_ID }],
                },
              ],
            };
          });
          const res = await this.client.crm.objects.batchApi.createWithHttpInfo('tasks', { inputs });
          return { headers: res.headers, data: res.data.results.map((r) => ({ id: r.id, properties: r.properties })) };
        });
      } catch (error) {
        const scopes = missingScopesOf(error);
        if (scopes) {
          for (const t of remaining) results.set(t.key, scopeFailure(t, scopes));
          continue;
        }
        if (!(error instanceof SuccessEngineError) || (error.code !== 'CONNECTOR.BAD_REQUEST' && error.code !== 'CONNECTOR.NOT_FOUND'))
          throw error;
        for (const t of remaining)
          results.set(t.key, {
            key: t.key,
            accountExternalId: t.accountExternalId,
            status: 'failed',
            code: error.code,
            message: `task for company ${t.accountExternalId}: ${error.message}`,
            retryable: false,
          });
        continue;
      }
      const byKey = new Map(created.map((r) => [String(r.properties[HUBSPOT_TASK_KEY_PROPERTY]), r.id]));
      for (const t of remaining) {
        const id = byKey.get(t.key);
        results.set(
          t.key,
          id
            ? { key: t.key, accountExternalId: t.accountExternalId, status: 'created', taskExternalId: id }
            : {
                key: t.key,
                accountExternalId: t.accountExternalId,
                status: 'failed',
                code: 'CONNECTOR.NOT_WRITTEN',
                message: `HubSpot did not confirm the task for company ${t.accountExternalId}`,
                retryable: true,
              },
        );
      }
    }
    return tasks.map((t) => results.get(t.key) as CreateTaskResult);
  }
}

function toHubSpotProperties(values: ScoreFieldValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of SCORE_FIELDS) {
    const v = values[spec.key];
    out[spec.hubspot] = v === null ? '' : String(v);
  }
  return out;
}

function externalIdOf(accountId: string): string | undefined {
  return accountId.startsWith('hubspot:') ? accountId.slice('hubspot:'.length) : undefined;
}

/**
 * The v3 name of the Primary edge is the bare `contact_to_company` (the unlabeled one is
 * `contact_to_company_unlabeled`): https://developers.hubspot.com/docs/api/crm/associations/v3.
 * Types without a Primary label (activities, invoices) have one edge, named the same way.
 */
function companyFromInline(
  type: HubSpotObjectType,
  associations: { [key: string]: { results: { id: string; type: string }[] } } | undefined,
): { companyId?: string } {
  const results = associations?.companies?.results ?? [];
  const primaryName = `${type.replace(/s$/, '')}_to_company`;
  const primary = results.find((r) => r.type === primaryName) ?? results[0];
  return primary ? { companyId: primary.id } : {};
}

/** HubSpot-defined Primary association type ids to companies (https://developers.hubspot.com/docs/api/crm/associations, association type ids). */
const PRIMARY_COMPANY_TYPE_IDS: ReadonlySet<number> = new Set([1, 5, 26]);

/** SDK errors (ApiException: numeric code, body, headers) and network errors (string code) for the retry policy. */
export function describeSdkError(error: unknown): Omit<FailedCall, 'attempt'> {
  const e = (error ?? {}) as SdkError;
  if (typeof e.code === 'number') return { status: e.code, body: e.body, headers: e.headers ?? {} };
  if (typeof e.code === 'string') return { networkCode: e.code };
  return { networkCode: 'UNKNOWN' };
}
