import { DEFAULT_ALERT_RULES } from '../../engine/alerts/alert-rules';
import { routeTable } from '../helpers/route-table';
import { ENDPOINTS, FRONT_ROUTES, splitEndpoint, type Endpoint } from './http-endpoints.surface';
import {
  A,
  B,
  B_PORTAL,
  CALLERS,
  startHttpSurface,
  type Caller,
  type HttpSurface,
  type RawRequest,
  type TokenRole,
} from './http-surface.harness';

/**
 * Isolation, generated from the route table: every endpoint × every caller (roles from one list in
 * the harness) × own tenant / other tenant / another owner's record. Each endpoint has one
 * expectation function; an endpoint without one fails the test, so a new route cannot be forgotten.
 */
jest.setTimeout(180_000);

const TARGETS = ['own', 'other-owner', 'other-tenant'] as const;
type Target = (typeof TARGETS)[number];

/** Statuses a request may get; `ok` is any 2xx or 3xx. */
type Expect = 'ok' | number[];

const ANY_ROLE: Record<Caller, boolean> = {
  admin: true,
  reader: true,
  rep: true,
  service: true,
  anonymous: false,
  'hubspot-signed': false,
};
const hasToken = (c: Caller) => ANY_ROLE[c];
/** A token route: no token 401; `roles` pass to `then`, every other token 403. */
const tokenRoute =
  (roles: readonly TokenRole[], then: (c: Caller, t: Target) => Expect) =>
  (c: Caller, t: Target): Expect =>
    !hasToken(c) ? [401] : (roles as readonly string[]).includes(c) ? then(c, t) : [403];
const adminOnly = (then: (t: Target) => Expect = () => 'ok') => tokenRoute(['admin'], (_c, t) => then(t));
const publicRoute = (): Expect => 'ok';
/** Record routes: another tenant's record is not found; another owner's is hidden from reps. */
const recordRead = (c: Caller, t: Target): Expect =>
  t === 'other-tenant' ? [404, 403] : t === 'other-owner' && c === 'rep' ? [403] : 'ok';
/** Web card records: admins see all the tenant's; reps per CRM visibility; tokens with no CRM user (reader, service) none. */
const cardRecord = (c: Caller, t: Target): Expect =>
  c === 'reader' || c === 'service' ? [403] : t === 'other-tenant' ? [404, 403] : t === 'other-owner' && c === 'rep' ? [403] : 'ok';

const EXPECTATIONS: Record<Endpoint, (c: Caller, t: Target) => Expect> = {
  'GET /healthz': publicRoute,
  'GET /readyz': publicRoute,
  'GET /metrics': publicRoute,
  'GET /api/v1/scores': tokenRoute(['admin', 'reader', 'service'], () => 'ok'),
  'GET /api/v1/accounts/:accountId': tokenRoute(['admin', 'reader', 'service'], (_c, t) => (t === 'other-tenant' ? [404] : 'ok')),
  'GET /api/v1/accounts/:accountId/scores': tokenRoute(['admin', 'reader', 'service'], (_c, t) => (t === 'other-tenant' ? [404] : 'ok')),
  'GET /api/v1/admin/audit': adminOnly(),
  'GET /api/v1/admin/models': adminOnly(),
  'GET /api/v1/admin/drift': adminOnly(),
  'GET /card/assets/*': publicRoute,
  'GET /card/accounts/:accountId': publicRoute,
  'GET /card/api/accounts/:accountId': (c, t) => (!hasToken(c) ? [401] : cardRecord(c, t)),
  'POST /card/api/accounts/:accountId/actions/:actionId/feedback': (c, t) => (!hasToken(c) ? [401] : cardRecord(c, t)),
  'GET /console/assets/*': publicRoute,
  'GET /console': publicRoute,
  'GET /console/api/overview': adminOnly(),
  'GET /console/api/book': adminOnly(),
  'GET /console/api/field-mapping': adminOnly(),
  'PUT /console/api/field-mapping': adminOnly(),
  'GET /console/api/models': adminOnly(),
  'POST /console/api/models/evaluate': adminOnly(),
  'GET /console/api/alert-rules': adminOnly(),
  'PUT /console/api/alert-rules': adminOnly(),
  'GET /console/api/action-catalog': adminOnly(),
  'PUT /console/api/action-catalog': adminOnly(),
  'GET /console/api/crm-tasks': adminOnly(),
  'PUT /console/api/crm-tasks': adminOnly(),
  'GET /console/api/audit': adminOnly(),
  'GET /console/api/export': adminOnly(),
  'GET /console/api/erasure': adminOnly(),
  // Admins of A cannot erase B (confirm names another tenant: 400); A's own erasure is sent unconfirmed (400: the role passed, nothing erased).
  'POST /console/api/erasure': adminOnly(() => [400]),
  // The Salesforce card takes the Named Credential's tenant-wide token (reader is enough, docs/crm-cards.md); the user is the
  // X-SE-User-Id the Apex controller sends, so rep tokens (one CRM user's) are refused.
  'GET /crm/salesforce/card': tokenRoute(['admin', 'reader', 'service'], (_c, t) => recordRead('rep', t)),
  'POST /crm/salesforce/card/feedback': tokenRoute(['admin', 'reader', 'service'], (_c, t) => recordRead('rep', t)),
  // The HubSpot card takes only signed hubspot.fetch requests; the signed userId's visibility applies.
  'GET /crm/hubspot/card': (c, t) => (c === 'hubspot-signed' ? recordRead('rep', t) : [401]),
  'POST /crm/hubspot/card/feedback': (c, t) => (c === 'hubspot-signed' ? recordRead('rep', t) : [401]),
  'GET /install/:provider': publicRoute,
  // A callback with no valid OAuth state installs nothing, whoever calls.
  'GET /install/:provider/callback': () => [400],
  'GET /api/v1/tenant/export': adminOnly(),
  'GET /api/v1/tenant/lifecycle': adminOnly(),
  'DELETE /api/v1/tenant': adminOnly(() => [400]),
  'GET /admin/*': publicRoute,
  'GET /admin/login': publicRoute,
  'POST /admin/login': (c) => (!hasToken(c) ? [401] : c === 'admin' ? 'ok' : [403]),
  'POST /admin/logout': publicRoute,
  'ALL /admin/queues/*': (c) => (!hasToken(c) ? [401] : c === 'admin' ? 'ok' : [403]),
  'POST /webhooks/hubspot': (c) => (c === 'hubspot-signed' ? 'ok' : [401]),
  // Salesforce outbound messages carry the org's shared secret, which no caller here has.
  'POST /webhooks/salesforce': () => [401],
  // Last: it revokes the tenant's CRM access.
  'POST /api/v1/tenant/uninstall': adminOnly(),
};

/** Markers of tenant B's data: none may appear in an answer to a tenant A caller. */
const FOREIGN = ['Tenant B secret account', 'Tenant B SF account', '777001', '001B00000000777AAA', B];

function build(s: HttpSurface, endpoint: Endpoint, caller: Caller, target: Target): RawRequest {
  const { method, path } = splitEndpoint(endpoint);
  const t = s.targets;
  const key = target === 'own' ? 'own' : target === 'other-owner' ? 'otherOwner' : 'otherTenant';
  const accountId = `hubspot:${t[key].hubspot}`;
  let url = path
    .replace(':accountId', encodeURIComponent(accountId))
    .replace(':actionId', 'exec-sponsor-call')
    .replace(':provider', 'hubspot');
  url = url
    .replace('/card/assets/*', '/card/assets/card.js')
    .replace('/console/assets/*', '/console/assets/console.js')
    .replace('/admin/queues/*', '/admin/queues/api/queues')
    .replace('/admin/*', '/admin/login');
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = hasToken(caller) ? s.tokens[caller as TokenRole] : undefined;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: Buffer | undefined;
  const json = (value: unknown) => {
    body = Buffer.from(JSON.stringify(value));
    headers['content-type'] = 'application/json';
  };
  if (endpoint === 'GET /install/:provider/callback') url += '?code=abc&state=forged';
  if (endpoint === 'DELETE /api/v1/tenant') url += target === 'other-tenant' ? `?confirm=${B}` : caller === 'admin' ? '' : `?confirm=${A}`;
  if (endpoint === 'POST /console/api/erasure') json(target === 'other-tenant' ? { confirm: B } : caller === 'admin' ? {} : { confirm: A });
  if (endpoint.includes('/feedback'))
    json(endpoint.includes('/crm/') ? { actionId: 'exec-sponsor-call', outcome: 'done' } : { status: 'completed' });
  if (endpoint === 'POST /console/api/models/evaluate') json({});
  if (endpoint === 'PUT /console/api/crm-tasks') json({ enabled: false });
  if (endpoint === 'PUT /console/api/alert-rules') json(DEFAULT_ALERT_RULES);
  if (endpoint === 'PUT /console/api/field-mapping') json({});
  if (endpoint === 'PUT /console/api/action-catalog') json({ overrides: [] });
  if (endpoint === 'POST /admin/login') {
    delete headers.authorization;
    body = Buffer.from(token ? `token=${encodeURIComponent(token)}` : '');
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (url.startsWith('/crm/salesforce/')) {
    url += `?objectType=Account&recordId=${t[key].salesforce}`;
    headers['x-se-user-id'] = s.repUser.salesforce;
  }
  if (url.startsWith('/crm/hubspot/'))
    url += `?objectType=0-2&objectId=${t[key].hubspot}&userId=${s.repUser.hubspot}&portalId=${s.portalId}`;
  if (endpoint === 'POST /webhooks/hubspot')
    json([
      {
        eventId: 1,
        subscriptionId: 1,
        portalId: Number(s.portalId),
        appId: 1,
        occurredAt: Date.now(),
        subscriptionType: 'company.propertyChange',
        attemptNumber: 0,
        objectId: Number(t[key].hubspot),
        propertyName: 'name',
        propertyValue: 'x',
        changeSource: 'CRM',
      },
    ]);
  if (endpoint === 'POST /webhooks/salesforce') json({});
  if (caller === 'hubspot-signed') Object.assign(headers, s.signHubSpot(method === 'ALL' ? 'GET' : method, url, body ?? ''));
  return { method: method === 'ALL' ? 'GET' : method, path: url, headers, ...(body ? { body } : {}) };
}

describe('isolation matrix: route × caller × target', () => {
  let s: HttpSurface;
  beforeAll(async () => {
    s = await startHttpSurface({ queuePrefix: `matrix-${process.pid}` });
  }, 60_000);
  afterAll(async () => {
    await s.close();
  });

  it('every route has an expectation (the table is read from the running app)', () => {
    const table = routeTable(s.serve.app, ['/admin/queues']).map((r) => `${r.method} ${r.path}`);
    const missing = [...table, ...FRONT_ROUTES].filter((r) => !(r in EXPECTATIONS));
    expect(missing).toEqual([]);
    expect(Object.keys(EXPECTATIONS).sort()).toEqual([...table, ...FRONT_ROUTES].sort());
    void B_PORTAL;
  });

  it(`${ENDPOINTS.length} endpoints × ${CALLERS.length} callers × ${TARGETS.length} targets answer as expected and never show tenant B’s data`, async () => {
    const failures: string[] = [];
    let cells = 0;
    // Uninstall last: it revokes the tenant's CRM access, which the card routes need.
    const order = [...ENDPOINTS.filter((e) => e !== 'POST /api/v1/tenant/uninstall'), 'POST /api/v1/tenant/uninstall' as const];
    for (const endpoint of order) {
      for (const caller of CALLERS) {
        for (const target of TARGETS) {
          cells += 1;
          const req = build(s, endpoint, caller, target);
          const res = await s.request(req);
          const want = EXPECTATIONS[endpoint](caller, target);
          const pass = want === 'ok' ? res.status >= 200 && res.status < 400 : want.includes(res.status);
          if (!pass)
            failures.push(
              `${endpoint} as ${caller} on ${target}: got ${res.status}, want ${String(want)} (${res.body.toString('utf8').slice(0, 160)})`,
            );
          if (res.status < 400 && endpoint !== 'GET /metrics') {
            const text = res.body.toString('utf8');
            const leaked = FOREIGN.filter((m) => text.includes(m));
            if (leaked.length) failures.push(`${endpoint} as ${caller} on ${target}: answer shows tenant B data (${leaked.join(', ')})`);
          }
        }
      }
    }
    expect(cells).toBe(ENDPOINTS.length * CALLERS.length * TARGETS.length);
    expect(failures).toEqual([]);
  });

  it('no token or secret the surface was given appears in serve’s logs (debug level, every request of the matrix)', () => {
    // The matrix sent every token in headers, form bodies and cookies, and signed with every secret.
    expect(s.logLines.length).toBeGreaterThan(ENDPOINTS.length * CALLERS.length);
    expect(s.logLines.some((l) => l.includes('"status":401'))).toBe(true);
    const logs = s.logLines.join('\n');
    const found = s.secrets.filter((secret) => logs.includes(secret) || logs.includes(encodeURIComponent(secret)));
    expect(found).toEqual([]);
  });
});
