import { randomBytes } from 'node:crypto';
import { signInstallState, STATE_MAX_AGE_MS, verifyInstallState } from './oauth-state';

const secret = randomBytes(32);
const now = new Date('2026-11-29T00:00:00Z');

describe('install OAuth state', () => {
  it('round-trips for the provider it was issued for', () => {
    const state = signInstallState(secret, 'hubspot', now);
    expect(verifyInstallState(secret, state, 'hubspot', new Date(now.getTime() + 1000))).toMatchObject({
      provider: 'hubspot',
      issuedAt: now.getTime(),
    });
  });

  it('rejects another provider, another secret, tampering and old states', () => {
    const state = signInstallState(secret, 'hubspot', now);
    expect(() => verifyInstallState(secret, state, 'salesforce', now)).toThrow(/issued for hubspot/);
    expect(() => verifyInstallState(randomBytes(32), state, 'hubspot', now)).toThrow(/not signed/);
    const [body, sig] = state.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), provider: 'salesforce' }),
    ).toString('base64url');
    expect(() => verifyInstallState(secret, `${forged}.${sig}`, 'salesforce', now)).toThrow(/not signed/);
    expect(() => verifyInstallState(secret, state, 'hubspot', new Date(now.getTime() + STATE_MAX_AGE_MS + 1))).toThrow(/expired/);
    expect(() => verifyInstallState(secret, 'nonsense', 'hubspot', now)).toThrow(/malformed/);
  });
});
