/**
 * A scripted fetch for unit tests of parsers and state machines (auth, referrers discovery):
 * each call is matched against handlers in order and answered with a canned Response. It does not
 * pretend to be a registry; the integration tests use real ones.
 */
export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

export type Handler = (call: Call) => Response | undefined;

export function scriptedFetch(handlers: Handler[]): { fetch: (input: string, init?: RequestInit) => Promise<Response>; calls: Call[] } {
  const calls: Call[] = [];
  const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const call: Call = {
      method: init?.method ?? 'GET',
      url: input,
      headers,
      body: init?.body instanceof Uint8Array ? init.body : undefined
    };
    calls.push(call);
    for (const h of handlers) {
      const r = h(call);
      // Constructed responses have an empty url; the registry layer then uses the request URL,
      // which is what a real fetch without redirects reports.
      if (r) return r;
    }
    throw new Error(`unscripted request ${call.method} ${call.url}`);
  };
  return { fetch, calls };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export function bytesResponse(status: number, body: Uint8Array | string, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : (body as unknown as BodyInit), { status, headers });
}

export function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}
