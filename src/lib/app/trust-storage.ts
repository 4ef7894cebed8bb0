/**
 * Where the person's trust material lives: one IndexedDB record (via idb-keyval) holding the
 * trust policy as JSON text and each named trust store as its certificate files' bytes — plain
 * data in notation's terms, so it can be exported back to a notation folder unchanged. Nothing is
 * trusted for being stored: trust-material.ts validates it with the core every time it is loaded.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { SignetError } from '../errors';

export const TRUST_DATABASE_NAME = 'signet-trust';
export const TRUST_OBJECT_STORE_NAME = 'material';
export const TRUST_RECORD_KEY = 'current';
export const TRUST_MATERIAL_SCHEMA = 1;

const MAX_STORES = 256;
const MAX_FILES_PER_STORE = 1000;
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_POLICY_CHARS = 4 * 1024 * 1024;

export type TrustStoreKind = 'ca' | 'signingAuthority' | 'tsa';

export interface TrustFileData {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface TrustStoreData {
  readonly type: TrustStoreKind;
  readonly name: string;
  readonly files: readonly TrustFileData[];
}

export interface TrustMaterialData {
  readonly schema: typeof TRUST_MATERIAL_SCHEMA;
  /** trustpolicy.json text, or null when none was imported yet. */
  readonly policy: string | null;
  readonly stores: readonly TrustStoreData[];
  /** ISO 8601 time of the last change. */
  readonly updatedAt: string;
  /** Where the material came from, for people (e.g. "imported from trustpolicy.json and truststore.zip"). */
  readonly label?: string;
}

function invalid(detail: string): SignetError {
  return new SignetError('ERR_INPUT_INVALID', `stored trust material: ${detail}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the record's structure (types and bounds). Certificates and the policy are not
 * interpreted here; that is the core's job when the material is loaded.
 */
export function parseTrustMaterialData(value: unknown): TrustMaterialData {
  if (!isRecord(value)) throw invalid('expected an object');
  if (value.schema !== TRUST_MATERIAL_SCHEMA) throw invalid(`schema ${JSON.stringify(value.schema ?? null)} is not known; expected ${TRUST_MATERIAL_SCHEMA}`);
  if (value.policy !== null && (typeof value.policy !== 'string' || value.policy.length > MAX_POLICY_CHARS)) {
    throw invalid(`policy must be trustpolicy.json text of at most ${MAX_POLICY_CHARS} characters, or null`);
  }
  if (!Array.isArray(value.stores) || value.stores.length > MAX_STORES) throw invalid(`stores must be a list of at most ${MAX_STORES}`);
  const stores = value.stores.map((s, i): TrustStoreData => {
    if (!isRecord(s)) throw invalid(`stores[${i}] must be an object`);
    if (s.type !== 'ca' && s.type !== 'signingAuthority' && s.type !== 'tsa') throw invalid(`stores[${i}].type must be ca, signingAuthority or tsa`);
    if (typeof s.name !== 'string' || s.name.length === 0 || s.name.length > 256) throw invalid(`stores[${i}].name must be text`);
    if (!Array.isArray(s.files) || s.files.length > MAX_FILES_PER_STORE) throw invalid(`stores[${i}].files must be a list of at most ${MAX_FILES_PER_STORE}`);
    const files = s.files.map((f, j): TrustFileData => {
      if (!isRecord(f) || typeof f.name !== 'string' || f.name.length === 0 || f.name.length > 256) throw invalid(`stores[${i}].files[${j}] must have a name`);
      if (!(f.bytes instanceof Uint8Array) || f.bytes.length > MAX_FILE_BYTES) throw invalid(`stores[${i}].files[${j}].bytes must be at most ${MAX_FILE_BYTES} bytes`);
      return { name: f.name, bytes: f.bytes };
    });
    return { type: s.type, name: s.name, files };
  });
  if (typeof value.updatedAt !== 'string') throw invalid('updatedAt must be a date');
  if (value.label !== undefined && (typeof value.label !== 'string' || value.label.length > 300)) throw invalid('label must be text of at most 300 characters');
  return { schema: TRUST_MATERIAL_SCHEMA, policy: value.policy, stores, updatedAt: value.updatedAt, ...(typeof value.label === 'string' ? { label: value.label } : {}) };
}

function storageError(action: string, cause: unknown): SignetError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new SignetError(
    'ERR_KEY_STORE',
    `could not ${action} the trust material in this browser's storage (IndexedDB): ${detail}. Private windows and some privacy settings disable IndexedDB; allow site storage for this page`,
    { cause }
  );
}

/** The trust material record in one idb-keyval store. */
export class TrustMaterialStore {
  constructor(private readonly store: UseStore) {}

  /** The stored record, or null when nothing was stored. Throws for a damaged record. */
  async read(): Promise<TrustMaterialData | null> {
    let value: unknown;
    try {
      value = await get(TRUST_RECORD_KEY, this.store);
    } catch (e) {
      throw storageError('read', e);
    }
    if (value === undefined) return null;
    return parseTrustMaterialData(value);
  }

  async write(data: TrustMaterialData): Promise<void> {
    const clean = parseTrustMaterialData(data);
    try {
      await set(TRUST_RECORD_KEY, clean, this.store);
    } catch (e) {
      throw storageError('save', e);
    }
  }

  async clear(): Promise<void> {
    try {
      await del(TRUST_RECORD_KEY, this.store);
    } catch (e) {
      throw storageError('delete', e);
    }
  }
}

let appStore: TrustMaterialStore | undefined;

/** The app's trust material store (opened on first use: IndexedDB exists only in browsers). */
export function appTrustMaterialStore(): TrustMaterialStore {
  appStore ??= new TrustMaterialStore(createStore(TRUST_DATABASE_NAME, TRUST_OBJECT_STORE_NAME));
  return appStore;
}

/** An empty record, for a first import. */
export function emptyTrustMaterial(now = new Date()): TrustMaterialData {
  return { schema: TRUST_MATERIAL_SCHEMA, policy: null, stores: [], updatedAt: now.toISOString() };
}
