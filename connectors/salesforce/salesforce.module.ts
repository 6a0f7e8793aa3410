import { SuccessEngineError, type CrmTokens } from '../../core';
import type { StoredConnection } from '../../core/ports/store.port';
import { postForm, type ConnectionRequest } from '../shared/crm-http';
import type { AccessAnswer, CrmModule, CrmRecordRef, ExchangedInstall, OpenConnectorInput } from '../shared/crm-module';
import { SALESFORCE_LIMITS } from '../shared/provider-limits';
import { DEFAULT_SALESFORCE_API_VERSION, SALESFORCE_ACCOUNT_MAPPING } from './salesforce-account.mapping';
import { SalesforceConnector } from './salesforce.connector';
import { salesforceSessionOptions, type SalesforceApp } from './salesforce-session';

/** sObjects in Change Data Capture / outbound events → our entities. */
const INBOUND_ENTITIES = {
  account: 'account',
  contact: 'contact',
  opportunity: 'opportunity',
  case: 'ticket',
  task: 'activity',
  event: 'activity',
} as const;

const SALESFORCE_ID = /^[a-zA-Z0-9]{15,18}$/;

export const salesforceModule: CrmModule<SalesforceApp> = {
  provider: 'salesforce',
  label: 'Salesforce',
  orgLabel: (orgId) => `Salesforce org ${orgId}`,
  limits: SALESFORCE_LIMITS,
  defaultAccountMapping: SALESFORCE_ACCOUNT_MAPPING,
  fieldName: {
    pattern: /^[A-Za-z][A-Za-z0-9_]{0,79}$/,
    rule: 'a Salesforce field API name (letters, digits and _, starting with a letter, e.g. Renewal_Date__c)',
  },
  inboundEntities: INBOUND_ENTITIES,
  bind: (app) => ({
    authorizeUrl: (redirectUri, state) => authorizeUrl(requireApp(app), redirectUri, state),
    exchangeCode: (code, redirectUri) => exchangeCode(requireApp(app), code, redirectUri),
    refreshTokens: (connection) => refreshTokens(requireApp(app), connection),
    revoke: (connection) => revoke(app, connection),
    openConnector: (input) => openConnector(app, input),
    canUserSee: (request, _lookup, userId, record) => canUserSee(app, request, userId, record),
  }),
};

function requireApp(app: SalesforceApp | undefined): SalesforceApp {
  if (!app) throw new SuccessEngineError('INSTALL.NOT_CONFIGURED', 'the salesforce app is not configured on this server');
  return app;
}

const apiVersion = (app: SalesforceApp | undefined): string => app?.apiVersion ?? DEFAULT_SALESFORCE_API_VERSION;

function authorizeUrl(app: SalesforceApp, redirectUri: string, state: string): string {
  const url = new URL(`${app.loginUrl}/services/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: redirectUri,
    scope: 'api refresh_token',
    state,
  }).toString();
  return url.toString();
}

async function exchangeCode(app: SalesforceApp, code: string, redirectUri: string): Promise<ExchangedInstall> {
  const res = await postForm(`${app.loginUrl}/services/oauth2/token`, {
    grant_type: 'authorization_code',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: redirectUri,
    code,
  });
  const body = res.body as {
    access_token?: string;
    refresh_token?: string;
    instance_url?: string;
    id?: string;
    scope?: string;
    error?: string;
    error_description?: string;
  };
  if (res.status !== 200 || !body.access_token || !body.instance_url)
    throw new SuccessEngineError(
      'INSTALL.CODE_REJECTED',
      `Salesforce refused the authorization code (${res.status}${body.error ? `: ${body.error} ${body.error_description ?? ''}` : ''})`,
    );
  // The identity URL is …/id/<orgId>/<userId>.
  const identity = /\/id\/([A-Za-z0-9]{15,18})\/([A-Za-z0-9]{15,18})$/.exec(body.id ?? '');
  if (!identity)
    throw new SuccessEngineError('INSTALL.CODE_REJECTED', `Salesforce token response has no identity URL (id: ${String(body.id)})`);
  return {
    orgId: identity[1] as string,
    installerId: identity[2] as string,
    baseUrl: body.instance_url,
    tokens: {
      accessToken: body.access_token,
      ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
      instanceUrl: body.instance_url,
      ...(body.scope ? { scope: body.scope } : {}),
    },
  };
}

async function refreshTokens(app: SalesforceApp, connection: StoredConnection): Promise<CrmTokens> {
  const res = await postForm(`${app.loginUrl}/services/oauth2/token`, {
    grant_type: 'refresh_token',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    refresh_token: connection.tokens.refreshToken ?? '',
  });
  const body = res.body as { access_token?: string; instance_url?: string; error?: string };
  if (res.status === 400 && body.error === 'invalid_grant')
    throw new SuccessEngineError(
      'CONNECTOR.AUTH_REVOKED',
      `Salesforce refused the refresh token of tenant ${connection.tenantId} (revoked, or the app was uninstalled)`,
      { response: res.body },
    );
  if (res.status !== 200 || !body.access_token)
    throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `Salesforce token refresh answered ${res.status}`);
  return { ...connection.tokens, accessToken: body.access_token, ...(body.instance_url ? { instanceUrl: body.instance_url } : {}) };
}

/** Revoking the refresh token revokes the access tokens issued from it. */
async function revoke(app: SalesforceApp | undefined, connection: StoredConnection): Promise<string> {
  const loginUrl = app?.loginUrl ?? connection.baseUrl;
  const res = await postForm(`${loginUrl}/services/oauth2/revoke`, {
    token: connection.tokens.refreshToken ?? connection.tokens.accessToken,
  });
  return `salesforce ${res.status}`;
}

// Salesforce has no request window, only a daily allocation the connector budgets itself.
function openConnector(app: SalesforceApp | undefined, input: OpenConnectorInput): SalesforceConnector {
  const { connection } = input;
  const { tokens } = connection;
  return new SalesforceConnector({
    tenantId: input.tenantId,
    orgKey: `${input.tenantId}:${input.connectionId}`,
    instanceUrl: tokens.instanceUrl ?? connection.baseUrl,
    ...salesforceSessionOptions(tokens, app, connection.baseUrl),
    version: apiVersion(app),
    accessToken: tokens.accessToken,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    onTokens: input.onTokens,
    ...(input.accountMapping ? { accountMapping: input.accountMapping } : {}),
    ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
    ...(input.readBeforeWrite ? { readBeforeWrite: true } : {}),
    clock: input.clock,
  });
}

/** `UserRecordAccess` applies the org's whole sharing model to one user and record. */
async function canUserSee(
  app: SalesforceApp | undefined,
  request: ConnectionRequest,
  userId: string,
  record: CrmRecordRef,
): Promise<AccessAnswer> {
  if (!SALESFORCE_ID.test(userId) || !SALESFORCE_ID.test(record.externalId)) return { allowed: false, reason: 'malformed-id' };
  const soql = `SELECT RecordId, HasReadAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '${userId}' AND RecordId = '${record.externalId}'`;
  const res = await request(`/services/data/v${apiVersion(app)}/query?q=${encodeURIComponent(soql)}`);
  if (res.status === 400) return { allowed: false, reason: 'unknown-user-or-record' };
  if (res.status !== 200) throw new SuccessEngineError('CONNECTOR.UNAVAILABLE', `Salesforce UserRecordAccess query answered ${res.status}`);
  const row = (res.body as { records?: { HasReadAccess?: boolean; MaxAccessLevel?: string }[] }).records?.[0];
  return row?.HasReadAccess
    ? { allowed: true, reason: `salesforce-${(row.MaxAccessLevel ?? 'read').toLowerCase()}` }
    : { allowed: false, reason: 'hidden' };
}
