/**
 * The registry client: one per app (or per test), holding the injected fetch, the auth state, the
 * optional digest cache, and what has been learned about each registry (Referrers API support).
 * Repositories are cheap views on it.
 */
import { SignetError } from '../errors';
import { parseReference, registryApiHost, type Reference } from '../oci/reference';
import { Authenticator } from './auth/authenticator';
import type { CredentialProvider } from './auth/credentials';
import { DigestCache } from './cache';
import { Transport, type ExchangeObserver, type FetchLike, type HttpRequest, type HttpResponse } from './http';
import { Repository } from './repository';

export interface RegistryClientOptions {
  /** The fetch to use: `globalThis.fetch`, or one that routes through the Signet proxy. */
  fetch: FetchLike;
  /** Credentials by registry host; called when a registry asks for them. */
  credentials?: CredentialProvider;
  /**
   * Hosts reached over plain http. Loopback hosts (localhost, 127.0.0.0/8, [::1]) always are;
   * `true` makes every host plain http.
   */
  insecure?: boolean | readonly string[] | ((host: string) => boolean);
  /** Called once per HTTP request with a redacted record of it. */
  onExchange?: ExchangeObserver;
  /** Cache content fetched by digest in memory (`true` for a default-sized cache). Off by default. */
  cache?: boolean | DigestCache;
  /**
   * Manifest Accept header: `compact` keeps each Accept value ≤ 128 bytes (a CORS-safelisted
   * request header, so no preflight) by asking for OCI types first and Docker types on a retry;
   * `full` sends all four types in one header.
   */
  manifestAccept?: 'compact' | 'full';
  /** Ask token services for refresh tokens when signing in with a password. */
  requestRefreshToken?: boolean;
  /** Per-request timeout; default 120 s. */
  timeoutMs?: number;
}

export type ReferrersCapability = 'supported' | 'unsupported';

export interface RepositoryTarget {
  registry: string;
  repository: string;
}

/** True for hosts on this machine: localhost, 127.0.0.0/8 and [::1], with or without a port. */
export function isLoopbackHost(host: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export class RegistryClient {
  readonly transport: Transport;
  readonly auth: Authenticator;
  readonly cache: DigestCache | undefined;
  readonly manifestAccept: 'compact' | 'full';
  private readonly insecure: (host: string) => boolean;
  private readonly capabilities = new Map<string, ReferrersCapability>();

  constructor(options: RegistryClientOptions) {
    if (typeof options.fetch !== 'function') {
      throw new SignetError('ERR_INPUT_INVALID', 'RegistryClient needs a fetch function (options.fetch)');
    }
    const insecure = options.insecure;
    this.insecure =
      typeof insecure === 'function'
        ? insecure
        : insecure === true
          ? () => true
          : Array.isArray(insecure)
            ? (host) => (insecure as readonly string[]).includes(host)
            : () => false;
    this.transport = new Transport(options.fetch, options.onExchange, options.timeoutMs);
    this.auth = new Authenticator({
      ...(options.credentials ? { credentials: options.credentials } : {}),
      requestRefreshToken: options.requestRefreshToken ?? false,
      allowsPlainHttp: (host) => this.allowsPlainHttp(host)
    });
    this.cache = options.cache === true ? new DigestCache() : options.cache instanceof DigestCache ? options.cache : undefined;
    this.manifestAccept = options.manifestAccept ?? 'compact';
  }

  allowsPlainHttp(host: string): boolean {
    return isLoopbackHost(host) || this.insecure(host);
  }

  /** `http(s)://<api host>` for a registry name (docker.io → https://registry-1.docker.io). */
  baseUrl(registry: string): string {
    const host = registryApiHost(registry);
    return `${this.allowsPlainHttp(host) ? 'http' : 'https'}://${host}`;
  }

  /** Sends a request with auth for `scopes`; see Authenticator.send. */
  send(request: HttpRequest, scopes: readonly string[]): Promise<HttpResponse> {
    return this.auth.send(this.transport, request, scopes);
  }

  /** A repository view: from a reference string ("localhost:5000/app:v1"), a Reference, or parts. */
  repository(target: string | Reference | RepositoryTarget): Repository {
    const t = typeof target === 'string' ? parseReference(target) : target;
    return new Repository(this, t.registry, t.repository);
  }

  referrersCapability(target: RepositoryTarget): ReferrersCapability | undefined {
    return this.capabilities.get(`${target.registry}/${target.repository}`);
  }

  setReferrersCapability(target: RepositoryTarget, capability: ReferrersCapability): void {
    this.capabilities.set(`${target.registry}/${target.repository}`, capability);
  }
}

/** Creates a registry client over the given fetch. */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new RegistryClient(options);
}
