import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { fixedClock, type ConnectorFinding, type EntityName, type SyncCursor, type TenantId } from '../../core';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import { SCHEMA_TTL_MS } from '../../connectors/hubspot/hubspot-schema';
import { ALL_SANDBOX_SCOPES, startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.server';
import { generateBook } from '../../sandbox/seed/book.generator';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { makeScore } from './connector-contract.suite';

const rows = readTelcoCsv(path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv'));
const TOKEN = 'pat-na1-sandbox-0000';
const tenantId = 'tenant-hubspot-portal' as TenantId;
let keys = 0;

async function portal(profile: 'vanilla' | 'customised'): Promise<{
  sandbox: HubSpotSandbox;
  clock: ReturnType<typeof fixedClock>;
  connector: () => HubSpotConnector;
  close: () => Promise<void>;
}> {
  const clock = fixedClock('2026-11-01T00:00:00.000Z');
  const sandbox = await startHubSpotSandbox({
    book: generateBook({ seed: 5, accounts: 25, rows }),
    tier: 'enterprise',
    clock,
    portal: profile,
    searchPerSecond: 1000,
  });
  const portalKey = `portal-test-${++keys}`;
  const sleep = (ms: number): Promise<void> => {
    clock.advance(ms);
    return Promise.resolve();
  };
  return {
    sandbox,
    clock,
    connector: () =>
      new HubSpotConnector({ tenantId, portalKey, basePath: sandbox.url, accessToken: TOKEN, clock, sleep, random: () => 0.5 }),
    close: () => sandbox.close(),
  };
}

async function pull(
  connector: () => HubSpotConnector,
  entity: EntityName,
  from: SyncCursor | null = null,
): Promise<{
  ids: string[];
  records: Record<string, unknown>[];
  findings: ConnectorFinding[];
  rejected: number;
  deletions: number;
  cursor: SyncCursor | null;
}> {
  let cursor = from;
  const out = {
    ids: [] as string[],
    records: [] as Record<string, unknown>[],
    findings: [] as ConnectorFinding[],
    rejected: 0,
    deletions: 0,
    cursor,
  };
  for (let guard = 0; guard < 1000; guard++) {
    const page = await connector().pullPage(entity, cursor);
    out.records.push(...(page.records as unknown as Record<string, unknown>[]));
    out.ids.push(...page.records.map((r) => r.source.externalId));
    out.findings.push(...(page.findings ?? []));
    out.rejected += page.rejected.length;
    out.deletions += page.deletions.length;
    cursor = JSON.parse(JSON.stringify(page.nextCursor)) as SyncCursor;
    if (page.done) break;
  }
  return { ...out, cursor };
}

describe('HubSpot connector against a customer portal it has not seen before', () => {
  it('on a vanilla portal reads only properties that exist, names each missing one, and loses no record', async () => {
    const p = await portal('vanilla');
    try {
      const accounts = await pull(p.connector, 'account');
      expect(accounts.ids.sort()).toEqual([...p.sandbox.state.portal.table('companies').keys()].sort());
      expect(accounts.rejected).toBe(0);
      // The default mapping reads ARR from HubSpot's own annualrevenue.
      for (const a of accounts.records) expect(Number(a.arr)).toBeGreaterThan(0);
      const missing = accounts.findings.filter((f) => f.code === 'CONNECTOR.PROPERTY_MISSING').map((f) => f.property);
      expect(missing).toEqual(expect.arrayContaining(['contract_type', 'renewal_date', 'account_status', 'tenure_months']));
      expect(missing).not.toContain('annualrevenue');
      expect(accounts.findings.every((f) => f.object === 'companies' && f.message.includes('控制台'))).toBe(true);
      const contacts = await pull(p.connector, 'contact');
      expect(contacts.ids).toHaveLength(p.sandbox.state.portal.table('contacts').size);
      expect(contacts.findings.map((f) => f.property)).toEqual(['is_primary_contact']);
    } finally {
      await p.close();
    }
  }, 60_000);

  it('a scope revoked between two syncs is a SCOPE_MISSING finding: other entities sync, nothing is deleted', async () => {
    const p = await portal('customised');
    try {
      const first = await pull(p.connector, 'opportunity');
      expect(first.ids.length).toBeGreaterThan(0);
      p.sandbox.state.setTokenScopes(
        TOKEN,
        ALL_SANDBOX_SCOPES.filter((s) => s !== 'crm.objects.deals.read'),
      );
      const deal = [...p.sandbox.state.portal.table('deals').values()][0];
      p.clock.advance(5_000);
      if (deal) deal.properties.hs_lastmodifieddate = p.clock.now().toISOString();
      const second = await pull(p.connector, 'opportunity', first.cursor);
      expect(second.ids).toEqual([]);
      expect(second.deletions).toBe(0);
      expect(second.findings).toEqual([
        expect.objectContaining({ code: 'CONNECTOR.SCOPE_MISSING', object: 'deals', scope: 'crm.objects.deals.read' }),
      ]);
      expect((await pull(p.connector, 'account')).ids).toHaveLength(25);
      // Granted again, the next pass picks the change up.
      p.sandbox.state.setTokenScopes(TOKEN, ALL_SANDBOX_SCOPES);
      p.clock.advance(SCHEMA_TTL_MS);
      const third = await pull(p.connector, 'opportunity', first.cursor);
      expect(third.ids).toContain(deal?.id);
    } finally {
      await p.close();
    }
  }, 60_000);

  it('a property deleted between two syncs becomes a PROPERTY_MISSING finding and the record still syncs', async () => {
    const p = await portal('customised');
    try {
      const first = await pull(p.connector, 'account');
      expect(first.records.every((a) => typeof a.contractType === 'string')).toBe(true);
      await new Client({ accessToken: TOKEN, basePath: p.sandbox.url }).crm.properties.coreApi.archive('companies', 'contract_type');
      p.clock.advance(SCHEMA_TTL_MS);
      const target = [...p.sandbox.state.portal.table('companies').values()][4];
      if (!target) throw new Error('no company');
      target.properties.hs_lastmodifieddate = p.clock.now().toISOString();
      const next = await pull(p.connector, 'account', first.cursor);
      expect(next.ids).toEqual([target.id]);
      expect(next.records[0]?.contractType).toBeUndefined();
      expect(next.rejected).toBe(0);
      expect(next.findings).toEqual([
        expect.objectContaining({ code: 'CONNECTOR.PROPERTY_MISSING', object: 'companies', property: 'contract_type' }),
      ]);
    } finally {
      await p.close();
    }
  }, 60_000);

  it('an enumeration value the portal does not allow fails that record by name; the rest are written', async () => {
    const p = await portal('customised');
    try {
      const c = p.connector();
      await c.ensureSchema();
      // An admin removes the "critical" option from our risk band property in HubSpot.
      const band = p.sandbox.state.portal.properties.get('companies')?.get('se_risk_band');
      if (!band) throw new Error('se_risk_band was not created');
      band.options = band.options.filter((o) => o.value !== 'critical');
      p.clock.advance(SCHEMA_TTL_MS);
      const [a, b] = [...p.sandbox.state.portal.table('companies').keys()];
      const results = await p.connector().writeBack([makeScore(tenantId, `hubspot:${a}`, 0.9), makeScore(tenantId, `hubspot:${b}`, 0.1)]);
      expect(results[0]).toMatchObject({ accountExternalId: a, status: 'failed', code: 'CONNECTOR.VALUE_NOT_ALLOWED', retryable: false });
      expect(results[0]?.status === 'failed' && results[0].message).toContain('se_risk_band');
      expect(results[0]?.status === 'failed' && results[0].message).toContain('critical');
      expect(results[1]).toEqual({ accountExternalId: b, status: 'written' });
      expect(p.sandbox.state.portal.table('companies').get(b ?? '')?.properties.se_risk_band).toBe('low');
      expect(p.sandbox.state.portal.table('companies').get(a ?? '')?.properties.se_risk_band).toBeUndefined();
    } finally {
      await p.close();
    }
  }, 60_000);

  it('a contact linked to several companies lands on its Primary one, in the full load and in the incremental pass', async () => {
    const p = await portal('vanilla');
    try {
      const state = p.sandbox.state.portal;
      const companies = [...state.table('companies').keys()].sort();
      const contact = [...state.table('contacts').values()].find(
        (c) => state.associationsOf('contacts', c.id, 'companies')[0]?.[0] !== companies[0],
      );
      if (!contact || !companies[0]) throw new Error('no contact');
      const primary = state.associationsOf('contacts', contact.id, 'companies')[0]?.[0];
      // A second, unlabeled company with a lower id: first in any listing.
      state.associate('contacts', contact.id, 'companies', companies[0], [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }]);
      const first = await pull(p.connector, 'contact');
      expect(first.records.find((r) => (r.source as { externalId: string }).externalId === contact.id)?.accountId).toBe(
        `hubspot:${primary}`,
      );
      p.clock.advance(5_000);
      contact.properties.lastmodifieddate = p.clock.now().toISOString();
      const next = await pull(p.connector, 'contact', first.cursor);
      expect(next.records.map((r) => r.accountId)).toEqual([`hubspot:${primary}`]);
    } finally {
      await p.close();
    }
  }, 60_000);
});
