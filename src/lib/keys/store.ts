/**
 * The browser key store: signing keys kept as WebCrypto `CryptoKey` objects in IndexedDB (via
 * idb-keyval's store primitive). IndexedDB stores CryptoKeys by structured clone, which keeps
 * them non-extractable: the key bytes never reach JavaScript, and only this origin can use them.
 *
 * One database, one object store, one record per key (keyed by id). Every change runs in a single
 * IndexedDB transaction, so two tabs cannot leave two default keys or two keys with one name.
 */
import { createStore, type UseStore } from 'idb-keyval';
import { SignetError } from '../errors';
import type { KeySpec } from '../notary/algorithms';
import { parseKeySpec } from './generate';

export const KEY_DATABASE_NAME = 'signet-keys';
export const KEY_OBJECT_STORE_NAME = 'keys';

/** Longest key name accepted. */
export const MAX_KEY_NAME_LENGTH = 100;
/** Most certificates kept with one key (leaf → root). */
export const MAX_CHAIN_LENGTH = 16;
/** Largest certificate kept with a key. */
export const MAX_STORED_CERTIFICATE_BYTES = 64 * 1024;

export type KeyOrigin = 'generated' | 'imported';

/** A stored signing key. Plain data plus the two CryptoKeys; never mutate. */
export interface StoredKey {
  readonly id: string;
  readonly name: string;
  readonly keySpec: KeySpec;
  readonly createdAt: Date;
  readonly origin: KeyOrigin;
  /** The key `sign` uses when none is named (like notation's default signing key). */
  readonly isDefault: boolean;
  /** Non-extractable, usage `sign`. */
  readonly privateKey: CryptoKey;
  /** Usage `verify`; its SPKI goes into certificates and CSRs. */
  readonly publicKey: CryptoKey;
  /** DER certificates leaf → root, once a certificate has been created or imported for the key. */
  readonly certificateChain?: readonly Uint8Array[];
}

export interface NewKey {
  name: string;
  keySpec: KeySpec;
  origin: KeyOrigin;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  certificateChain?: readonly Uint8Array[];
  /** Make it the default key (the first key stored becomes the default anyway). */
  makeDefault?: boolean;
}

/** What IndexedDB holds. `schema` lets a later version migrate old records. */
interface KeyRecord {
  schema: 1;
  id: string;
  name: string;
  keySpec: KeySpec;
  createdAt: number;
  origin: KeyOrigin;
  isDefault: boolean;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  certificateChain?: Uint8Array[];
}

function storeError(action: string, cause: unknown): SignetError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new SignetError(
    'ERR_KEY_STORE',
    `could not ${action} in the browser's key storage (IndexedDB): ${detail}. Private windows and some privacy settings disable IndexedDB; allow site storage for this page`,
    { cause }
  );
}

/** Validates a key name from user input; returns it trimmed. */
export function validateKeyName(name: unknown): string {
  if (typeof name !== 'string') throw new SignetError('ERR_INPUT_INVALID', 'key name: expected text');
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new SignetError('ERR_INPUT_INVALID', 'key name is empty; enter a name such as "release-signing"');
  if (trimmed.length > MAX_KEY_NAME_LENGTH) {
    throw new SignetError('ERR_INPUT_INVALID', `key name is ${trimmed.length} characters; at most ${MAX_KEY_NAME_LENGTH} are allowed`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new SignetError('ERR_INPUT_INVALID', 'key name contains control characters; use printable text');
  return trimmed;
}

function validateChainShape(chain: readonly Uint8Array[]): Uint8Array[] {
  if (!Array.isArray(chain) || chain.length === 0 || chain.length > MAX_CHAIN_LENGTH) {
    throw new SignetError('ERR_CERT_CHAIN_INVALID', `certificate chain must hold 1 to ${MAX_CHAIN_LENGTH} certificates`);
  }
  return chain.map((der, i) => {
    if (!(der instanceof Uint8Array) || der.length === 0 || der.length > MAX_STORED_CERTIFICATE_BYTES) {
      throw new SignetError('ERR_CERT_CHAIN_INVALID', `certificate ${i + 1} of the chain must be 1 to ${MAX_STORED_CERTIFICATE_BYTES} DER bytes`);
    }
    return der.slice();
  });
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

/** A record read back from IndexedDB, checked before use (it may come from an older version or be damaged). */
function toStoredKey(value: unknown): StoredKey | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Partial<KeyRecord>;
  if (r.schema !== 1 || typeof r.id !== 'string' || typeof r.name !== 'string' || typeof r.createdAt !== 'number') return undefined;
  if (r.origin !== 'generated' && r.origin !== 'imported') return undefined;
  let keySpec: KeySpec;
  try {
    keySpec = parseKeySpec(r.keySpec);
  } catch {
    return undefined;
  }
  // The at-rest invariant: a private key that could be exported is not one of ours.
  if (!isCryptoKey(r.privateKey) || r.privateKey.extractable || r.privateKey.type !== 'private' || !r.privateKey.usages.includes('sign')) return undefined;
  if (!isCryptoKey(r.publicKey) || r.publicKey.type !== 'public') return undefined;
  if (r.certificateChain !== undefined && !(Array.isArray(r.certificateChain) && r.certificateChain.every((c) => c instanceof Uint8Array))) return undefined;
  return Object.freeze({
    id: r.id,
    name: r.name,
    keySpec,
    createdAt: new Date(r.createdAt),
    origin: r.origin,
    isDefault: r.isDefault === true,
    privateKey: r.privateKey,
    publicKey: r.publicKey,
    ...(r.certificateChain ? { certificateChain: Object.freeze(r.certificateChain.map((c) => c.slice())) } : {})
  });
}

function notFound(id: string): SignetError {
  return new SignetError('ERR_KEY_NOT_FOUND', `no stored key has id ${JSON.stringify(id)}; it may have been deleted in another tab`);
}

export class KeyStore {
  readonly #open: () => UseStore;
  #store: UseStore | undefined;

  /**
   * @param store an idb-keyval store (`createStore(db, objectStore)`); tests pass their own to stay
   * isolated. Default: the app's `signet-keys` database, opened on first use.
   */
  constructor(store?: UseStore) {
    this.#open = store ? () => store : () => createStore(KEY_DATABASE_NAME, KEY_OBJECT_STORE_NAME);
  }

  /**
   * Runs `body` inside one transaction after reading every record; `body` may queue puts and
   * deletes. If it throws, the transaction is aborted and nothing changes.
   */
  async #transact<T>(mode: IDBTransactionMode, action: string, body: (store: IDBObjectStore, records: unknown[]) => T): Promise<T> {
    let failure: { error: unknown } | undefined;
    try {
      // Opening is lazy in idb-keyval: a missing or disabled IndexedDB surfaces here, synchronously or not.
      const useStore = (this.#store ??= this.#open());
      return await useStore(
        mode,
        (store) =>
          new Promise<T>((resolve, reject) => {
            let result: T;
            const tx = store.transaction;
            const request = store.getAll();
            request.onsuccess = () => {
              try {
                result = body(store, request.result);
              } catch (error) {
                failure = { error };
                tx.abort();
              }
            };
            tx.oncomplete = () => resolve(result);
            tx.onabort = tx.onerror = () => reject(failure ? failure.error : storeError(action, tx.error));
          })
      );
    } catch (e) {
      throw e instanceof SignetError ? e : storeError(action, e);
    }
  }

  /** Every usable stored key, oldest first. Damaged records are left out (see listDamaged). */
  list(): Promise<StoredKey[]> {
    return this.#transact('readonly', 'list the keys', (_, records) =>
      records
        .map(toStoredKey)
        .filter((k): k is StoredKey => k !== undefined)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name))
    );
  }

  /** Ids of records that cannot be used (damaged, or written by an incompatible version), so the UI can offer to delete them. */
  listDamaged(): Promise<string[]> {
    return this.#transact('readonly', 'list the keys', (_, records) =>
      records.filter((r) => toStoredKey(r) === undefined).map((r) => String((r as { id?: unknown } | null)?.id ?? '(no id)'))
    );
  }

  /** The key with this id; ERR_KEY_NOT_FOUND if there is none. */
  get(id: string): Promise<StoredKey> {
    return this.#transact('readonly', 'read the key', (_, records) => {
      const found = records.find((r) => (r as KeyRecord | null)?.id === id);
      if (found === undefined) throw notFound(id);
      const key = toStoredKey(found);
      if (!key) throw new SignetError('ERR_KEY_STORE', `stored key ${JSON.stringify(id)} is damaged and cannot be used; delete it and create or import the key again`);
      return key;
    });
  }

  /** The default key, or undefined when no key is marked default. */
  async getDefault(): Promise<StoredKey | undefined> {
    return (await this.list()).find((k) => k.isDefault);
  }

  /** Stores a new key. The private key must be non-extractable; names must be unique. */
  async add(input: NewKey, now: Date = new Date()): Promise<StoredKey> {
    const name = validateKeyName(input.name);
    const keySpec = parseKeySpec(input.keySpec);
    if (!isCryptoKey(input.privateKey) || input.privateKey.type !== 'private' || !input.privateKey.usages.includes('sign')) {
      throw new SignetError('ERR_KEY_INVALID', 'privateKey: expected a private CryptoKey with the "sign" usage');
    }
    if (input.privateKey.extractable) {
      throw new SignetError('ERR_KEY_INVALID', `refusing to store key "${name}": its private key is extractable; generate or import it with extractable: false`);
    }
    if (!isCryptoKey(input.publicKey) || input.publicKey.type !== 'public') {
      throw new SignetError('ERR_KEY_INVALID', 'publicKey: expected a public CryptoKey');
    }
    const chain = input.certificateChain === undefined ? undefined : validateChainShape(input.certificateChain);
    const record: KeyRecord = {
      schema: 1,
      id: crypto.randomUUID(),
      name,
      keySpec,
      createdAt: now.getTime(),
      origin: input.origin === 'imported' ? 'imported' : 'generated',
      isDefault: false,
      privateKey: input.privateKey,
      publicKey: input.publicKey,
      ...(chain ? { certificateChain: chain } : {})
    };
    return this.#transact('readwrite', 'save the key', (store, records) => {
      const existing = records.map(toStoredKey).filter((k): k is StoredKey => k !== undefined);
      if (existing.some((k) => k.name === name)) {
        throw new SignetError('ERR_INPUT_INVALID', `a key named "${name}" already exists; choose another name`);
      }
      record.isDefault = input.makeDefault === true || !existing.some((k) => k.isDefault);
      if (record.isDefault) clearDefault(store, records);
      store.put(record, record.id);
      return toStoredKey(record)!;
    });
  }

  /** Renames a key; the new name must be unique. */
  async rename(id: string, newName: string): Promise<StoredKey> {
    const name = validateKeyName(newName);
    return this.#update(id, 'rename the key', (record, others) => {
      if (others.some((r) => (r as KeyRecord | null)?.name === name)) {
        throw new SignetError('ERR_INPUT_INVALID', `a key named "${name}" already exists; choose another name`);
      }
      record.name = name;
    });
  }

  /** Makes this key the default and clears the flag on every other key, atomically. */
  setDefault(id: string): Promise<StoredKey> {
    return this.#update(id, 'set the default key', (record, _others, store, records) => {
      clearDefault(store, records);
      record.isDefault = true;
    });
  }

  /** Replaces (or with undefined, removes) the certificate chain kept with a key. Callers validate the chain first (certificates.ts). */
  async setCertificateChain(id: string, chain: readonly Uint8Array[] | undefined): Promise<StoredKey> {
    const copy = chain === undefined ? undefined : validateChainShape(chain);
    return this.#update(id, 'save the certificate chain', (record) => {
      if (copy) record.certificateChain = copy;
      else delete record.certificateChain;
    });
  }

  /** Deletes a key for good. Deleting the default key leaves no default (as notation does). */
  delete(id: string): Promise<void> {
    return this.#transact('readwrite', 'delete the key', (store, records) => {
      if (!records.some((r) => (r as KeyRecord | null)?.id === id)) throw notFound(id);
      store.delete(id);
    });
  }

  #update(
    id: string,
    action: string,
    change: (record: KeyRecord, others: unknown[], store: IDBObjectStore, records: unknown[]) => void
  ): Promise<StoredKey> {
    return this.#transact('readwrite', action, (store, records) => {
      const found = records.find((r) => (r as KeyRecord | null)?.id === id);
      if (found === undefined) throw notFound(id);
      if (!toStoredKey(found)) throw new SignetError('ERR_KEY_STORE', `stored key ${JSON.stringify(id)} is damaged and cannot be changed; delete it`);
      const record = { ...(found as KeyRecord) };
      change(
        record,
        records.filter((r) => r !== found),
        store,
        records
      );
      store.put(record, id);
      return toStoredKey(record)!;
    });
  }
}

function clearDefault(store: IDBObjectStore, records: unknown[]): void {
  for (const r of records) {
    const record = r as KeyRecord | null;
    if (record && typeof record === 'object' && record.isDefault === true) store.put({ ...record, isDefault: false }, record.id);
  }
}

let appStore: KeyStore | undefined;

/** The app's key store (database `signet-keys`), created on first use. */
export function appKeyStore(): KeyStore {
  return (appStore ??= new KeyStore());
}
