import { join } from 'node:path';
import { ComponentSet, type SourceComponent } from '@salesforce/source-deploy-retrieve';
import {
  OPPORTUNITY_MIRRORED_KEYS,
  SALESFORCE_APEX_CLASSES,
  SALESFORCE_CONNECTED_APP,
  SALESFORCE_EXTERNAL_CREDENTIAL,
  SALESFORCE_LWC,
  SALESFORCE_NAMED_CREDENTIAL,
  SALESFORCE_PERMISSION_SETS,
  SALESFORCE_PROJECT_DIR,
} from '../../manifests/crm-manifests';
import { RISK_BANDS, SALESFORCE_SCORE_OBJECT, SALESFORCE_TYPES, SCORE_FIELDS, TASK_KEY_FIELD } from '../../manifests/field-map';

type Xml = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('Salesforce DX project parsed with @salesforce/source-deploy-retrieve', () => {
  const components = ComponentSet.fromSource(join(__dirname, '../..', SALESFORCE_PROJECT_DIR, 'force-app'))
    .getSourceComponents()
    .toArray();
  const find = (type: string, fullName: string): SourceComponent | undefined =>
    components.find((c) => c.type.name === type && c.fullName === fullName);
  const parse = async (type: string, fullName: string): Promise<Xml> => {
    const component = find(type, fullName);
    if (!component) throw new Error(`${type} ${fullName} did not resolve`);
    return (await component.parseXml())[type] as Xml;
  };

  it('resolves every expected component with the right metadata type', () => {
    const expected: [string, string][] = [
      ...SCORE_FIELDS.map((f): [string, string] => ['CustomField', `${SALESFORCE_SCORE_OBJECT}.${f.salesforce}`]),
      ...SCORE_FIELDS.filter((f) => OPPORTUNITY_MIRRORED_KEYS.includes(f.key)).map((f): [string, string] => [
        'CustomField',
        `Opportunity.${f.salesforce}`,
      ]),
      ['CustomField', `${TASK_KEY_FIELD.salesforceObject}.${TASK_KEY_FIELD.salesforce}`],
      ['LightningComponentBundle', SALESFORCE_LWC],
      ...SALESFORCE_APEX_CLASSES.map((c): [string, string] => ['ApexClass', c]),
      ['PermissionSet', SALESFORCE_PERMISSION_SETS.user],
      ['PermissionSet', SALESFORCE_PERMISSION_SETS.integration],
      ['NamedCredential', SALESFORCE_NAMED_CREDENTIAL],
      ['ExternalCredential', SALESFORCE_EXTERNAL_CREDENTIAL],
      ['ConnectedApp', SALESFORCE_CONNECTED_APP],
    ];
    for (const [type, fullName] of expected) expect([type, fullName, find(type, fullName)?.type.name]).toEqual([type, fullName, type]);
    // Nothing stray: every component in the project is one we expect (an old field left behind would show here).
    expect(components.map((c) => `${c.type.name}:${c.fullName}`).sort()).toEqual(expected.map(([t, n]) => `${t}:${n}`).sort());
  });

  it('gives each Account field the type, length and picklist values of the field map', async () => {
    for (const field of SCORE_FIELDS) {
      const xml = await parse('CustomField', `${SALESFORCE_SCORE_OBJECT}.${field.salesforce}`);
      expect([field.key, xml.type]).toEqual([field.key, SALESFORCE_TYPES[field.kind]]);
      expect(xml.label).toBe(field.label.en);
      if (field.kind === 'text') expect(Number(xml.length)).toBe(field.maxLength);
      if (field.kind === 'percent') expect([xml.precision, xml.scale]).toEqual(['5', '4']);
      if (field.options) {
        const values = asArray((xml.valueSet as { valueSetDefinition: { value: { fullName: string }[] } }).valueSetDefinition.value).map(
          (v) => v.fullName,
        );
        expect(values).toEqual([...RISK_BANDS]);
      }
    }
  });

  it('mirrors the account scores on Opportunity as formulas, never as written fields', async () => {
    for (const key of OPPORTUNITY_MIRRORED_KEYS) {
      const field = SCORE_FIELDS.find((f) => f.key === key);
      const xml = await parse('CustomField', `Opportunity.${field?.salesforce}`);
      expect(xml.formula).toMatch(new RegExp(`Account\\.${field?.salesforce}`));
    }
  });

  it('puts the LWC on Account and Opportunity record pages and reads the field-map names', async () => {
    const bundle = find('LightningComponentBundle', SALESFORCE_LWC);
    const meta = await parse('LightningComponentBundle', SALESFORCE_LWC);
    expect(meta.isExposed).toBe('true');
    const config = meta.targetConfigs as { targetConfig: { objects: { object: string[] } } };
    expect(asArray(config.targetConfig.objects.object)).toEqual(['Account', 'Opportunity']);
    const files = bundle?.walkContent().map((p) => p.split('/').pop()) ?? [];
    expect(files).toEqual(expect.arrayContaining(['successEngineCard.js', 'successEngineCard.html', 'fieldNames.js', 'labels.js']));
    expect(files.some((f) => f?.includes('test'))).toBe(false);
  });

  it('grants reps read-only access and the integration user edit access to every score field', async () => {
    const user = await parse('PermissionSet', SALESFORCE_PERMISSION_SETS.user);
    const integration = await parse('PermissionSet', SALESFORCE_PERMISSION_SETS.integration);
    type Perm = { field: string; editable: string; readable: string };
    const userPerms = asArray(user.fieldPermissions as Perm[]);
    const integrationPerms = asArray(integration.fieldPermissions as Perm[]);
    for (const f of SCORE_FIELDS) {
      expect(userPerms.find((p) => p.field === `Account.${f.salesforce}`)).toMatchObject({ readable: 'true', editable: 'false' });
      expect(integrationPerms.find((p) => p.field === `Account.${f.salesforce}`)).toMatchObject({ readable: 'true', editable: 'true' });
    }
    expect(user.classAccesses).toMatchObject({ apexClass: SALESFORCE_APEX_CLASSES[0], enabled: 'true' });
    expect(user.externalCredentialPrincipalAccesses).toMatchObject({ enabled: 'true' });
  });

  it('points the Named Credential at our Salesforce card routes through the External Credential', async () => {
    const named = await parse('NamedCredential', SALESFORCE_NAMED_CREDENTIAL);
    const params = asArray(
      named.namedCredentialParameters as { parameterType: string; parameterValue?: string; externalCredential?: string }[],
    );
    expect(params.find((p) => p.parameterType === 'Url')?.parameterValue).toMatch(/^https:\/\/.+\/crm\/salesforce$/);
    expect(params.find((p) => p.parameterType === 'Authentication')?.externalCredential).toBe(SALESFORCE_EXTERNAL_CREDENTIAL);
    const external = await parse('ExternalCredential', SALESFORCE_EXTERNAL_CREDENTIAL);
    const header = asArray(
      external.externalCredentialParameters as { parameterType: string; parameterName: string; parameterValue?: string }[],
    ).find((p) => p.parameterType === 'AuthHeader');
    expect(header).toMatchObject({ parameterName: 'Authorization', parameterValue: expect.stringContaining('Bearer') });
    const app = await parse('ConnectedApp', SALESFORCE_CONNECTED_APP);
    expect(asArray((app.oauthConfig as { scopes: string[] }).scopes)).toEqual(['Api', 'RefreshToken']);
  });
});
