import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPrivateKey, salesforceSessionOptions } from './salesforce-session';

const APP = { clientId: 'product-app', clientSecret: 'product-secret', loginUrl: 'https://login.salesforce.com' };
const BASE = 'https://acme.my.salesforce.com';

describe('salesforceSessionOptions', () => {
  it('renews by JWT when the connection was made server-to-server, whatever app is configured', () => {
    const options = salesforceSessionOptions(
      {
        accessToken: 'a',
        jwtBearer: { clientId: 'ck', username: 'u@acme.com', privateKeyFile: '/nowhere/key.pem', loginUrl: 'https://test.salesforce.com' },
      },
      APP,
      BASE,
    );
    expect(options).toMatchObject({
      loginUrl: 'https://test.salesforce.com',
      oauthClient: { clientId: 'ck' },
      jwtBearer: { username: 'u@acme.com' },
    });
    expect(options.oauthClient).not.toHaveProperty('clientSecret');
    // The key is read when a session is needed, so a missing file fails then, naming the file.
    expect(() => options.jwtBearer?.privateKeyPem()).toThrow(/\/nowhere\/key\.pem/);
  });

  it("refreshes with the connection's own client (the Salesforce CLI's public PlatformCLI) before the product's app", () => {
    expect(
      salesforceSessionOptions(
        { accessToken: 'a', refreshToken: 'r', oauthClient: { clientId: 'PlatformCLI', loginUrl: 'https://login.salesforce.com' } },
        APP,
        BASE,
      ),
    ).toEqual({ loginUrl: 'https://login.salesforce.com', oauthClient: { clientId: 'PlatformCLI' } });
    expect(salesforceSessionOptions({ accessToken: 'a', refreshToken: 'r' }, APP, BASE)).toEqual({
      loginUrl: APP.loginUrl,
      oauthClient: { clientId: 'product-app', clientSecret: 'product-secret' },
    });
    expect(salesforceSessionOptions({ accessToken: 'a' }, undefined, BASE)).toEqual({ loginUrl: BASE });
  });
});

describe('readPrivateKey', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-jwt-key-'));
  it('names a file that holds no private key, or an encrypted one, without echoing its content', () => {
    const cert = path.join(dir, 'cert.pem');
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nsecret-ish\n-----END CERTIFICATE-----\n');
    expect(() => readPrivateKey(cert)).toThrow(
      expect.objectContaining({ code: 'CONNECTOR.JWT_KEY_UNREADABLE', message: expect.not.stringContaining('secret-ish') as unknown }),
    );
    const encrypted = path.join(dir, 'enc.pem');
    writeFileSync(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nx\n-----END ENCRYPTED PRIVATE KEY-----\n');
    expect(() => readPrivateKey(encrypted)).toThrow(/passphrase-protected/);
  });
});
