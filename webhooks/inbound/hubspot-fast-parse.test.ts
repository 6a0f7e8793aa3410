import fc from 'fast-check';
import { z } from 'zod';
import { fastHubSpotEvents, HubSpotEventSchema, toEvent } from './hubspot-webhook.handler';

const schema = (max: number) => z.array(HubSpotEventSchema).min(1).max(max);

/** A valid event (as HubSpot sends them), then at most one field replaced by an edge value. */
const validId = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.stringMatching(/^\d{1,20}$/));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const validEvent = fc
  .record({
    eventId: validId,
    portalId: validId,
    occurredAt: fc.oneof(fc.nat(), fc.constant(8.64e15)),
    subscriptionType: fc.oneof(
      fc.constantFrom('company.propertyChange', 'deal.creation', 'object.propertyChange', 'contact.associationChange'),
      fc.stringMatching(/^[a-z_]{1,40}\.[A-Za-z_]{1,40}$/),
    ),
    subscriptionId: maybe(fc.integer()),
    appId: maybe(fc.integer()),
    attemptNumber: maybe(fc.nat()),
    objectId: maybe(validId),
    fromObjectId: maybe(validId),
    toObjectId: maybe(validId),
    objectTypeId: maybe(fc.string({ maxLength: 40 })),
    propertyName: maybe(fc.string({ maxLength: 200 })),
    changeSource: maybe(fc.string({ maxLength: 100 })),
    propertyValue: maybe(fc.string()),
  })
  .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));
const edge = fc.constantFrom<unknown>(
  null,
  undefined,
  -1,
  1.5,
  Number.NaN,
  Number.MAX_SAFE_INTEGER + 2,
  8.64e15 + 1,
  '',
  '12a',
  ' 1',
  '1'.repeat(21),
  'Company.x',
  'a.b.c',
  'x'.repeat(201),
  false,
  {},
  [],
);
const keys = fc.constantFrom(
  'eventId',
  'portalId',
  'occurredAt',
  'subscriptionType',
  'subscriptionId',
  'appId',
  'attemptNumber',
  'objectId',
  'fromObjectId',
  'toObjectId',
  'objectTypeId',
  'propertyName',
  'changeSource',
);
const event = fc
  .tuple(validEvent, fc.option(fc.tuple(keys, edge), { freq: 2 }))
  .map(([e, change]) => (change ? { ...e, [change[0]]: change[1] } : e));

describe('fastHubSpotEvents', () => {
  it('accepts only what the schema accepts, and produces the same events', () => {
    let fastAccepted = 0;
    fc.assert(
      fc.property(fc.oneof(fc.array(event, { minLength: 0, maxLength: 6 }), fc.anything()), fc.integer({ min: 1, max: 5 }), (json, max) => {
        const fast = fastHubSpotEvents(json, max);
        if (fast === null) return;
        fastAccepted++;
        const parsed = schema(max).safeParse(json);
        expect(parsed.success).toBe(true);
        if (parsed.success) expect(fast).toEqual(parsed.data.map(toEvent));
      }),
      { numRuns: 5_000 },
    );
    // The generator must reach the fast path often enough for the property to mean something.
    expect(fastAccepted).toBeGreaterThan(100);
  });

  it('takes the usual HubSpot batch on the fast path', () => {
    const batch = [
      {
        eventId: 1,
        subscriptionId: 11,
        portalId: 62515,
        appId: 7,
        occurredAt: 1_700_000_000_000,
        subscriptionType: 'company.propertyChange',
        attemptNumber: 0,
        objectId: 123,
        propertyName: 'name',
        propertyValue: 'x',
        changeSource: 'CRM_UI',
      },
      {
        eventId: '2',
        portalId: '62515',
        occurredAt: 1_700_000_000_001,
        subscriptionType: 'contact.associationChange',
        fromObjectId: 5,
        toObjectId: 6,
      },
      {
        eventId: 3,
        portalId: 62515,
        occurredAt: 1_700_000_000_002,
        subscriptionType: 'object.creation',
        objectTypeId: '2-123',
        objectId: 9,
      },
    ];
    expect(fastHubSpotEvents(batch, 100)).toEqual([
      {
        provider: 'hubspot',
        orgId: '62515',
        eventId: '62515:1',
        objectType: 'company',
        objectIds: ['123'],
        changeType: 'propertyChange',
        propertyName: 'name',
        occurredAt: '2023-11-14T22:13:20.000Z',
      },
      {
        provider: 'hubspot',
        orgId: '62515',
        eventId: '62515:2',
        objectType: 'contact',
        objectIds: ['5', '6'],
        changeType: 'associationChange',
        occurredAt: '2023-11-14T22:13:20.001Z',
      },
      {
        provider: 'hubspot',
        orgId: '62515',
        eventId: '62515:3',
        objectType: '2-123',
        objectIds: ['9'],
        changeType: 'creation',
        occurredAt: '2023-11-14T22:13:20.002Z',
      },
    ]);
    expect(fastHubSpotEvents(batch, 2)).toBeNull();
  });
});
