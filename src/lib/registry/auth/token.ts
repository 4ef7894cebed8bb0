/**
 * Token service requests and responses (distribution auth/token.md and auth/oauth.md).
 * GET `<realm>?service=…&scope=…` (anonymous or with Basic credentials) or, with a refresh token,
 * POST `<realm>` form `grant_type=refresh_token`. The answer carries `token` and/or
 * `access_token`, `expires_in` (60 s when absent), `issued_at`, and maybe `refresh_token`.
 */
import { utf8Decode, utf8Encode } from '../../bytes';
import { SignetError } from '../../errors';

export const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export interface TokenResponse {
  token: string;
  expiresInSeconds: number;
  issuedAt?: string;
  refreshToken?: string;
}

/** Parses a token service answer; `token` and `access_token` mean the same (token wins if both). */
export function parseTokenResponse(body: Uint8Array, realm: string): TokenResponse {
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(body, 'token response'));
  } catch (cause) {
    throw new SignetError('ERR_REGISTRY_AUTH', `The token service ${originOf(realm)} answered with something that is not JSON`, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SignetError('ERR_REGISTRY_AUTH', `The token service ${originOf(realm)} answered with JSON that is not an object`);
  }
  const o = json as Record<string, unknown>;
  const token = nonEmpty(o.token) ?? nonEmpty(o.access_token);
  if (token === undefined) {
    throw new SignetError(
      'ERR_REGISTRY_AUTH',
      `The token service ${originOf(realm)} answered without a "token" or "access_token" field`
    );
  }
  let expires = DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (typeof o.expires_in === 'number' && Number.isFinite(o.expires_in) && o.expires_in > 0) expires = o.expires_in;
  const out: TokenResponse = { token, expiresInSeconds: expires };
  const issued = nonEmpty(o.issued_at);
  if (issued !== undefined) out.issuedAt = issued;
  const refresh = nonEmpty(o.refresh_token);
  if (refresh !== undefined) out.refreshToken = refresh;
  return out;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'of this registry';
  }
}

/** The GET token URL: `realm?service=…&scope=…&scope=…[&offline_token=true&client_id=…]`. */
export function tokenGetUrl(realm: string, service: string | undefined, scopes: readonly string[], offline?: { clientId: string }): string {
  const url = new URL(realm);
  if (service) url.searchParams.set('service', service);
  for (const s of scopes) url.searchParams.append('scope', s);
  if (offline) {
    url.searchParams.set('offline_token', 'true');
    url.searchParams.set('client_id', offline.clientId);
  }
  return url.toString();
}

/** The OAuth2 refresh-token form body (scopes space-separated, as oauth.md specifies). */
export function refreshTokenForm(service: string | undefined, scopes: readonly string[], clientId: string, refreshToken: string): Uint8Array {
  const form = new URLSearchParams();
  form.set('grant_type', 'refresh_token');
  if (service) form.set('service', service);
  form.set('client_id', clientId);
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  form.set('refresh_token', refreshToken);
  return utf8Encode(form.toString());
}
