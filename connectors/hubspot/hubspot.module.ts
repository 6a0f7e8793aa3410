import { SuccessEngineError, type CrmTokens } from '../../core';
import type { StoredConnection } from '../../core/ports/store.port';
import { getJson, postForm, type ConnectionRequest } from '../shared/crm-http';
import type { AccessAnswer, CachedLookup, CrmModule, CrmRecordRef, ExchangedInstall, OpenConnectorInput } from '../shared/crm-module';
import { HUBSPOT_ACCOUNT_MAPPING } from './hubspot-account.mapping';
import {
  HUBSPOT_ACCESS_TOKEN_SECONDS,
  HUBSPOT_LIMITS,
  HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL,
  HUBSPOT_RATE_INTERVAL_MS,
  HUBSPOT_SEARCH_REQUESTS_PER_SECOND,
} from '../shared/provider-limits';
import { hubspotWindow, RedisSlidingWindowGovernor, RedisTokenBucketGovernor } from '../shared/rate-governor';
import { HubSpotConnector } from './hubspot.connector';

/** Our public app in the HubSpot marketplace (config: SE_HUBSPOT_*). */
export interface HubSpotApp {
  clientId: string;
  clientSecret: string;
  /** https://app.hubspot.com/oauth/authorize (the sandbox: `${url}/oauth/authorize`). */
  authorizeUrl: string;
  /** https://api.hubapi.com (the sandbox's URL in tests). */
  apiBaseUrl: string;
  scopes: readonly string[];
  /** Asked as `optional_scope`: granted when the portal has them (invoices, email content); the app works without. */
  optionalScopes?: readonly string[];
}

/** HubSpot object names and type ids (`0-2` …) in webhook events → our entities. */
const INBOUND_ENTITIES = {
  company: 'account',
  '0-2': 'account',
  contact: 'contact',
  '0-1': 'contact',
  deal: 'opportunity',
  '0-3': 'opportunity',
  ticket: 'ticket',
  '0-5': 'ticket',
  call: 'activity',
  '0-48': 'activity',
  email: 'activity',
  '0-49': 'activity',
  meeting: 'activity',
  '0-47': 'activity',
  note: 'activity',
  '0-46': 'activity',
  task: 'activity',
  '0-27': 'activity',
  subscription: 'subscription',
  '0-69': 'subscription',
  invoice: 'transaction',
  '0-53': 'transaction',
} as const;

const HUBSPOT_ID = /^\d{1,20}$/;

export const hubspotModule: CrmModule<HubSpotApp> = {
  provider: 'hubspot',
  label: 'HubSpot',
  orgLabel: (portalId) => `HubSpot portal ${portalId}`,
  limits: HUBSPOT_LIMITS,
  defaultAccountMapping: HUBSPOT_ACCOUNT_MAPPING,
  fieldName: {
    pattern: /^[a-z][a-z0-9_]{0,99}$/,
    rule: 'a HubSpot internal property name (lowercase letters, digits and _, starting with a letter)',
  },
  inboundEntities: INBOUND_ENTITIES,
  bind: (app) => ({
    authorizeUrl: (redirectUri, state) => authorizeUrl(requireApp(app), redirectUri, state),
    exchangeCode: (code, redirectUri, now) => exchangeCode(requireApp(app), code, redirectUri, now),
    refreshTokens: (connection, now) => refreshTokens(requireApp(app), connection, now),
    revoke,
    openConnector: (input) => openConnector(app, input),
    canUserSee,
  }),
};

function requireApp(app: HubSpotApp | undefined): HubSpotApp {
  if (!app) throw new SuccessEngineError('INSTALL.NOT_CONFIGURED', 'the hubspot app is not configured on this server');
  return app;
}

function authorizeUrl(app: HubSpotApp, redirectUri: string, state: string): string {
  const url = new URL(app.authorizeUrl);
  // https://developers.hubspot.com/docs/api/oauth-quickstart-guide: `optional_scope` for scopes the app can do without.
  url.search = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: redirectUri,
    scope: app.scopes.join(' '),
    ...(app.optionalScopes?.length ? { optional_scope: app.optionalScopes.join(' ') } : {}),
    state,
  }).toString();
  return url.toString();
}

async function exchangeCode(app: HubSpotApp, code: string, redirectUri: string, now: Date): Promise<ExchangedInstall> {
  const res = await postForm(`${app.apiBaseUrl}/oauth/v1/token`, {
    grant_type: 'authorization_code',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: redirectUri,
    code,
  });
  const body = res.body as { access_token?: string; refresh_token?: string; expires_in?: number; message?: string };
  if (res.status !== 200 || !body.access_token)
    throw new SuccessEngineError(
      'INSTALL.CODE_REJECTED',
      `HubSpot refused the authorization code (${res.status}${body.message ? `: ${body.message}` : ''})`,
    );
  // The token's own metadata names the portal (hub_id) and the installing user.
  const info = await getJson(`${app.apiBaseUrl}/oauth/v1/access-tokens/${encodeURIComponent(body.access_token)}`, body.access_token);
  const meta = info.body as { hub_id?: number; user_id?: number; scopes?: string[] };
  if (info.status !== 200 || meta.hub_id === undefined)
    throw new SuccessEngineError('INSTALL.CODE_REJECTED', `HubSpot token metadata answered ${info.status}`);
  return {
    orgId: String(meta.hub_id),
    installerId: String(meta.user_id ?? 'unknown'),
    baseUrl: app.apiBaseUrl,
    tokens: {
      accessToken: body.access_token,
      ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
      expiresAt: expiresAt(now, body.expires_in),
      ...(meta.scopes ? { scope: meta.scopes.join(' ') } : {}),
    },
  };
}

const expiresAt = (now: Date, seconds: number | undefined): string =>
  new Date(now.getTime() + (seconds ?? HUBSPOT_ACCESS_TOKEN_SECONDS) * 1000).toISOString();

async function refreshTokens(app: HubSpotApp, connection: StoredConnection, now: Date): Promise<CrmTokens> {
  const refreshToken = connection.tokens.refreshToken ?? '';
  const res = await postForm(`${app.apiBaseUrl}/oauth/v1/token`, {
    grant_type: 'refresh_token',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    refresh_token: refreshToken,
  });
  const body = res.body as { access_token?: string; refresh_token?: string; expires_in?: number };
  if (res.status === 400)
    throw new SuccessEngineError('CONNECTOR.AUTH_REVOKED', `HubSpot refused the refresh token of tenant ${connection.tenantId}`, {
      response: res.body,
    });
  if (res.status !== 200 || !body.access_token)
    throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot token refresh answered ${res.status}`);
  return {
    ...connection.tokens,
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? refreshToken,
    expiresAt: expiresAt(now, body.expires_in),
  };
}

/** The app uninstalls itself from the portal (appinstalls API), which ends its tokens. */
async function revoke(connection: StoredConnection, request: ConnectionRequest): Promise<string> {
  const res = await request(`${connection.baseUrl}/appinstalls/v3/external-install`, 'DELETE');
  return `hubspot ${res.status}`;
}

function openConnector(app: HubSpotApp | undefined, input: OpenConnectorInput): HubSpotConnector {
  const { connection, redis } = input;
  const { tokens } = connection;
  const key = `${input.tenantId}:${input.connectionId}`;
  const perInterval = input.requestsPerInterval ?? HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL;
  // HubSpot counts a rolling 10 s window: a log of send slots sustains its full rate (a token bucket holds back its burst).
  const governors = redis
    ? {
        governor: new RedisSlidingWindowGovernor(
          redis.client,
          `${redis.keyPrefix}:rate:hubspot:${key}`,
          hubspotWindow(perInterval, HUBSPOT_RATE_INTERVAL_MS),
        ),
        searchGovernor: new RedisTokenBucketGovernor(redis.client, `${redis.keyPrefix}:rate:hubspot-search:${key}`, {
          capacity: 1,
          refillPerSecond: HUBSPOT_SEARCH_REQUESTS_PER_SECOND - 1,
        }),
      }
    : {};
  return new HubSpotConnector({
    tenantId: input.tenantId,
    portalKey: key,
    basePath: connection.baseUrl,
    accessToken: tokens.accessToken,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
    ...(app ? { oauthClient: { clientId: app.clientId, clientSecret: app.clientSecret } } : {}),
    onTokens: input.onTokens,
    requestsPerInterval: perInterval,
    ...(input.accountMapping ? { accountMapping: input.accountMapping } : {}),
    ...(input.requestTimeoutMs ? { requestTimeoutMs: input.requestTimeoutMs } : {}),
    ...(input.readBeforeWrite ? { readBeforeWrite: true } : {}),
    clock: input.clock,
    ...governors,
  });
}

interface HsUser {
  id: string;
  superAdmin?: boolean;
  primaryTeamId?: string;
  secondaryTeamIds?: string[];
}
interface HsTeam {
  id: string;
  userIds?: string[];
  secondaryUserIds?: string[];
}

/**
 * HubSpot has no "can this user see this record" call. Its view permissions are "Everything",
 * "Team only" or "Owned only", and no API returns a user's setting, so: super admins see
 * everything; everyone else is treated as "Team only": records they own, records owned by a member
 * of one of their teams, and unassigned records. An "Everything" user who is not a super admin is
 * therefore refused some cards (the safe side); an "Owned only" user may see a teammate's card.
 */
async function canUserSee(request: ConnectionRequest, lookup: CachedLookup, userId: string, record: CrmRecordRef): Promise<AccessAnswer> {
  if (!HUBSPOT_ID.test(userId) || !HUBSPOT_ID.test(record.externalId)) return { allowed: false, reason: 'malformed-id' };
  const user = await lookup<HsUser | null>(`user:${userId}`, async () => {
    const res = await request(`/settings/v3/users/${userId}`);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot users API answered ${res.status}`);
    return res.body as HsUser;
  });
  if (!user) return { allowed: false, reason: 'unknown-user' };
  if (user.superAdmin) return { allowed: true, reason: 'super-admin' };
  const type = record.objectType === 'account' ? 'companies' : 'deals';
  const object = await request(`/crm/v3/objects/${type}/${record.externalId}?properties=hubspot_owner_id`);
  if (object.status === 404) return { allowed: false, reason: 'no-such-record' };
  if (object.status !== 200) throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot ${type} read answered ${object.status}`);
  const ownerId = (object.body as { properties?: { hubspot_owner_id?: string | null } }).properties?.hubspot_owner_id;
  if (!ownerId) return { allowed: true, reason: 'unassigned' };
  const ownerUserId = await lookup<string | null>(`owner:${ownerId}`, async () => {
    const res = await request(`/crm/v3/owners/${encodeURIComponent(ownerId)}`);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot owners API answered ${res.status}`);
    const userIdOfOwner = (res.body as { userId?: number }).userId;
    return userIdOfOwner === undefined ? null : String(userIdOfOwner);
  });
  if (ownerUserId === userId) return { allowed: true, reason: 'owner' };
  const teams = await lookup<HsTeam[]>('teams', async () => {
    const res = await request('/settings/v3/users/teams');
    if (res.status !== 200) throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `HubSpot teams API answered ${res.status}`);
    return (res.body as { results?: HsTeam[] }).results ?? [];
  });
  const members = (t: HsTeam): string[] => [...(t.userIds ?? []), ...(t.secondaryUserIds ?? [])];
  const mine = new Set([user.primaryTeamId, ...(user.secondaryTeamIds ?? [])].filter((t): t is string => Boolean(t)));
  for (const t of teams) if (members(t).includes(userId)) mine.add(t.id);
  const shared = ownerUserId !== null && teams.some((t) => mine.has(t.id) && members(t).includes(ownerUserId));
  return shared ? { allowed: true, reason: 'team' } : { allowed: false, reason: 'hidden' };
}
