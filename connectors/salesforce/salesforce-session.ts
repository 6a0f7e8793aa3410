import { readFileSync } from 'node:fs';
import { SuccessEngineError, type CrmTokens } from '../../core';
import type { SalesforceConnectorOptions } from './salesforce.connector';

/** The product's own Salesforce connected app (SE_SALESFORCE_CLIENT_*), when configured. */
export interface SalesforceApp {
  clientId: string;
  clientSecret: string;
  loginUrl: string;
  apiVersion?: string | undefined;
}

/**
 * How a stored Salesforce connection renews its session: by JWT bearer when it was connected
 * server-to-server, with its own OAuth client when one was stored (an org authorised with the
 * Salesforce CLI refreshes through the CLI's `PlatformCLI` client), else with the product's app.
 */
export function salesforceSessionOptions(
  tokens: CrmTokens,
  app: SalesforceApp | undefined,
  baseUrl: string,
): Pick<SalesforceConnectorOptions, 'loginUrl' | 'oauthClient' | 'jwtBearer'> {
  if (tokens.jwtBearer) {
    const jwt = tokens.jwtBearer;
    return {
      loginUrl: jwt.loginUrl,
      oauthClient: { clientId: jwt.clientId },
      jwtBearer: { username: jwt.username, privateKeyPem: () => readPrivateKey(jwt.privateKeyFile) },
    };
  }
  if (tokens.oauthClient) {
    const own = tokens.oauthClient;
    return {
      loginUrl: own.loginUrl ?? baseUrl,
      oauthClient: { clientId: own.clientId, ...(own.clientSecret ? { clientSecret: own.clientSecret } : {}) },
    };
  }
  if (app) return { loginUrl: app.loginUrl, oauthClient: { clientId: app.clientId, clientSecret: app.clientSecret } };
  return { loginUrl: baseUrl };
}

/** The JWT signing key, read when needed (it may be rotated in place); the error names the file, never its content. */
export function readPrivateKey(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SuccessEngineError(
      'CONNECTOR.JWT_KEY_UNREADABLE',
      `cannot read the JWT private key file ${file} (${code}): check the path and that this user may read it`,
      { file, code },
    );
  }
  if (pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----'))
    throw new SuccessEngineError(
      'CONNECTOR.JWT_KEY_UNREADABLE',
      `the JWT private key file ${file} is passphrase-protected; store it unencrypted with restricted permissions (as the Salesforce CLI's --jwt-key-file expects)`,
      { file },
    );
  if (!/-----BEGIN (?:RSA )?PRIVATE KEY-----/.test(pem))
    throw new SuccessEngineError(
      'CONNECTOR.JWT_KEY_UNREADABLE',
      `the JWT private key file ${file} holds no PEM private key (expected "-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----")`,
      { file },
    );
  return pem;
}
