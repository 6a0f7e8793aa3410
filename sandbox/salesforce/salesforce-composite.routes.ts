import type { Router, SandboxRequest } from '../http/http-kit';
import { parseJsonBody } from '../http/http-kit';
import { CHILD_RELATIONSHIPS, type SfObjectSchema } from './salesforce-schema';
import type { SalesforceState, SfRecord } from './salesforce-state';

type SfErr = { errorCode: string; message: string; fields?: string[] };

/** One request run through the sandbox's own routes, as the top-level caller (same user, no extra API call). */
export interface InnerAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface CompositeDeps {
  org: SalesforceState;
  api: (path: string) => string;
  version: (req: SandboxRequest) => string;
  fail: (status: number, errorCode: string, message: string, fields?: string[]) => Error;
  /** Runs `method path?query` through the router with the caller's user; errors come back as Salesforce error bodies. */
  invoke: (
    method: string,
    pathAndQuery: string,
    body: unknown,
    userId: string | undefined,
    headers?: Record<string, string>,
  ) => Promise<InnerAnswer>;
  /** Validates and inserts one record, throwing the per-record errors (the single-record insert's own validation). */
  createRecord: (o: SfObjectSchema, body: Record<string, unknown>, userId?: string) => SfRecord;
  /** The errors a thrown createRecord carries, or undefined for anything else. */
  errorsOf: (e: unknown) => SfErr[] | undefined;
  /** Counts `n` more calls against the daily API allocation (Composite Batch subrequests each count). */
  countApiCalls: (n: number) => void;
}

const COMPOSITE_MAX = 25;
const COMPOSITE_QUERY_MAX = 5;
const BATCH_MAX = 25;
const TREE_MAX = 200;
const TREE_TYPES_MAX = 5;
const TREE_DEPTH_MAX = 5;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Headers a subrequest inherits from the top-level request and must not set itself (Composite Subrequest). */
const INHERITED_HEADERS = ['accept', 'authorization', 'content-type'];
// Wording Salesforce uses, as CumulusCI's composite task matches it
// (cumulusci/tasks/salesforce/composite.py API_ROLLBACK_MESSAGE / API_INVALID_REF_MESSAGE, and its tests).
const ROLLED_BACK = 'The transaction was rolled back since another operation in the same transaction failed.';
const REFERENCE_ID = /^[A-Za-z0-9][A-Za-z0-9_]*$/;

/**
 * Composite, Composite Batch and sObject Tree (REST API Developer Guide, "Composite Resources").
 * Subrequests run through the sandbox's own routes, so they answer exactly as the same call made alone.
 */
export function registerCompositeRoutes(router: Router, deps: CompositeDeps): void {
  const { org, api, version, fail, invoke } = deps;

  /** `/services/data/vXX.X/<resource>` the Composite resource accepts: sObject resources, Query, QueryAll, sObject Collections. */
  const compositeResource = (url: string): 'query' | 'collections' | 'sobjects' | undefined => {
    const m = /^\/services\/data\/v\d{2}\.0\/([^?]*)/.exec(url);
    const rest = m?.[1] ?? '';
    if (/^(query|queryAll)(\/|$)/.test(rest)) return 'query';
    if (/^composite\/sobjects(\/|$)/.test(rest)) return 'collections';
    if (/^sobjects(\/|$)/.test(rest)) return 'sobjects';
    return undefined;
  };

  /** Looks `path` (e.g. `id`, `records[0].Id`) up in an earlier subrequest's response body. */
  const lookUp = (body: unknown, path: string): unknown => {
    let cur: unknown = body;
    for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
      if (cur === null || cur === undefined) return undefined;
      if (part.startsWith('[')) {
        if (!Array.isArray(cur)) return undefined;
        cur = cur[Number(part.slice(1, -1))];
      } else {
        if (typeof cur !== 'object' || Array.isArray(cur)) return undefined;
        cur = (cur as Record<string, unknown>)[part];
      }
    }
    return cur;
  };

  class InvalidReference extends Error {}
  /** Replaces every `@{ref.path}` with the value from an earlier, successful subrequest. */
  const resolve = (text: string, done: Map<string, unknown>): string =>
    text.replace(/@\{([^}]*)\}/g, (_m, expr: string) => {
      const refId = /^[A-Za-z0-9_]*/.exec(expr)?.[0] ?? '';
      const path = expr.slice(refId.length).replace(/^\./, '');
      // Only subrequests that ran earlier and succeeded can be referenced; a later or unknown one has no value yet.
      const value = done.has(refId) ? lookUp(done.get(refId), path) : undefined;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        throw new InvalidReference(`Invalid reference specified. No value for ${expr} found in ${refId}`);
      return String(value);
    });
  const resolveBody = (value: unknown, done: Map<string, unknown>): unknown => {
    if (typeof value === 'string') return resolve(value, done);
    if (Array.isArray(value)) return value.map((v) => resolveBody(v, done));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveBody(v, done)]));
    return value;
  };

  const halted = (message: string): SfErr[] => [{ errorCode: 'PROCESSING_HALTED', message }];

  // Composite: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
  // Request body: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite.htm
  // Subrequest result: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_subrequest_result.htm
  // allOrNone with Collections: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_allornone.htm
  router.on('POST', api('/composite'), async (req) => {
    version(req);
    const body = (parseJsonBody(req) ?? {}) as { allOrNone?: unknown; collateSubrequests?: unknown; compositeRequest?: unknown };
    if (body.allOrNone !== undefined && typeof body.allOrNone !== 'boolean')
      throw fail(400, 'JSON_PARSER_ERROR', "Cannot deserialize value of type 'boolean' for 'allOrNone'");
    if (body.collateSubrequests !== undefined && typeof body.collateSubrequests !== 'boolean')
      throw fail(400, 'JSON_PARSER_ERROR', "Cannot deserialize value of type 'boolean' for 'collateSubrequests'");
    if (!Array.isArray(body.compositeRequest) || body.compositeRequest.length === 0)
      throw fail(400, 'JSON_PARSER_ERROR', "'compositeRequest' is a required field.");
    const subs = body.compositeRequest as {
      method?: unknown;
      url?: unknown;
      referenceId?: unknown;
      body?: unknown;
      httpHeaders?: Record<string, string>;
    }[];
    // The whole body is checked before any subrequest runs: a malformed one fails the request with 400
    // ("Handle Errors with Composite Resources", https://developer.salesforce.com/blogs/tech-pubs/2017/02/handle-errors-with-composite-resources.html).
    if (subs.length > COMPOSITE_MAX)
      throw fail(
        400,
        'LIMIT_EXCEEDED',
        `A composite request can contain at most ${COMPOSITE_MAX} subrequests; this one has ${subs.length}.`,
      );
    const seen = new Set<string>();
    let queries = 0;
    for (const s of subs) {
      if (typeof s.referenceId !== 'string' || s.referenceId === '')
        throw fail(400, 'JSON_PARSER_ERROR', "'referenceId' is a required field.");
      if (!REFERENCE_ID.test(s.referenceId))
        throw fail(
          400,
          'JSON_PARSER_ERROR',
          `Provided referenceId ('${s.referenceId}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_').`,
        );
      if (seen.has(s.referenceId)) throw fail(400, 'INVALID_INPUT', `Duplicate referenceId provided in the request: ${s.referenceId}`);
      seen.add(s.referenceId);
      if (typeof s.method !== 'string' || !METHODS.includes(s.method))
        throw fail(400, 'JSON_PARSER_ERROR', `'method' must be one of ${METHODS.join(', ')} (case-sensitive).`);
      if (typeof s.url !== 'string' || s.url === '') throw fail(400, 'JSON_PARSER_ERROR', "'url' is a required field.");
      const kind = compositeResource(s.url);
      if (!kind) throw fail(400, 'INVALID_INPUT', `The Composite resource does not support ${s.url}`);
      if (kind !== 'sobjects' && ++queries > COMPOSITE_QUERY_MAX)
        throw fail(
          400,
          'LIMIT_EXCEEDED',
          `A composite request can contain at most ${COMPOSITE_QUERY_MAX} query or sObject Collections subrequests.`,
        );
      for (const h of Object.keys(s.httpHeaders ?? {}))
        if (INHERITED_HEADERS.includes(h.toLowerCase()))
          throw fail(400, 'INVALID_INPUT', `The ${h} header is inherited from the composite request and can't be set on a subrequest.`);
    }

    const allOrNone = body.allOrNone === true;
    const snapshot = allOrNone ? org.snapshot() : undefined;
    const done = new Map<string, unknown>();
    const results: { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }[] = [];
    let failedAt = -1;
    for (const [i, s] of subs.entries()) {
      const referenceId = s.referenceId as string;
      let answer: InnerAnswer;
      try {
        const url = resolve(s.url as string, done);
        const subBody = s.body === undefined ? undefined : resolveBody(s.body, done);
        // With allOrNone on the composite request, it overrides a Collections subrequest's own allOrNone.
        const effective =
          allOrNone && compositeResource(url) === 'collections' && subBody && typeof subBody === 'object'
            ? { ...subBody, allOrNone: true }
            : subBody;
        answer = await invoke(s.method as string, url, effective, req.params.$userId, s.httpHeaders ?? {});
      } catch (e) {
        if (!(e instanceof InvalidReference)) throw e;
        answer = { status: 400, body: halted(e.message), headers: {} };
      }
      const ok = answer.status < 400;
      if (ok) done.set(referenceId, answer.body ?? null);
      results.push({ body: answer.body ?? null, httpHeaders: answer.headers, httpStatusCode: answer.status, referenceId });
      if (!ok && allOrNone) {
        failedAt = i;
        break;
      }
    }
    if (failedAt >= 0 && snapshot) {
      // Everything is rolled back; every other subrequest answers 400 PROCESSING_HALTED.
      org.restore(snapshot);
      const out = subs.map((s, i) =>
        i === failedAt
          ? results[i]
          : { body: halted(ROLLED_BACK), httpHeaders: {}, httpStatusCode: 400, referenceId: s.referenceId as string },
      );
      return { status: 200, json: { compositeResponse: out } };
    }
    return { status: 200, json: { compositeResponse: results } };
  });

  // Composite Batch: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm
  // Request body: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite_batch.htm
  // Subrequests are independent and commit one by one; each counts against the API limits.
  router.on('POST', api('/composite/batch'), async (req) => {
    version(req);
    const body = (parseJsonBody(req) ?? {}) as { batchRequests?: unknown; haltOnError?: unknown };
    if (body.haltOnError !== undefined && typeof body.haltOnError !== 'boolean')
      throw fail(400, 'JSON_PARSER_ERROR', "Cannot deserialize value of type 'boolean' for 'haltOnError'");
    if (!Array.isArray(body.batchRequests) || body.batchRequests.length === 0)
      throw fail(400, 'JSON_PARSER_ERROR', "'batchRequests' is a required field.");
    const subs = body.batchRequests as { method?: unknown; url?: unknown; richInput?: unknown }[];
    if (subs.length > BATCH_MAX)
      throw fail(400, 'LIMIT_EXCEEDED', `A batch request can contain at most ${BATCH_MAX} subrequests; this one has ${subs.length}.`);
    for (const s of subs) {
      if (typeof s.method !== 'string' || !METHODS.includes(s.method.toUpperCase()))
        throw fail(400, 'JSON_PARSER_ERROR', `'method' must be one of ${METHODS.join(', ')}.`);
      // Urls are relative to /services/data: "v62.0/sobjects/Account/001…".
      if (typeof s.url !== 'string' || !/^\/?v\d{2}\.0\/(sobjects|query|queryAll|limits)(\/|\?|$)/.test(s.url))
        throw fail(400, 'INVALID_INPUT', `The Batch resource does not support ${String(s.url)}`);
    }
    const results: { statusCode: number; result: unknown }[] = [];
    let halted412 = false;
    let executed = 0;
    for (const s of subs) {
      if (halted412) {
        results.push({
          statusCode: 412,
          result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }],
        });
        continue;
      }
      executed++;
      const url = `/services/data/${(s.url as string).replace(/^\//, '')}`;
      const answer = await invoke((s.method as string).toUpperCase(), url, s.richInput, req.params.$userId);
      results.push({ statusCode: answer.status, result: answer.status === 204 ? null : (answer.body ?? null) });
      if (answer.status >= 400 && body.haltOnError === true) halted412 = true;
    }
    // The batch envelope was counted once already; each subrequest counts as a call.
    deps.countApiCalls(Math.max(0, executed - 1));
    return { status: 200, json: { hasErrors: results.some((r) => r.statusCode >= 400), results } };
  });

  // sObject Tree: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm
  // Request: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite_sobject_tree.htm
  // Response: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/responses_composite_sobject_tree.htm
  // ≤ 200 records over all trees, ≤ 5 types, ≤ 5 levels; created in request order; any error fails the whole request.
  router.on('POST', api('/composite/tree/:type'), (req) => {
    version(req);
    const root = org.visibleObject(req.params.type ?? '', req.params.$userId);
    if (!root) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    const body = (parseJsonBody(req) ?? {}) as { records?: unknown };
    if (!Array.isArray(body.records)) throw fail(400, 'JSON_PARSER_ERROR', "'records' is a required field.");

    interface Node {
      o: SfObjectSchema;
      referenceId: string;
      fields: Record<string, unknown>;
      parentLookup?: { field: string; parent: Node };
      id?: string;
    }
    const nodes: Node[] = [];
    const types = new Set<string>();
    /** The lookup on `child` whose child relationship on `parent` is `relName` (Account.Contacts → Contact.AccountId). */
    const relationship = (parent: SfObjectSchema, relName: string): { child: SfObjectSchema; field: string } | undefined => {
      for (const [key, name] of Object.entries(CHILD_RELATIONSHIPS)) {
        if (name.toLowerCase() !== relName.toLowerCase()) continue;
        const [childName = '', field = ''] = key.split('.');
        const child = org.visibleObject(childName, req.params.$userId);
        if (child?.fields.get(field.toLowerCase())?.referenceTo.includes(parent.name)) return { child, field };
      }
      return undefined;
    };
    const walk = (records: unknown[], o: SfObjectSchema, depth: number, parent?: { field: string; node: Node }): void => {
      if (depth > TREE_DEPTH_MAX) throw fail(400, 'INVALID_INPUT', `sObject trees can be at most ${TREE_DEPTH_MAX} levels deep`);
      for (const raw of records) {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw))
          throw fail(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object');
        const rec = raw as Record<string, unknown> & { attributes?: { type?: unknown; referenceId?: unknown } };
        const type = rec.attributes?.type;
        const referenceId = rec.attributes?.referenceId;
        if (typeof type !== 'string' || type.toLowerCase() !== o.name.toLowerCase())
          throw fail(400, 'INVALID_TYPE', `attributes.type must be ${o.name}, got ${String(type)}`);
        if (typeof referenceId !== 'string' || referenceId === '')
          throw fail(400, 'JSON_PARSER_ERROR', "'referenceId' is a required field in attributes.");
        const fields: Record<string, unknown> = {};
        const children: [SfObjectSchema, string, unknown[]][] = [];
        for (const [k, v] of Object.entries(rec)) {
          if (k === 'attributes') continue;
          if (v && typeof v === 'object' && !Array.isArray(v) && 'records' in v) {
            const rel = relationship(o, k);
            if (!rel) throw fail(400, 'INVALID_FIELD', `No such column '${k}' on sobject of type ${o.name}`, [k]);
            children.push([rel.child, rel.field, Array.isArray(v.records) ? (v.records as unknown[]) : []]);
            continue;
          }
          fields[k] = v;
        }
        const node: Node = { o, referenceId, fields, ...(parent ? { parentLookup: { field: parent.field, parent: parent.node } } : {}) };
        nodes.push(node);
        types.add(o.name);
        for (const [child, field, recs] of children) walk(recs, child, depth + 1, { field, node });
      }
    };
    walk(body.records, root, 1);
    if (nodes.length > TREE_MAX)
      throw fail(400, 'LIMIT_EXCEEDED', `An sObject tree request can contain at most ${TREE_MAX} records; this one has ${nodes.length}.`);
    if (types.size > TREE_TYPES_MAX)
      throw fail(400, 'LIMIT_EXCEEDED', `An sObject tree request can contain records of at most ${TREE_TYPES_MAX} types.`);
    // Duplicate reference ids: one error result per instance (sObject Tree Response Body).
    const counts = new Map<string, number>();
    for (const n of nodes) counts.set(n.referenceId, (counts.get(n.referenceId) ?? 0) + 1);
    const duplicates = nodes.filter((n) => (counts.get(n.referenceId) ?? 0) > 1);
    if (duplicates.length)
      return {
        status: 400,
        json: {
          hasErrors: true,
          results: duplicates.map((n) => ({
            referenceId: n.referenceId,
            errors: [
              { statusCode: 'INVALID_INPUT', message: `Duplicate ReferenceId provided in the request: ${n.referenceId}`, fields: [] },
            ],
          })),
        },
      };

    const snapshot = org.snapshot();
    for (const n of nodes) {
      const fields = n.parentLookup ? { ...n.fields, [n.parentLookup.field]: n.parentLookup.parent.id } : n.fields;
      try {
        n.id = deps.createRecord(n.o, fields, req.params.$userId).Id;
      } catch (e) {
        const errors = deps.errorsOf(e);
        if (!errors) throw e;
        org.restore(snapshot);
        return {
          status: 400,
          json: {
            hasErrors: true,
            results: [
              {
                referenceId: n.referenceId,
                errors: errors.map((x) => ({ statusCode: x.errorCode, message: x.message, fields: x.fields ?? [] })),
              },
            ],
          },
        };
      }
    }
    return { status: 201, json: { hasErrors: false, results: nodes.map((n) => ({ referenceId: n.referenceId, id: n.id })) } };
  });
}
