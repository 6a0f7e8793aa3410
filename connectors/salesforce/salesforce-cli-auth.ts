import type { AuthInfo } from '@salesforce/core';
import { Connection } from 'jsforce';
import { SuccessEngineError, type CrmTokens } from '../../core';

/** Who and where a session belongs to, read from the org itself. */
export interface SalesforceOrgIdentity {
  orgId: string;
  userId: string;
  username: string;
  displayName: string;
  instanceUrl: string;
}

export interface CliOrgAuthorisation {
  identity: SalesforceOrgIdentity;
  /** Tokens plus how to renew them (the CLI's OAuth client, or its JWT key file). */
  tokens: CrmTokens;
  /** How the CLI logged in: `web` (refresh token), `jwt` (key file) or `token` (access token only, cannot be renewed). */
  method: 'web' | 'jwt' | 'token';
  /** The org's name as the CLI recorded it, when it did. */
  orgName?: string;
}

/**
 * An org the admin authorised with `sf org login …`, read through @salesforce/core from the CLI's
 * own state (~/.sfdx/<username>.json, aliases in ~/.sfdx/alias.json; HOME decides where). The session is
 * checked against the org; @salesforce/core renews an expired access token with the CLI's refresh
 * token and saves it back, as `sf` itself does.
 */
export async function readCliAuthorisation(aliasOrUsername: string): Promise<CliOrgAuthorisation> {
  // Loaded on use: @salesforce/core takes most of a second to load, which every other command would pay.
  const { AuthInfo, Connection: SfCoreConnection, Global, StateAggregator } = await import('@salesforce/core');
  const aggregator = await StateAggregator.getInstance();
  const username = aggregator.aliases.resolveUsername(aliasOrUsername);
  if (!(await aggregator.orgs.hasFile(username))) {
    throw new SuccessEngineError(
      'CONNECTOR.CLI_ORG_UNKNOWN',
      `no org authorised as "${aliasOrUsername}" with the Salesforce CLI (looked in ${Global.SFDX_DIR}); run \`sf org login web --alias ${aliasOrUsername}\` first, or pass the alias or username \`sf org list\` shows`,
      { targetOrg: aliasOrUsername },
    );
  }
  const relogin = `run \`sf org login web --alias ${aliasOrUsername}\` again`;
  let authInfo: AuthInfo;
  let identity: SalesforceOrgIdentity;
  let accessToken: string;
  try {
    authInfo = await AuthInfo.create({ username });
    const connection = await SfCoreConnection.create({ authInfo });
    const id = await connection.identity();
    accessToken = connection.accessToken ?? '';
    identity = {
      orgId: id.organization_id,
      userId: id.user_id,
      username: id.username,
      displayName: id.display_name,
      instanceUrl: connection.instanceUrl,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SuccessEngineError(
      'CONNECTOR.CLI_AUTH_EXPIRED',
      `the Salesforce CLI's authorisation of "${aliasOrUsername}" (${username}) no longer works: ${reason}; ${relogin}`,
      { targetOrg: aliasOrUsername, username },
      { cause: error },
    );
  }
  const fields = authInfo.getFields(true);
  const orgName = typeof fields.name === 'string' ? fields.name : undefined;
  const base: CrmTokens = { accessToken, instanceUrl: identity.instanceUrl };
  if (authInfo.isJwt() && fields.privateKey && fields.clientId) {
    const loginUrl = fields.loginUrl ?? identity.instanceUrl;
    return {
      identity,
      method: 'jwt',
      ...(orgName ? { orgName } : {}),
      tokens: { ...base, jwtBearer: { clientId: fields.clientId, username, privateKeyFile: fields.privateKey, loginUrl } },
    };
  }
  if (fields.refreshToken) {
    // Tokens the CLI holds were issued to its client (PlatformCLI unless it logged in with --client-id); refreshes must use it.
    const clientId = fields.clientId ?? 'PlatformCLI';
    const oauthClient = {
      clientId,
      ...(fields.clientSecret ? { clientSecret: fields.clientSecret } : {}),
      ...(fields.loginUrl ? { loginUrl: fields.loginUrl } : {}),
    };
    return {
      identity,
      method: 'web',
      ...(orgName ? { orgName } : {}),
      tokens: { ...base, refreshToken: fields.refreshToken, oauthClient },
    };
  }
  return { identity, method: 'token', ...(orgName ? { orgName } : {}), tokens: base };
}

/** The identity behind a fresh session (jsforce follows the `identity` URL of the REST root). */
export async function identityOf(tokens: { accessToken: string; instanceUrl: string }, version: string): Promise<SalesforceOrgIdentity> {
  const connection = new Connection({ accessToken: tokens.accessToken, instanceUrl: tokens.instanceUrl, version });
  const id = await connection.identity();
  return {
    orgId: id.organization_id,
    userId: id.user_id,
    username: id.username,
    displayName: id.display_name,
    instanceUrl: tokens.instanceUrl,
  };
}
