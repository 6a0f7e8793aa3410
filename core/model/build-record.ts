import { dataHash } from '../data-hash';
import { parseOrThrow } from '../validation';
import { entitySchemas, type CanonicalRecordByEntity, type EntityName, type UnhashedRecord } from './records.schema';

/** Validate a mapped record and stamp its dataHash; the error names every field at fault. */
export function buildRecord<E extends EntityName>(entity: E, record: UnhashedRecord<E>): CanonicalRecordByEntity[E] {
  const schema = entitySchemas[entity];
  const withPlaceholder = { ...record, dataHash: '0'.repeat(64) };
  const parsed = parseOrThrow(schema, withPlaceholder, `${entity} ${describeSource(record)}`) as CanonicalRecordByEntity[E];
  return { ...parsed, dataHash: dataHash(parsed) };
}

function describeSource(record: { source?: { provider?: string; externalId?: string } }): string {
  const source = record.source;
  return source?.externalId ? `${source.provider ?? '?'}:${source.externalId}` : '(no source)';
}
