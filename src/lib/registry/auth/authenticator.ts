/**
 * The auth half of every registry request: attach what is known for the host, and on a 401 read
 * the challenge, obtain credentials or a token, and retry (once more on `insufficient_scope`).
 * Tokens are cached per (realm, service, scopes) in memory until shortly before they expire.
 * https://distribution.github.io/distribution/spec/auth/token/ (flow), landscape §6
 */
import { SignetError } from '../../errors';
import { registryError } from '../errors';
import type { HttpRequest, HttpResponse, Transport } from '../http';
import { findChallenge, parseWwwAuthenticate, type AuthChallenge } from './challenge';
import { basicAuthorization, hasPassword, type Credential, type CredentialProvider } from './credentials';
import { mergeScopes, scopesCover } from './scope';
import { MAX_TOKEN_RESPONSE_BYTES, originOf, parseTokenResponse, refreshTokenForm, tokenGetUrl } from './token';

export interface AuthenticatorOptions {
  credentials?: CredentialProvider;
  /** Ask the token service for a refresh token (`offline_token=true`) when signing in with a password. */
  requestRefreshToken?: boolean;
  /** OAuth2 client id sent to token services. */
  clientId?: string;
  /** Whether plain http may be used for this host (loopback or explicitly insecure). */
  allowsPlainHttp: (host: string) => boolean;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

interface CachedToken {
  token: string;
  scopes: string[];
  expiresAt: number;
}

type HostAuth = { scheme: 'basic' } | { scheme: 'bearer'; realm: string; service: string | undefined };

const MAX_TOKENS_PER_SERVICE = 64;

export class Authenticator {
  private readonly credentials: CredentialProvider | undefined;
  private readonly requestRefreshToken: boolean;
  private readonly clientId: string;
  private readonly allowsPlainHttp: (host: string) => boolean;
  private readonly now: () => number;
  private readonly hosts = new Map<string, HostAuth>();
  private readonly tokens = new Map<string, CachedToken[]>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();

  constructor(options: AuthenticatorOptions) {
    this.credentials = options.credentials;
    this.requestRefreshToken = options.requestRefreshToken ?? false;
    this.clientId = options.clientId ?? 'signet';
    this.allowsPlainHttp = options.allowsPlainHttp;
    this.now = options.now ?? Date.now;
  }

  /** Forgets every token, refresh token and learned challenge (e.g. on sign-out). */
  clear(): void {
    this.hosts.clear();
    this.tokens.clear();
    this.refreshTokens.clear();
    this.inflight.clear();
  }

  /**
   * Sends `request` with auth for `scopes` (e.g. `repository:app:pull`). Returns the final
   * response whatever its status, except that an unresolvable 401 becomes ERR_REGISTRY_AUTH.
   */
  async send(transport: Transport, request: HttpRequest, scopes: readonly string[]): Promise<HttpResponse> {
    const host = new URL(request.url).host;
    const wanted = mergeScopes(scopes);
    let authorization = await this.known(transport, host, wanted);
    let response = await transport.send(withAuthorization(request, authorization));
    let triedScopes: string[] | undefined;
    let sentBasic = authorization?.startsWith('Basic ') ?? false;

    for (let round = 0; response.status === 401 && round < 3; round++) {
      const challenges = parseWwwAuthenticate(response.headers.get('www-authenticate'));
      const bearer = findChallenge(challenges, 'bearer');
      const basic = findChallenge(challenges, 'basic');
      if (bearer?.params.realm) {
        const scopeParam = bearer.params.scope ? [bearer.params.scope] : [];
        const required = mergeScopes([...wanted, ...scopeParam]);
        if (triedScopes && scopesCover(triedScopes, required)) {
          // A fresh token for exactly these scopes was refused: more tries will not help.
          throw await this.refused(host, request, bearer);
        }
        this.hosts.set(host, { scheme: 'bearer', realm: bearer.params.realm, service: bearer.params.service });
        const token = await this.token(transport, host, bearer.params.realm, bearer.params.service, required, true);
        triedScopes = required;
        authorization = `Bearer ${token.token}`;
      } else if (basic) {
        const credential = await this.credential(host);
        if (!hasPassword(credential)) {
          throw new SignetError(
            'ERR_REGISTRY_AUTH',
            `${host} needs a username and password (basic auth) for ${request.what}. Sign in to this registry and try again.`
          );
        }
        if (sentBasic) {
          throw new SignetError(
            'ERR_REGISTRY_AUTH',
            `${host} rejected the username and password for ${request.what}. Check them (a personal access token may be needed instead of a password).`
          );
        }
        this.checkTransport(host, request.url);
        this.hosts.set(host, { scheme: 'basic' });
        authorization = basicAuthorization(credential.username, credential.password);
        sentBasic = true;
      } else {
        throw new SignetError(
          'ERR_REGISTRY_AUTH',
          `${host} answered 401 to ${request.what} without a usable WWW-Authenticate challenge` +
            (challenges.length > 0 ? ` (schemes offered: ${challenges.map((c) => c.scheme).join(', ')})` : '') +
            '. In a browser the registry must expose WWW-Authenticate through CORS; otherwise use the Signet proxy.'
        );
      }
      response = await transport.send(withAuthorization(request, authorization));
    }
    if (response.status === 401) {
      throw registryError(response, { operation: request.what, location: host });
    }
    return response;
  }

  /** The Authorization value already known for this host and scopes, if any (no 401 round trip). */
  private async known(transport: Transport, host: string, scopes: string[]): Promise<string | undefined> {
    const auth = this.hosts.get(host);
    if (!auth) return undefined;
    if (auth.scheme === 'basic') {
      const c = await this.credential(host);
      return hasPassword(c) ? basicAuthorization(c.username, c.password) : undefined;
    }
    const cached = this.cached(auth.realm, auth.service, scopes);
    if (cached) return `Bearer ${cached.token}`;
    // The realm is known from an earlier challenge: fetch the token now rather than after a 401,
    // which also spares re-sending an upload body.
    const token = await this.token(transport, host, auth.realm, auth.service, scopes, false);
    return `Bearer ${token.token}`;
  }

  private cached(realm: string, service: string | undefined, scopes: string[]): CachedToken | undefined {
    const list = this.tokens.get(serviceKey(realm, service));
    if (!list) return undefined;
    const t = this.now();
    return list.find((c) => c.expiresAt > t && scopesCover(c.scopes, scopes));
  }

  private async token(
    transport: Transport,
    host: string,
    realm: string,
    service: string | undefined,
    scopes: string[],
    fresh: boolean
  ): Promise<CachedToken> {
    if (!fresh) {
      const hit = this.cached(realm, service, scopes);
      if (hit) return hit;
    }
    const key = `${serviceKey(realm, service)} ${scopes.join(' ')} ${fresh ? 'fresh' : ''}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.fetchToken(transport, host, realm, service, scopes).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async fetchToken(
    transport: Transport,
    host: string,
    realm: string,
    service: string | undefined,
    scopes: string[]
  ): Promise<CachedToken> {
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch (cause) {
      throw new SignetError('ERR_REGISTRY_AUTH', `${host} named a token service realm that is not a URL: ${JSON.stringify(realm.slice(0, 200))}`, { cause });
    }
    if (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:') {
      throw new SignetError('ERR_REGISTRY_AUTH', `${host} named a token service with unsupported scheme ${realmUrl.protocol}`);
    }
    const credential = await this.credential(host);
    const sKey = serviceKey(realm, service);
    const refresh = this.refreshTokens.get(sKey) ?? credential?.refreshToken;
    const what = `a token for ${scopes.join(' ') || 'this registry'} from ${realmUrl.origin}`;
    if (refresh !== undefined) {
      this.checkTransport(realmUrl.host, realm);
      const response = await transport.send({
        method: 'POST',
        url: realm,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: refreshTokenForm(service, scopes, this.clientId, refresh),
        maxBytes: MAX_TOKEN_RESPONSE_BYTES,
        what
      });
      if (response.status >= 200 && response.status < 300) return this.store(realm, service, scopes, response.body);
      // Some token services do not implement the OAuth2 POST (404/405) or dropped the refresh
      // token; a password, if there is one, still works through GET.
      this.refreshTokens.delete(sKey);
      if (!hasPassword(credential)) {
        throw new SignetError(
          'ERR_REGISTRY_AUTH',
          `The token service ${realmUrl.origin} refused the refresh token for ${host} (HTTP ${response.status}). Sign in again.`
        );
      }
    }
    const headers: Record<string, string> = {};
    if (hasPassword(credential)) {
      this.checkTransport(realmUrl.host, realm);
      headers.Authorization = basicAuthorization(credential.username, credential.password);
    }
    const offline = hasPassword(credential) && this.requestRefreshToken ? { clientId: this.clientId } : undefined;
    const response = await transport.send({
      method: 'GET',
      url: tokenGetUrl(realm, service, scopes, offline),
      headers,
      maxBytes: MAX_TOKEN_RESPONSE_BYTES,
      what
    });
    if (response.status === 401 || response.status === 403) {
      throw new SignetError(
        'ERR_REGISTRY_AUTH',
        hasPassword(credential)
          ? `The token service ${realmUrl.origin} rejected the username and password for ${host} (HTTP ${response.status}). Check them and sign in again.`
          : `${host} requires sign-in: its token service ${realmUrl.origin} gives no anonymous access to ${scopes.join(' ')} (HTTP ${response.status}).`
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw registryError(response, { operation: `get ${what}`, location: host });
    }
    return this.store(realm, service, scopes, response.body);
  }

  private store(realm: string, service: string | undefined, scopes: string[], body: Uint8Array): CachedToken {
    const parsed = parseTokenResponse(body, realm);
    const sKey = serviceKey(realm, service);
    if (parsed.refreshToken !== undefined) this.refreshTokens.set(sKey, parsed.refreshToken);
    const lifetimeMs = parsed.expiresInSeconds * 1000;
    // Renew a little early so a token does not expire between being attached and being checked.
    const margin = Math.min(10_000, lifetimeMs / 10);
    const entry: CachedToken = { token: parsed.token, scopes, expiresAt: this.now() + lifetimeMs - margin };
    const t = this.now();
    const list = (this.tokens.get(sKey) ?? []).filter((c) => c.expiresAt > t && !scopesCover(scopes, c.scopes));
    list.unshift(entry);
    this.tokens.set(sKey, list.slice(0, MAX_TOKENS_PER_SERVICE));
    return entry;
  }

  private async refused(host: string, request: HttpRequest, challenge: AuthChallenge): Promise<SignetError> {
    const credential = await this.credential(host);
    const scope = challenge.params.scope ?? 'the requested scope';
    if (challenge.params.error === 'insufficient_scope' && (hasPassword(credential) || credential?.refreshToken)) {
      return new SignetError(
        'ERR_REGISTRY_DENIED',
        `${host} refused ${request.what}: the token service did not grant ${scope} to the signed-in user. Ask for that permission.`
      );
    }
    return new SignetError(
      'ERR_REGISTRY_AUTH',
      `${host} refused ${request.what} with the token it issued for ${scope}` +
        (hasPassword(credential) ? '. The signed-in user may lack access.' : '. Sign in to this registry and try again.')
    );
  }

  private async credential(host: string): Promise<Credential | undefined> {
    if (!this.credentials) return undefined;
    return await this.credentials(host);
  }

  // Credentials never travel over plain http unless the host is loopback or marked insecure.
  private checkTransport(host: string, url: string): void {
    if (url.startsWith('https:')) return;
    if (this.allowsPlainHttp(host)) return;
    throw new SignetError(
      'ERR_REGISTRY_AUTH',
      `Refusing to send credentials over plain http to ${originOf(url)}; use https or mark the registry as insecure.`
    );
  }
}

function withAuthorization(request: HttpRequest, authorization: string | undefined): HttpRequest {
  if (authorization === undefined) return request;
  return { ...request, headers: { ...(request.headers ?? {}), Authorization: authorization } };
}

function serviceKey(realm: string, service: string | undefined): string {
  return `${realm} ${service ?? ''}`;
}
