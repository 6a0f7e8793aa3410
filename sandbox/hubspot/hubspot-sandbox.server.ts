import { systemClock, type Clock } from '../../core';
import { FaultInjector, type FaultPlan } from '../faults';
import {
  delay,
  listen,
  unrefDelay,
  parseForm,
  parseJsonBody,
  Router,
  uuidSequence,
  type SandboxRequest,
  type SandboxResponse,
} from '../http/http-kit';
import { generateBook } from '../seed/book.generator';
import type { Book } from '../seed/book.types';
import type { TelcoRow } from '../seed/telco.reader';
import { registerHubSpotInstallRoutes, type HubSpotInstallState } from './hubspot-install.routes';
import { HubSpotRateLimiter, type HubSpotTier } from './hubspot-rate-limiter';
import { HubSpotWebhookSender, type WebhookOptions } from './hubspot-webhooks';
import { runSearch, SEARCH_MAX_LIMIT, SearchError, validateSearch, type SearchRequest } from './hubspot-search';
import type { PortalProfile } from './hubspot-catalogue';
import { EMAIL_CONTENT_PROPERTIES, EMAIL_CONTENT_SCOPE, missingScopes, OBJECT_SCOPES, scopesFor } from './hubspot-scopes';
import {
  DEFAULT_PROPERTIES,
  defaultAssociationTypeId,
  definedAssociationTypes,
  HubSpotState,
  loadBook,
  MODIFIED_PROPERTY,
  objectTypeId,
  resolveObjectType,
  v3AssociationName,
  type HsAssociationType,
  type HsObject,
  type HsObjectType,
  type HsProperty,
} from './hubspot-state';
import { validateProperties, validationErrorBody } from './hubspot-validation';

export interface HubSpotSandboxOptions {
  seed?: number;
  /** Accounts (companies) to generate; 0 starts an empty portal. */
  accounts?: number;
  /** Telco rows; needed when accounts > 0 (read them with readTelcoCsv). */
  rows?: readonly TelcoRow[];
  /** Or a pre-generated book (wins over seed/accounts/rows). */
  book?: Book;
  tier?: HubSpotTier;
  faults?: FaultPlan;
  clock?: Clock;
  port?: number;
  portalId?: number;
  privateAppTokens?: readonly string[];
  oauthClient?: { clientId: string; clientSecret: string };
  /** Search requests per second per portal (HubSpot: 5). */
  searchPerSecond?: number;
  /** Send outbound webhooks for creations, property changes and deletions. */
  webhooks?: WebhookOptions;
  /** `vanilla`: HubSpot's default properties only; `customised` (default): plus the Telco custom properties. */
  portal?: PortalProfile;
  /** Scopes the private-app tokens carry (default: every scope the sandbox knows). */
  privateAppScopes?: readonly string[];
  /** How long the search index lags a write, in ms of the injected clock (HubSpot: a few seconds). Default 1000. */
  searchLagMs?: number;
  /** Keep `state.requests` (method and path of every request), for tests of what a client calls. */
  recordRequests?: boolean;
}

/** Every scope the sandbox checks: what a private app with all boxes ticked holds. */
export const ALL_SANDBOX_SCOPES: readonly string[] = [
  ...new Set([
    ...Object.values(OBJECT_SCOPES).flatMap((s) => [s.read, s.write, s.schemaRead, s.schemaWrite]),
    'crm.objects.owners.read',
    'settings.users.read',
    'settings.users.teams.read',
    EMAIL_CONTENT_SCOPE,
    'oauth',
  ]),
];

export interface HubSpotSandbox {
  url: string;
  port: number;
  state: HubSpotSandboxState;
  close(): Promise<void>;
}

export interface HubSpotSandboxState {
  portal: HubSpotState;
  limiter: HubSpotRateLimiter;
  faults: FaultInjector;
  clock: Clock;
  /** Issue an authorization code as if a user had approved the app (for tests of the code exchange). */
  issueAuthCode(redirectUri: string, scopes?: string[]): string;
  /** Every access token stops working now, except those minted less than `spareYoungerThanMs` ago. */
  expireAccessTokens(spareYoungerThanMs?: number): void;
  /** Present when `webhooks` was configured. */
  webhooks?: HubSpotWebhookSender;
  /** Users, teams, uninstall and the webhooks journal. */
  install?: HubSpotInstallState;
  /** Change what a token may do (a scope revoked by an admin, a private app edited). */
  setTokenScopes(token: string, scopes: readonly string[]): void;
  /** Every request's method and path, when `recordRequests` is set. */
  requests: { method: string; path: string }[];
}

const ACCESS_TOKEN_SECONDS = 1800;
const BATCH_MAX = 100;
const LIST_MAX = 100;

class HsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function startHubSpotSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  const clock = options.clock ?? systemClock;
  const portal = new HubSpotState(options.portalId ?? 24_000_001, options.portal ?? 'customised');
  const book =
    options.book ??
    (options.accounts ? generateBook({ seed: options.seed ?? 1, accounts: options.accounts, rows: options.rows ?? [] }) : undefined);
  if (book) loadBook(portal, book);
  const limiter = new HubSpotRateLimiter(options.tier ?? 'free', clock, options.searchPerSecond);
  const faults = new FaultInjector(options.faults);
  const correlationId = uuidSequence(portal.portalId);
  const oauthClient = options.oauthClient ?? { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' };
  const privateScopes = new Set(options.privateAppScopes ?? ALL_SANDBOX_SCOPES);
  const privateTokens = new Map((options.privateAppTokens ?? ['pat-na1-sandbox-0000']).map((t) => [t, privateScopes]));
  const searchLagMs = options.searchLagMs ?? 1000;
  /** Writes the search index has not caught up with: id → when, and the values search still sees. */
  const unindexed = new Map<string, { at: number; previous?: Record<string, string | null> }>();
  /** The granted scopes of the request being handled. */
  const grantedOf = new WeakMap<SandboxRequest, ReadonlySet<string>>();
  const accessTokens = new Map<string, { issuedAt: number; expiresAt: number; scopes: string[]; refreshToken: string }>();
  const refreshTokens = new Map<string, string[]>();
  const authCodes = new Map<string, { redirectUri: string; scopes: string[] }>();
  let tokenCounter = 0;

  const webhooks = options.webhooks ? new HubSpotWebhookSender(options.webhooks, portal.portalId, clock) : undefined;
  const WEBHOOK_TYPES: readonly HsObjectType[] = ['companies', 'contacts', 'deals', 'tickets'];
  const notify = (
    type: HsObjectType,
    kind: 'creation' | 'propertyChange' | 'deletion',
    id: string,
    changes: Record<string, string | null> = {},
  ): void => {
    if (!webhooks || !WEBHOOK_TYPES.includes(type)) return;
    if (kind === 'propertyChange')
      for (const [name, value] of Object.entries(changes)) webhooks.emit(singular(type), kind, id, { name, value });
    else webhooks.emit(singular(type), kind, id);
  };

  const state: HubSpotSandboxState = {
    ...(webhooks ? { webhooks } : {}),
    portal,
    limiter,
    faults,
    clock,
    issueAuthCode(redirectUri, scopes = ['crm.objects.companies.read', 'crm.objects.contacts.read']) {
      const code = `sbx-code-${++tokenCounter}`;
      authCodes.set(code, { redirectUri, scopes });
      return code;
    },
    expireAccessTokens(spareYoungerThanMs = 0) {
      const now = clock.now().getTime();
      for (const t of accessTokens.values()) if (now - t.issuedAt >= spareYoungerThanMs) t.expiresAt = Math.min(t.expiresAt, now);
    },
    requests: [],
    setTokenScopes(token, scopes) {
      if (privateTokens.has(token)) privateTokens.set(token, new Set(scopes));
      const oauth = accessTokens.get(token);
      if (oauth) oauth.scopes = [...scopes];
    },
  };

  const error = (status: number, category: string, message: string, extra: Record<string, unknown> = {}): SandboxResponse => ({
    status,
    json: { status: 'error', message, correlationId: correlationId(), category, ...extra },
  });

  const issueTokens = (scopes: string[], refreshToken?: string): SandboxResponse => {
    const n = ++tokenCounter;
    const access = `sbx-at-${portal.portalId}-${n}`;
    const refresh = refreshToken ?? `sbx-rt-${portal.portalId}-${n}`;
    refreshTokens.set(refresh, scopes);
    const issuedAt = clock.now().getTime();
    accessTokens.set(access, { issuedAt, expiresAt: issuedAt + ACCESS_TOKEN_SECONDS * 1000, scopes, refreshToken: refresh });
    return { status: 200, json: { token_type: 'bearer', refresh_token: refresh, access_token: access, expires_in: ACCESS_TOKEN_SECONDS } };
  };

  const token = (req: SandboxRequest): SandboxResponse => {
    const form = req.headers['content-type']?.includes('json')
      ? new URLSearchParams(Object.entries((parseJsonBody(req) ?? {}) as Record<string, string>))
      : parseForm(req);
    const grant = form.get('grant_type');
    if (form.get('client_id') !== oauthClient.clientId || form.get('client_secret') !== oauthClient.clientSecret)
      return {
        status: 400,
        json: { status: 'BAD_CLIENT_ID', message: 'missing or invalid client_id / client_secret', correlationId: correlationId() },
      };
    if (grant === 'client_credentials') return install.clientCredentials(form);
    if (grant === 'authorization_code') {
      const code = authCodes.get(form.get('code') ?? '');
      if (!code)
        return { status: 400, json: { status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code', correlationId: correlationId() } };
      if (code.redirectUri !== form.get('redirect_uri'))
        return {
          status: 400,
          json: {
            status: 'BAD_REDIRECT_URI',
            message: 'redirect_uri does not match the one used to authorize',
            correlationId: correlationId(),
          },
        };
      authCodes.delete(form.get('code') ?? '');
      return issueTokens(code.scopes);
    }
    if (grant === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      const scopes = refreshTokens.get(rt);
      if (!scopes)
        return {
          status: 400,
          json: { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token', correlationId: correlationId() },
        };
      return issueTokens(scopes, rt);
    }
    return {
      status: 400,
      json: { status: 'BAD_GRANT_TYPE', message: `unsupported grant_type ${String(grant)}`, correlationId: correlationId() },
    };
  };

  const router = new Router();
  router.on('POST', '/oauth/v1/token', token).on('POST', '/oauth/v3/token', token);
  router.on('GET', '/oauth/authorize', (req) => {
    const redirect = req.query.get('redirect_uri');
    if (req.query.get('client_id') !== oauthClient.clientId || !redirect)
      return error(400, 'VALIDATION_ERROR', 'client_id and redirect_uri are required');
    // Optional scopes are granted when the portal has them; the sandbox portal has every scope it knows.
    const optional = (req.query.get('optional_scope') ?? '').split(/[ +]/).filter((s) => ALL_SANDBOX_SCOPES.includes(s));
    const code = state.issueAuthCode(redirect, [...(req.query.get('scope') ?? '').split(/[ +]/).filter(Boolean), ...optional]);
    const target = new URL(redirect);
    target.searchParams.set('code', code);
    const st = req.query.get('state');
    if (st !== null) target.searchParams.set('state', st);
    return { status: 302, headers: { Location: target.toString() }, json: { redirect: target.toString() } };
  });
  router.on('GET', '/oauth/v1/access-tokens/:token', (req) => {
    const t = accessTokens.get(req.params.token ?? '');
    if (!t || t.expiresAt <= clock.now().getTime())
      return { status: 404, json: { status: 'error', message: 'Token not found or expired', correlationId: correlationId() } };
    return {
      status: 200,
      json: {
        token: req.params.token,
        user: 'sandbox@example.com',
        hub_id: portal.portalId,
        app_id: 1,
        expires_in: Math.round((t.expiresAt - clock.now().getTime()) / 1000),
        user_id: 1,
        token_type: 'access',
        scopes: t.scopes,
        hub_domain: 'sandbox.example.com',
      },
    };
  });

  // ---- objects
  const typeOf = (req: SandboxRequest): HsObjectType => {
    const t = resolveObjectType(req.params.type ?? '');
    if (!t) throw new HsHttpError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${req.params.type}`);
    return t;
  };
  const queryList = (req: SandboxRequest, name: string): string[] =>
    req.query
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  const props = (type: HsObjectType): Map<string, HsProperty> => portal.properties.get(type) as Map<string, HsProperty>;

  const render = (type: HsObjectType, obj: HsObject, requested: string[], associations: string[] = []): Record<string, unknown> => {
    const names = requested.length ? requested : DEFAULT_PROPERTIES[type];
    const properties: Record<string, string | null> = {};
    const always = [
      'hs_object_id',
      type === 'contacts' ? 'createdate' : DEFAULT_PROPERTIES[type].includes('createdate') ? 'createdate' : 'hs_createdate',
      MODIFIED_PROPERTY[type],
    ];
    for (const name of [...always, ...names])
      if (props(type).has(name) || name in obj.properties) properties[name] = obj.properties[name] ?? null;
    const out: Record<string, unknown> = {
      id: obj.id,
      properties,
      createdAt: obj.createdAt,
      updatedAt: obj.updatedAt,
      archived: obj.archived,
    };
    if (obj.archivedAt) out.archivedAt = obj.archivedAt;
    if (associations.length) {
      const assoc: Record<string, unknown> = {};
      for (const name of associations) {
        const to = resolveObjectType(name);
        if (!to) continue;
        const edges = portal.associationsOf(type, obj.id, to);
        if (edges.length)
          assoc[to] = { results: edges.flatMap(([id, types]) => types.map((t) => ({ id, type: v3AssociationName(type, to, t) }))) };
      }
      if (Object.keys(assoc).length) out.associations = assoc;
    }
    return out;
  };

  const ownerIds = (): ReadonlySet<string> => new Set(portal.owners.map((o) => o.id));
  const checkProperties = (type: HsObjectType, properties: unknown, create = false): Record<string, string | null> => {
    const { values, issues } = validateProperties(properties, {
      props: props(type),
      ownerIds: ownerIds(),
      required: portal.requiredOnCreate.get(type) ?? new Set(),
      create,
    });
    if (issues.length) {
      const body = validationErrorBody(issues);
      throw new HsHttpError(400, 'VALIDATION_ERROR', body.message, { errors: body.errors });
    }
    return values;
  };
  /** Email content needs sales-email-read; without it HubSpot redacts it. */
  const redact = (req: SandboxRequest, type: HsObjectType, out: Record<string, unknown>): Record<string, unknown> => {
    if (type !== 'emails' || grantedOf.get(req)?.has(EMAIL_CONTENT_SCOPE) !== false) return out;
    const properties = { ...(out.properties as Record<string, string | null>) };
    for (const name of EMAIL_CONTENT_PROPERTIES) if (name in properties) properties[name] = null;
    return { ...out, properties };
  };
  const noteWrite = (type: HsObjectType, obj: HsObject, previous?: Record<string, string | null>): void => {
    if (searchLagMs <= 0) return;
    const key = `${type}:${obj.id}`;
    const pending = unindexed.get(key);
    // Until the index catches up, search keeps seeing what it indexed last.
    unindexed.set(key, {
      at: clock.now().getTime(),
      ...(pending ? (pending.previous ? { previous: pending.previous } : {}) : previous ? { previous } : {}),
    });
  };
  /** The object as the search index sees it now, or undefined while a create is not indexed yet. */
  const indexed = (type: HsObjectType, obj: HsObject): HsObject | undefined => {
    const pending = unindexed.get(`${type}:${obj.id}`);
    if (!pending) return obj;
    if (clock.now().getTime() - pending.at >= searchLagMs) {
      unindexed.delete(`${type}:${obj.id}`);
      return obj;
    }
    return pending.previous ? { ...obj, properties: pending.previous } : undefined;
  };

  const touch = (type: HsObjectType, obj: HsObject, changes: Record<string, string | null>): void => {
    const now = clock.now().toISOString();
    noteWrite(type, obj, { ...obj.properties });
    notify(
      type,
      'propertyChange',
      obj.id,
      Object.fromEntries(Object.entries(changes).filter(([k, v]) => (obj.properties[k] ?? null) !== v)),
    );
    Object.assign(obj.properties, changes);
    obj.updatedAt = now;
    obj.properties[MODIFIED_PROPERTY[type]] = now;
  };

  /** An idProperty must be a unique-value property (https://developers.hubspot.com/docs/api/crm/understanding-the-crm#object-ids; hubspot-api-nodejs#548). */
  const checkIdProperty = (type: HsObjectType, idProperty: string | undefined): void => {
    if (idProperty === undefined) return;
    const def = props(type).get(idProperty);
    if (!def?.hasUniqueValue)
      throw new HsHttpError(
        400,
        'VALIDATION_ERROR',
        `Unable to perform update/upsert by non-unique ${objectTypeId(type)} property ${idProperty} in portal ID ${portal.portalId}`,
      );
  };
  const find = (type: HsObjectType, id: string, idProperty?: string, archived = false): HsObject | undefined => {
    if (!idProperty || idProperty === 'hs_object_id') {
      const o = portal.table(type).get(id);
      return o && o.archived === archived ? o : undefined;
    }
    for (const o of portal.table(type).values()) if (o.archived === archived && o.properties[idProperty] === id) return o;
    return undefined;
  };

  router.on('GET', '/crm/v3/objects/:type', (req) => {
    const type = typeOf(req);
    const limit = Number(req.query.get('limit') ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX)
      throw new HsHttpError(400, 'VALIDATION_ERROR', `limit must be between 1 and ${LIST_MAX}`);
    const archived = req.query.get('archived') === 'true';
    const after = req.query.get('after') ?? '';
    const rows = [...portal.table(type).values()].filter((o) => o.archived === archived && (after === '' || o.id >= after));
    const page = rows.slice(0, limit);
    const next = rows[limit];
    const body: Record<string, unknown> = {
      results: page.map((o) => redact(req, type, render(type, o, queryList(req, 'properties'), queryList(req, 'associations')))),
    };
    if (next) body.paging = { next: { after: next.id, link: `${baseUrl}/crm/v3/objects/${type}?after=${next.id}&limit=${limit}` } };
    return { status: 200, json: body };
  });
  router.on('GET', '/crm/v3/objects/:type/:id', (req) => {
    const type = typeOf(req);
    const idProperty = req.query.get('idProperty') ?? undefined;
    if (idProperty !== undefined && idProperty !== 'hs_object_id' && !props(type).get(idProperty)?.hasUniqueValue)
      throw new HsHttpError(400, 'VALIDATION_ERROR', `${idProperty} is not a unique property of ${objectTypeId(type)}`);
    const obj = find(type, req.params.id ?? '', idProperty, req.query.get('archived') === 'true');
    if (!obj)
      return {
        status: 404,
        json: {
          status: 'error',
          message: 'Object not found.  objectId are usually numeric.',
          correlationId: correlationId(),
          context: { id: [req.params.id] },
          category: 'OBJECT_NOT_FOUND',
        },
      };
    return { status: 200, json: redact(req, type, render(type, obj, queryList(req, 'properties'), queryList(req, 'associations'))) };
  });
  router.on('POST', '/crm/v3/objects/:type', (req) => {
    const type = typeOf(req);
    const body = (parseJsonBody(req) ?? {}) as { properties?: unknown; associations?: AssociationInput[] };
    const obj = create(type, checkProperties(type, body.properties ?? {}, true), body.associations);
    return { status: 201, json: render(type, obj, Object.keys(obj.properties)) };
  });
  router.on('PATCH', '/crm/v3/objects/:type/:id', (req) => {
    const type = typeOf(req);
    const body = (parseJsonBody(req) ?? {}) as { properties?: unknown };
    const obj = find(type, req.params.id ?? '', req.query.get('idProperty') ?? undefined);
    if (!obj)
      return {
        status: 404,
        json: {
          status: 'error',
          message: 'Object not found.  objectId are usually numeric.',
          correlationId: correlationId(),
          context: { id: [req.params.id] },
          category: 'OBJECT_NOT_FOUND',
        },
      };
    touch(type, obj, checkProperties(type, body.properties ?? {}));
    return { status: 200, json: render(type, obj, Object.keys(obj.properties)) };
  });
  router.on('DELETE', '/crm/v3/objects/:type/:id', (req) => {
    const type = typeOf(req);
    const obj = find(type, req.params.id ?? '');
    if (obj) archive(type, obj);
    return { status: 204 };
  });

  interface AssociationInput {
    to?: { id?: string };
    types?: { associationCategory?: string; associationTypeId?: number }[];
  }
  const create = (type: HsObjectType, properties: Record<string, string | null>, associations?: AssociationInput[]): HsObject => {
    const now = clock.now().toISOString();
    const obj = portal.insert(type, properties, now);
    noteWrite(type, obj);
    notify(type, 'creation', obj.id);
    for (const a of associations ?? []) {
      const toId = a.to?.id ?? '';
      const typeId = a.types?.[0]?.associationTypeId;
      const toType =
        (['companies', 'contacts', 'deals', 'tickets'] as const).find(
          (t) => defaultAssociationTypeId(type, t) === typeId && portal.table(t).has(toId),
        ) ?? (['companies', 'contacts', 'deals', 'tickets'] as const).find((t) => portal.table(t).has(toId));
      if (toType)
        portal.associate(
          type,
          obj.id,
          toType,
          toId,
          (a.types ?? []).map((t) => ({
            category: t.associationCategory === 'USER_DEFINED' ? 'USER_DEFINED' : 'HUBSPOT_DEFINED',
            typeId: t.associationTypeId ?? 0,
            label: null,
          })),
        );
    }
    return obj;
  };
  const archive = (type: HsObjectType, obj: HsObject): void => {
    notify(type, 'deletion', obj.id);
    obj.archived = true;
    obj.archivedAt = clock.now().toISOString();
  };

  router.on('POST', '/crm/v3/objects/:type/search', (req) => {
    const type = typeOf(req);
    const body = (parseJsonBody(req) ?? {}) as SearchRequest;
    try {
      validateSearch(body, props(type));
      const visible: HsObject[] = [];
      for (const o of portal.table(type).values()) {
        const seen = indexed(type, o);
        if (seen) visible.push(seen);
      }
      const result = runSearch(visible, body, props(type));
      const json: Record<string, unknown> = {
        total: result.total,
        results: result.page.map((o) => redact(req, type, render(type, o, body.properties ?? []))),
      };
      if (result.nextAfter !== undefined) json.paging = { next: { after: result.nextAfter } };
      return { status: 200, json };
    } catch (e) {
      if (e instanceof SearchError) throw new HsHttpError(400, 'VALIDATION_ERROR', e.message);
      throw e;
    }
  });

  router.on('POST', '/crm/v3/objects/:type/batch/:action', (req) => {
    const type = typeOf(req);
    const body = (parseJsonBody(req) ?? {}) as { inputs?: Record<string, unknown>[]; properties?: string[]; idProperty?: string };
    const inputs = body.inputs;
    if (!Array.isArray(inputs)) throw new HsHttpError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: inputs is required');
    if (inputs.length > BATCH_MAX)
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Batch input limit is ${BATCH_MAX}, got ${inputs.length} inputs`, {
        context: { limit: [String(BATCH_MAX)] },
      });
    const action = req.params.action;
    // The same record twice in one batch is refused as a whole (segmentio/action-destinations#3969 documents HubSpot's 400).
    if (action !== 'create') {
      const ids = inputs.map(idOf);
      const dupes = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
      if (dupes.length)
        throw new HsHttpError(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: [${dupes.join(', ')}]. IDs must be unique`, {
          errors: dupes.map((id) => ({ message: `Duplicate ID ${id}`, code: 'DUPLICATE_ID', context: { id: [id] } })),
        });
    }
    for (const input of inputs)
      checkIdProperty(type, (input.idProperty as string | undefined) ?? (action === 'read' ? body.idProperty : undefined));
    const startedAt = clock.now().toISOString();
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    if (action === 'archive') {
      for (const input of inputs) {
        const obj = find(type, idOf(input));
        if (obj) archive(type, obj);
      }
      return { status: 204 };
    }
    if (action === 'read') {
      const archived = req.query.get('archived') === 'true';
      for (const input of inputs) {
        const obj = find(type, idOf(input), body.idProperty, archived);
        if (obj) results.push(redact(req, type, render(type, obj, body.properties ?? [])));
        else missing.push(idOf(input));
      }
    } else if (action === 'create') {
      const checked = inputs.map((input) => checkProperties(type, input.properties ?? {}, true));
      checked.forEach((p, i) =>
        results.push(render(type, create(type, p, inputs[i]?.associations as AssociationInput[] | undefined), Object.keys(p))),
      );
    } else if (action === 'update') {
      for (const input of inputs) {
        const obj = find(type, idOf(input), input.idProperty as string | undefined);
        if (!obj) {
          missing.push(idOf(input));
          continue;
        }
        touch(type, obj, checkProperties(type, input.properties ?? {}));
        results.push(render(type, obj, Object.keys((input.properties as object | undefined) ?? {})));
      }
    } else if (action === 'upsert') {
      for (const input of inputs) {
        const idProperty = input.idProperty as string | undefined;
        const changes = checkProperties(type, input.properties ?? {});
        const obj = find(type, idOf(input), idProperty);
        if (obj) {
          touch(type, obj, changes);
          results.push({ ...render(type, obj, Object.keys(changes)), new: false });
        } else {
          if (!idProperty) throw new HsHttpError(400, 'VALIDATION_ERROR', `Upsert of unknown object id ${idOf(input)} needs an idProperty`);
          const created = create(type, checkProperties(type, { ...changes, [idProperty]: idOf(input) }, true));
          results.push({ ...render(type, created, Object.keys(changes)), new: true });
        }
      }
    } else throw new HsHttpError(404, 'OBJECT_NOT_FOUND', `Unknown batch action ${action}`);
    const completedAt = clock.now().toISOString();
    const json: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt };
    if (missing.length) {
      json.numErrors = 1;
      json.errors = [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: `Could not get some ${singular(type).toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
          context: { ids: missing },
        },
      ];
      return { status: 207, json };
    }
    return { status: action === 'create' ? 201 : 200, json };
  });

  // ---- properties and groups
  router.on('GET', '/crm/v3/properties/:type/groups', (req) => ({
    status: 200,
    json: { results: [...(portal.groups.get(typeOf(req))?.values() ?? [])].filter((g) => !g.archived) },
  }));
  router.on('GET', '/crm/v3/properties/:type/groups/:name', (req) => {
    const g = portal.groups.get(typeOf(req))?.get(req.params.name ?? '');
    if (!g) throw new HsHttpError(404, 'OBJECT_NOT_FOUND', `Unable to find property group ${req.params.name}`);
    return { status: 200, json: g };
  });
  router.on('POST', '/crm/v3/properties/:type/groups', (req) => {
    const type = typeOf(req);
    const body = (parseJsonBody(req) ?? {}) as { name?: string; label?: string; displayOrder?: number };
    if (!body.name || !body.label) throw new HsHttpError(400, 'VALIDATION_ERROR', 'name and label are required');
    const groups = portal.groups.get(type) as Map<string, { name: string; label: string; displayOrder: number; archived: boolean }>;
    if (groups.has(body.name)) throw new HsHttpError(409, 'OBJECT_ALREADY_EXISTS', `A property group named '${body.name}' already exists.`);
    const g = { name: body.name, label: body.label, displayOrder: body.displayOrder ?? -1, archived: false };
    groups.set(body.name, g);
    return { status: 201, json: g };
  });
  router.on('GET', '/crm/v3/properties/:type', (req) => ({
    status: 200,
    json: { results: [...props(typeOf(req)).values()].filter((p) => !p.archived) },
  }));
  router.on('GET', '/crm/v3/properties/:type/:name', (req) => {
    const p = props(typeOf(req)).get(req.params.name ?? '');
    if (!p) throw new HsHttpError(404, 'OBJECT_NOT_FOUND', `Unable to find property ${req.params.name}`);
    return { status: 200, json: p };
  });
  router.on('POST', '/crm/v3/properties/:type', (req) => {
    const type = typeOf(req);
    const body = (parseJsonBody(req) ?? {}) as Partial<HsProperty>;
    const TYPES = ['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string'];
    const FIELD_TYPES = [
      'booleancheckbox',
      'calculation_equation',
      'checkbox',
      'date',
      'file',
      'html',
      'number',
      'phonenumber',
      'radio',
      'select',
      'text',
      'textarea',
    ];
    if (!body.name || !body.label || !body.groupName)
      throw new HsHttpError(400, 'VALIDATION_ERROR', 'name, label, type, fieldType and groupName are required');
    if (!TYPES.includes(body.type ?? ''))
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid type ${String(body.type)}; expected one of ${TYPES.join(', ')}`);
    if (!FIELD_TYPES.includes(body.fieldType ?? ''))
      throw new HsHttpError(
        400,
        'VALIDATION_ERROR',
        `Invalid fieldType ${String(body.fieldType)}; expected one of ${FIELD_TYPES.join(', ')}`,
      );
    if (!portal.groups.get(type)?.has(body.groupName))
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Property group ${body.groupName} does not exist`);
    if (props(type).has(body.name)) throw new HsHttpError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${body.name}' already exists.`);
    const now = clock.now().toISOString();
    const p: HsProperty = {
      name: body.name,
      label: body.label,
      type: body.type as string,
      fieldType: body.fieldType as string,
      groupName: body.groupName,
      description: body.description ?? '',
      options: body.options ?? [],
      displayOrder: body.displayOrder ?? -1,
      hidden: body.hidden ?? false,
      formField: body.formField ?? false,
      hubspotDefined: false,
      calculated: false,
      externalOptions: false,
      hasUniqueValue: body.hasUniqueValue ?? false,
      modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    props(type).set(p.name, p);
    return { status: 201, json: p };
  });

  router.on('DELETE', '/crm/v3/properties/:type/:name', (req) => {
    const p = props(typeOf(req)).get(req.params.name ?? '');
    if (!p || p.archived) throw new HsHttpError(404, 'OBJECT_NOT_FOUND', `Unable to find property ${req.params.name}`);
    // HubSpot-defined properties cannot be deleted (modificationMetadata.archivable false).
    if (!p.modificationMetadata.archivable)
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Property ${p.name} is HubSpot-defined and cannot be archived`);
    p.archived = true;
    return { status: 204 };
  });

  // ---- associations v4
  // https://developers.hubspot.com/docs/api/crm/associations (association schema: labels)
  router.on('GET', '/crm/v4/associations/:type/:toType/labels', (req) => {
    const to = resolveObjectType(req.params.toType ?? '');
    if (!to) throw new HsHttpError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${req.params.toType}`);
    return { status: 200, json: { results: definedAssociationTypes(typeOf(req), to) } };
  });
  const assocResult = (edges: [string, HsAssociationType[]][]): Record<string, unknown>[] =>
    edges.map(([id, types]) => ({ toObjectId: Number(id), associationTypes: types }));
  router.on('GET', '/crm/v4/objects/:type/:id/associations/:toType', (req) => {
    const type = typeOf(req);
    const to = resolveObjectType(req.params.toType ?? '');
    if (!to) throw new HsHttpError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${req.params.toType}`);
    const limit = Math.min(500, Number(req.query.get('limit') ?? 500));
    const after = req.query.get('after') ?? '';
    const edges = portal.associationsOf(type, req.params.id ?? '', to).filter(([id]) => after === '' || id >= after);
    const json: Record<string, unknown> = { results: assocResult(edges.slice(0, limit)) };
    const next = edges[limit];
    if (next)
      json.paging = {
        next: { after: next[0], link: `${baseUrl}/crm/v4/objects/${type}/${req.params.id}/associations/${to}?after=${next[0]}` },
      };
    return { status: 200, json };
  });
  const putAssociation = (req: SandboxRequest, types?: HsAssociationType[]): SandboxResponse => {
    const type = typeOf(req);
    const to = resolveObjectType(req.params.toType ?? '');
    if (!to || !find(type, req.params.id ?? '') || !find(to, req.params.toId ?? ''))
      throw new HsHttpError(404, 'OBJECT_NOT_FOUND', `One of the objects ${req.params.id} / ${req.params.toId} does not exist`);
    const made = portal.associate(type, req.params.id ?? '', to, req.params.toId ?? '', types);
    return {
      status: 201,
      json: {
        fromObjectTypeId: objectTypeId(type),
        fromObjectId: Number(req.params.id),
        toObjectTypeId: objectTypeId(to),
        toObjectId: Number(req.params.toId),
        labels: made.map((t) => t.label).filter((l): l is string => l !== null),
      },
    };
  };
  router.on('PUT', '/crm/v4/objects/:type/:id/associations/default/:toType/:toId', (req) => {
    // The default-association call answers in the batch shape (BatchResponsePublicDefaultAssociation).
    const startedAt = clock.now().toISOString();
    putAssociation(req);
    const type = typeOf(req);
    const to = resolveObjectType(req.params.toType ?? '') as HsObjectType;
    const typeId = defaultAssociationTypeId(type, to) ?? 0;
    return {
      status: 200,
      json: {
        status: 'COMPLETE',
        results: [
          {
            from: { id: req.params.id },
            to: { id: req.params.toId },
            associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId },
          },
        ],
        startedAt,
        completedAt: clock.now().toISOString(),
      },
    };
  });
  router.on('PUT', '/crm/v4/objects/:type/:id/associations/:toType/:toId', (req) => {
    const body = (parseJsonBody(req) ?? []) as { associationCategory?: string; associationTypeId?: number }[];
    return putAssociation(
      req,
      body.map((t) => ({
        category: t.associationCategory === 'USER_DEFINED' ? 'USER_DEFINED' : 'HUBSPOT_DEFINED',
        typeId: t.associationTypeId ?? 0,
        label: null,
      })),
    );
  });
  router.on('DELETE', '/crm/v4/objects/:type/:id/associations/:toType/:toId', (req) => {
    const to = resolveObjectType(req.params.toType ?? '');
    if (to) portal.removeAssociation(typeOf(req), req.params.id ?? '', to, req.params.toId ?? '');
    return { status: 204 };
  });
  router.on('POST', '/crm/v4/associations/:type/:toType/batch/read', (req) => {
    const type = typeOf(req);
    const to = resolveObjectType(req.params.toType ?? '');
    if (!to) throw new HsHttpError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${req.params.toType}`);
    const inputs = ((parseJsonBody(req) ?? {}) as { inputs?: { id: string }[] }).inputs ?? [];
    if (inputs.length > 1000) throw new HsHttpError(400, 'VALIDATION_ERROR', `Batch input limit is 1000, got ${inputs.length}`);
    const startedAt = clock.now().toISOString();
    const results = inputs
      .map((i) => ({ from: { id: String(i.id) }, to: assocResult(portal.associationsOf(type, String(i.id), to)) }))
      .filter((r) => r.to.length > 0);
    return { status: 200, json: { status: 'COMPLETE', results, startedAt, completedAt: clock.now().toISOString() } };
  });

  // ---- owners
  router.on('GET', '/crm/v3/owners', (req) => {
    const limit = Number(req.query.get('limit') ?? 100);
    const after = Number(req.query.get('after') ?? 0);
    const email = req.query.get('email');
    const owners = portal.owners.filter((o) => !email || o.email === email);
    const page = owners.slice(after, after + limit);
    const json: Record<string, unknown> = {
      results: page.map((o) => ({ ...o, type: 'PERSON', userIdIncludingInactive: o.userId, teams: [] })),
    };
    if (after + limit < owners.length) json.paging = { next: { after: String(after + limit) } };
    return { status: 200, json };
  });
  router.on('GET', '/crm/v3/owners/:id', (req) => {
    const byUser = req.query.get('idProperty') === 'userId';
    const o = portal.owners.find((x) => (byUser ? String(x.userId) : x.id) === req.params.id);
    if (!o) throw new HsHttpError(404, 'OBJECT_NOT_FOUND', `Owner ${req.params.id} not found`);
    return { status: 200, json: { ...o, type: 'PERSON', userIdIncludingInactive: o.userId, teams: [] } };
  });

  const install = registerHubSpotInstallRoutes(router, {
    portal,
    clock,
    appId: options.webhooks?.appId ?? 1,
    accessTokens,
    refreshTokens,
    installerUserId: 1,
  });
  state.install = install;

  const isOAuthRoute = (path: string): boolean => path.startsWith('/oauth/');

  const dispatch = async (req: SandboxRequest): Promise<SandboxResponse | 'drop'> => {
    if (options.recordRequests) state.requests.push({ method: req.method, path: req.path });
    const fault = faults.next();
    if (fault.expireTokens) state.expireAccessTokens(fault.spareTokensYoungerThanMs);
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.decision.kind === 'drop') return 'drop';
    // Held past any sane client timeout, then dropped unapplied: the client must give up and retry.
    if (fault.decision.kind === 'hang') return unrefDelay(fault.decision.ms).then(() => 'drop' as const);
    const matched = router.match(req.method, req.path);
    if (matched === undefined || matched === 'method')
      return error(matched ? 405 : 404, 'OBJECT_NOT_FOUND', `Unable to route ${req.method} request for ${req.path}`);
    req.params = matched.params;
    let rateHeaders: Record<string, string> = {};
    if (!isOAuthRoute(req.path)) {
      const auth = req.headers.authorization ?? '';
      const bearer = auth.startsWith('Bearer ') ? auth.slice(7).trim() : (req.query.get('hapikey') ?? '');
      const oauth = accessTokens.get(bearer);
      const privateScopesOf = privateTokens.get(bearer);
      if (!privateScopesOf) {
        if (!oauth)
          return error(
            401,
            'INVALID_AUTHENTICATION',
            'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
          );
        const ago = clock.now().getTime() - oauth.expiresAt;
        if (ago >= 0)
          return error(
            401,
            'EXPIRED_AUTHENTICATION',
            `The OAuth token used to make this call expired ${Math.max(1, Math.round(ago / 60_000))} minute(s) ago.`,
            { context: { expired: [new Date(oauth.expiresAt).toISOString()] } },
          );
      }
      const granted: ReadonlySet<string> = privateScopesOf ?? new Set(oauth?.scopes ?? []);
      grantedOf.set(req, granted);
      // Limits are per app: every OAuth token of the public app shares one window, each private app has its own
      // (https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details).
      const verdict = limiter.take({
        search: req.path.endsWith('/search'),
        oauth: Boolean(oauth),
        app: oauth ? `oauth:${oauthClient.clientId}` : `private:${bearer}`,
      });
      rateHeaders = verdict.headers;
      if (!verdict.ok) {
        const message =
          verdict.policy === 'DAILY'
            ? 'You have reached your daily limit.'
            : verdict.policy === 'SECONDLY'
              ? 'You have reached your secondly limit.'
              : 'You have reached your ten_secondly_rolling limit.';
        return {
          status: 429,
          headers: rateHeaders,
          json: {
            status: 'error',
            message,
            errorType: 'RATE_LIMIT',
            correlationId: correlationId(),
            policyName: verdict.policy,
            requestId: correlationId(),
          },
        };
      }
    }
    if (!isOAuthRoute(req.path)) {
      const need = scopesFor(req.method, req.path, resolveObjectType);
      const missing = need ? missingScopes(need, grantedOf.get(req) ?? new Set()) : [];
      if (need && missing.length) {
        // As HubSpot answers (hubspot-api-nodejs#268): 403, category MISSING_SCOPES, the scopes in errors[].context.
        return {
          ...error(
            403,
            'MISSING_SCOPES',
            "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
            {
              errors: [{ message: 'One or more of the following scopes are required.', context: { requiredScopes: missing } }],
              links: { scopes: 'https://developers.hubspot.com/scopes' },
            },
          ),
          headers: rateHeaders,
        };
      }
    }
    if (fault.decision.kind === 'rate-limit')
      return {
        status: 429,
        headers: { ...rateHeaders, 'X-HubSpot-RateLimit-Remaining': '0' },
        json: {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: correlationId(),
          policyName: 'TEN_SECONDLY_ROLLING',
          requestId: correlationId(),
        },
      };
    if (fault.decision.kind === 'server-error')
      return { ...error(fault.decision.status, 'INTERNAL_ERROR', 'Internal error (sandbox fault injection)'), headers: rateHeaders };
    try {
      const answer = await matched.handler(req);
      // Applied, but the connection closes before the answer: the client cannot tell it landed.
      if (fault.decision.kind === 'answer-lost') return 'drop';
      return { ...answer, headers: { ...rateHeaders, ...(answer.headers ?? {}), 'Content-Type': 'application/json;charset=utf-8' } };
    } catch (e) {
      if (e instanceof HsHttpError) return { ...error(e.status, e.category, e.message, e.extra), headers: rateHeaders };
      if (e instanceof Error && 'code' in e && e.code === 'SANDBOX.BAD_JSON')
        return { ...error(400, 'VALIDATION_ERROR', `Invalid input JSON: ${e.message}`), headers: rateHeaders };
      throw e;
    }
  };

  let baseUrl = '';
  const server = await listen(dispatch, options.port ?? 0);
  baseUrl = server.url;
  return {
    url: server.url,
    port: server.port,
    state,
    close: () => {
      webhooks?.stop();
      return server.close();
    },
  };
}

function idOf(input: Record<string, unknown>): string {
  const id = input.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

function singular(type: HsObjectType): string {
  return type === 'companies' ? 'company' : type.replace(/s$/, '');
}

export { SEARCH_MAX_LIMIT };
