/** One HTTP attempt; a transport never throws: network errors and timeouts come back as values. */
export type TransportResult = { kind: 'response'; status: number; body: string } | { kind: 'network-error' | 'timeout'; message: string };

export type WebhookTransport = (request: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}) => Promise<TransportResult>;

/** POST with Node's fetch; redirects are not followed (a signed body must not be replayed elsewhere). */
export const fetchTransport: WebhookTransport = async ({ url, headers, body, timeoutMs }) => {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { kind: 'response', status: response.status, body: text.slice(0, 2_000) };
  } catch (error) {
    // Duck-typed: fetch errors (DOMException, undici errors) may come from another realm.
    const e = error as { name?: unknown; message?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
    const name = typeof e?.name === 'string' ? e.name : '';
    const detail = e?.cause?.code ?? e?.cause?.message;
    const cause = typeof detail === 'string' ? `: ${detail}` : '';
    const message = `${typeof e?.message === 'string' ? e.message : String(error)}${cause}`;
    return { kind: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network-error', message };
  }
};
