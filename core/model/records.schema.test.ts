import { buildRecord, CanonicalAccountSchema, isSuccessEngineError, type TenantId } from '..';
import { describeIssues } from '../validation';

const tenantId = 'acme' as TenantId;
const source = { provider: 'salesforce' as const, externalId: '001000000000001', modstamp: '2026-03-01T10:00:00+08:00' };

describe('canonical records', () => {
  it('accepts a complete account and stamps a content hash', () => {
    const account = buildRecord('account', {
      tenantId,
      id: 'salesforce:001000000000001',
      source,
      name: 'Acme 有限公司',
      status: 'active',
      arr: 48000,
      currency: 'CNY',
      renewalDate: '2026-12-31',
      contractType: 'one-year',
      attributes: { region: 'APAC' },
    });
    expect(account.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(account.attributes).toEqual({ region: 'APAC' });
  });

  it('defaults attributes to an empty object', () => {
    const account = buildRecord('account', { tenantId, id: 'salesforce:1', source, name: 'A', status: 'prospect' });
    expect(account.attributes).toEqual({});
  });

  it.each([
    [{ arr: -5 }, 'arr'],
    [{ currency: 'usd' }, 'currency'],
    [{ renewalDate: '31/12/2026' }, 'renewalDate'],
    [{ status: 'gone' }, 'status'],
    [{ name: '   ' }, 'name'],
    [{ source: { ...source, modstamp: 'yesterday' } }, 'source.modstamp'],
    [{ source: { ...source, externalId: '' } }, 'source.externalId'],
  ])('rejects %j naming the field %s', (patch, path) => {
    const result = CanonicalAccountSchema.safeParse({
      tenantId,
      id: 'salesforce:1',
      source,
      name: 'A',
      status: 'active',
      dataHash: 'a'.repeat(64),
      ...patch,
    });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error).map((i) => i.path)).toContain(path);
  });

  it('buildRecord reports every bad field and the record it came from', () => {
    expect.assertions(4);
    try {
      buildRecord('contact', { tenantId, id: 'salesforce:003', source, email: 'not-an-email', accountId: '' });
    } catch (error) {
      expect(isSuccessEngineError(error, 'CORE.VALIDATION_FAILED')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain('salesforce:001000000000001');
      expect(message).toContain('email');
      expect(message).toContain('accountId');
    }
  });

  it('requires ticket priority from the closed set and an account', () => {
    expect(() =>
      buildRecord('ticket', {
        tenantId,
        id: 'hubspot:t1',
        source,
        subject: 'Down',
        status: 'open',
        priority: 'p1',
        createdAt: '2026-01-01T00:00:00Z',
      } as never),
    ).toThrow(/priority.*|accountId/);
  });
});
