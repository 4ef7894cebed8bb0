/**
 * Node transport for the handler: node:http / node:https to an address the handler already checked.
 *
 * Pinning: the request keeps the host name (Host header, TLS SNI and certificate checks) but its
 * `lookup` hook answers with the checked address, so Node never resolves the name again; then the
 * socket's actual remote address is compared with it before any byte is sent. Keep-alive agents
 * are kept per (scheme, address), so a pooled connection is only reused for the address it was
 * opened to. Bodies are streamed both ways; nothing is decompressed or buffered.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { formatIp, parseIp } from './addresses';
import { TransportError, type Transport, type UpstreamRequest, type UpstreamResponse } from './transport';

export interface NodeTransportOptions {
  /** Sockets per (scheme, address) agent. */
  readonly maxSocketsPerAddress?: number;
  /** Agents kept at once; the least recently used is closed beyond this. */
  readonly maxAgents?: number;
  /** Extra CA certificates (PEM) for upstream TLS, e.g. a lab registry's own CA. */
  readonly ca?: string | readonly string[];
}

export interface NodeTransport extends Transport {
  /** Closes every pooled connection. */
  close(): void;
}

function canonical(address: string | undefined): string | null {
  if (!address) return null;
  const ip = parseIp(address);
  if (!ip) return null;
  return formatIp(ip);
}

function pinnedLookup(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4;
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options && options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

const TLS_CODES = /^(?:ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_SSL_|HOSTNAME_MISMATCH)/;

/** Creates the Node transport. Call close() on shutdown. */
export function createNodeTransport(options: NodeTransportOptions = {}): NodeTransport {
  const maxAgents = options.maxAgents ?? 128;
  const agents = new Map<string, http.Agent>();

  function agentFor(protocol: string, address: string): http.Agent {
    const key = `${protocol}|${address}`;
    const existing = agents.get(key);
    if (existing) {
      agents.delete(key);
      agents.set(key, existing); // most recently used last
      return existing;
    }
    const common = { keepAlive: true, maxSockets: options.maxSocketsPerAddress ?? 32, maxFreeSockets: 8, timeout: 60_000 };
    const agent =
      protocol === 'https:'
        ? new https.Agent({ ...common, ...(options.ca ? { ca: options.ca as string | string[] } : {}) })
        : new http.Agent(common);
    agents.set(key, agent);
    while (agents.size > maxAgents) {
      const [oldKey, oldAgent] = agents.entries().next().value as [string, http.Agent];
      agents.delete(oldKey);
      oldAgent.destroy();
    }
    return agent;
  }

  const transport = (req: UpstreamRequest): Promise<UpstreamResponse> =>
    new Promise<UpstreamResponse>((resolve, reject) => {
      const pinned = canonical(req.address);
      if (!pinned) {
        reject(new TransportError('address_mismatch', `not an IP address: ${req.address}`));
        return;
      }
      if (req.signal.aborted) {
        reject(new TransportError('aborted', 'aborted before connecting'));
        return;
      }
      const url = req.url;
      const isHttps = url.protocol === 'https:';
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const headers: Record<string, string> = {};
      req.headers.forEach((value, name) => {
        headers[name] = value;
      });
      headers.host = url.host;

      let settled = false;
      let connectTimer: ReturnType<typeof setTimeout> | undefined;
      const fail = (err: TransportError) => {
        clearTimeout(connectTimer);
        if (!settled) {
          settled = true;
          reject(err);
        }
        clientRequest.destroy(err);
      };

      const requestOptions: https.RequestOptions = {
        method: req.method,
        host: hostname,
        port: url.port || (isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers,
        agent: agentFor(url.protocol, pinned),
        lookup: pinnedLookup(pinned),
        ...(isHttps && !parseIp(hostname) ? { servername: hostname } : {})
      };
      const clientRequest = (isHttps ? https : http).request(requestOptions);

      const checkSocket = (socket: Socket) => {
        const remote = canonical(socket.remoteAddress);
        if (remote !== pinned) {
          fail(new TransportError('address_mismatch', `connected to ${remote ?? 'unknown'} instead of ${pinned}`));
          return false;
        }
        return true;
      };

      clientRequest.on('socket', (socket: Socket) => {
        // Bodies are relayed in pieces as they arrive: Nagle's algorithm would hold the small
        // ones back until an ACK (tens of ms with delayed ACKs).
        socket.setNoDelay(true);
        if (!socket.connecting) {
          checkSocket(socket); // reused keep-alive connection
          return;
        }
        connectTimer = setTimeout(
          () => fail(new TransportError('connect_timeout', `no connection to ${url.host} within ${req.connectTimeoutMs} ms`)),
          req.connectTimeoutMs
        );
        socket.once(isHttps ? 'secureConnect' : 'connect', () => {
          clearTimeout(connectTimer);
          checkSocket(socket);
        });
      });

      clientRequest.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        if (settled) return;
        settled = true;
        if (err instanceof TransportError) reject(err);
        else if (req.signal.aborted) reject(new TransportError('aborted', 'aborted', { cause: err }));
        else if (err.code && TLS_CODES.test(err.code)) reject(new TransportError('tls_failed', err.code, { cause: err }));
        else if (err.code && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|EPIPE)$/.test(err.code)) {
          reject(new TransportError('connect_failed', err.code, { cause: err }));
        } else reject(new TransportError('protocol_error', err.code ?? err.message, { cause: err }));
      });

      clientRequest.on('response', (res: http.IncomingMessage) => {
        clearTimeout(connectTimer);
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        const out = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) {
          try {
            out.append(raw[i] ?? '', raw[i + 1] ?? '');
          } catch {
            // A header value the fetch Headers class rejects is dropped, not relayed.
          }
        }
        const status = res.statusCode ?? 502;
        const body = req.method === 'HEAD' ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
        if (body === null) res.resume();
        resolve({ status, headers: out, body });
      });

      const onAbort = () => {
        const err = new TransportError('aborted', 'aborted');
        fail(err);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      clientRequest.once('close', () => req.signal.removeEventListener('abort', onAbort));

      // Request body: pumped with backpressure; a failing source (size cap, idle timeout) aborts.
      if (!req.body) {
        clientRequest.end();
        return;
      }
      const reader = req.body.getReader();
      const pump = async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (clientRequest.destroyed) return;
            if (!clientRequest.write(value)) {
              await new Promise<void>((res) => {
                const go = () => {
                  clientRequest.off('drain', go);
                  clientRequest.off('close', go);
                  res();
                };
                clientRequest.on('drain', go);
                clientRequest.on('close', go);
              });
            }
          }
          if (!clientRequest.destroyed) clientRequest.end();
        } catch (e) {
          fail(new TransportError('aborted', 'request body failed', { cause: e }));
        }
      };
      void pump();
    });

  return Object.assign(transport, {
    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    }
  });
}
