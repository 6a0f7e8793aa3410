import { fixedClock, type TenantId } from '../../core';
import { FileConnector } from './file.connector';

const tenantId = 'tenant-files' as TenantId;
const clock = fixedClock('2026-06-01T00:00:00.000Z');

const ACCOUNTS_CSV = [
  'account_id,name,annual_value,renew_on,tier,status,region_code',
  'A1,Acme Ltd,120000,2026-12-31,Gold,active,EU',
  'A2,,5000,2026-10-01,Silver,active,US', // missing name
  'A3,Globex,lots,2026-10-01,Silver,active,US', // bad ARR
  'A4,Initech,9000,31/12/2026,Bronze,active,APAC', // bad renewal date
  'A5,Umbrella,7000,2027-01-15', // short row
  'A6,"Stark, Inc",250000,2027-03-01,Platinum,churned,US',
].join('\n');

describe('FileConnector', () => {
  it('maps accounts through an admin column mapping and quarantines every bad row with line, column and reason', async () => {
    const files = new FileConnector({
      tenantId,
      clock,
      sources: [
        {
          kind: 'accounts',
          format: 'csv',
          name: 'accounts.csv',
          text: ACCOUNTS_CSV,
          accountMapping: { arr: { field: 'annual_value' }, renewalDate: { field: 'renew_on' }, plan: { field: 'tier' } },
        },
      ],
    });
    const page = await files.pullPage('account', null);
    expect(page.done).toBe(true);
    expect(page.records.map((r) => r.source.externalId)).toEqual(['accounts:A1', 'accounts:A6']);
    const acme = page.records[0];
    expect(acme).toMatchObject({
      id: 'file:A1',
      name: 'Acme Ltd',
      arr: 120000,
      renewalDate: '2026-12-31',
      plan: 'Gold',
      status: 'active',
      attributes: { region_code: 'EU' },
    });
    expect(acme?.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(page.records[1]).toMatchObject({ name: 'Stark, Inc', status: 'churned' });
    const byLine = Object.fromEntries(page.rejected.map((r) => [r.externalId, r]));
    expect(byLine['accounts.csv:3']).toMatchObject({ field: 'name' });
    expect(byLine['accounts.csv:4']).toMatchObject({ field: 'annual_value' });
    expect(byLine['accounts.csv:4']?.reason).toContain('"lots" is not a number');
    expect(byLine['accounts.csv:5']).toMatchObject({ field: 'renew_on' });
    expect(byLine['accounts.csv:5']?.reason).toMatch(/^line 5, column "renew_on"/);
    expect(byLine['accounts.csv:6']).toMatchObject({ field: '(row)' });
    // Nothing silently dropped: every data line is either a record or a rejection.
    expect(new Set(page.rejected.map((r) => r.externalId)).size + page.records.length).toBe(6);
  });

  it('imports usage events and transactions from JSONL, linking to CRM accounts, and names broken lines', async () => {
    const usage = [
      '{"event_id":"u1","account_id":"hubspot:2000","occurred_at":"2026-05-01T10:00:00Z","metric":"logins","quantity":12}',
      '{not json',
      '{"event_id":"u2","account_id":"77","occurred_at":"2026-05-02","metric":"api_calls","quantity":"many"}',
      '',
      '{"event_id":"u3","account_id":"77","occurred_at":"2026-05-03","metric":"api_calls","quantity":300}',
    ].join('\n');
    const tx =
      'transaction_id,account_id,kind,occurred_at,amount,currency\nT1,77,invoice,2026-04-01,99.5,usd\nT2,77,gift,2026-04-02,1,USD\n';
    const files = new FileConnector({
      tenantId,
      clock,
      accountProvider: 'hubspot',
      sources: [
        { kind: 'transactions', format: 'csv', name: 'tx.csv', text: tx },
        { kind: 'usage', format: 'jsonl', name: 'usage.jsonl', text: usage },
      ],
    });
    const first = await files.pullPage('transaction', null);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(1);
    expect(first.records[0]).toMatchObject({
      id: 'file:T1',
      accountId: 'hubspot:77',
      kind: 'invoice',
      amount: 99.5,
      currency: 'USD',
      occurredAt: '2026-04-01T00:00:00.000Z',
    });
    expect(first.rejected).toEqual([expect.objectContaining({ externalId: 'tx.csv:3', field: 'kind' })]);
    const second = await files.pullPage('transaction', first.nextCursor);
    expect(second.done).toBe(true);
    expect(second.records.map((r) => [r.accountId, r.metric, r.quantity])).toEqual([
      ['hubspot:2000', 'logins', 12],
      ['hubspot:77', 'api_calls', 300],
    ]);
    expect(second.rejected.map((r) => [r.externalId, r.field])).toEqual([
      ['usage.jsonl:2', '(json)'],
      ['usage.jsonl:3', 'quantity'],
    ]);
  });

  it('imports NPS and CSAT answers with comments as account notes and rejects out-of-range scores', async () => {
    const surveys =
      'response_id,account_id,submitted_at,survey,score,comment\nS1,A1,2026-05-05T08:00:00Z,nps,9,"Great support, fast answers"\nS2,A1,2026-05-06T08:00:00Z,csat,7,too high\nS3,A1,2026-05-07T08:00:00Z,csat,2,续费价格太高\n';
    const files = new FileConnector({ tenantId, clock, sources: [{ kind: 'surveys', format: 'csv', name: 'surveys.csv', text: surveys }] });
    const page = await files.pullPage('activity', null);
    expect(page.records.map((r) => [r.subject, r.body, r.attributes.survey_score])).toEqual([
      ['NPS 9', 'Great support, fast answers', 9],
      ['CSAT 2', '续费价格太高', 2],
    ]);
    expect(page.rejected).toEqual([expect.objectContaining({ externalId: 'surveys.csv:3', field: 'score' })]);
    expect(page.rejected[0]?.reason).toContain('outside csat range 1–5');
  });

  it('pages large files by cursor and resumes without duplicates or gaps', async () => {
    const lines = ['account_id,name,arr'];
    for (let i = 1; i <= 25; i++) lines.push(`K${i},Company ${i},${i * 100}`);
    const make = (): FileConnector =>
      new FileConnector({ tenantId, clock, pageSize: 10, sources: [{ kind: 'accounts', format: 'csv', text: lines.join('\n') }] });
    const seen: string[] = [];
    const first = await make().pullPage('account', null);
    seen.push(...first.records.map((r) => r.id));
    // A new connector (a restarted worker) continues from the saved cursor.
    let cursor = JSON.parse(JSON.stringify(first.nextCursor)) as typeof first.nextCursor;
    for (let done = first.done; !done;) {
      const page = await make().pullPage('account', cursor);
      seen.push(...page.records.map((r) => r.id));
      cursor = page.nextCursor;
      done = page.done;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });
});
