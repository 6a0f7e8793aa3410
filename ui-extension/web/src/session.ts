/**
 * API tokens reach the page in the URL fragment (`#token=se_…`): browsers never send fragments to a
 * server, so the token stays out of access logs, proxies and Referer headers. The page moves it to
 * sessionStorage (this tab only) and strips it from the address bar at once.
 */
const STORAGE_KEY = 'success-engine.token';

export function takeToken(): string | null {
  const hash = window.location.hash.replace(/^#/, '');
  const fromFragment = new URLSearchParams(hash).get('token');
  if (fromFragment) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, fromFragment);
    } catch {
      // Storage can be blocked in third-party iframes; keep the token in memory only.
      memoryToken = fromFragment;
    }
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    return fromFragment;
  }
  return memoryToken ?? safeGet();
}

let memoryToken: string | null = null;

function safeGet(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  memoryToken = token;
  try {
    window.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // in memory only
  }
}

export function forgetToken(): void {
  memoryToken = null;
  try {
    window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Fields at fault for validation errors (`hubspot.arr.field`), when the server names them. */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** JSON call with the bearer token; non-2xx answers become ApiError with the server's message. */
export async function api<T>(token: string, url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? null : JSON.stringify(init.body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP.${response.status}`,
      error?.message ?? response.statusText,
      error?.issues ?? [],
    );
  }
  return json as T;
}
