import { z } from 'zod';
import { SuccessEngineError, type SyncCursor } from '../../core';

/**
 * Keyset position over (SystemModstamp, Id) per sObject of an entity: survives restarts and expired
 * query locators. A pass covers every object of the entity up to one `until`, then (incremental
 * passes only) asks getDeleted for rows purged from the Recycle Bin, which queryAll no longer sees.
 */
export const SalesforceCursorSchema = z.object({
  v: z.literal(2),
  /** Index into the entity's sObjects. */
  type: z.number().int().nonnegative(),
  phase: z.enum(['query', 'bulk', 'deleted']),
  /** Lower bound of this pass (exclusive); null on the first load. */
  since: z.string().nullable(),
  /** Upper bound of this pass (inclusive), fixed when it starts. */
  until: z.string().nullable(),
  lastStamp: z.string().nullable(),
  lastId: z.string().nullable(),
  /** The query locator of the running REST query: cheap next pages while it lives; the keyset takes over when it expires. */
  locator: z.string().nullable().default(null),
  /** A running Bulk API 2.0 query job and its result locator (null before the first result page). */
  bulkJob: z.string().nullable().default(null),
  bulkLocator: z.string().nullable().default(null),
  /** Where the next getDeleted starts per sObject (its last latestDateCovered); getDeleted covers whole minutes only. */
  deletedFrom: z.record(z.string(), z.string()).default({}),
});
export type SalesforceCursor = z.infer<typeof SalesforceCursorSchema>;

const V1 = z.object({
  v: z.literal(1),
  since: z.string().nullable(),
  until: z.string().nullable(),
  lastStamp: z.string().nullable(),
  lastId: z.string().nullable(),
  locator: z.string().nullable().default(null),
});

export const initialSalesforceCursor = (): SalesforceCursor => ({
  v: 2,
  type: 0,
  phase: 'query',
  since: null,
  until: null,
  lastStamp: null,
  lastId: null,
  locator: null,
  bulkJob: null,
  bulkLocator: null,
  deletedFrom: {},
});

/** Parse a saved cursor; v1 cursors (accounts only, before activities and Bulk) carry on where they were. */
export function parseSalesforceCursor(input: SyncCursor | null): SalesforceCursor {
  if (input === null) return initialSalesforceCursor();
  const raw = { ...input, ...(typeof input.deletedFrom === 'string' ? { deletedFrom: JSON.parse(input.deletedFrom) as unknown } : {}) };
  const v2 = SalesforceCursorSchema.safeParse(raw);
  if (v2.success) return v2.data;
  const v1 = V1.safeParse(input);
  if (v1.success)
    return {
      ...initialSalesforceCursor(),
      since: v1.data.since,
      until: v1.data.until,
      lastStamp: v1.data.lastStamp,
      lastId: v1.data.lastId,
      locator: v1.data.locator,
    };
  throw new SuccessEngineError(
    'CONNECTOR.BAD_CURSOR',
    `Salesforce cursor is not valid: ${v2.error.issues[0]?.path.join('.') ?? ''} ${v2.error.issues[0]?.message ?? ''}`.trim(),
    { cursor: input },
  );
}

/** SyncCursor values are flat scalars: the per-object map travels as JSON text. */
export function toSyncCursor(cursor: SalesforceCursor): SyncCursor {
  return { ...cursor, deletedFrom: JSON.stringify(cursor.deletedFrom) };
}
