import type { Router, SandboxRequest, SandboxResponse } from '../http/http-kit';
import { parseJsonBody } from '../http/http-kit';
import type { SfObjectSchema } from './salesforce-schema';
import type { SalesforceState, SfRecord } from './salesforce-state';

type SfErr = { errorCode: string; message: string; fields?: string[] };

export interface RestExtrasDeps {
  org: SalesforceState;
  api: (path: string) => string;
  version: (req: SandboxRequest) => string;
  objectOf: (req: SandboxRequest) => SfObjectSchema;
  fail: (status: number, errorCode: string, message: string, fields?: string[]) => Error;
  /** Validates and inserts (throws the per-record errors as an HTTP 400). */
  createRecord: (o: SfObjectSchema, body: Record<string, unknown>, userId?: string) => SfRecord;
  /** Validates and applies, returning per-record errors (nothing applied when there are any). */
  applyFields: (
    o: SfObjectSchema,
    record: SfRecord | undefined,
    fields: Record<string, unknown>,
    creating: boolean,
    userId?: string,
  ) => SfErr[];
  /** Per-record errors of a create, without creating. */
  probeCreate: (o: SfObjectSchema, body: Record<string, unknown>, userId?: string) => SfErr[];
  softDelete: (r: SfRecord) => void;
  httpError: (status: number, errors: SfErr[]) => Error;
}

const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};
const toResultErrors = (errors: SfErr[]): { statusCode: string; message: string; fields: string[] }[] =>
  errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] }));

/**
 * Upsert by external id, Collections delete, describe layouts, list views and query plans: what
 * jsforce's own tests and real integrations call beyond plain CRUD.
 */
export function registerRestExtras(router: Router, deps: RestExtrasDeps): void {
  const { org, api, version, objectOf, fail } = deps;

  /** Rows whose external id field equals `value` (the field must be an External ID or Id). */
  const matchByExternalId = (o: SfObjectSchema, fieldName: string, value: string): SfRecord[] => {
    const f = o.fields.get(fieldName.toLowerCase());
    if (!f || !(f.externalId || f.name === 'Id'))
      throw fail(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`);
    return [...org.table(o.name).values()].filter((r) => !r.IsDeleted && r[f.name] === value);
  };

  // Upsert (REST API "Insert or Update (Upsert) a Record Using an External ID",
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm):
  // 201 created, 200 updated, 300 with the matching records' URLs when the value is not unique.
  router.on('PATCH', api('/sobjects/:type/:field/:value'), (req) => {
    const v = version(req);
    const o = objectOf(req);
    const field = req.params.field ?? '';
    const value = req.params.value ?? '';
    const body = (parseJsonBody(req) ?? {}) as Record<string, unknown>;
    const matches = matchByExternalId(o, field, value);
    if (matches.length > 1) return { status: 300, json: matches.map((r) => `/services/data/v${v}/sobjects/${o.name}/${r.Id}`) };
    const userId = req.params.$userId;
    const existing = matches[0];
    if (existing) {
      const errors = deps.applyFields(o, existing, body, false, userId);
      if (errors.length) throw deps.httpError(400, errors);
      return { status: 200, json: { id: existing.Id, success: true, errors: [], created: false } };
    }
    const canonical = o.fields.get(field.toLowerCase())?.name ?? field;
    const r = deps.createRecord(o, { ...body, [canonical]: value }, userId);
    return { status: 201, json: { id: r.Id, success: true, errors: [], created: true } };
  });

  // Collections upsert (REST API "Upsert Multiple Records",
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm).
  router.on('PATCH', api('/composite/sobjects/:type/:field'), (req) => {
    version(req);
    const o = objectOf(req);
    const field = req.params.field ?? '';
    const body = (parseJsonBody(req) ?? {}) as {
      allOrNone?: boolean;
      records?: (Record<string, unknown> & { attributes?: { type?: string } })[];
    };
    const records = body.records ?? [];
    if (records.length > 200)
      throw fail(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    const canonical = o.fields.get(field.toLowerCase())?.name;
    const plans = records.map((rec) => {
      const { attributes, ...fields } = rec;
      if (attributes?.type !== undefined && attributes.type.toLowerCase() !== o.name.toLowerCase())
        return {
          errors: [{ errorCode: 'INVALID_TYPE', message: `attributes.type ${attributes.type} does not match ${o.name}`, fields: [] }],
        };
      const value = canonical ? (fields[canonical] ?? fields[field]) : undefined;
      if (typeof value !== 'string' || value === '')
        return { errors: [{ errorCode: 'MISSING_ARGUMENT', message: `${field} not specified`, fields: [field] }] };
      const matches = matchByExternalId(o, field, value);
      if (matches.length > 1)
        return {
          errors: [
            {
              errorCode: 'DUPLICATE_EXTERNAL_ID',
              message: `${field}: more than one record found for external id field: ${matches.map((m) => m.Id).join(', ')}`,
              fields: [field],
            },
          ],
        };
      const target = matches[0];
      const rest = Object.fromEntries(Object.entries(fields).filter(([k]) => k.toLowerCase() !== field.toLowerCase()));
      const errors = target
        ? deps.applyFields(o, undefined, rest, false, req.params.$userId)
        : deps.probeCreate(o, { ...rest, [canonical as string]: value }, req.params.$userId);
      return { errors, target, rest, value };
    });
    const anyFailed = plans.some((p) => p.errors.length > 0);
    return {
      status: 200,
      // Failed results still say whether the record would have been created (as a real org answers;
      // jsforce's connection-crud test "upsert … allOrNone=true … expect rollback").
      json: plans.map((p) => {
        const created = !('target' in p && p.target);
        if (p.errors.length) return { success: false, errors: toResultErrors(p.errors), created };
        if (body.allOrNone && anyFailed) return { success: false, errors: [ROLLED_BACK], created };
        if ('target' in p && p.target) {
          deps.applyFields(o, p.target, p.rest ?? {}, false, req.params.$userId);
          return { id: p.target.Id, success: true, errors: [], created: false };
        }
        const r = deps.createRecord(o, { ...(p.rest ?? {}), [canonical as string]: p.value }, req.params.$userId);
        return { id: r.Id, success: true, errors: [], created: true };
      }),
    };
  });

  // Collections delete (REST API "Delete Multiple Records"): DELETE ?ids=…&allOrNone=, ≤ 200 ids.
  router.on('DELETE', api('/composite/sobjects'), (req) => {
    version(req);
    const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
    const allOrNone = req.query.get('allOrNone') === 'true';
    if (ids.length === 0) throw fail(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > 200) throw fail(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    const plans = ids.map((id) => {
      const found = org.findById(id);
      if (!found)
        return {
          id,
          errors: [
            {
              errorCode: id.length === 15 || id.length === 18 ? 'INVALID_CROSS_REFERENCE_KEY' : 'MALFORMED_ID',
              message: id.length === 15 || id.length === 18 ? 'invalid cross reference id' : `malformed id ${id}`,
              fields: [],
            },
          ],
        };
      if (found.record.IsDeleted) return { id, errors: [{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] };
      return { id, errors: [] as SfErr[], record: found.record };
    });
    const anyFailed = plans.some((p) => p.errors.length > 0);
    return {
      status: 200,
      json: plans.map((p) => {
        if (p.errors.length) return { id: p.id, success: false, errors: toResultErrors(p.errors) };
        if (allOrNone && anyFailed) return { id: p.id, success: false, errors: [ROLLED_BACK] };
        if (p.record) deps.softDelete(p.record);
        return { id: p.record?.Id ?? p.id, success: true, errors: [] };
      }),
    };
  });

  // Describe layouts (REST API "sObject Describe Layouts",
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_layouts.htm):
  // one system layout listing the object's fields; no record types; no approval processes.
  const layoutOf = (o: SfObjectSchema): Record<string, unknown> => {
    const items = [...o.fields.values()]
      .filter((f) => f.name !== 'Id' && f.name !== 'IsDeleted')
      .map((f) => ({
        editableForNew: f.createable,
        editableForUpdate: f.updateable,
        label: f.label,
        layoutComponents: [{ details: { name: f.name }, displayLines: 1, tabOrder: 0, type: 'Field', value: f.name }],
        placeholder: false,
        required: !f.nillable && f.createable && !f.defaultedOnCreate,
      }));
    const section = {
      collapsed: false,
      columns: 1,
      heading: `${o.label} Information`,
      layoutRows: items.map((item) => ({ layoutItems: [item], numItems: 1 })),
      layoutSectionId: null,
      parentLayoutId: null,
      rows: items.length,
      tabOrder: 'TopToBottom',
      useCollapsibleSection: false,
      useHeading: true,
    };
    return {
      id: null,
      buttonLayoutSection: { detailButtons: [] },
      detailLayoutSections: [section],
      editLayoutSections: [section],
      feedView: null,
      highlightsPanelLayoutSection: null,
      multirowEditLayoutSections: [],
      offlineLinks: [],
      quickActionList: { quickActionListItems: [] },
      relatedContent: null,
      relatedLists: [],
      saveOptions: [],
    };
  };
  router.on('GET', api('/sobjects/:type/describe/layouts'), (req) => {
    version(req);
    return { status: 200, json: { layouts: [layoutOf(objectOf(req))], recordTypeMappings: [], recordTypeSelectorRequired: [false] } };
  });
  // Named layouts: User has "UserAlt" (describe namedLayoutInfos).
  router.on('GET', api('/sobjects/:type/describe/namedLayouts/:name'), (req) => {
    version(req);
    const o = objectOf(req);
    if (!(o.name === 'User' && req.params.name === 'UserAlt'))
      throw fail(404, 'NOT_FOUND', `No named layout ${req.params.name} on ${o.name}`);
    return { status: 200, json: { layouts: [layoutOf(o)], recordTypeMappings: [], recordTypeSelectorRequired: [false] } };
  });
  router.on('GET', api('/sobjects/:type/describe/compactLayouts'), (req) => {
    version(req);
    const o = objectOf(req);
    const nameField = o.fields.get('name');
    const fieldItems = nameField
      ? [
          {
            editableForNew: nameField.createable,
            editableForUpdate: nameField.updateable,
            label: nameField.label,
            layoutComponents: [{ details: { name: nameField.name }, displayLines: 1, tabOrder: 0, type: 'Field', value: nameField.name }],
            placeholder: false,
            required: !nameField.nillable,
          },
        ]
      : [];
    return {
      status: 200,
      json: {
        compactLayouts: [
          { actions: [], fieldItems, id: null, imageItems: [], label: 'System Default', name: 'SYSTEM', objectType: o.name },
        ],
        defaultCompactLayoutId: null,
        recordTypeCompactLayoutMappings: [],
      },
    };
  });
  router.on('GET', api('/sobjects/:type/describe/approvalLayouts'), (req) => {
    version(req);
    objectOf(req);
    return { status: 200, json: { approvalLayouts: [] } };
  });

  // List views (REST API "List Views", https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_listviews.htm):
  // every object with a Name has the standard "All" view, ordered by Name.
  const listViewQuery = (o: SfObjectSchema): string =>
    `SELECT ${o.fields.has('name') ? 'Name, ' : ''}Id FROM ${o.name}${o.fields.has('name') ? ' ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST' : ''}`;
  const listViewColumns = (o: SfObjectSchema): Record<string, unknown>[] => [
    ...(o.fields.has('name')
      ? [
          {
            ascendingLabel: 'A-Z',
            descendingLabel: 'Z-A',
            fieldNameOrPath: 'Name',
            hidden: false,
            label: 'Name',
            selectListItem: 'Name',
            sortDirection: 'ascending',
            sortIndex: 0,
            sortable: true,
            type: 'string',
          },
        ]
      : []),
    {
      ascendingLabel: null,
      descendingLabel: null,
      fieldNameOrPath: 'Id',
      hidden: true,
      label: 'Record ID',
      selectListItem: 'Id',
      sortDirection: null,
      sortIndex: null,
      sortable: false,
      type: 'id',
    },
  ];
  const viewOf = (req: SandboxRequest): { o: SfObjectSchema; v: string } => {
    const v = version(req);
    const o = objectOf(req);
    if (req.params.id !== listViewId(o)) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return { o, v };
  };
  router.on('GET', api('/sobjects/:type/listviews'), (req) => {
    const v = version(req);
    const o = objectOf(req);
    const id = listViewId(o);
    const base = `/services/data/v${v}/sobjects/${o.name}/listviews/${id}`;
    return {
      status: 200,
      json: {
        done: true,
        listviews: [
          {
            describeUrl: `${base}/describe`,
            developerName: 'All',
            id,
            label: `All ${o.labelPlural}`,
            resultsUrl: `${base}/results`,
            soqlCompatible: true,
            url: base,
          },
        ],
        nextRecordsUrl: null,
        size: 1,
        sobjectType: o.name,
      },
    };
  });
  router.on('GET', api('/sobjects/:type/listviews/:id/describe'), (req) => {
    const { o } = viewOf(req);
    return {
      status: 200,
      json: {
        columns: listViewColumns(o),
        id: listViewId(o),
        orderBy: o.fields.has('name') ? [{ fieldNameOrPath: 'Name', nullsPosition: 'first', sortDirection: 'ascending' }] : [],
        query: listViewQuery(o),
        scope: 'everything',
        sobjectType: o.name,
        whereCondition: { conditions: [], conjunction: 'and' },
      },
    };
  });
  router.on('GET', api('/sobjects/:type/listviews/:id/results'), (req) => {
    const { o } = viewOf(req);
    const limit = Math.min(2000, Number(req.query.get('limit') ?? 25) || 25);
    const rows = [...org.table(o.name).values()]
      .filter((r) => !r.IsDeleted)
      .sort(
        (a, b) =>
          (typeof a.Name === 'string' ? a.Name : '').localeCompare(typeof b.Name === 'string' ? b.Name : '') || a.Id.localeCompare(b.Id),
      );
    const columns = listViewColumns(o);
    return {
      status: 200,
      json: {
        columns,
        developerName: 'All',
        done: rows.length <= limit,
        id: listViewId(o),
        label: `All ${o.labelPlural}`,
        records: rows.slice(0, limit).map((r) => ({
          columns: columns.map((c) => ({ fieldNameOrPath: c.fieldNameOrPath, value: r[c.fieldNameOrPath as string] ?? null })),
        })),
        size: rows.length,
      },
    };
  });
}

/**
 * The query plan of a SOQL query or list view (REST API "Get Feedback on Query Performance",
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query_explain.htm):
 * the sandbox keeps no indexes, so the plan is a TableScan over the object's rows.
 */
export function explainQuery(org: SalesforceState, target: string, fail: RestExtrasDeps['fail']): SandboxResponse {
  const view = [...org.schema.values()].find((o) => listViewId(o) === target);
  const objectName = view?.name ?? /\bFROM\s+(\w+)/i.exec(target)?.[1];
  if (!objectName) throw fail(400, 'MALFORMED_QUERY', 'explain needs a SOQL query or a list view id');
  const o = org.object(objectName);
  if (!o) throw fail(400, 'INVALID_TYPE', `sObject type '${objectName}' is not supported.`);
  const n = [...org.table(o.name).values()].filter((r) => !r.IsDeleted).length;
  return {
    status: 200,
    json: {
      plans: [
        {
          cardinality: n,
          fields: [],
          leadingOperationType: 'TableScan',
          notes: [],
          relativeCost: n > 0 ? Math.max(0.1, n / 1000) : 0,
          sobjectCardinality: n,
          sobjectType: o.name,
        },
      ],
      sourceQuery: target,
    },
  };
}

/** The id of an object's standard "All" list view (15 characters, key prefix 00B). */
function listViewId(o: SfObjectSchema): string {
  return `00B8d${o.keyPrefix}ALLVIEW`.slice(0, 15);
}
