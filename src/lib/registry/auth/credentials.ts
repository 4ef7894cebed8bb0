/**
 * Registry credentials. They are handed to the registry layer by a provider function, held only in
 * memory, never logged, and sent only to the registry they belong to or to the token service it
 * names. Remembering them across sessions is the app's decision, not this layer's.
 */
import { base64Encode, utf8Encode } from '../../bytes';

export interface Credential {
  /** Username for basic auth or for the token service. */
  username?: string;
  /** Password or personal access token. */
  password?: string;
  /**
   * An OAuth2 refresh token ("identity token"), exchanged at the token service with
   * `grant_type=refresh_token` instead of sending a password.
   */
  refreshToken?: string;
}

/** Returns the credential for a registry host (as it appears in URLs, e.g. `localhost:5000`). */
export type CredentialProvider = (registryHost: string) => Credential | undefined | Promise<Credential | undefined>;

/** A provider over a fixed map of host → credential (kept in this closure only). */
export function staticCredentials(byHost: Record<string, Credential>): CredentialProvider {
  const map = new Map(Object.entries(byHost));
  return (host) => map.get(host);
}

export function hasPassword(c: Credential | undefined): c is Credential & { username: string; password: string } {
  return typeof c?.username === 'string' && typeof c.password === 'string' && c.username !== '';
}

/** `Basic base64(user:password)` (RFC 7617; UTF-8). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${base64Encode(utf8Encode(`${username}:${password}`))}`;
}
