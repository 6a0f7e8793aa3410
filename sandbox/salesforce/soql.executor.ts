import { dateLiteralRange, parseSoql, SoqlError, type SoqlCondition, type SoqlQuery, type SoqlValue } from './soql.parser';
import { CHILD_RELATIONSHIPS, type SfField, type SfObjectSchema } from './salesforce-schema';
import { parseSfDateTime, type SalesforceState, type SfRecord } from './salesforce-state';

/** A field path resolved against the schema: relationship hops, then the leaf field. */
interface ResolvedPath {
  path: string;
  hops: { field: SfField; relationshipName: string; target: SfObjectSchema }[];
  leaf: SfField;
}

export interface PreparedQuery {
  query: SoqlQuery;
  object: SfObjectSchema;
  select: ResolvedPath[];
  rows: SfRecord[];
  /** Child subqueries: the child object, its lookup to this one, and the prepared child query (all rows). */
  children: { name: string; field: SfField; prepared: PreparedQuery }[];
  /** Aggregate queries answer AggregateResult rows, rendered as they are. */
  aggregate: boolean;
}

/** A child relationship of `parent` by name (e.g. Account → Contacts), as describe lists it. */
function childRelationship(
  state: SalesforceState,
  parent: SfObjectSchema,
  name: string,
): { child: SfObjectSchema; field: SfField; name: string } {
  for (const [key, rel] of Object.entries(CHILD_RELATIONSHIPS)) {
    if (rel.toLowerCase() !== name.toLowerCase()) continue;
    const [childName, fieldName] = key.split('.') as [string, string];
    const child = state.object(childName);
    const field = child?.fields.get(fieldName.toLowerCase());
    if (child && field && field.referenceTo.includes(parent.name)) return { child, field, name: rel };
  }
  throw new SoqlError(
    'INVALID_TYPE',
    `\nDidn't understand relationship '${name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

const NUMERIC = ['double', 'currency', 'percent', 'int'];

/** GROUP BY and aggregate functions (SOQL "GROUP BY", "Aggregate Functions"): one AggregateResult per group. */
function aggregateRows(
  state: SalesforceState,
  object: SfObjectSchema,
  query: SoqlQuery,
  rows: SfRecord[],
  userId: string | undefined,
): SfRecord[] {
  const groups = query.groupBy.map((f) => resolvePath(state, object, f, userId));
  for (const f of query.fields)
    if (!query.groupBy.some((g) => g.toLowerCase() === f.toLowerCase()))
      throw new SoqlError('MALFORMED_QUERY', `\nField must be grouped or aggregated: ${f}`);
  const aggs = query.aggregates.map((a, i) => {
    const p = resolvePath(state, object, a.field, userId);
    if ((a.fn === 'SUM' || a.fn === 'AVG') && !NUMERIC.includes(p.leaf.type))
      throw new SoqlError('MALFORMED_QUERY', `\nfield ${a.field} does not support aggregate operator ${a.fn}`);
    return { ...a, p, key: a.alias ?? `expr${i}` };
  });
  const buckets = new Map<string, SfRecord[]>();
  for (const r of rows) {
    const key = JSON.stringify(groups.map((g) => valueAt(state, r, g)));
    buckets.set(key, [...(buckets.get(key) ?? []), r]);
  }
  if (groups.length === 0 && buckets.size === 0) buckets.set('[]', []);
  return [...buckets.values()].map((members) => {
    const out: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    const first = members[0];
    for (const g of groups) out[g.leaf.name] = first ? valueAt(state, first, g) : null;
    for (const a of aggs) {
      const values = members.map((m) => valueAt(state, m, a.p)).filter((v) => v !== null && v !== undefined);
      const nums = values.filter((v): v is number => typeof v === 'number');
      const ordered = [...values].sort((x, y) => compareScalars(comparable(a.p.leaf, x), comparable(a.p.leaf, y)));
      out[a.key] =
        a.fn === 'COUNT'
          ? values.length
          : a.fn === 'COUNT_DISTINCT'
            ? new Set(values.map((v) => JSON.stringify(v))).size
            : a.fn === 'SUM'
              ? nums.length
                ? nums.reduce((s, n) => s + n, 0)
                : null
              : a.fn === 'AVG'
                ? nums.length
                  ? nums.reduce((s, n) => s + n, 0) / nums.length
                  : null
                : a.fn === 'MIN'
                  ? (ordered[0] ?? null)
                  : (ordered[ordered.length - 1] ?? null);
    }
    return out as SfRecord;
  });
}

function invalidType(name: string): SoqlError {
  return new SoqlError(
    'INVALID_TYPE',
    `\n${name}\n^\nERROR at Row:1:Column:1\nsObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

export function resolvePath(state: SalesforceState, object: SfObjectSchema, path: string, userId?: string): ResolvedPath {
  const parts = path.split('.');
  const hops: ResolvedPath['hops'] = [];
  let current = object;
  for (let i = 0; i < parts.length - 1; i++) {
    const rel = (parts[i] as string).toLowerCase();
    const field = [...current.fields.values()].find((f) => f.relationshipName?.toLowerCase() === rel);
    const target = field ? state.visibleObject(field.referenceTo[0] as string, userId) : undefined;
    if (!field || !target)
      throw new SoqlError(
        'INVALID_FIELD',
        `\nDidn't understand relationship '${parts[i]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    hops.push({ field, relationshipName: field.relationshipName as string, target });
    current = target;
  }
  const leafName = parts[parts.length - 1] as string;
  const leaf = current.fields.get(leafName.toLowerCase());
  if (!leaf)
    throw new SoqlError(
      'INVALID_FIELD',
      `\nNo such column '${leafName}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  return { path, hops, leaf };
}

function valueAt(state: SalesforceState, record: SfRecord, p: ResolvedPath): unknown {
  let current: SfRecord | undefined = record;
  for (const hop of p.hops) {
    const id: unknown = current?.[hop.field.name];
    // A polymorphic lookup (Task.What) points at whichever object its id's key prefix names.
    current =
      typeof id === 'string'
        ? hop.field.referenceTo.length > 1
          ? state.findById(id)?.record
          : state.table(hop.target.name).get(id)
        : undefined;
    if (!current) return null;
  }
  return current[p.leaf.name] ?? null;
}

function checkValueType(field: SfField, v: SoqlValue): void {
  const numeric = ['double', 'currency', 'percent', 'int'].includes(field.type);
  const temporal = field.type === 'date' || field.type === 'datetime';
  const wrong =
    (v.kind === 'string' && (numeric || temporal || field.type === 'boolean')) ||
    ((v.kind === 'date' || v.kind === 'datetime' || v.kind === 'dateLiteral') && !temporal) ||
    (v.kind === 'date' && field.type === 'datetime') ||
    (v.kind === 'datetime' && field.type === 'date') ||
    (v.kind === 'number' && !numeric) ||
    (v.kind === 'boolean' && field.type !== 'boolean');
  if (wrong) {
    const expected = field.type === 'datetime' ? 'dateTime' : field.type;
    throw new SoqlError(
      'INVALID_FIELD',
      `\nvalue of filter criterion for field '${field.name}' must be of type ${expected} and should not be enclosed in quotes`,
    );
  }
}

type Scalar = string | number | boolean | null;

function compareScalars(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A field value in comparable form: datetimes as ms, dates as YYYY-MM-DD, strings as-is. */
function comparable(field: SfField, value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (field.type === 'datetime' && typeof value === 'string') return parseSfDateTime(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

function literal(field: SfField, v: SoqlValue, now: Date): Scalar | [Scalar, Scalar] {
  switch (v.kind) {
    case 'null':
      return null;
    case 'dateLiteral': {
      const [start, end] = dateLiteralRange(v, now);
      if (field.type === 'date') return [new Date(start).toISOString().slice(0, 10), new Date(end).toISOString().slice(0, 10)];
      return [start, end];
    }
    case 'datetime':
      return Date.parse(v.value);
    case 'date':
    case 'string':
      return v.value;
    case 'number':
    case 'boolean':
      return v.value;
  }
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 'is');
}

function compile(
  state: SalesforceState,
  object: SfObjectSchema,
  cond: SoqlCondition,
  now: Date,
  userId?: string,
): (r: SfRecord) => boolean {
  switch (cond.kind) {
    case 'and': {
      const l = compile(state, object, cond.left, now, userId);
      const r = compile(state, object, cond.right, now, userId);
      return (rec) => l(rec) && r(rec);
    }
    case 'or': {
      const l = compile(state, object, cond.left, now, userId);
      const r = compile(state, object, cond.right, now, userId);
      return (rec) => l(rec) || r(rec);
    }
    case 'not': {
      const inner = compile(state, object, cond.inner, now, userId);
      return (rec) => !inner(rec);
    }
    case 'in': {
      const p = resolvePath(state, object, cond.field, userId);
      for (const v of cond.values) if (v.kind !== 'null') checkValueType(p.leaf, v);
      const values = cond.values.map((v) => literal(p.leaf, v, now)).filter((v): v is Scalar => !Array.isArray(v));
      return (rec) => {
        const actual = comparable(p.leaf, valueAt(state, rec, p));
        const found =
          p.leaf.type === 'multipicklist' && typeof actual === 'string'
            ? actual.split(';').some((part) => values.some((v) => compareScalars(part, v) === 0))
            : values.some((v) => compareScalars(actual, v) === 0);
        return cond.negated ? !found : found;
      };
    }
    case 'compare': {
      const p = resolvePath(state, object, cond.field, userId);
      if (cond.value.kind !== 'null') checkValueType(p.leaf, cond.value);
      if (cond.op === 'LIKE') {
        const re = likeToRegExp((cond.value as { value: string }).value);
        return (rec) => {
          const actual = valueAt(state, rec, p);
          return typeof actual === 'string' && re.test(actual);
        };
      }
      const lit = literal(p.leaf, cond.value, now);
      const op = cond.op;
      return (rec) => {
        const actual = comparable(p.leaf, valueAt(state, rec, p));
        if (Array.isArray(lit)) {
          // Date literals denote [start, end) ranges.
          if (actual === null) return op === '!=';
          const [start, end] = lit;
          switch (op) {
            case '=':
              return compareScalars(actual, start) >= 0 && compareScalars(actual, end) < 0;
            case '!=':
              return compareScalars(actual, start) < 0 || compareScalars(actual, end) >= 0;
            case '<':
              return compareScalars(actual, start) < 0;
            case '<=':
              return compareScalars(actual, end) < 0;
            case '>':
              return compareScalars(actual, end) >= 0;
            case '>=':
              return compareScalars(actual, start) >= 0;
          }
        }
        if (op === '=') return compareScalars(actual, lit) === 0;
        if (op === '!=') return compareScalars(actual, lit) !== 0;
        if (actual === null || lit === null) return false;
        const c = compareScalars(actual, lit);
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      };
    }
  }
}

/** Parses, resolves and runs a query; returns every matching row (LIMIT/OFFSET applied) for paging. */
export function prepareQuery(
  state: SalesforceState,
  soql: string,
  options: { scanAll: boolean; now: Date; userId?: string | undefined },
): PreparedQuery {
  return prepareParsed(state, parseSoql(soql), options, false);
}

function prepareParsed(
  state: SalesforceState,
  query: SoqlQuery,
  options: { scanAll: boolean; now: Date; userId?: string | undefined },
  child: boolean,
): PreparedQuery {
  const object = state.visibleObject(query.from, options.userId);
  if (!object) throw invalidType(query.from);
  const select =
    query.aggregates.length || query.groupBy.length ? [] : query.fields.map((f) => resolvePath(state, object, f, options.userId));
  const children = query.subqueries.map((sub) => {
    const rel = childRelationship(state, object, sub.from);
    const childSoql = { ...sub, from: rel.child.name };
    return { name: rel.name, field: rel.field, prepared: prepareParsed(state, childSoql, { ...options, scanAll: false }, true) };
  });
  const where = query.where ? compile(state, object, query.where, options.now, options.userId) : () => true;
  let rows = [...state.table(object.name).values()].filter((r) => (options.scanAll || !r.IsDeleted) && where(r));
  if (query.orderBy.length) {
    // Sort keys computed once per row (datetime parsing per comparison made 100k-row sorts slow).
    const keys = query.orderBy.map((o) => ({ ...o, path: resolvePath(state, object, o.field, options.userId) }));
    const decorated = rows.map((r) => ({ r, k: keys.map((k) => comparable(k.path.leaf, valueAt(state, r, k.path))) }));
    decorated.sort((a, b) => {
      for (const [i, k] of keys.entries()) {
        const va = a.k[i] as Scalar;
        const vb = b.k[i] as Scalar;
        if (va === vb) continue;
        if (va === null) return k.nullsLast ? 1 : -1;
        if (vb === null) return k.nullsLast ? -1 : 1;
        const c = compareScalars(va, vb);
        if (c !== 0) return k.descending ? -c : c;
      }
      return 0;
    });
    rows = decorated.map((d) => d.r);
  }
  const aggregate = query.aggregates.length > 0 || query.groupBy.length > 0;
  if (aggregate) rows = aggregateRows(state, object, query, rows, options.userId);
  // A child subquery's LIMIT/OFFSET apply per parent, when it is rendered.
  if (!child && query.offset) rows = rows.slice(query.offset);
  if (!child && query.limit !== undefined) rows = rows.slice(0, query.limit);
  return { query, object, select, rows, children, aggregate };
}

/** One record as the REST API renders it: attributes first, then fields in SELECT order, parents nested. */
export function renderRecord(state: SalesforceState, prepared: PreparedQuery, record: SfRecord, version: string): Record<string, unknown> {
  if (prepared.aggregate) return record;
  const out: Record<string, unknown> = {
    attributes: { type: prepared.object.name, url: `/services/data/v${version}/sobjects/${prepared.object.name}/${record.Id}` },
  };
  renderFields(state, prepared, record, version, out);
  // Child subqueries render as nested query results, or null when no child matches (REST API "Query").
  for (const c of prepared.children) {
    let kids = c.prepared.rows.filter((k) => k[c.field.name] === record.Id);
    if (c.prepared.query.offset) kids = kids.slice(c.prepared.query.offset);
    if (c.prepared.query.limit !== undefined) kids = kids.slice(0, c.prepared.query.limit);
    out[c.name] = kids.length
      ? { totalSize: kids.length, done: true, records: kids.map((k) => renderRecord(state, c.prepared, k, version)) }
      : null;
  }
  return out;
}

function renderFields(
  state: SalesforceState,
  prepared: PreparedQuery,
  record: SfRecord,
  version: string,
  out: Record<string, unknown>,
): void {
  for (const p of prepared.select) {
    if (p.hops.length === 0) {
      out[p.leaf.name] = record[p.leaf.name] ?? null;
      continue;
    }
    let target: Record<string, unknown> = out;
    let source: SfRecord | undefined = record;
    for (const [i, hop] of p.hops.entries()) {
      const id: unknown = source?.[hop.field.name];
      source = typeof id === 'string' ? state.table(hop.target.name).get(id) : undefined;
      if (!source) {
        if (!(hop.relationshipName in target)) target[hop.relationshipName] = null;
        break;
      }
      let nested = target[hop.relationshipName] as Record<string, unknown> | null | undefined;
      if (!nested) {
        nested = { attributes: { type: hop.target.name, url: `/services/data/v${version}/sobjects/${hop.target.name}/${source.Id}` } };
        target[hop.relationshipName] = nested;
      }
      if (i === p.hops.length - 1) nested[p.leaf.name] = source[p.leaf.name] ?? null;
      target = nested;
    }
  }
}
