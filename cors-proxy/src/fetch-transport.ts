/**
 * A transport over a fetch function, for edge runtimes where there is no socket API
 * (Cloudflare Workers, Deno Deploy, Vercel Edge). Runtime-neutral.
 *
 * Limitation, by construction: fetch resolves the host name itself, so it cannot be made to
 * connect to the address the handler checked (`request.address` is ignored). Between the
 * handler's check and the platform's own lookup a DNS answer could change (rebinding). Use it only
 * where the platform cannot reach private networks anyway (the usual case for edge runtimes), and
 * prefer the Node transport (node-transport.ts) wherever the proxy runs on a host with access to
 * internal addresses.
 */
import { TransportError, type Transport, type UpstreamRequest, type UpstreamResponse } from './transport';

type FetchFn = (input: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

export function createFetchTransport(fetchFn: FetchFn = (i, init) => fetch(i, init)): Transport {
  return async (req: UpstreamRequest): Promise<UpstreamResponse> => {
    const headers = new Headers(req.headers);
    // fetch would decompress a compressed body while keeping Content-Encoding and Content-Length:
    // ask for the identity encoding so the bytes relayed are the bytes described.
    headers.set('accept-encoding', 'identity');
    // fetch computes framing itself; a stream body goes out chunked.
    headers.delete('content-length');
    let res: Response;
    try {
      res = await fetchFn(req.url.href, {
        method: req.method,
        headers,
        redirect: 'manual',
        signal: req.signal,
        ...(req.body ? { body: req.body, duplex: 'half' as const } : {})
      });
    } catch (e) {
      if (req.signal.aborted) throw new TransportError('aborted', 'aborted', { cause: e });
      throw new TransportError('connect_failed', e instanceof Error ? e.message : String(e), { cause: e });
    }
    return { status: res.status, headers: res.headers, body: res.body };
  };
}
