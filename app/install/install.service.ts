import { SuccessEngineError, type ConnectionId, type TenantId } from '../../core';
import { backfillEntities, openConnector } from './connector-factory';
import { registeredCrm } from '../crm-modules';
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

export const redirectUri = (deps: Pick<InstallDeps, 'settings'>, provider: InstallProvider): string =>
  `${deps.settings.publicBaseUrl.replace(/\/$/, '')}/install/${provider}/callback`;

/** Where "Install" sends the user: the CRM's consent page, with a signed, one-time state. */
export function authorizeUrl(deps: InstallDeps, provider: InstallProvider): string {
  const state = signInstallState(deps.settings.stateSecret, provider, deps.clock.now());
  return registeredCrm(provider).bind(deps.settings).authorizeUrl(redirectUri(deps, provider), state);
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
  const crm = registeredCrm(provider);
  const exchanged = await crm.bind(deps.settings).exchangeCode(code, redirectUri(deps, provider), now);

  const tenantId = `${provider}-${exchanged.orgId}` as TenantId;
  const connectionId = provider as ConnectionId;
  const at = now.toISOString();
  const reinstall = (await deps.store.getTenant(tenantId)) !== null;
  if (!reinstall)
    await deps.store.upsertTenant({
      id: tenantId,
      name: crm.module.orgLabel(exchanged.orgId),
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
