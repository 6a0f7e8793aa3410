import type { HsProperty } from './hubspot-state';

/**
 * Property value checks on create and update, with HubSpot's error shapes:
 * the message "Property values were not valid: [{isValid,message,error,name}]" (as HubSpot answers,
 * e.g. INVALID_OPTION "x was not one of the allowed options: [...]") plus `errors[]` entries of
 * `{message, code, context:{propertyName:[…]}}` (https://developers.hubspot.com/docs/api/error-handling:
 * "CRM object APIs' error responses include detailed message, code, and context fields").
 * - read-only values (modificationMetadata.readOnlyValue): https://developers.hubspot.com/docs/api/crm/properties
 * - date properties take midnight UTC only; datetime takes ISO 8601 or epoch ms:
 *   https://developers.hubspot.com/docs/api/faq#how-should-i-format-dates-and-timestamps
 * - non-string values with leading/trailing whitespace are rejected:
 *   https://developers.hubspot.com/changelog/breaking-change-enhanced-validations-for-non-string-properties-in-hubspots-crmobject-apis
 * - values are at most 65,536 characters: https://developers.hubspot.com/docs/api/crm/properties (property value limits)
 * - engagements need hs_timestamp on create: https://developers.hubspot.com/docs/api/crm/tasks
 */
export const MAX_VALUE_LENGTH = 65_536;

export interface PropertyIssue {
  name: string;
  error: string;
  message: string;
}

export interface ValidationContext {
  props: Map<string, HsProperty>;
  ownerIds: ReadonlySet<string>;
  required: ReadonlySet<string>;
  create: boolean;
}

const str = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : value === null || value === undefined
        ? null
        : JSON.stringify(value);
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

function instantOf(v: string): number | undefined {
  if (/^-?\d+$/.test(v)) return Number(v);
  if (DATE_ONLY.test(v)) return Date.parse(`${v}T00:00:00.000Z`);
  if (ISO.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function checkValue(def: HsProperty, v: string, ownerIds: ReadonlySet<string>): PropertyIssue | undefined {
  const issue = (error: string, message: string): PropertyIssue => ({ name: def.name, error, message });
  if (v.length > MAX_VALUE_LENGTH)
    return issue('INVALID_LENGTH', `${def.name} is ${v.length} characters; the limit is ${MAX_VALUE_LENGTH}`);
  if (def.type !== 'string' && def.type !== 'phone_number' && v !== v.trim())
    return issue('INVALID_WHITESPACE', `"${v}" has leading or trailing whitespace, which ${def.type} properties do not accept`);
  switch (def.type) {
    case 'number':
      return Number.isFinite(Number(v)) ? undefined : issue('INVALID_INTEGER', `${v} was not a valid number.`);
    case 'bool':
      return v === 'true' || v === 'false' ? undefined : issue('INVALID_OPTION', `${v} was not one of the allowed options: [true, false]`);
    case 'date': {
      const ms = instantOf(v);
      if (ms === undefined) return issue('INVALID_DATE', `${v} is not a valid date (YYYY-MM-DD or epoch milliseconds at midnight UTC)`);
      const d = new Date(ms);
      if (d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() || d.getUTCMilliseconds())
        return issue(
          'INVALID_DATE',
          `${v} is at ${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}.${d.getUTCMilliseconds()} UTC, not midnight!`,
        );
      return undefined;
    }
    case 'datetime':
      return instantOf(v) === undefined ? issue('INVALID_DATE', `${v} is not a valid ISO 8601 timestamp or epoch milliseconds`) : undefined;
    case 'enumeration': {
      if (def.name === 'hubspot_owner_id') return ownerIds.has(v) ? undefined : issue('INVALID_OWNER_ID', `${v} is not a valid owner id`);
      const allowed = def.options.map((o) => o.value);
      // Checkbox enumerations hold several options separated by ';'.
      const values = def.fieldType === 'checkbox' ? v.split(';') : [v];
      const bad = values.find((x) => !allowed.includes(x));
      return bad === undefined ? undefined : issue('INVALID_OPTION', `${bad} was not one of the allowed options: [${allowed.join(', ')}]`);
    }
    default:
      return undefined;
  }
}

/** Checks one input's properties; returns the string values to store and the issues found. */
export function validateProperties(
  properties: unknown,
  ctx: ValidationContext,
): { values: Record<string, string | null>; issues: PropertyIssue[] } {
  const values: Record<string, string | null> = {};
  const issues: PropertyIssue[] = [];
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties))
    return { values, issues: [{ name: 'properties', error: 'INVALID_INPUT', message: 'properties must be an object' }] };
  for (const [name, raw] of Object.entries(properties as Record<string, unknown>)) {
    const def = ctx.props.get(name);
    if (!def || def.archived) {
      issues.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    if (def.modificationMetadata.readOnlyValue) {
      issues.push({ name, error: 'READ_ONLY_VALUE', message: `"${name}" is a read only property; its value cannot be set.` });
      continue;
    }
    const v = str(raw);
    const issue = v === null || v === '' ? undefined : checkValue(def, v, ctx.ownerIds);
    if (issue) issues.push(issue);
    else values[name] = v;
  }
  if (ctx.create)
    for (const name of ctx.required)
      if (values[name] === undefined || values[name] === null || values[name] === '')
        issues.push({ name, error: 'REQUIRED_PROPERTY', message: `${name} is required` });
  return { values, issues };
}

/** HubSpot's 400 body for invalid property values. */
export function validationErrorBody(issues: readonly PropertyIssue[]): { message: string; errors: Record<string, unknown>[] } {
  const legacy = issues.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.error,
    name: i.name,
    localizedErrorMessage: i.message,
  }));
  return {
    message: `Property values were not valid: ${JSON.stringify(legacy)}`,
    errors: issues.map((i) => ({ message: i.message, code: i.error, context: { propertyName: [i.name] } })),
  };
}
