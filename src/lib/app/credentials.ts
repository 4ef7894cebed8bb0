/**
 * Registry credentials as the app keeps them: in memory for this tab only, unless the person
 * explicitly asks to remember a registry's credential, which is then written to this browser's
 * storage (and removed again when they forget it). The registry layer gets them through a
 * CredentialProvider and sends them only to the registry they belong to or its token service.
 */
import { SignetError } from '../errors';
import type { Credential, CredentialProvider } from '../registry/auth/credentials';
import { normalizeRegistryHost, type KeyValueStorage } from './settings';

export const CREDENTIALS_STORAGE_KEY = 'signet.credentials.v1';
const MAX_FIELD = 4096;
const MAX_HOSTS = 100;

export interface StoredCredentialSummary {
  readonly host: string;
  readonly username: string;
  readonly remembered: boolean;
}

function checkCredential(credential: Credential, host: string): Credential {
  const out: Credential = {};
  for (const field of ['username', 'password', 'refreshToken'] as const) {
    const v = credential[field];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length > MAX_FIELD) {
      throw new SignetError('ERR_INPUT_INVALID', `credential for ${host}: ${field} must be text of at most ${MAX_FIELD} characters`);
    }
    out[field] = v;
  }
  if (!out.password && !out.refreshToken) {
    throw new SignetError('ERR_INPUT_INVALID', `credential for ${host}: enter a password or access token`);
  }
  return out;
}

/** Holds credentials by registry host. */
export class CredentialVault {
  private readonly memory = new Map<string, Credential>();
  private readonly remembered = new Set<string>();

  constructor(private readonly storage?: KeyValueStorage) {
    this.readStored();
  }

  /** Sets the credential for `host`; `remember` also writes it to storage (opt-in). */
  set(host: string, credential: Credential, options: { remember?: boolean } = {}): void {
    const key = normalizeRegistryHost(host);
    const clean = checkCredential(credential, key);
    this.memory.set(key, clean);
    if (options.remember) this.remembered.add(key);
    else this.remembered.delete(key);
    this.writeStored();
  }

  get(host: string): Credential | undefined {
    try {
      return this.memory.get(normalizeRegistryHost(host));
    } catch {
      return undefined;
    }
  }

  /** Removes the credential from memory and from storage. */
  forget(host: string): void {
    const key = normalizeRegistryHost(host);
    this.memory.delete(key);
    this.remembered.delete(key);
    this.writeStored();
  }

  list(): StoredCredentialSummary[] {
    return [...this.memory.entries()].map(([host, c]) => ({ host, username: c.username ?? '', remembered: this.remembered.has(host) }));
  }

  provider(): CredentialProvider {
    return (host) => this.get(host);
  }

  private readStored(): void {
    if (!this.storage) return;
    let text: string | null = null;
    try {
      text = this.storage.getItem(CREDENTIALS_STORAGE_KEY);
    } catch {
      return;
    }
    if (text === null || text.length > 1024 * 1024) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const [host, credential] of Object.entries(value as Record<string, unknown>).slice(0, MAX_HOSTS)) {
      if (typeof credential !== 'object' || credential === null) continue;
      try {
        const key = normalizeRegistryHost(host);
        this.memory.set(key, checkCredential(credential as Credential, key));
        this.remembered.add(key);
      } catch {
        // A damaged entry is dropped; the person signs in again.
      }
    }
  }

  private writeStored(): void {
    if (!this.storage) return;
    const out: Record<string, Credential> = {};
    for (const host of this.remembered) {
      const c = this.memory.get(host);
      if (c) out[host] = c;
    }
    try {
      if (Object.keys(out).length === 0) this.storage.removeItem(CREDENTIALS_STORAGE_KEY);
      else this.storage.setItem(CREDENTIALS_STORAGE_KEY, JSON.stringify(out));
    } catch {
      // Storage refused (private mode, quota): the credential still works for this tab.
    }
  }
}
