/**
 * The two ports the handler needs from its runtime: a resolver and a transport that connects to an
 * address the handler has already checked. Runtime-neutral types only.
 */

/** Resolves a host name to IP address strings (all of them: every one is checked). */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

export interface UpstreamRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  /**
   * The checked IP address to connect to. The transport must connect to exactly this address and
   * must not resolve `url.hostname` again (that is what defeats DNS rebinding); the host name is
   * still used for the Host header and for TLS (SNI and certificate verification).
   */
  readonly address: string;
  readonly connectTimeoutMs: number;
  readonly signal: AbortSignal;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
}

export type TransportErrorCode =
  | 'connect_timeout'
  | 'connect_failed'
  | 'address_mismatch'
  | 'tls_failed'
  | 'protocol_error'
  | 'aborted';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export type Transport = (request: UpstreamRequest) => Promise<UpstreamResponse>;
