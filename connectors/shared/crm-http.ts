/**
 * The few raw CRM calls outside the SDKs (token exchange, refresh, identity, revocation,
 * visibility). Sync and write-back go through the connectors and their SDKs.
 */
export interface CrmResponse {
  status: number;
  body: unknown;
}

/** A call made as an installed connection; the app refreshes its tokens on expiry and after a 401. */
export type ConnectionRequest = (pathOrUrl: string, method?: 'GET' | 'DELETE') => Promise<CrmResponse>;

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<CrmResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await readBody(res) };
}

export async function getJson(url: string, accessToken: string, method = 'GET'): Promise<CrmResponse> {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
  return { status: res.status, body: await readBody(res) };
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
