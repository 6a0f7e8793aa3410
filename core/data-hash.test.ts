import fc from 'fast-check';
import { canonicalJson, dataHash } from './data-hash';

/** Rebuild an object with its keys in a different order, recursively. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const rotated = entries.map((_, i) => entries[(i + seed) % entries.length] as [string, unknown]).reverse();
  return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
}

/** Add whitespace that normalisation must ignore: leading, trailing, and widened inner runs. */
function padWhitespace(value: unknown): unknown {
  if (typeof value === 'string') return `  ${value.replace(/ /g, ' \t ')}\n`;
  if (Array.isArray(value)) return value.map(padWhitespace);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, padWhitespace(v)]));
}

const content = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.string(), { maxKeys: 3 }),
  ),
  { maxKeys: 8 },
);

describe('dataHash', () => {
  it('is the same whatever the key order', () => {
    fc.assert(fc.property(content, fc.nat(20), (record, seed) => dataHash(record) === dataHash(shuffleKeys(record, seed) as object)));
  });

  it('ignores leading, trailing and repeated whitespace in strings', () => {
    fc.assert(fc.property(content, (record) => dataHash(record) === dataHash(padWhitespace(record) as object)));
  });

  it('changes when any top-level value changes', () => {
    fc.assert(
      fc.property(
        content,
        fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['source', 'tenantId', 'dataHash', '__proto__'].includes(k)),
        (record, key) => {
          const before = dataHash(record);
          const changed = { ...record, [key]: `${canonicalJson(Object.hasOwn(record, key) ? record[key] : null)}#changed` };
          return dataHash(changed) !== before;
        },
      ),
    );
  });

  it('leaves provenance, tenant and the hash itself out of the content', () => {
    const base = { name: 'Acme', arr: 10 };
    const a = dataHash({ ...base, tenantId: 't1', source: { provider: 'hubspot', externalId: '1', modstamp: '2026-01-01T00:00:00Z' } });
    const b = dataHash({
      ...base,
      tenantId: 't2',
      dataHash: 'x',
      source: { provider: 'hubspot', externalId: '1', modstamp: '2026-06-01T00:00:00Z' },
    });
    expect(a).toBe(b);
  });

  it('treats undefined members as absent and -0 as 0, and refuses non-finite numbers', () => {
    expect(dataHash({ a: 1, b: undefined })).toBe(dataHash({ a: 1 }));
    expect(dataHash({ a: -0 })).toBe(dataHash({ a: 0 }));
    expect(() => dataHash({ a: Number.NaN })).toThrow(/non-finite/);
  });

  it('normalises Unicode so composed and decomposed text hash alike', () => {
    expect(dataHash({ name: 'Caf\u00e9' })).toBe(dataHash({ name: 'Cafe\u0301' }));
  });
});
