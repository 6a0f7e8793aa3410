/**
 * Every endpoint of the composed `serve` app, as `METHOD path`. The fuzz and isolation tests check
 * this list against the route table read from the running app (test/helpers/route-table.ts), so a
 * route added anywhere fails them until it is listed here and given expectations.
 * Inbound webhooks are answered before express (the front dispatcher), so they are listed by hand.
 */
export const FRONT_ROUTES = ['POST /webhooks/hubspot', 'POST /webhooks/salesforce'] as const;

export const ENDPOINTS = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /api/v1/scores',
  'GET /api/v1/accounts/:accountId',
  'GET /api/v1/accounts/:accountId/scores',
  'GET /api/v1/admin/audit',
  'GET /api/v1/admin/models',
  'GET /api/v1/admin/drift',
  'GET /card/assets/*',
  'GET /card/accounts/:accountId',
  'GET /card/api/accounts/:accountId',
  'POST /card/api/accounts/:accountId/actions/:actionId/feedback',
  'GET /console/assets/*',
  'GET /console',
  'GET /console/api/overview',
  'GET /console/api/book',
  'GET /console/api/field-mapping',
  'PUT /console/api/field-mapping',
  'GET /console/api/models',
  'POST /console/api/models/evaluate',
  'GET /console/api/alert-rules',
  'PUT /console/api/alert-rules',
  'GET /console/api/action-catalog',
  'PUT /console/api/action-catalog',
  'GET /console/api/crm-tasks',
  'PUT /console/api/crm-tasks',
  'GET /console/api/audit',
  'GET /console/api/export',
  'GET /console/api/erasure',
  'POST /console/api/erasure',
  'GET /crm/salesforce/card',
  'POST /crm/salesforce/card/feedback',
  'GET /crm/hubspot/card',
  'POST /crm/hubspot/card/feedback',
  'GET /install/:provider',
  'GET /install/:provider/callback',
  'GET /api/v1/tenant/export',
  'GET /api/v1/tenant/lifecycle',
  'POST /api/v1/tenant/uninstall',
  'DELETE /api/v1/tenant',
  'GET /admin/*',
  'GET /admin/login',
  'POST /admin/login',
  'POST /admin/logout',
  'ALL /admin/queues/*',
  ...FRONT_ROUTES,
] as const;

export type Endpoint = (typeof ENDPOINTS)[number];

export function splitEndpoint(endpoint: string): { method: string; path: string } {
  const [method = '', path = ''] = endpoint.split(' ');
  return { method, path };
}
