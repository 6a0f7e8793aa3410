import { createHash } from 'node:crypto';

/**
 * A stable SHA-256 over a record's normalised content, so only real changes trigger re-scoring.
 * Normalisation: object keys sorted; strings NFC-normalised, trimmed, inner whitespace collapsed;
 * `undefined` members dropped (absent and undefined mean the same); -0 equals 0.
 * Provenance (`source`), `dataHash` itself and `tenantId` are not content and are left out.
 */
const NOT_CONTENT = new Set(['source', 'dataHash', 'tenantId']);

export function dataHash(record: object): string {
  const content: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!NOT_CONTENT.has(key)) content[key] = value;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** JSON with sorted keys and normalised strings; throws on values JSON cannot represent faithfully. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(normaliseText(value));
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot hash non-finite number ${value}`);
      return JSON.stringify(value === 0 ? 0 : value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`cannot hash a value of type ${typeof value}`);
  }
}
