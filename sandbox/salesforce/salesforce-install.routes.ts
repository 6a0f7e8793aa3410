import { parseForm, type Router, type SandboxRequest, type SandboxResponse } from '../http/http-kit';
import type { SalesforceState } from './salesforce-state';

/**
 * What an installed app meets in an org beyond data: token revocation
 * (`POST /services/oauth2/revoke`, help.salesforce.com "Revoke OAuth Tokens Programmatically") and
 * record visibility through `UserRecordAccess` (Object Reference: query only, one UserId, up to 200
 * RecordIds). The sharing model is small on purpose: org-wide default Private, so a user reads a
 * record they own, one shared with them (manual share), or any record with "View All Data".
 */
export interface SalesforceInstallState {
  /** Users with the "View All Data" permission (the integration user has it). */
  readonly viewAllUserIds: Set<string>;
  /** Manual shares: record id → users granted Read. */
  readonly shares: Map<string, Set<string>>;
  /** Tokens revoked so far (access or refresh), in order. */
  readonly revoked: string[];
}

export interface SalesforceInstallDeps {
  org: SalesforceState;
  /** The server's live session and refresh-token tables (revocation edits them). */
  sessions: Map<string, { expiresAt: number; userId: string }>;
  refreshTokens: Map<string, string>;
  integrationUserId: string;
}

const MAX_RECORD_IDS = 200;
const ACCESS_FIELDS = [
  'RecordId',
  'HasReadAccess',
  'HasEditAccess',
  'HasDeleteAccess',
  'HasTransferAccess',
  'HasAllAccess',
  'MaxAccessLevel',
] as const;

export function registerSalesforceInstallRoutes(router: Router, deps: SalesforceInstallDeps): SalesforceInstallState {
  const state: SalesforceInstallState = { viewAllUserIds: new Set([deps.integrationUserId]), shares: new Map(), revoked: [] };

  const revoke = (req: SandboxRequest): SandboxResponse => {
    const token = parseForm(req).get('token') ?? req.query.get('token') ?? '';
    if (!token) return { status: 400, json: { error: 'unsupported_token_type', error_description: 'Token type not supported' } };
    const refreshUser = deps.refreshTokens.get(token);
    if (refreshUser !== undefined) {
      // A refresh token takes every access token issued from it; the sandbox does not keep that
      // link, so it ends every expiring session of the same user (static test tokens stay).
      deps.refreshTokens.delete(token);
      for (const [t, s] of deps.sessions) if (s.userId === refreshUser && Number.isFinite(s.expiresAt)) deps.sessions.delete(t);
    } else if (deps.sessions.has(token)) {
      deps.sessions.delete(token);
    } else {
      return { status: 400, json: { error: 'invalid_token', error_description: 'Token was invalid' } };
    }
    state.revoked.push(token);
    return { status: 200, text: '' };
  };
  router.on('POST', '/services/oauth2/revoke', revoke).on('GET', '/services/oauth2/revoke', revoke);
  return state;
}

type Fail = (status: number, errorCode: string, message: string) => Error;

/**
 * The answer to a SOQL query on UserRecordAccess, or undefined when the query is about another
 * object (the caller then runs it as usual). Malformed queries throw what `fail` builds.
 */
export function answerUserRecordAccess(
  org: SalesforceState,
  install: SalesforceInstallState,
  soql: string,
  fail: Fail,
): { totalSize: number; done: true; records: Record<string, unknown>[] } | undefined {
  const m = /^\s*SELECT\s+(.+?)\s+FROM\s+UserRecordAccess\s+WHERE\s+(.+?)\s*$/is.exec(soql);
  if (!m) return undefined;
  const fields = (m[1] as string).split(',').map((f) => f.trim());
  const known = new Map<string, string>(ACCESS_FIELDS.map((f) => [f.toLowerCase(), f]));
  const unknown = fields.find((f) => !known.has(f.toLowerCase()));
  if (unknown) throw fail(400, 'INVALID_FIELD', `No such column '${unknown}' on entity 'UserRecordAccess'.`);
  const where = m[2] as string;
  const user = /\bUserId\s*=\s*'([^']+)'/i.exec(where)?.[1];
  const single = /\bRecordId\s*=\s*'([^']+)'/i.exec(where)?.[1];
  const list = /\bRecordId\s+IN\s*\(([^)]*)\)/i.exec(where)?.[1];
  const ids = single
    ? [single]
    : (list ?? '')
        .split(',')
        .map((s) => s.trim().replace(/^'|'$/g, ''))
        .filter(Boolean);
  if (!user || ids.length === 0)
    throw fail(400, 'MALFORMED_QUERY', 'UserRecordAccess queries must filter on a single UserId and on RecordId');
  if (ids.length > MAX_RECORD_IDS) throw fail(400, 'MALFORMED_QUERY', `UserRecordAccess: no more than ${MAX_RECORD_IDS} RecordIds`);
  const records = ids.map((id) => {
    const level = accessLevel(org, install, user, id);
    const row: Record<string, unknown> = { attributes: { type: 'UserRecordAccess' } };
    const values: Record<string, unknown> = {
      RecordId: id,
      HasReadAccess: level !== 'None',
      HasEditAccess: level === 'All',
      HasDeleteAccess: level === 'All',
      HasTransferAccess: level === 'All',
      HasAllAccess: level === 'All',
      MaxAccessLevel: level,
    };
    for (const f of fields) {
      const name = known.get(f.toLowerCase()) as string;
      row[name] = values[name];
    }
    return row;
  });
  return { totalSize: records.length, done: true, records };
}

function accessLevel(org: SalesforceState, install: SalesforceInstallState, userId: string, recordId: string): 'None' | 'Read' | 'All' {
  const found = org.findById(recordId);
  if (!found || found.record.IsDeleted) return 'None';
  if (found.record.OwnerId === userId) return 'All';
  return install.viewAllUserIds.has(userId) || install.shares.get(found.record.Id)?.has(userId) ? 'Read' : 'None';
}
