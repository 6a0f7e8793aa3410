/**
 * Every HubSpot endpoint Success Engine calls, with the scope HubSpot requires for it. The app's
 * OAuth scopes (app-hsmeta.json, the install URL) are computed from this one table, and a contract
 * test runs each row against the sandbox's scope enforcement with exactly these scopes and with
 * each one removed. Add a row when a new call is made; never add a scope by hand.
 */
export interface HubSpotEndpointUse {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path as called, `{type}` etc. filled with a concrete example. */
  path: string;
  scope: string;
  /** What the product does with it (shown to reviewers at marketplace listing). */
  purpose: string;
  doc: string;
  /** Optional scopes widen what is synced; the app works without them (a named finding says what is missing). */
  optional?: true;
}

const OBJECTS_DOC = (name: string): string => `https://developers.hubspot.com/docs/api/crm/${name}`;
const PROPERTIES_DOC = 'https://developers.hubspot.com/docs/api/crm/properties';
const ASSOCIATIONS_DOC = 'https://developers.hubspot.com/docs/api/crm/associations';

const readObject = (type: string, scope: string, purpose: string, doc: string, optional?: true): HubSpotEndpointUse[] => [
  { method: 'GET', path: `/crm/v3/objects/${type}`, scope, purpose, doc, ...(optional ? { optional } : {}) },
  {
    method: 'POST',
    path: `/crm/v3/objects/${type}/search`,
    scope,
    purpose,
    doc: 'https://developers.hubspot.com/docs/api/crm/search',
    ...(optional ? { optional } : {}),
  },
  {
    method: 'GET',
    path: `/crm/v3/properties/${type}`,
    scope,
    purpose: `read the ${type} schema before querying it`,
    doc: PROPERTIES_DOC,
    ...(optional ? { optional } : {}),
  },
];
// Activities are guarded by the contacts scopes (each activity API's "Scope requirements").
const activity = (type: string): HubSpotEndpointUse[] => [
  ...readObject(type, 'crm.objects.contacts.read', `sync ${type} as activities`, OBJECTS_DOC(type)),
  {
    method: 'POST',
    path: `/crm/v4/associations/${type}/companies/batch/read`,
    scope: 'crm.objects.contacts.read',
    purpose: `link ${type} to their company`,
    doc: ASSOCIATIONS_DOC,
  },
];

export const HUBSPOT_ENDPOINTS_USED: readonly HubSpotEndpointUse[] = [
  {
    method: 'POST',
    path: '/oauth/v1/token',
    scope: 'oauth',
    purpose: 'OAuth install flow and token refresh',
    doc: 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide',
  },
  ...readObject('companies', 'crm.objects.companies.read', 'sync companies (accounts)', OBJECTS_DOC('companies')),
  {
    method: 'POST',
    path: '/crm/v3/objects/companies/batch/read',
    scope: 'crm.objects.companies.read',
    purpose: 'read current scores before writing and company owners for tasks',
    doc: OBJECTS_DOC('companies'),
  },
  {
    method: 'POST',
    path: '/crm/v3/objects/companies/batch/update',
    scope: 'crm.objects.companies.write',
    purpose: 'write scores into our company properties',
    doc: OBJECTS_DOC('companies'),
  },
  // Reading property definitions is allowed to the object's read scope; no schema-read scope is needed.
  {
    method: 'GET',
    path: '/crm/v3/properties/companies/groups',
    scope: 'crm.objects.companies.read',
    purpose: 'verify our property group',
    doc: PROPERTIES_DOC,
  },
  {
    method: 'POST',
    path: '/crm/v3/properties/companies/groups',
    scope: 'crm.schemas.companies.write',
    purpose: 'create our property group at install',
    doc: PROPERTIES_DOC,
  },
  {
    method: 'POST',
    path: '/crm/v3/properties/companies',
    scope: 'crm.schemas.companies.write',
    purpose: 'create our score properties at install',
    doc: PROPERTIES_DOC,
  },
  ...readObject('contacts', 'crm.objects.contacts.read', 'sync contacts of companies', OBJECTS_DOC('contacts')),
  {
    method: 'POST',
    path: '/crm/v4/associations/contacts/companies/batch/read',
    scope: 'crm.objects.contacts.read',
    purpose: 'link contacts to their primary company',
    doc: ASSOCIATIONS_DOC,
  },
  ...readObject('deals', 'crm.objects.deals.read', 'sync deals (renewals, upsells) and show the card on deals', OBJECTS_DOC('deals')),
  {
    method: 'POST',
    path: '/crm/v4/associations/deals/companies/batch/read',
    scope: 'crm.objects.deals.read',
    purpose: 'link deals to their primary company',
    doc: ASSOCIATIONS_DOC,
  },
  ...readObject('tickets', 'tickets', 'sync support tickets (a churn signal)', OBJECTS_DOC('tickets')),
  {
    method: 'POST',
    path: '/crm/v4/associations/tickets/companies/batch/read',
    scope: 'tickets',
    purpose: 'link tickets to their primary company',
    doc: ASSOCIATIONS_DOC,
  },
  ...activity('notes'),
  ...activity('calls'),
  ...activity('emails'),
  ...activity('meetings'),
  ...activity('tasks'),
  {
    method: 'POST',
    path: '/crm/v3/objects/tasks/batch/create',
    scope: 'crm.objects.contacts.write',
    purpose: 'create next-best-action tasks for company owners',
    doc: OBJECTS_DOC('tasks'),
  },
  {
    method: 'POST',
    path: '/crm/v4/associations/companies/tasks/batch/read',
    scope: 'crm.objects.contacts.read',
    purpose: 'find tasks we already created (by their key) before creating again',
    doc: ASSOCIATIONS_DOC,
  },
  {
    method: 'POST',
    path: '/crm/v3/objects/tasks/batch/read',
    scope: 'crm.objects.contacts.read',
    purpose: 'find tasks we already created (by their key) before creating again',
    doc: OBJECTS_DOC('tasks'),
  },
  {
    method: 'POST',
    path: '/crm/v3/properties/tasks',
    scope: 'crm.schemas.contacts.write',
    purpose: 'create our hidden task key property (idempotent task creation)',
    doc: PROPERTIES_DOC,
  },
  {
    method: 'GET',
    path: '/crm/v3/owners/70000001',
    scope: 'crm.objects.owners.read',
    purpose: 'owner names on the card and record visibility checks',
    doc: 'https://developers.hubspot.com/docs/api/crm/owners',
  },
  {
    method: 'GET',
    path: '/settings/v3/users/9000001',
    scope: 'settings.users.read',
    purpose: 'a rep’s role when checking what records they may see',
    doc: 'https://developers.hubspot.com/docs/api/settings/user-provisioning',
  },
  {
    method: 'GET',
    path: '/settings/v3/users/teams',
    scope: 'settings.users.teams.read',
    purpose: 'a rep’s teams when checking team-owned records',
    doc: 'https://developers.hubspot.com/docs/api/settings/user-provisioning',
  },
  ...readObject('invoices', 'crm.objects.invoices.read', 'invoices as transactions for lifetime value', OBJECTS_DOC('invoices'), true),
  {
    method: 'POST',
    path: '/crm/v4/associations/invoices/companies/batch/read',
    scope: 'crm.objects.invoices.read',
    purpose: 'link invoices to their company',
    doc: ASSOCIATIONS_DOC,
    optional: true,
  },
  {
    method: 'GET',
    path: '/crm/v3/objects/emails',
    scope: 'sales-email-read',
    purpose: 'email content for sentiment and topics (redacted without it)',
    doc: 'https://developers.hubspot.com/docs/methods/engagements/engagements-overview',
    optional: true,
  },
];

/** The scopes the app asks for, each with the purposes that need it (first-use order). */
export function hubspotScopes(optional: boolean): Readonly<Record<string, string>> {
  const out: Record<string, string[]> = {};
  const required = new Set(HUBSPOT_ENDPOINTS_USED.filter((e) => !e.optional).map((e) => e.scope));
  for (const e of HUBSPOT_ENDPOINTS_USED) {
    if (Boolean(e.optional) !== optional || (optional && required.has(e.scope))) continue;
    const purposes = (out[e.scope] ??= []);
    if (!purposes.includes(e.purpose)) purposes.push(e.purpose);
  }
  return Object.fromEntries(Object.entries(out).map(([scope, purposes]) => [scope, purposes.join('; ')]));
}
