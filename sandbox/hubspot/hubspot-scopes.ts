import type { HsObjectType } from './hubspot-state';

/**
 * The OAuth scopes each endpoint needs, as HubSpot documents them per API
 * (https://developers.hubspot.com/docs/guides/apps/authentication/scopes and each API's
 * "Scope requirements"). This is the sandbox's own reading of the docs: it must never be derived
 * from what our connector asks for. Where the docs list "one of" several scopes for a whole API,
 * reads need the read scope and writes the write scope (strict).
 */
interface ObjectScopes {
  read: string;
  write: string;
  schemaRead: string;
  schemaWrite: string;
}
const crm = (name: string): ObjectScopes => ({
  read: `crm.objects.${name}.read`,
  write: `crm.objects.${name}.write`,
  schemaRead: `crm.schemas.${name}.read`,
  schemaWrite: `crm.schemas.${name}.write`,
});
// Activities (notes, calls, emails, meetings, tasks) are guarded by the contacts scopes:
// https://developers.hubspot.com/docs/api/crm/tasks "Scope requirements: crm.objects.contacts.read, crm.objects.contacts.write".
const CONTACTS = crm('contacts');
// Tickets use the single legacy `tickets` scope (https://developers.hubspot.com/docs/api/crm/tickets).
const TICKETS: ObjectScopes = { read: 'tickets', write: 'tickets', schemaRead: 'tickets', schemaWrite: 'tickets' };
export const OBJECT_SCOPES: Record<HsObjectType, ObjectScopes> = {
  companies: crm('companies'),
  contacts: CONTACTS,
  deals: crm('deals'),
  tickets: TICKETS,
  notes: CONTACTS,
  calls: CONTACTS,
  emails: CONTACTS,
  meetings: CONTACTS,
  tasks: CONTACTS,
  invoices: crm('invoices'),
};
/** Without it, email engagements come back with their content redacted (https://developers.hubspot.com/docs/methods/engagements/engagements-overview). */
export const EMAIL_CONTENT_SCOPE = 'sales-email-read';
export const EMAIL_CONTENT_PROPERTIES = ['hs_email_subject', 'hs_email_text', 'hs_email_html'];

export type ScopeNeed = { allOf: string[] } | { anyOf: string[] };

/** What a request needs; undefined for routes that need only a valid token (OAuth, app installs, the journal). */
export function scopesFor(method: string, path: string, resolve: (name: string) => HsObjectType | undefined): ScopeNeed | undefined {
  const seg = path.split('/').filter(Boolean);
  const write = method !== 'GET';
  if (seg[0] === 'crm' && seg[1] === 'v3' && seg[2] === 'objects') {
    const type = resolve(seg[3] ?? '');
    if (!type) return undefined;
    const s = OBJECT_SCOPES[type];
    // POST …/search and …/batch/read are reads.
    const read = !write || seg[4] === 'search' || (seg[4] === 'batch' && seg[5] === 'read');
    return { allOf: [read ? s.read : s.write] };
  }
  if (seg[0] === 'crm' && seg[1] === 'v3' && seg[2] === 'properties') {
    const type = resolve(seg[3] ?? '');
    if (!type) return undefined;
    const s = OBJECT_SCOPES[type];
    // https://developers.hubspot.com/docs/api/crm/properties: reading definitions is allowed to an object's read or schema-read scope.
    return write ? { allOf: [s.schemaWrite] } : { anyOf: [...new Set([s.schemaRead, s.read])] };
  }
  if (seg[0] === 'crm' && seg[1] === 'v4') {
    // /crm/v4/objects/{from}/{id}/associations/{to}… and /crm/v4/associations/{from}/{to}/…
    const [fromName, toName] = seg[2] === 'objects' ? [seg[3], seg[6] === 'default' ? seg[7] : seg[6]] : [seg[3], seg[4]];
    const from = resolve(fromName ?? '');
    const to = resolve(toName ?? '');
    if (!from || !to) return undefined;
    const batchRead = seg[2] === 'associations' && seg[6] === 'read';
    const changes = write && !batchRead;
    return { allOf: [...new Set([changes ? OBJECT_SCOPES[from].write : OBJECT_SCOPES[from].read, OBJECT_SCOPES[to].read])] };
  }
  // https://developers.hubspot.com/docs/api/crm/owners
  if (seg[0] === 'crm' && seg[1] === 'v3' && seg[2] === 'owners') return { allOf: ['crm.objects.owners.read'] };
  // https://developers.hubspot.com/docs/api/settings/user-provisioning
  if (seg[0] === 'settings' && seg[2] === 'users')
    return { allOf: [seg[3] === 'teams' ? 'settings.users.teams.read' : 'settings.users.read'] };
  return undefined;
}

/** The scopes a token lacks for a need, or [] when it may call. */
export function missingScopes(need: ScopeNeed, granted: ReadonlySet<string>): string[] {
  if ('allOf' in need) return need.allOf.filter((s) => !granted.has(s));
  return need.anyOf.some((s) => granted.has(s)) ? [] : need.anyOf;
}
