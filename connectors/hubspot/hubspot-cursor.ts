import { z } from 'zod';
import { SuccessEngineError, type SyncCursor } from '../../core';

/**
 * Where a HubSpot sync of one entity stands. `list` is the initial load through the list endpoint;
 * `search` is an incremental pass by last-modified date in [windowFrom, until], paged with `after`
 * until the 10,000-result cap, where the window's start slides to the last stamp seen;
 * `archived` sweeps archived objects for deletions after each incremental pass.
 */
export const HubSpotCursorSchema = z.object({
  v: z.literal(1),
  phase: z.enum(['list', 'search', 'archived']),
  /** Index into the entity's HubSpot object types. */
  type: z.number().int().nonnegative(),
  after: z.string().nullable(),
  /** Lower bound of this incremental pass (inclusive): the previous pass's `until`, or the list start. */
  passFrom: z.string().nullable(),
  /** Lower bound of the current search window, ≥ passFrom. */
  windowFrom: z.string().nullable(),
  /** Upper bound of this pass, fixed when it starts so paging is stable. */
  until: z.string().nullable(),
});
export type HubSpotCursor = z.infer<typeof HubSpotCursorSchema>;

export const initialCursor = (): HubSpotCursor => ({
  v: 1,
  phase: 'list',
  type: 0,
  after: null,
  passFrom: null,
  windowFrom: null,
  until: null,
});

export function parseHubSpotCursor(cursor: SyncCursor | null): HubSpotCursor {
  if (cursor === null) return initialCursor();
  const parsed = HubSpotCursorSchema.safeParse(cursor);
  if (!parsed.success)
    throw new SuccessEngineError(
      'CONNECTOR.BAD_CURSOR',
      `HubSpot cursor is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { cursor },
    );
  return parsed.data;
}

export const toSyncCursor = (cursor: HubSpotCursor): SyncCursor => ({ ...cursor });
