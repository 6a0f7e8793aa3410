import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  DEFAULT_MANIFEST_SETTINGS,
  HUBSPOT_OPTIONAL_SCOPES,
  HUBSPOT_PROJECT_DIR,
  HUBSPOT_REQUIRED_SCOPES,
} from '../../manifests/crm-manifests';
import { HUBSPOT_PROPERTY_GROUP, HUBSPOT_TYPES, SCORE_FIELDS } from '../../manifests/field-map';

const ROOT = join(__dirname, '../..');
const PROJECT = join(ROOT, HUBSPOT_PROJECT_DIR);
const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
addFormats(ajv);
const schema = (name: string): ValidateFunction =>
  ajv.compile(read(join(ROOT, 'manifests/hubspot/schemas', `${name}.schema.json`)) as object);
const schemas = {
  project: schema('hsproject'),
  app: schema('app-hsmeta'),
  card: schema('card-hsmeta'),
  webhooks: schema('webhooks-hsmeta'),
  properties: schema('company-properties'),
};

function expectValid(validate: ValidateFunction, value: unknown): void {
  const ok = validate(value);
  expect(ok ? [] : validate.errors).toEqual([]);
}

interface AppMeta {
  config: { auth: { requiredScopes: string[]; optionalScopes: string[]; redirectUrls: string[] }; permittedUrls: { fetch: string[] } };
}
interface CardMeta {
  config: { entrypoint: string; objectTypes: string[] };
}
interface WebhooksMeta {
  config: {
    settings: { targetUrl: string };
    subscriptions: { crmObjects: { subscriptionType: string; objectType: string; propertyName?: string }[] };
  };
}
interface Properties {
  group: typeof HUBSPOT_PROPERTY_GROUP;
  properties: { name: string; type: string; fieldType: string; options?: { value: string }[] }[];
}

describe('HubSpot project manifests (2025.2) against their JSON schemas', () => {
  const project = read(join(PROJECT, 'hsproject.json')) as { srcDir: string };
  const app = read(join(PROJECT, 'src/app/app-hsmeta.json')) as AppMeta;
  const cardFiles = readdirSync(join(PROJECT, 'src/app/cards')).filter((f) => f.endsWith('-hsmeta.json'));
  const webhooks = read(join(PROJECT, 'src/app/webhooks/webhooks-hsmeta.json')) as WebhooksMeta;
  const properties = read(join(ROOT, 'manifests/hubspot/company-properties.json')) as Properties;

  it('hsproject.json, the app, every card, the webhooks and the property definitions are valid', () => {
    expectValid(schemas.project, project);
    expect(existsSync(join(PROJECT, project.srcDir, 'app'))).toBe(true);
    expectValid(schemas.app, app);
    expect(cardFiles.length).toBeGreaterThan(0);
    for (const file of cardFiles) expectValid(schemas.card, read(join(PROJECT, 'src/app/cards', file)));
    expectValid(schemas.webhooks, webhooks);
    expectValid(schemas.properties, properties);
  });

  it('the schemas bite: broken variants are refused', () => {
    expect(schemas.project({ name: 'x', srcDir: 'src', platformVersion: '2023.2' })).toBe(false);
    expect(
      schemas.app({ ...app, config: { ...app.config, auth: { ...app.config.auth, requiredScopes: ['crm.objects.companies.read'] } } }),
    ).toBe(false);
    expect(
      schemas.app({ ...app, config: { ...app.config, permittedUrls: { fetch: ['http://insecure.example'], iframe: [], img: [] } } }),
    ).toBe(false);
    const card = read(join(PROJECT, 'src/app/cards', cardFiles[0] as string)) as CardMeta;
    expect(schemas.card({ ...card, config: { ...card.config, objectTypes: ['company'] } })).toBe(false);
    expect(
      schemas.webhooks({
        ...webhooks,
        config: {
          ...webhooks.config,
          subscriptions: {
            ...webhooks.config.subscriptions,
            crmObjects: [{ subscriptionType: 'object.propertyChange', objectType: 'company', active: true }],
          },
        },
      }),
    ).toBe(false);
    expect(
      schemas.properties({
        ...properties,
        properties: [{ name: 'x', label: 'X', groupName: 'g', type: 'enumeration', fieldType: 'select' }],
      }),
    ).toBe(false);
  });

  it('the card is on company and deal records and its entry file exists', () => {
    for (const file of cardFiles) {
      const card = read(join(PROJECT, 'src/app/cards', file)) as CardMeta;
      expect(card.config.objectTypes).toEqual(expect.arrayContaining(['companies', 'deals']));
      expect(existsSync(join(PROJECT, project.srcDir, card.config.entrypoint))).toBe(true);
    }
  });

  it('asks for minimal scopes, each with a reason, and lets the card fetch only our API', () => {
    expect(app.config.auth.requiredScopes).toEqual(Object.keys(HUBSPOT_REQUIRED_SCOPES));
    expect(app.config.auth.optionalScopes).toEqual(Object.keys(HUBSPOT_OPTIONAL_SCOPES));
    // Writing: our score properties on companies (and their definitions), and tasks with their key property.
    expect(app.config.auth.requiredScopes.filter((s) => s.endsWith('.write')).sort()).toEqual([
      'crm.objects.companies.write',
      'crm.objects.contacts.write',
      'crm.schemas.companies.write',
      'crm.schemas.contacts.write',
    ]);
    expect(app.config.permittedUrls.fetch).toEqual([DEFAULT_MANIFEST_SETTINGS.apiBaseUrl]);
    const cardSource = readFileSync(join(PROJECT, 'src/app/cards/SuccessEngineCard.tsx'), 'utf8');
    expect(cardSource).toContain('/crm/hubspot/card');
  });

  it('subscribes webhooks to the route our inbound router serves, for companies and deals', () => {
    expect(webhooks.config.settings.targetUrl).toBe(`${DEFAULT_MANIFEST_SETTINGS.apiBaseUrl}/webhooks/hubspot`);
    const types = new Set(webhooks.config.subscriptions.crmObjects.map((s) => `${s.objectType}:${s.subscriptionType}`));
    for (const object of ['company', 'deal'])
      for (const change of ['object.creation', 'object.deletion', 'object.propertyChange']) expect(types).toContain(`${object}:${change}`);
    // Our own score properties never trigger a sync (we write them; that would loop).
    const ours = new Set(SCORE_FIELDS.map((f) => f.hubspot));
    expect(webhooks.config.subscriptions.crmObjects.filter((s) => s.propertyName && ours.has(s.propertyName))).toEqual([]);
  });

  it('defines every field-map property in our group with the field map’s type', () => {
    expect(properties.group).toEqual(HUBSPOT_PROPERTY_GROUP);
    expect(properties.properties.map((p) => p.name)).toEqual(SCORE_FIELDS.map((f) => f.hubspot));
    for (const field of SCORE_FIELDS) {
      const property = properties.properties.find((p) => p.name === field.hubspot);
      expect(property).toMatchObject(HUBSPOT_TYPES[field.kind]);
      if (field.options) expect(property?.options?.map((o) => o.value)).toEqual([...field.options]);
    }
  });
});
