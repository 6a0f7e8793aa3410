import { SuccessEngineError, type ConnectionId, type CrmTokens, type TenantId } from '../../core';
import { backfillEntities, openConnector } from './connector-factory';
import { getJson, postForm } from './crm-http';
import type { InstallDeps } from './install.types';
import { signInstallState, verifyInstallState, type InstallProvider } from './oauth-state';

export interface InstallResult {
  tenantId: TenantId;
  connectionId: ConnectionId;
  /** Shown once to the installing admin: the console's API token (only its hash is stored). */
  adminToken: string;
  schema: { created: string[]; verified: string[] };
  /** Job id of the backfill run (`sync.start`: pages → train → score → write-back). */
  backfillJob: string;
  reinstall: boolean;
}

interface Exchanged {
  orgId: string;
  installerId: string;
  baseUrl: string;
  tokens: CrmTokens;
}

export const redirectUri = (deps: Pick<InstallDeps, 'settings'>, provider: InstallProvider): string =>
  `${deps.settings.publicBaseUrl.replace(/\/$/, '')}/install/${provider}/callback`;

/** Where "Install" sends the user: the CRM's consent page, with a signed, one-time state. */
export function authorizeUrl(deps: InstallDeps, provider: InstallProvider): string {
  const state = signInstallState(deps.settings.stateSecret, provider, deps.clock.now());
  if (provider === 'hubspot') {
    const app = requireApp(deps, 'hubspot');
    const url = new URL(app.authorizeUrl);
    // https://developers.hubspot.com/docs/api/oauth-quickstart-guide: `optional_scope` for scopes the app can do without.
    url.search = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: redirectUri(deps, provider),
      scope: app.scopes.join(' '),
      ...(app.optionalScopes?.length ? { optional_scope: app.optionalScopes.join(' ') } : {}),
      state,
    }).toString();
    return url.toString();
  }
  const app = requireApp(deps, 'salesforce');
  const url = new URL(`${app.loginUrl}/services/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: redirectUri(deps, provider),
    scope: 'api refresh_token',
    state,
  }).toString();
  return url.toString();
}

/**
 * The OAuth callback: check the state (signature, provider, age, never seen), exchange the code,
 * create or re-activate the tenant and its connection (tokens AES-GCM encrypted by the store),
 * create our fields in the CRM, and enqueue the first backfill. Scores follow from the pipeline.
 */
export async function completeInstall(deps: InstallDeps, provider: InstallProvider, code: string, state: string): Promise<InstallResult> {
  const now = deps.clock.now();
  const payload = verifyInstallState(deps.settings.stateSecret, state, provider, now);
  if (!(await deps.store.claimOAuthNonce(payload.nonce, now.toISOString())))
    throw new SuccessEngineError('INSTALL.BAD_STATE', 'this OAuth state was already used; start the install again');
  const exchanged = provider === 'hubspot' ? await exchangeHubSpot(deps, code) : await exchangeSalesforce(deps, code);

  const tenantId = `${provider}-${exchanged.orgId}` as TenantId;
  const connectionId = provider as ConnectionId;
  const at = now.toISOString();
  const reinstall = (await deps.store.getTenant(tenantId)) !== null;
  if (!reinstall)
    await deps.store.upsertTenant({
      id: tenantId,
      name: provider === 'hubspot' ? `HubSpot portal ${exchanged.orgId}` : `Salesforce org ${exchanged.orgId}`,
      locale: 'en',
      createdAt: at,
    });
  await deps.store.saveConnection(
    { id: connectionId, tenantId, provider, externalOrgId: exchanged.orgId, baseUrl: exchanged.baseUrl, createdAt: at, updatedAt: at },
    exchanged.tokens,
  );
  await deps.store.markInstalled(tenantId, at);
  await deps.store.appendAudit({
    tenantId,
    at,
    actor: `${provider}-user:${exchanged.installerId}`,
    action: reinstall ? 'install.reconnected' : 'install.completed',
    target: `${provider}/${exchanged.orgId}`,
    details: { scope: exchanged.tokens.scope ?? null },
  });

  const schema = await (await openConnector(deps, tenantId, connectionId)).ensureSchema();
  await deps.store.appendAudit({
    tenantId,
    at: deps.clock.now().toISOString(),
    actor: 'system',
    action: 'install.schema',
    target: provider,
    details: schema,
  });

  // One flow, as a nightly backfill: every entity's pages → training (with the backtest the console
  // shows, before anything goes live) → one whole-book score → write-back. Pages queued alone would
  // each re-score the book for their changed accounts, quadratic in the book's size.
  const runId = `install-${payload.nonce.slice(0, 12)}`;
  const entities = backfillEntities(provider);
  const backfillJob = await deps.queue.enqueue(
    'sync.start',
    { tenantId, connectionId, mode: 'backfill', entities, train: true, runId },
    { lane: 'bulk' },
  );
  await deps.store.appendAudit({
    tenantId,
    at: deps.clock.now().toISOString(),
    actor: 'system',
    action: 'install.backfill-enqueued',
    target: provider,
    details: { runId, entities, job: backfillJob },
  });
  const adminToken = await deps.store.issueApiToken(tenantId, 'admin', `installer-${exchanged.installerId}`);
  return { tenantId, connectionId, adminToken, schema, backfillJob, reinstall };
}

async function exchangeHubSpot(deps: InstallDeps, code: string): Promise<Exchanged> {
  const app = requireApp(deps, 'hubspot');
  const res = await postForm(`${app.apiBaseUrl}/oauth/v1/token`, {
    grant_type: 'authorization_code',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: redirectUri(deps, 'hubspot'),
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
      expiresAt: new Date(deps.clock.now().getTime() + (body.expires_in ?? 1800) * 1000).toISOString(),
      ...(meta.scopes ? { scope: meta.scopes.join(' ') } : {}),
    },
  };
}

async function exchangeSalesforce(deps: InstallDeps, code: string): Promise<Exchanged> {
  const app = requireApp(deps, 'salesforce');
  const res = await postForm(`${app.loginUrl}/services/oauth2/token`, {
    grant_type: 'authorization_code',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: redirectUri(deps, 'salesforce'),
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

function requireApp<P extends InstallProvider>(deps: Pick<InstallDeps, 'settings'>, provider: P): NonNullable<InstallDeps['settings'][P]> {
  const app = deps.settings[provider];
  if (!app) throw new SuccessEngineError('INSTALL.NOT_CONFIGURED', `the ${provider} app is not configured on this server`);
  return app;
}
