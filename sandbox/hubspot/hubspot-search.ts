import type { HsObject, HsProperty } from './hubspot-state';

/** CRM search: filterGroups (OR of ANDs), sorts, paging by offset. Limits per developers.hubspot.com/docs/api/crm/search. */
export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;
export const SEARCH_MAX_GROUPS = 5;
export const SEARCH_MAX_FILTERS_PER_GROUP = 6;
export const SEARCH_MAX_FILTERS = 18;

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchRequest {
  filterGroups?: { filters?: SearchFilter[] }[];
  sorts?: (string | { propertyName: string; direction?: string })[];
  properties?: string[];
  limit?: number;
  after?: string | number;
  query?: string;
}

export class SearchError extends Error {}

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

type Comparable = number | string;

function toComparable(raw: string, type: string | undefined): Comparable {
  if (type === 'number') return Number(raw);
  if (type === 'datetime' || type === 'date') {
    if (/^-?\d+$/.test(raw)) return Number(raw);
    const ms = Date.parse(raw.length === 10 ? `${raw}T00:00:00.000Z` : raw);
    return Number.isNaN(ms) ? raw.toLowerCase() : ms;
  }
  return raw.toLowerCase();
}

function matchesFilter(obj: HsObject, f: SearchFilter, props: Map<string, HsProperty>): boolean {
  const type = props.get(f.propertyName)?.type;
  const raw = f.propertyName === 'hs_object_id' ? obj.id : obj.properties[f.propertyName];
  const has = raw !== undefined && raw !== null && raw !== '';
  if (f.operator === 'HAS_PROPERTY') return has;
  if (f.operator === 'NOT_HAS_PROPERTY') return !has;
  if (f.operator === 'NEQ' || f.operator === 'NOT_IN' || f.operator === 'NOT_CONTAINS_TOKEN') {
    if (!has) return true;
  } else if (!has) return false;
  const actual = toComparable(raw, type);
  const value = (v: string | undefined): Comparable => {
    if (v === undefined) throw new SearchError(`filter on ${f.propertyName} with operator ${f.operator} needs a value`);
    return toComparable(v, type);
  };
  switch (f.operator) {
    case 'EQ':
      return actual === value(f.value);
    case 'NEQ':
      return actual !== value(f.value);
    case 'LT':
      return actual < value(f.value);
    case 'LTE':
      return actual <= value(f.value);
    case 'GT':
      return actual > value(f.value);
    case 'GTE':
      return actual >= value(f.value);
    case 'BETWEEN':
      return actual >= value(f.value) && actual <= value(f.highValue);
    case 'IN':
    case 'NOT_IN': {
      if (!f.values) throw new SearchError(`filter on ${f.propertyName} with operator ${f.operator} needs values`);
      const inList =
        f.values.some((v) => toComparable(v, type) === actual) ||
        (type === 'enumeration' && f.values.some((v) => String(raw).toLowerCase().split(';').includes(v.toLowerCase())));
      return f.operator === 'IN' ? inList : !inList;
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const token = String(value(f.value)).replace(/\*/g, '');
      const found =
        String(actual)
          .split(/[\s;,.@]+/)
          .some((w) => w.includes(token)) || String(actual).includes(token);
      return f.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
    default:
      throw new SearchError(`unknown operator ${f.operator}`);
  }
}

export function validateSearch(req: SearchRequest, props: Map<string, HsProperty>): void {
  const groups = req.filterGroups ?? [];
  if (groups.length > SEARCH_MAX_GROUPS) throw new SearchError(`Too many filter groups: ${groups.length} > ${SEARCH_MAX_GROUPS}`);
  let total = 0;
  for (const g of groups) {
    const filters = g.filters ?? [];
    if (filters.length > SEARCH_MAX_FILTERS_PER_GROUP)
      throw new SearchError(`Too many filters in a group: ${filters.length} > ${SEARCH_MAX_FILTERS_PER_GROUP}`);
    total += filters.length;
    for (const f of filters) {
      if (!OPERATORS.has(f.operator)) throw new SearchError(`Unknown filter operator ${String(f.operator)}`);
      if (!props.has(f.propertyName)) throw new SearchError(`Property ${f.propertyName} does not exist`);
    }
  }
  if (total > SEARCH_MAX_FILTERS) throw new SearchError(`Too many filters: ${total} > ${SEARCH_MAX_FILTERS}`);
  if (req.limit !== undefined && (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > SEARCH_MAX_LIMIT))
    throw new SearchError(`limit must be between 1 and ${SEARCH_MAX_LIMIT}, got ${req.limit}`);
}

export function runSearch(
  all: Iterable<HsObject>,
  req: SearchRequest,
  props: Map<string, HsProperty>,
): { total: number; page: HsObject[]; nextAfter?: string } {
  const groups = (req.filterGroups ?? []).filter((g) => (g.filters ?? []).length > 0);
  const query = req.query?.toLowerCase();
  const hits: HsObject[] = [];
  for (const obj of all) {
    if (obj.archived) continue;
    if (groups.length && !groups.some((g) => (g.filters ?? []).every((f) => matchesFilter(obj, f, props)))) continue;
    if (query && !Object.values(obj.properties).some((v) => v?.toLowerCase().includes(query))) continue;
    hits.push(obj);
  }
  const sorts = (req.sorts ?? []).map((s) =>
    typeof s === 'string'
      ? { propertyName: s.replace(/^-/, ''), descending: s.startsWith('-') }
      : { propertyName: s.propertyName, descending: s.direction === 'DESCENDING' },
  );
  if (sorts.length) {
    hits.sort((a, b) => {
      for (const s of sorts) {
        const type = props.get(s.propertyName)?.type;
        const va = a.properties[s.propertyName];
        const vb = b.properties[s.propertyName];
        if (va === vb) continue;
        // Empty values sort last ascending, like HubSpot.
        if (va === null || va === undefined) return s.descending ? -1 : 1;
        if (vb === null || vb === undefined) return s.descending ? 1 : -1;
        const ca = toComparable(va, type);
        const cb = toComparable(vb, type);
        if (ca !== cb) return (ca < cb ? -1 : 1) * (s.descending ? -1 : 1);
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }
  const offset = req.after === undefined || req.after === '' ? 0 : Number(req.after);
  if (!Number.isInteger(offset) || offset < 0)
    throw new SearchError(`after must be a non-negative integer offset, got ${String(req.after)}`);
  if (offset >= SEARCH_RESULT_CAP)
    throw new SearchError(`The search API returns at most ${SEARCH_RESULT_CAP} results; after=${offset} is beyond that`);
  const limit = req.limit ?? 10;
  const end = Math.min(offset + limit, hits.length, SEARCH_RESULT_CAP);
  const page = hits.slice(offset, end);
  const more = end < Math.min(hits.length, SEARCH_RESULT_CAP);
  return { total: hits.length, page, ...(more ? { nextAfter: String(end) } : {}) };
}
