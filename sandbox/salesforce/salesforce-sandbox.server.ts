import { createHash, createHmac, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { systemClock, type Clock } from '../../core';
import { FaultInjector, type FaultPlan } from '../faults';
import { mulberry32 } from '../seed/prng';
import { delay, listen, unrefDelay, parseForm, parseJsonBody, Router, type SandboxRequest, type SandboxResponse } from '../http/http-kit';
import { generateBook } from '../seed/book.generator';
import type { Book } from '../seed/book.types';
import type { TelcoRow } from '../seed/telco.reader';
import {
  CHILD_RELATIONSHIPS,
  METADATA_FIELD_TYPES,
  normaliseId,
  salesforceId,
  soapTypeOf,
  type SfCustomObjectDefinition,
  type SfField,
  type SfFieldType,
  type SfObjectSchema,
  type SfOrgProfile,
} from './salesforce-schema';
import { deriveFields, loadBookIntoOrg, parseSfDateTime, SalesforceState, sfDateTime, type SfRecord } from './salesforce-state';
import { prepareQuery, renderRecord, type PreparedQuery } from './soql.executor';
import { SoqlError } from './soql.parser';
import { registerBulk2 } from './bulk2.routes';
import { registerCompositeRoutes, type InnerAnswer } from './salesforce-composite.routes';
import { explainQuery, registerRestExtras } from './salesforce-rest-extras.routes';
import { answerUserRecordAccess, registerSalesforceInstallRoutes, type SalesforceInstallState } from './salesforce-install.routes';

export interface SalesforceSandboxOptions {
  seed?: number;
  accounts?: number;
  rows?: readonly TelcoRow[];
  book?: Book;
  faults?: FaultPlan;
  clock?: Clock;
  port?: number;
  orgId?: string;
  /** Connected app: client credentials, and the certificate (or public key) PEM that verifies JWT bearer assertions. */
  connectedApp?: {
    clientId: string;
    clientSecret: string;
    certificatePem?: string;
    /** "Require Secret for Web Server Flow" (default on, as Salesforce recommends): the code exchange must carry client_secret. */
    requireSecretForWebServerFlow?: boolean;
    /** "Require Secret for Refresh Token Flow" (default on): a refresh must carry client_secret. */
    requireSecretForRefreshTokenFlow?: boolean;
    /** "Enable Client Credentials Flow" with this username as its Run As (execution) user; unset, the flow is refused. */
    clientCredentialsUser?: string;
  };
  /**
   * Passwords for the OAuth username-password flow, by username (the user must be one of `usernames`).
   * With a `securityToken`, the password field must be the password followed by the token, as from
   * outside the org's trusted IP ranges. Users without an entry cannot log in this way.
   */
  passwords?: Readonly<Record<string, { password: string; securityToken?: string }>>;
  /** Usernames that may log in (JWT `sub`), mapped to nothing else; the first is the integration user. */
  usernames?: readonly string[];
  /** Access tokens accepted without a login (tests that skip OAuth). */
  staticAccessTokens?: readonly string[];
  /** Sessions expire this long after issue (Salesforce default timeout: 2 h). */
  sessionSeconds?: number;
  dailyApiRequests?: number;
  /** Managed-package namespace for the Success Engine fields, e.g. "sengine". */
  namespace?: string;
  /** Whether the package's custom fields are already installed on Account. */
  packageInstalled?: boolean;
  /**
   * Whether the package's permission set is already assigned to the integration user (default
   * true). `false` is a fresh install: the fields exist but no one can see them until it is assigned.
   */
  packagePermissionAssigned?: boolean;
  /**
   * The org's shape: `customised` (default; the Telco custom fields, Invoice__c, multi-currency) or
   * `vanilla` (the standard schema only, single currency), as a new customer's org is.
   */
  org?: SfOrgProfile;
  /** Custom objects deployed before start (what a Metadata API deploy of a package would add). */
  customObjects?: readonly SfCustomObjectDefinition[];
  /**
   * Answers lost after the work was done: the request is processed, then the connection drops
   * (a timeout or reset on the way back). The client cannot tell whether its write landed.
   */
  lostAnswers?: { rate?: number; requests?: readonly number[]; seed?: number };
  /** Rows per Bulk API 2.0 query result page unless maxRecords asks for fewer (default 50,000). */
  bulkPageSize?: number;
}

export interface SalesforceSandbox {
  url: string;
  port: number;
  state: SalesforceSandboxState;
  close(): Promise<void>;
}

export interface SalesforceSandboxState {
  org: SalesforceState;
  faults: FaultInjector;
  clock: Clock;
  apiUsage(): { used: number; max: number };
  issueAuthCode(redirectUri: string): string;
  /** Expire one access token, or every session (static tokens included) when none is given. */
  /** Sessions stop working now: one token, or all but those minted less than `spareYoungerThanMs` ago. */
  expireAccessTokens(token?: string, spareYoungerThanMs?: number): void;
  /** Failed answers the fault plan caused, by kind (a lost answer is a processed request whose connection dropped). */
  injected: { drops: number; serverErrors: number; rateLimits: number; expiredSessions: number; lostAnswers: number };
  /** Token revocation and the sharing model behind UserRecordAccess. */
  install?: SalesforceInstallState;
}

const DEFAULT_PAGE = 2000;
const MIN_BATCH = 200;
const COLLECTION_MAX = 200;
const UPDATED_DAYS = 30;
const DELETED_DAYS = 15;
const DAY = 86_400_000;

type SfErr = { errorCode: string; message: string; fields?: string[] };
class SfHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SfErr[],
  ) {
    super(errors[0]?.message ?? 'error');
  }
}
const fail = (status: number, errorCode: string, message: string, fields?: string[]): SfHttpError =>
  new SfHttpError(status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);

export async function startSalesforceSandbox(options: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  const clock = options.clock ?? systemClock;
  const orgId = options.orgId ?? '00D8d0000000SBXEAA';
  const usernames = options.usernames ?? ['integration@sandbox.example.com'];
  const org = new SalesforceState(orgId, '', options.namespace ?? '', options.org ?? 'customised');
  org.seedOrg();
  for (const def of options.customObjects ?? []) org.deployCustomObject(def);
  const book =
    options.book ??
    (options.accounts ? generateBook({ seed: options.seed ?? 1, accounts: options.accounts, rows: options.rows ?? [] }) : undefined);
  if (book) loadBookIntoOrg(org, book);
  const integrationUser = org.insert(
    'User',
    {
      FirstName: 'Integration',
      LastName: 'User',
      Name: 'Integration User',
      Email: usernames[0] ?? '',
      Username: usernames[0] ?? '',
      Alias: 'integ',
      IsActive: true,
    },
    '2020-01-01T00:00:00.000Z',
  );
  // Seeded rows were created and last modified by the integration user; later inserts default to it too.
  org.systemUserId = integrationUser.Id;
  for (const table of org.records.values())
    for (const r of table.values()) {
      r.CreatedById ??= integrationUser.Id;
      r.LastModifiedById ??= integrationUser.Id;
    }
  if (options.packageInstalled) org.installPackageFields(options.packagePermissionAssigned === false ? undefined : integrationUser.Id);
  const userIds = new Map(usernames.map((u, i) => [u, i === 0 ? integrationUser.Id : salesforceId('005', 900_000 + i)]));
  const faults = new FaultInjector(options.faults);
  const lostRng = mulberry32(options.lostAnswers?.seed ?? 99);
  const loseAnswer = (n: number): boolean =>
    (options.lostAnswers?.requests?.includes(n) ?? false) ||
    (options.lostAnswers?.rate !== undefined && lostRng.next() < options.lostAnswers.rate);
  const app = options.connectedApp ?? { clientId: 'sandbox-consumer-key', clientSecret: 'sandbox-consumer-secret' };
  const jwtKey: KeyObject | undefined = app.certificatePem
    ? app.certificatePem.includes('CERTIFICATE')
      ? new X509Certificate(app.certificatePem).publicKey
      : createPublicKey(app.certificatePem)
    : undefined;
  const sessionMs = (options.sessionSeconds ?? 7200) * 1000;
  const maxApi = options.dailyApiRequests ?? 100_000;
  let apiUsed = 0;
  const sessions = new Map<string, { issuedAt: number; expiresAt: number; userId: string }>();
  for (const t of options.staticAccessTokens ?? ['00D8d0000000SBX!sandbox-static-token'])
    sessions.set(t, { issuedAt: 0, expiresAt: Number.POSITIVE_INFINITY, userId: integrationUser.Id });
  const refreshTokens = new Map<string, string>();
  const authCodes = new Map<string, { redirectUri: string; userId: string; codeChallenge?: string }>();
  // Query locators expire after 15 minutes without use, as in Salesforce.
  const CURSOR_IDLE_MS = 15 * 60_000;
  const cursors = new Map<string, { prepared: PreparedQuery; version: string; pageSize: number; lastUsed: number }>();
  let counter = 0;
  let baseUrl = '';

  const state: SalesforceSandboxState = {
    org,
    faults,
    clock,
    apiUsage: () => ({ used: apiUsed, max: maxApi }),
    injected: { drops: 0, serverErrors: 0, rateLimits: 0, expiredSessions: 0, lostAnswers: 0 },
    issueAuthCode(redirectUri) {
      const code = `aPrx${(++counter).toString(36).padStart(8, '0')}`;
      authCodes.set(code, { redirectUri, userId: integrationUser.Id });
      return code;
    },
    expireAccessTokens(token, spareYoungerThanMs = 0) {
      const now = clock.now().getTime();
      for (const [t, s] of sessions)
        if ((token === undefined || t === token) && now - s.issuedAt >= spareYoungerThanMs) s.expiresAt = Math.min(s.expiresAt, now);
    },
  };

  const oauthError = (error: string, description: string, status = 400): SandboxResponse => ({
    status,
    json: { error, error_description: description },
  });
  const tokenResponse = (userId: string, withRefresh: string | undefined): SandboxResponse => {
    const issuedAt = String(clock.now().getTime());
    const accessToken = `${orgId.slice(0, 15)}!AQ${(++counter).toString(36).padStart(10, '0')}sandbox`;
    sessions.set(accessToken, { issuedAt: clock.now().getTime(), expiresAt: clock.now().getTime() + sessionMs, userId });
    const id = `${baseUrl}/id/${orgId}/${userId}`;
    const signature = createHmac('sha256', app.clientSecret)
      .update(id + issuedAt)
      .digest('base64');
    return {
      status: 200,
      json: {
        access_token: accessToken,
        ...(withRefresh ? { refresh_token: withRefresh } : {}),
        signature,
        scope: withRefresh ? 'refresh_token api' : 'api',
        instance_url: baseUrl,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
      },
    };
  };

  const router = new Router();
  const install = (state.install = registerSalesforceInstallRoutes(router, {
    org,
    sessions,
    refreshTokens,
    integrationUserId: integrationUser.Id,
  }));
  // Token endpoint. Web server flow: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
  // (client_secret required while the app has "Require Secret for Web Server Flow",
  // https://help.salesforce.com/s/articleView?id=xcloud.shr_api_enable_oauth_settings_require_secret_for_web_server_flow.htm;
  // code_challenge/code_verifier per https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_understanding_web_server_oauth_flow.htm).
  // Refresh: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm ("Require Secret for
  // Refresh Token Flow"; a secret that is sent is validated even when not required).
  // Username-password: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm
  // Client credentials: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm
  router.on('POST', '/services/oauth2/token', (req) => {
    const form = parseForm(req);
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return jwtBearer(form.get('assertion') ?? '');
    if (form.get('client_id') !== app.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
    const secret = form.get('client_secret');
    if (secret !== null && secret !== app.clientSecret) return oauthError('invalid_client', 'invalid client credentials');
    // A connected app requires its secret unless configured as a public client (as Salesforce's own
    // PlatformCLI app behind `sf org login web` is: @salesforce/core exchanges and refreshes without one).
    const secretRequired =
      grant === 'password' ||
      grant === 'client_credentials' ||
      (grant === 'authorization_code' && (app.requireSecretForWebServerFlow ?? true)) ||
      (grant === 'refresh_token' && (app.requireSecretForRefreshTokenFlow ?? true));
    if (secretRequired && secret === null) return oauthError('invalid_client', 'invalid client credentials');
    if (grant === 'authorization_code') {
      const code = authCodes.get(form.get('code') ?? '');
      if (!code) return oauthError('invalid_grant', 'invalid authorization code');
      if (code.redirectUri !== form.get('redirect_uri'))
        return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
      const verifier = form.get('code_verifier');
      if (code.codeChallenge !== undefined) {
        if (verifier === null) return oauthError('invalid_grant', 'invalid code verifier');
        if (createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge)
          return oauthError('invalid_request', 'invalid code verifier');
      }
      authCodes.delete(form.get('code') ?? '');
      const refresh = `5Aep${(++counter).toString(36).padStart(12, '0')}`;
      refreshTokens.set(refresh, code.userId);
      return tokenResponse(code.userId, refresh);
    }
    if (grant === 'refresh_token') {
      const userId = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!userId) return oauthError('invalid_grant', 'expired access/refresh token');
      return tokenResponse(userId, undefined);
    }
    if (grant === 'password') {
      // No refresh token in this flow. A wrong username, password or missing security token is the same answer.
      const username = form.get('username') ?? '';
      const userId = userIds.get(username);
      const cred = options.passwords?.[username];
      if (!userId || !cred || form.get('password') !== cred.password + (cred.securityToken ?? ''))
        return oauthError('invalid_grant', 'authentication failure');
      return tokenResponse(userId, undefined);
    }
    if (grant === 'client_credentials') {
      // The token runs as the app's execution user; no refresh token.
      const userId = app.clientCredentialsUser === undefined ? undefined : userIds.get(app.clientCredentialsUser);
      if (!userId) return oauthError('invalid_grant', 'no client credentials user enabled');
      return tokenResponse(userId, undefined);
    }
    return oauthError('unsupported_grant_type', 'grant type not supported');
  });
  const jwtBearer = (assertion: string): SandboxResponse => {
    const parts = assertion.split('.');
    if (parts.length !== 3) return oauthError('invalid_grant', 'invalid assertion');
    const [h, p, s] = parts as [string, string, string];
    let header: { alg?: string };
    let claims: { iss?: string; sub?: string; aud?: string; exp?: number };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return oauthError('invalid_grant', 'invalid assertion');
    }
    if (header.alg !== 'RS256') return oauthError('invalid_grant', 'invalid assertion: algorithm must be RS256');
    if (!jwtKey || !verify('RSA-SHA256', Buffer.from(`${h}.${p}`), jwtKey, Buffer.from(s, 'base64url')))
      return oauthError('invalid_grant', 'invalid assertion');
    if (claims.iss !== app.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
    const audiences = [baseUrl, 'https://login.salesforce.com', 'https://test.salesforce.com'];
    if (!claims.aud || !audiences.includes(claims.aud.replace(/\/$/, ''))) return oauthError('invalid_grant', 'audience is invalid');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= clock.now().getTime())
      return oauthError('invalid_grant', 'expired authorization code');
    const userId = userIds.get(claims.sub ?? '');
    if (!userId) return oauthError('invalid_grant', "user hasn't approved this consumer");
    return tokenResponse(userId, undefined);
  };
  router.on('GET', '/services/oauth2/authorize', (req) => {
    const redirect = req.query.get('redirect_uri');
    if (req.query.get('client_id') !== app.clientId || !redirect) return oauthError('invalid_client_id', 'client identifier invalid');
    const target = new URL(redirect);
    const code = state.issueAuthCode(redirect);
    const challenge = req.query.get('code_challenge');
    if (challenge) (authCodes.get(code) as { codeChallenge?: string }).codeChallenge = challenge;
    target.searchParams.set('code', code);
    const st = req.query.get('state');
    if (st !== null) target.searchParams.set('state', st);
    return { status: 302, headers: { Location: target.toString() }, json: { redirect: target.toString() } };
  });

  // ---- REST API (authenticated)
  const api = (path: string): string => `/services/data/:version${path}`;
  const version = (req: SandboxRequest): string => {
    const v = /^v(\d{2}\.0)$/.exec(req.params.version ?? '');
    if (!v || Number(v[1]) < 20) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return v[1] as string;
  };
  const objectOf = (req: SandboxRequest): SfObjectSchema => {
    const o = org.visibleObject(req.params.type ?? '', req.params.$userId);
    if (!o) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return o;
  };

  router.on('GET', '/services/data', () => ({
    status: 200,
    json: ['58.0', '59.0', '60.0', '61.0', '62.0'].map((v) => ({ label: 'Sandbox', url: `/services/data/v${v}`, version: v })),
  }));
  router.on('GET', api(''), (req) => {
    const v = version(req);
    const resources: Record<string, string> = Object.fromEntries(
      ['sobjects', 'query', 'queryAll', 'limits', 'composite', 'tooling', 'jobs'].map((r) => [r, `/services/data/v${v}/${r}`]),
    );
    // jsforce's identity() follows this absolute URL.
    resources.identity = `${baseUrl}/id/${orgId}/${req.params.$userId ?? integrationUser.Id}`;
    return { status: 200, json: resources };
  });
  router.on('GET', '/id/:orgId/:userId', (req) => {
    const user = org.table('User').get(req.params.userId ?? '');
    if (!user || req.params.orgId !== orgId) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return {
      status: 200,
      json: {
        id: `${baseUrl}/id/${orgId}/${user.Id}`,
        user_id: user.Id,
        organization_id: orgId,
        username: user.Username,
        display_name: user.Name,
        email: user.Email,
        active: true,
        urls: {
          rest: `${baseUrl}/services/data/v{version}/`,
          query: `${baseUrl}/services/data/v{version}/query/`,
          sobjects: `${baseUrl}/services/data/v{version}/sobjects/`,
        },
      },
    };
  });

  // OpenID Connect UserInfo, the current user only; the token rides in the Authorization header or
  // `oauth_token`. https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
  // An invalid or expired token answers 403 Bad_OAuth_Token, as the Identity URL does
  // (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm).
  router.on('GET', '/services/oauth2/userinfo', (req) => {
    const token = (req.headers.authorization ?? '').replace(/^(Bearer|OAuth)\s+/i, '').trim() || (req.query.get('oauth_token') ?? '');
    const session = sessions.get(token);
    const user = session && session.expiresAt > clock.now().getTime() ? org.table('User').get(session.userId) : undefined;
    if (!user) return { status: 403, headers: { 'Content-Type': 'text/plain' }, text: 'Bad_OAuth_Token' };
    const id = `${baseUrl}/id/${orgId}/${user.Id}`;
    return {
      status: 200,
      json: {
        sub: id,
        user_id: user.Id,
        organization_id: orgId,
        preferred_username: user.Username,
        nickname: user.Alias,
        name: user.Name,
        email: user.Email,
        email_verified: true,
        given_name: user.FirstName,
        family_name: user.LastName,
        active: true,
        user_type: 'STANDARD',
        urls: {
          rest: `${baseUrl}/services/data/v{version}/`,
          sobjects: `${baseUrl}/services/data/v{version}/sobjects/`,
          query: `${baseUrl}/services/data/v{version}/query/`,
        },
      },
    };
  });

  const pageOf = (cursorId: string, offset: number): Record<string, unknown> => {
    const cursor = cursors.get(cursorId);
    const now = clock.now().getTime();
    if (cursor && now - cursor.lastUsed > CURSOR_IDLE_MS) cursors.delete(cursorId);
    if (!cursor || now - cursor.lastUsed > CURSOR_IDLE_MS) throw fail(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    cursor.lastUsed = now;
    const { prepared, version: v, pageSize } = cursor;
    const end = Math.min(offset + pageSize, prepared.rows.length);
    const records = prepared.rows.slice(offset, end).map((r) => renderRecord(org, prepared, r, v));
    const done = end >= prepared.rows.length;
    if (done) cursors.delete(cursorId);
    return {
      totalSize: prepared.rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${v}/query/${cursorId}-${end}` }),
      records,
    };
  };
  const runQuery = (req: SandboxRequest, scanAll: boolean): SandboxResponse => {
    const v = version(req);
    const explain = req.query.get('explain');
    if (explain) return explainQuery(org, explain, fail);
    const soql = req.query.get('q');
    if (!soql) throw fail(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const access = answerUserRecordAccess(org, install, soql, fail);
    if (access) return { status: 200, json: access };
    const prepared = prepareQuery(org, soql, { scanAll, now: clock.now(), userId: req.params.$userId });
    if (prepared.query.count) return { status: 200, json: { totalSize: prepared.rows.length, done: true, records: [] } };
    const option = /batchSize=(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''));
    const pageSize = option ? Math.min(DEFAULT_PAGE, Math.max(MIN_BATCH, Number(option[1]))) : DEFAULT_PAGE;
    const cursorId = `01g8d${(++counter).toString(36).padStart(10, '0').toUpperCase()}`;
    cursors.set(cursorId, { prepared, version: v, pageSize, lastUsed: clock.now().getTime() });
    return { status: 200, json: pageOf(cursorId, 0) };
  };
  router.on('GET', api('/query'), (req) => runQuery(req, false));
  router.on('GET', api('/queryAll'), (req) => runQuery(req, true));
  const more = (req: SandboxRequest): SandboxResponse => {
    version(req);
    const m = /^(.+)-(\d+)$/.exec(req.params.locator ?? '');
    if (!m) throw fail(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return { status: 200, json: pageOf(m[1] as string, Number(m[2])) };
  };
  router.on('GET', api('/query/:locator'), more);
  router.on('GET', api('/queryAll/:locator'), more);

  // Limits: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm (keys and
  // meanings) and the Salesforce Developer Limits and Allocations Quick Reference
  // (https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/).
  // Maxima are an Enterprise Edition org's; DailyApiRequests and PermissionSets are live, the rest report nothing used.
  const STATIC_LIMITS: Record<string, number> = {
    AnalyticsExternalDataSizeMB: 40_960,
    ConcurrentAsyncGetReportInstances: 200,
    ConcurrentEinsteinDataInsightsStoryCreation: 5,
    ConcurrentEinsteinDiscoveryStoryCreation: 2,
    ConcurrentSyncReportRuns: 20,
    DailyAnalyticsDataflowJobExecutions: 60,
    DailyAnalyticsUploadedFilesSizeMB: 51_200,
    DailyAsyncApexExecutions: 250_000,
    DailyAsyncApexTests: 500,
    DailyBulkApiBatches: 15_000,
    DailyBulkV2QueryFileStorageMB: 976_562,
    DailyBulkV2QueryJobs: 10_000,
    DailyDurableGenericStreamingApiEvents: 10_000,
    DailyDurableStreamingApiEvents: 10_000,
    DailyEinsteinDataInsightsStoryCreation: 1_000,
    DailyEinsteinDiscoveryPredictAPICalls: 50_000,
    DailyEinsteinDiscoveryPredictionsByCDC: 500_000,
    DailyEinsteinDiscoveryStoryCreation: 100,
    DailyFunctionsApiCallLimit: 235_000,
    DailyGenericStreamingApiEvents: 10_000,
    DailyScratchOrgs: 6,
    DailyStandardVolumePlatformEvents: 10_000,
    DailyStreamingApiEvents: 10_000,
    DailyWorkflowEmails: 100_000,
    DataStorageMB: 1024,
    DurableStreamingApiConcurrentClients: 20,
    FileStorageMB: 1024,
    HourlyAsyncReportRuns: 1_200,
    HourlyDashboardRefreshes: 200,
    HourlyDashboardResults: 5_000,
    HourlyDashboardStatuses: 999_999_999,
    HourlyLongTermIdMapping: 100_000,
    HourlyManagedContentPublicRequests: 50_000,
    HourlyODataCallout: 20_000,
    HourlyPublishedPlatformEvents: 250_000,
    HourlyPublishedStandardVolumePlatformEvents: 100_000,
    HourlyShortTermIdMapping: 100_000,
    HourlySyncReportRuns: 500,
    HourlyTimeBasedWorkflow: 1_000,
    MassEmail: 5_000,
    MonthlyEinsteinDiscoveryStoryCreation: 500,
    MonthlyPlatformEventsUsageEntitlement: 0,
    Package2VersionCreates: 6,
    Package2VersionCreatesWithoutValidation: 500,
    PrivateConnectOutboundCalloutHourlyLimitMB: 0,
    PublishCallbackUsageInApex: 5_000_000,
    SingleEmail: 5_000,
    StreamingApiConcurrentClients: 20,
  };
  router.on('GET', api('/limits'), (req) => {
    version(req);
    const json: Record<string, unknown> = {};
    for (const [key, max] of Object.entries(STATIC_LIMITS)) json[key] = { Max: max, Remaining: max };
    json.DailyApiRequests = { Max: maxApi, Remaining: Math.max(0, maxApi - apiUsed) };
    // DataStorageMB as before: the seeded rows use a little of it.
    json.DataStorageMB = { Max: 1024, Remaining: 1000 };
    const customPermSets = [...org.table('PermissionSet').values()].filter((p) => !p.IsDeleted && p.IsOwnedByProfile !== true).length;
    json.PermissionSets = {
      Max: 1_500,
      Remaining: 1_500 - customPermSets,
      CreateCustom: { Max: 1_000, Remaining: 1_000 - customPermSets },
    };
    return { status: 200, json: Object.fromEntries(Object.entries(json).sort(([a], [b]) => a.localeCompare(b))) };
  });

  // Describe shapes: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
  // (DescribeSObjectResult: fields with soapType/externalId, childRelationships from every lookup to this object).
  const describeField = (f: SfField): Record<string, unknown> => {
    const { secured: _secured, ...rest } = f;
    void _secured;
    return {
      ...rest,
      soapType: soapTypeOf(f.type),
      filterable: f.type !== 'textarea',
      sortable: f.type !== 'textarea' && f.type !== 'multipicklist',
      groupable: !['textarea', 'double', 'currency', 'percent', 'datetime', 'multipicklist'].includes(f.type),
      calculated: false,
      idLookup: f.name === 'Id' || f.externalId || f.name === 'Username',
      nameField: f.name === 'Name',
      polymorphicForeignKey: f.referenceTo.length > 1,
      cascadeDelete: false,
      autoNumber: false,
      htmlFormatted: false,
      caseSensitive: false,
      digits: f.type === 'int' ? f.precision : 0,
      byteLength: f.length * 3,
      defaultValue: null,
      inlineHelpText: null,
      namePointing: f.referenceTo.length > 1,
      permissionable: f.custom,
    };
  };
  const childRelationships = (o: SfObjectSchema, userId: string | undefined): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    for (const child of org.schema.values()) {
      const visible = org.visibleObject(child.name, userId) as SfObjectSchema;
      for (const f of visible.fields.values()) {
        if (!f.referenceTo.includes(o.name) || !f.relationshipName) continue;
        const rel = CHILD_RELATIONSHIPS[`${child.name}.${f.name}`] ?? null;
        out.push({
          childSObject: child.name,
          field: f.name,
          relationshipName: rel,
          cascadeDelete: rel !== null && child.name !== 'Task' && child.name !== 'Event',
          restrictedDelete: false,
          deprecatedAndHidden: false,
          junctionIdListNames: [],
          junctionReferenceTo: [],
        });
      }
    }
    return out;
  };
  const describeObject = (o: SfObjectSchema, v: string, full: boolean, userId?: string): Record<string, unknown> => {
    const readOnly = ['Organization', 'CurrencyType'].includes(o.name);
    return {
      name: o.name,
      label: o.label,
      labelPlural: o.labelPlural,
      keyPrefix: o.keyPrefix,
      custom: o.custom,
      queryable: true,
      retrieveable: true,
      searchable: !readOnly,
      layoutable: !readOnly,
      updateable: !readOnly && o.name !== 'PermissionSetAssignment',
      createable: !readOnly,
      deletable: !readOnly,
      replicateable: true,
      triggerable: !readOnly,
      undeletable: !readOnly,
      mergeable: ['Account', 'Contact'].includes(o.name),
      activateable: false,
      customSetting: false,
      deprecatedAndHidden: false,
      feedEnabled: false,
      hasSubtypes: false,
      isSubtype: false,
      mruEnabled: !readOnly,
      urls: {
        sobject: `/services/data/v${v}/sobjects/${o.name}`,
        describe: `/services/data/v${v}/sobjects/${o.name}/describe`,
        rowTemplate: `/services/data/v${v}/sobjects/${o.name}/{ID}`,
      },
      ...(full
        ? {
            fields: [...o.fields.values()].map(describeField),
            childRelationships: childRelationships(o, userId),
            recordTypeInfos: [],
            supportedScopes: [],
            namedLayoutInfos: [],
            actionOverrides: [],
            networkScopeFieldName: null,
            listviewable: null,
            lookupLayoutable: null,
            searchLayoutable: true,
            sobjectDescribeOption: 'FULL',
            compactLayoutable: true,
            createableNonNull: null,
          }
        : {}),
    };
  };
  let schemaChangedAt = clock.now().getTime();
  /** Describe honours If-Modified-Since with 304 when the schema has not changed since (REST API "Describe an Object"). */
  const notModified = (req: SandboxRequest): boolean => {
    const since = Date.parse(String(req.headers['if-modified-since'] ?? ''));
    return !Number.isNaN(since) && Math.floor(schemaChangedAt / 1000) * 1000 <= since;
  };
  const lastModified = (): Record<string, string> => ({ 'Last-Modified': new Date(schemaChangedAt).toUTCString() });
  router.on('GET', api('/sobjects'), (req) => {
    const v = version(req);
    if (notModified(req)) return { status: 304, headers: lastModified() };
    return {
      status: 200,
      headers: lastModified(),
      json: { encoding: 'UTF-8', maxBatchSize: 200, sobjects: [...org.schema.values()].map((o) => describeObject(o, v, false)) },
    };
  });
  router.on('GET', api('/sobjects/:type/describe'), (req) => {
    const v = version(req);
    const o = objectOf(req);
    if (notModified(req)) return { status: 304, headers: lastModified() };
    return { status: 200, headers: lastModified(), json: describeObject(o, v, true, req.params.$userId) };
  });
  router.on('GET', api('/sobjects/:type'), (req) => ({
    status: 200,
    json: { objectDescribe: describeObject(objectOf(req), version(req), false), recentItems: [] },
  }));

  const window = (req: SandboxRequest, days: number): { start: number; end: number; now: number } => {
    const start = parseSfDateTime(req.query.get('start') ?? '');
    const end = parseSfDateTime(req.query.get('end') ?? '');
    const now = clock.now().getTime();
    if (Number.isNaN(start) || Number.isNaN(end))
      throw fail(400, 'MALFORMED_QUERY', "Both 'start' and 'end' must be valid dateTime values");
    if (start < now - days * DAY) throw fail(400, 'INVALID_REPLICATION_DATE', `startDate cannot be more than ${days} days ago`);
    if (end < start) throw fail(400, 'INVALID_REPLICATION_DATE', 'EndDate before StartDate');
    return { start, end, now };
  };
  const floorMinute = (ms: number): number => ms - (ms % 60_000);
  router.on('GET', api('/sobjects/:type/updated'), (req) => {
    version(req);
    const o = objectOf(req);
    const { start, end, now } = window(req, UPDATED_DAYS);
    const covered = floorMinute(Math.min(end, now));
    const ids = [...org.table(o.name).values()]
      .filter((r) => !r.IsDeleted && parseSfDateTime(r.SystemModstamp) >= start && parseSfDateTime(r.SystemModstamp) < covered)
      .map((r) => r.Id);
    if (ids.length > 600_000) throw fail(400, 'EXCEEDED_ID_LIMIT', 'too many ids: narrow the date range');
    return { status: 200, json: { ids, latestDateCovered: sfDateTime(covered) } };
  });
  router.on('GET', api('/sobjects/:type/deleted'), (req) => {
    version(req);
    const o = objectOf(req);
    const { start, end, now } = window(req, DELETED_DAYS);
    const covered = floorMinute(Math.min(end, now));
    // The delete log, not the table: rows purged from the Recycle Bin are still reported here.
    const logged = new Map(org.deletedAt);
    for (const r of org.table(o.name).values()) if (r.IsDeleted && !logged.has(r.Id)) logged.set(r.Id, r.SystemModstamp);
    const deletedRecords = [...logged]
      .filter(([id]) => id.startsWith(o.keyPrefix))
      .map(([id, deletedDate]) => ({ id, deletedDate }))
      .filter((d) => parseSfDateTime(d.deletedDate) >= start && parseSfDateTime(d.deletedDate) < covered);
    const earliest = Math.max(now - DELETED_DAYS * DAY, org.deleteLogPurgedBefore);
    if (start < earliest)
      throw fail(
        400,
        'INVALID_REPLICATION_DATE',
        `startDate is before the earliest date available (${sfDateTime(earliest)}): replicate the object again`,
      );
    return { status: 200, json: { deletedRecords, earliestDateAvailable: sfDateTime(earliest), latestDateCovered: sfDateTime(covered) } };
  });

  /**
   * Applies field values to a record, or returns the per-record errors Salesforce would give
   * (REST API Developer Guide "Status Codes and Error Responses";
   * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode):
   * unknown or invisible fields INVALID_FIELD, read-only ones INVALID_FIELD_FOR_INSERT_UPDATE, wrong
   * JSON types JSON_PARSER_ERROR, too-long text STRING_TOO_LONG, values outside a restricted
   * picklist INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, malformed ids MALFORMED_ID, lookups to
   * missing rows INVALID_CROSS_REFERENCE_KEY (wrong object: FIELD_INTEGRITY_EXCEPTION), bad
   * e-mails INVALID_EMAIL_ADDRESS, and required fields left empty REQUIRED_FIELD_MISSING.
   */
  const applyFields = (
    o: SfObjectSchema,
    record: SfRecord | undefined,
    fields: Record<string, unknown>,
    creating: boolean,
    userId: string = integrationUser.Id,
  ): SfErr[] => {
    const errors: SfErr[] = [];
    const changes: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'attributes' || name === 'Id' || name === 'id') continue;
      const f = o.fields.get(name.toLowerCase());
      if (!f || !org.canAccess(o.name, f, userId, false)) {
        errors.push({ errorCode: 'INVALID_FIELD', message: `No such column '${name}' on sobject of type ${o.name}`, fields: [] });
        continue;
      }
      if ((creating ? !f.createable : !f.updateable) || !org.canAccess(o.name, f, userId, true)) {
        errors.push({
          errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          message: `Unable to create/update fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          fields: [f.name],
        });
        continue;
      }
      const problem = checkValue(o, f, value);
      if (problem) {
        errors.push(problem);
        continue;
      }
      changes[f.name] = f.type === 'reference' && typeof value === 'string' ? normaliseId(value) : value;
    }
    const required = (f: SfField): boolean => !f.nillable && f.createable && f.type !== 'boolean';
    const missing = [...o.fields.values()].filter(
      (f) => required(f) && ((creating && !f.defaultedOnCreate && !(f.name in changes)) || (f.name in changes && changes[f.name] === null)),
    );
    if (errors.length === 0 && missing.length)
      errors.push({
        errorCode: 'REQUIRED_FIELD_MISSING',
        message: `Required fields are missing: [${missing.map((f) => f.name).join(', ')}]`,
        fields: missing.map((f) => f.name),
      });
    if (errors.length === 0 && record) {
      org.writes.set(record.Id, (org.writes.get(record.Id) ?? 0) + 1);
      Object.assign(record, changes);
      deriveFields(o.name, record);
      const now = sfDateTime(clock.now());
      record.LastModifiedDate = now;
      record.LastModifiedById = userId;
      record.SystemModstamp = now;
    }
    return errors;
  };
  const checkValue = (o: SfObjectSchema, f: SfField, value: unknown): SfErr | undefined => {
    if (value === null) return undefined;
    const parserError = (): SfErr => ({
      errorCode: 'JSON_PARSER_ERROR',
      message: `Cannot deserialize instance of ${f.type} from ${typeof value === 'string' ? 'VALUE_STRING' : 'VALUE'} value ${JSON.stringify(value)} or request may be missing a required field`,
      fields: [f.name],
    });
    switch (f.type) {
      case 'double':
      case 'currency':
      case 'percent':
        return typeof value === 'number' && Number.isFinite(value) ? undefined : parserError();
      case 'int':
        return typeof value === 'number' && Number.isInteger(value) ? undefined : parserError();
      case 'boolean':
        return typeof value === 'boolean' ? undefined : parserError();
      case 'date':
        return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))
          ? undefined
          : parserError();
      case 'datetime':
        return typeof value === 'string' && !Number.isNaN(parseSfDateTime(value)) ? undefined : parserError();
      case 'reference': {
        const id = typeof value === 'string' ? normaliseId(value) : undefined;
        if (!id)
          return {
            errorCode: 'MALFORMED_ID',
            message: `${f.label}: id value of incorrect type: ${JSON.stringify(value)}`,
            fields: [f.name],
          };
        const target = org.findById(id);
        const allowed = f.referenceTo.map((t) => org.object(t)?.keyPrefix);
        if (!allowed.includes(id.slice(0, 3)))
          return { errorCode: 'FIELD_INTEGRITY_EXCEPTION', message: `${f.label}: id value of incorrect type: ${id}`, fields: [f.name] };
        if (!target || target.record.IsDeleted)
          return {
            errorCode: target ? 'ENTITY_IS_DELETED' : 'INVALID_CROSS_REFERENCE_KEY',
            message: target ? 'entity is deleted' : `invalid cross reference id`,
            fields: [f.name],
          };
        return undefined;
      }
      default: {
        if (typeof value !== 'string') return parserError();
        if (f.length > 0 && value.length > f.length)
          return {
            errorCode: 'STRING_TOO_LONG',
            message: `${f.label}: data value too large: ${value.slice(0, 80)} (max length=${f.length})`,
            fields: [f.name],
          };
        if (f.type === 'email' && value !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
          return { errorCode: 'INVALID_EMAIL_ADDRESS', message: `${f.label}: invalid email address: ${value}`, fields: [f.name] };
        if (f.restrictedPicklist) {
          const allowed = new Set(f.picklistValues.filter((v) => v.active).map((v) => v.value));
          const bad = (f.type === 'multipicklist' ? value.split(';') : [value]).find((v) => !allowed.has(v));
          if (bad !== undefined)
            return {
              errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              message: `${f.label}: bad value for restricted picklist field: ${bad}`,
              fields: [f.name],
            };
        }
        void o;
        return undefined;
      }
    }
  };
  const lockError = (id: string): SfErr => ({
    errorCode: 'UNABLE_TO_LOCK_ROW',
    message: `unable to obtain exclusive access to this record or 1 records: ${id}`,
    fields: [],
  });

  /** Validates and inserts one record; OwnerId defaults to the calling user (Object Reference, OwnerId). */
  const createRecord = (o: SfObjectSchema, body: Record<string, unknown>, userId: string = integrationUser.Id): SfRecord => {
    if (body.Id !== undefined || body.id !== undefined)
      throw fail(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        'Unable to create/update fields: Id. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
        ['Id'],
      );
    const probe = applyFields(o, undefined, body, true, userId);
    if (probe.length) throw new SfHttpError(400, probe);
    const r = org.insert(o.name, {}, clock.now().toISOString());
    if (o.fields.has('ownerid')) r.OwnerId = userId;
    r.CreatedById = userId;
    applyFields(o, r, body, true, userId);
    const created = sfDateTime(clock.now());
    r.LastModifiedDate = created;
    r.SystemModstamp = created;
    return r;
  };

  const softDelete = (r: SfRecord): void => {
    const now = sfDateTime(clock.now());
    r.IsDeleted = true;
    r.SystemModstamp = now;
    org.deletedAt.set(r.Id, now);
  };
  // Registered before the generic /sobjects/:type/:id routes so that describe/layouts and friends win.
  registerRestExtras(router, {
    org,
    api,
    version,
    objectOf,
    fail,
    createRecord,
    applyFields,
    softDelete,
    probeCreate: (o, body, userId) => applyFields(o, undefined, body, true, userId),
    httpError: (status, errors) => new SfHttpError(status, errors),
  });

  router.on('GET', api('/sobjects/:type/:id'), (req) => {
    const v = version(req);
    const o = objectOf(req);
    const r = org.get(o.name, req.params.id ?? '');
    if (!r || r.IsDeleted) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    const wanted =
      req.query
        .get('fields')
        ?.split(',')
        .map((f) => f.trim()) ?? [...o.fields.values()].map((f) => f.name);
    const prepared = prepareQuery(org, `SELECT ${wanted.join(', ')} FROM ${o.name} WHERE Id = '${r.Id}'`, {
      scanAll: false,
      now: clock.now(),
      userId: req.params.$userId,
    });
    return { status: 200, json: renderRecord(org, prepared, r, v) };
  });
  router.on('PATCH', api('/sobjects/:type/:id'), (req) => {
    version(req);
    const o = objectOf(req);
    const r = org.get(o.name, req.params.id ?? '');
    if (!r || r.IsDeleted) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (faults.lockRow(r.Id)) throw new SfHttpError(400, [lockError(r.Id)]);
    const errors = applyFields(o, r, (parseJsonBody(req) ?? {}) as Record<string, unknown>, false, req.params.$userId);
    if (errors.length) throw new SfHttpError(400, errors);
    return { status: 204 };
  });
  router.on('DELETE', api('/sobjects/:type/:id'), (req) => {
    version(req);
    const o = objectOf(req);
    const r = org.get(o.name, req.params.id ?? '');
    if (!r) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (r.IsDeleted) throw fail(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    const now = sfDateTime(clock.now());
    r.IsDeleted = true;
    r.SystemModstamp = now;
    org.deletedAt.set(r.Id, now);
    return { status: 204 };
  });
  router.on('POST', api('/sobjects/:type'), (req) => {
    version(req);
    const o = objectOf(req);
    const body = (parseJsonBody(req) ?? {}) as Record<string, unknown>;
    const r = createRecord(o, body, req.params.$userId);
    return { status: 201, json: { id: r.Id, success: true, errors: [] } };
  });

  router.on('PATCH', api('/composite/sobjects'), (req) => {
    version(req);
    const body = (parseJsonBody(req) ?? {}) as {
      allOrNone?: boolean;
      records?: (Record<string, unknown> & { attributes?: { type?: string }; id?: string; Id?: string })[];
    };
    const records = body.records ?? [];
    if (records.length > COLLECTION_MAX)
      throw fail(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_MAX} records into this call`);
    // Validate every record first, so allOrNone can roll back without partial writes.
    const plans = records.map((rec) => {
      const id = rec.id ?? rec.Id;
      const o = org.visibleObject(rec.attributes?.type ?? '', req.params.$userId);
      if (!o) return { id, errors: [{ errorCode: 'INVALID_TYPE', message: 'sObject type was not specified in attributes', fields: [] }] };
      const target = typeof id === 'string' ? org.get(o.name, id) : undefined;
      if (typeof id !== 'string')
        return { id, errors: [{ errorCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] };
      if (!target || target.IsDeleted)
        return {
          id,
          errors: [
            {
              errorCode: target ? 'ENTITY_IS_DELETED' : 'INVALID_CROSS_REFERENCE_KEY',
              message: target ? 'entity is deleted' : 'invalid cross reference id',
              fields: [],
            },
          ],
        };
      if (faults.lockRow(id)) return { id, errors: [lockError(id)] };
      const errors = applyFields(o, undefined, rec, false, req.params.$userId);
      return { id, errors, o, target, rec };
    });
    const anyFailed = plans.some((p) => p.errors.length > 0);
    const results = plans.map((p) => {
      if (p.errors.length)
        return {
          ...(p.id !== undefined ? { id: p.id } : {}),
          success: false,
          errors: p.errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] })),
        };
      if (body.allOrNone && anyFailed)
        return {
          id: p.id,
          success: false,
          errors: [
            {
              statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
              message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
              fields: [],
            },
          ],
        };
      if ('o' in p && p.o && p.target && p.rec) applyFields(p.o, p.target, p.rec, false, req.params.$userId);
      return { id: p.id, success: true, errors: [] };
    });
    return { status: 200, json: results };
  });

  // sObject Collections create: POST {allOrNone, records: [{attributes: {type}, ...fields}]}, results in order.
  router.on('POST', api('/composite/sobjects'), (req) => {
    version(req);
    const body = (parseJsonBody(req) ?? {}) as {
      allOrNone?: boolean;
      records?: (Record<string, unknown> & { attributes?: { type?: string } })[];
    };
    const records = body.records ?? [];
    if (records.length > COLLECTION_MAX)
      throw fail(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_MAX} records into this call`);
    const plans = records.map((rec) => {
      const o = org.visibleObject(rec.attributes?.type ?? '', req.params.$userId);
      if (!o)
        return { errors: [{ errorCode: 'INVALID_TYPE', message: 'sObject type was not specified in attributes', fields: [] }] as SfErr[] };
      if (rec.id !== undefined || rec.Id !== undefined)
        return { errors: [{ errorCode: 'INVALID_FIELD', message: 'cannot specify Id in an insert call', fields: ['Id'] }] as SfErr[] };
      return { errors: applyFields(o, undefined, rec, true, req.params.$userId), o, rec };
    });
    const anyFailed = plans.some((p) => p.errors.length > 0);
    const results = plans.map((p) => {
      if (p.errors.length)
        return { success: false, errors: p.errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] })) };
      if (body.allOrNone && anyFailed)
        return {
          success: false,
          errors: [
            {
              statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
              message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
              fields: [],
            },
          ],
        };
      if (!('o' in p) || !p.o || !p.rec) return { success: false, errors: [] };
      const r = createRecord(p.o, p.rec, req.params.$userId);
      return { id: r.Id, success: true, errors: [] };
    });
    return { status: 200, json: results };
  });

  // sObject Collections retrieve: POST {ids, fields} (jsforce) or GET ?ids=&fields=; null for ids not found.
  const retrieveMany = (req: SandboxRequest, ids: string[], fields: string[]): SandboxResponse => {
    const v = version(req);
    const o = objectOf(req);
    if (ids.length > 2000) throw fail(400, 'EXCEEDED_ID_LIMIT', 'cannot retrieve more than 2000 records');
    if (fields.length === 0) throw fail(400, 'MALFORMED_QUERY', 'fields must be given');
    const prepared = prepareQuery(org, `SELECT ${fields.join(', ')} FROM ${o.name}`, {
      scanAll: false,
      now: clock.now(),
      userId: req.params.$userId,
    });
    return {
      status: 200,
      json: ids.map((id) => {
        const r = org.get(o.name, id);
        return r && !r.IsDeleted ? renderRecord(org, prepared, r, v) : null;
      }),
    };
  };
  router.on('POST', api('/composite/sobjects/:type'), (req) => {
    const body = (parseJsonBody(req) ?? {}) as { ids?: string[]; fields?: string[] };
    return retrieveMany(req, body.ids ?? [], body.fields ?? []);
  });
  router.on('GET', api('/composite/sobjects/:type'), (req) =>
    retrieveMany(req, (req.query.get('ids') ?? '').split(',').filter(Boolean), (req.query.get('fields') ?? '').split(',').filter(Boolean)),
  );

  // Tooling API: what a connector uses to create the custom fields when the package is not installed.
  router.on('POST', api('/tooling/sobjects/CustomField'), (req) => {
    version(req);
    const body = (parseJsonBody(req) ?? {}) as {
      FullName?: string;
      Metadata?: { label?: string; type?: string; length?: number; precision?: number; scale?: number };
    };
    const [objectName, fieldName] = (body.FullName ?? '').split('.');
    const o = org.object(objectName ?? '');
    if (!o || !fieldName || !fieldName.endsWith('__c'))
      throw fail(400, 'INVALID_INPUT', `FullName must look like Account.Field_Name__c, got ${body.FullName}`);
    if (o.fields.has(fieldName.toLowerCase()))
      throw fail(400, 'DUPLICATE_DEVELOPER_NAME', `There's already a field named ${fieldName} on ${o.name}.`);
    const type: SfFieldType | undefined = METADATA_FIELD_TYPES[body.Metadata?.type ?? ''];
    if (!type) throw fail(400, 'INVALID_INPUT', `Unsupported field type ${body.Metadata?.type}`);
    // A new field has no field-level security until a permission set grants it (Salesforce Help,
    // "Field-Level Security"): describe, SOQL and writes see nothing of it until then.
    org.addField(o, fieldName, type, {
      label: body.Metadata?.label ?? fieldName,
      ...(type === 'string' && body.Metadata?.length ? { length: body.Metadata.length } : {}),
    });
    schemaChangedAt = clock.now().getTime();
    return { status: 201, json: { id: salesforceId('00N', ++counter), success: true, errors: [], warnings: [], infos: [] } };
  });

  registerBulk2(
    router,
    {
      org,
      clock,
      userId: integrationUser.Id,
      pageSize: options.bulkPageSize ?? 50_000,
      version,
      fail,
      apply: (objectName, record, fields, creating) => applyFields(org.object(objectName) as SfObjectSchema, record, fields, creating),
      lockRow: (id) => faults.lockRow(id),
    },
    api,
  );

  const limitHeader = (): Record<string, string> => ({ 'Sforce-Limit-Info': `api-usage=${apiUsed}/${maxApi}` });
  const errorResponse = (status: number, errors: SfErr[]): SandboxResponse => ({
    status,
    headers: limitHeader(),
    json: errors.map((e) => ({ message: e.message, errorCode: e.errorCode, ...(e.fields ? { fields: e.fields } : {}) })),
  });

  /** The Salesforce error an exception stands for (a thrown SfHttpError, a SOQL error, unparsable JSON), if any. */
  const knownError = (e: unknown): { status: number; errors: SfErr[] } | undefined => {
    if (e instanceof SfHttpError) return { status: e.status, errors: e.errors };
    if (e instanceof SoqlError) return { status: 400, errors: [{ errorCode: e.errorCode, message: e.message }] };
    if (e instanceof Error && 'code' in e && e.code === 'SANDBOX.BAD_JSON')
      return { status: 400, errors: [{ errorCode: 'JSON_PARSER_ERROR', message: e.message }] };
    return undefined;
  };

  /**
   * A subrequest of Composite or Composite Batch, run through the same routes as the caller's own
   * requests: same user, no fault injection, no API call counted (the envelope counts).
   */
  const invoke = async (
    method: string,
    pathAndQuery: string,
    body: unknown,
    userId: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<InnerAnswer> => {
    const url = new URL(pathAndQuery, 'http://sandbox.local');
    const matched = router.match(method, url.pathname);
    if (matched === undefined || matched === 'method')
      return {
        status: matched ? 405 : 404,
        headers: {},
        body: [
          matched
            ? { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET,PATCH,DELETE,POST` }
            : { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
        ],
      };
    const inner: SandboxRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
      rawBody: body === undefined ? '' : JSON.stringify(body),
      params: { ...matched.params, ...(userId ? { $userId: userId } : {}) },
    };
    try {
      const answer = await matched.handler(inner);
      const created = answer.json as { id?: unknown } | undefined;
      // A create answers with the new row's URL (Composite Subrequest Result example).
      const location =
        answer.status === 201 && method === 'POST' && /\/sobjects\/[^/]+$/.test(url.pathname) && typeof created?.id === 'string'
          ? { Location: `${url.pathname}/${created.id}` }
          : {};
      return { status: answer.status, headers: location, body: answer.json ?? null };
    } catch (e) {
      const known = knownError(e);
      if (!known) throw e;
      return {
        status: known.status,
        headers: {},
        body: known.errors.map((x) => ({ message: x.message, errorCode: x.errorCode, ...(x.fields ? { fields: x.fields } : {}) })),
      };
    }
  };
  registerCompositeRoutes(router, {
    org,
    api,
    version,
    fail,
    invoke,
    createRecord,
    errorsOf: (e) => (e instanceof SfHttpError ? e.errors : undefined),
    countApiCalls: (n) => {
      apiUsed += n;
    },
  });

  const dispatch = async (req: SandboxRequest): Promise<SandboxResponse | 'drop'> => {
    const fault = faults.next();
    if (fault.expireTokens) state.expireAccessTokens(undefined, fault.spareTokensYoungerThanMs);
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.decision.kind === 'drop') {
      state.injected.drops++;
      return 'drop';
    }
    // Held past any sane client timeout, then dropped unapplied: the client must give up and retry.
    if (fault.decision.kind === 'hang') return unrefDelay(fault.decision.ms).then(() => 'drop' as const);
    const matched = router.match(req.method, req.path);
    if (matched === undefined || matched === 'method')
      return errorResponse(matched ? 405 : 404, [
        {
          errorCode: matched ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND',
          message: matched
            ? `HTTP Method '${req.method}' not allowed. Allowed are GET,PATCH,DELETE,POST`
            : 'The requested resource does not exist',
        },
      ]);
    req.params = matched.params;
    const isOAuth = req.path.startsWith('/services/oauth2/');
    if (!isOAuth) {
      const auth = req.headers.authorization ?? '';
      const token = auth.replace(/^(Bearer|OAuth)\s+/i, '').trim();
      const session = sessions.get(token);
      if (!session || session.expiresAt <= clock.now().getTime()) {
        if (session) state.injected.expiredSessions++;
        return errorResponse(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
      }
      req.params.$userId = session.userId;
      if (apiUsed >= maxApi) return errorResponse(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
      apiUsed++;
    }
    if (fault.decision.kind === 'rate-limit') state.injected.rateLimits++;
    if (fault.decision.kind === 'server-error') state.injected.serverErrors++;
    if (fault.decision.kind === 'rate-limit')
      return errorResponse(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }]);
    if (fault.decision.kind === 'server-error')
      return errorResponse(fault.decision.status, [
        { errorCode: 'SERVER_UNAVAILABLE', message: 'Service temporarily unavailable (sandbox fault injection)' },
      ]);
    try {
      const answer = await matched.handler(req);
      if (!isOAuth && (loseAnswer(faults.requestCount) || fault.decision.kind === 'answer-lost')) {
        state.injected.lostAnswers++;
        return 'drop';
      }
      return {
        ...answer,
        headers: {
          ...(isOAuth ? {} : limitHeader()),
          ...(answer.text === undefined ? { 'Content-Type': 'application/json;charset=UTF-8' } : {}),
          ...(answer.headers ?? {}),
        },
      };
    } catch (e) {
      const known = knownError(e);
      if (known) return errorResponse(known.status, known.errors);
      throw e;
    }
  };

  const server = await listen(dispatch, options.port ?? 0);
  baseUrl = server.url;
  return { url: server.url, port: server.port, state, close: () => server.close() };
}
