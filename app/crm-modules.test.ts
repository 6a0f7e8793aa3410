import { entityNames, isSuccessEngineError } from '../core';
import { mappedFields } from '../connectors/shared/field-mapping';
import { CRM_PROVIDERS, crmAppsFromConfig, isCrmProvider, registeredCrm, SOURCE_MODULES } from './crm-modules';

const CONFIG = {
  hubspotApiUrl: 'https://api.hubapi.com',
  hubspotAuthorizeUrl: 'https://app.hubspot.com/oauth/authorize',
  salesforceLoginUrl: 'https://login.salesforce.com',
};

describe('the CRM registry', () => {
  it('lists each source once, and only the OAuth CRMs as CRMs', () => {
    const providers = SOURCE_MODULES.map((m) => m.provider);
    expect(new Set(providers).size).toBe(providers.length);
    expect(CRM_PROVIDERS).toEqual(['hubspot', 'salesforce']);
    expect(isCrmProvider('file')).toBe(false);
    expect(() => registeredCrm('file')).toThrow(expect.objectContaining({ code: 'INSTALL.UNSUPPORTED' }) as Error);
  });

  it.each(SOURCE_MODULES.map((m) => [m.provider, m] as const))(
    '%s: every default mapped field is a valid field name by its own rule',
    (_p, m) => {
      const fields = mappedFields(m.defaultAccountMapping);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) expect(field).toMatch(m.fieldName.pattern);
    },
  );

  it.each(CRM_PROVIDERS.map((p) => [p] as const))('%s: inbound object types map to real entities, account among them', (provider) => {
    const entities = Object.values(registeredCrm(provider).module.inboundEntities);
    for (const e of entities) expect(entityNames).toContain(e);
    expect(entities).toContain('account');
  });

  it('binds a module to its own app: an unconfigured CRM refuses install with a named error, a configured one builds its consent URL', () => {
    const apps = crmAppsFromConfig({ ...CONFIG, hubspotClientId: 'hs-id', hubspotClientSecret: 'hs-secret' });
    expect(apps.salesforce).toBeUndefined();
    let error: unknown;
    try {
      registeredCrm('salesforce').bind(apps).authorizeUrl('https://se.example/install/salesforce/callback', 'state');
    } catch (e) {
      error = e;
    }
    expect(isSuccessEngineError(error) && error.code).toBe('INSTALL.NOT_CONFIGURED');
    const url = new URL(registeredCrm('hubspot').bind(apps).authorizeUrl('https://se.example/install/hubspot/callback', 'st'));
    expect(url.origin + url.pathname).toBe(CONFIG.hubspotAuthorizeUrl);
    expect(url.searchParams.get('client_id')).toBe('hs-id');
    expect(url.searchParams.get('state')).toBe('st');
    expect(url.searchParams.get('scope')?.split(' ')).toContain('crm.objects.companies.write');
  });
});
