import { isSuccessEngineError, type Clock, type ConnectorFinding } from '../../core';

/** What a portal says about one property (GET /crm/v3/properties/{type}). */
export interface PortalProperty {
  name: string;
  type: string;
  fieldType: string;
  options: readonly string[];
  readOnlyValue: boolean;
}

/** A type the token may read (its properties by name), or the scopes it lacks. */
export type PortalSchema = { readable: true; properties: ReadonlyMap<string, PortalProperty> } | { readable: false; scopes: string[] };

/** How long a portal's schema is trusted before it is read again (a deleted property shows up within this). */
export const SCHEMA_TTL_MS = 5 * 60_000;

// Workers build a connector per job; one schema read per portal and type per TTL keeps the call count flat.
const cache = new Map<string, { at: number; schema: PortalSchema }>();

export function cachedSchema(key: string, clock: Clock): PortalSchema | undefined {
  const hit = cache.get(key);
  if (!hit || clock.now().getTime() - hit.at >= SCHEMA_TTL_MS) return undefined;
  return hit.schema;
}

export function rememberSchema(key: string, clock: Clock, schema: PortalSchema): void {
  cache.set(key, { at: clock.now().getTime(), schema });
}

export function forgetSchema(key: string): void {
  cache.delete(key);
}

/** HubSpot's 403 MISSING_SCOPES answer, as the SDK error carries it: the scopes it names, or undefined for any other error. */
export function missingScopesOf(error: unknown): string[] | undefined {
  if (!isSuccessEngineError(error, 'CONNECTOR.PERMISSION_DENIED')) return undefined;
  const body = (error.cause as { body?: unknown } | undefined)?.body as
    { category?: string; errors?: { context?: { requiredScopes?: string[]; requiredGranularScopes?: string[] } }[] } | undefined;
  if (body?.category !== 'MISSING_SCOPES') return undefined;
  return [
    ...new Set((body.errors ?? []).flatMap((e) => [...(e.context?.requiredScopes ?? []), ...(e.context?.requiredGranularScopes ?? [])])),
  ];
}

export function scopeFinding(object: string, scopes: readonly string[], what: string): ConnectorFinding {
  const scope = scopes.join(' ') || 'unknown';
  return {
    code: 'CONNECTOR.SCOPE_MISSING',
    object,
    scope,
    message: `HubSpot did not grant ${scope}, so ${what} is skipped; reinstall the app to grant it / HubSpot 未授予 ${scope}，已跳过${what}；请重新安装应用授权`,
  };
}

export function propertyFinding(object: string, property: string): ConnectorFinding {
  return {
    code: 'CONNECTOR.PROPERTY_MISSING',
    object,
    property,
    message: `HubSpot ${object} has no property "${property}"; it is left out of the sync (map another property in the console) / HubSpot ${object} 没有属性 "${property}"，同步时已跳过（可在控制台映射其他属性）`,
  };
}
