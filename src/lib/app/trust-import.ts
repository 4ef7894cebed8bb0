/**
 * Importing notation's trust material as people have it on disk: a folder (picked or dropped), a
 * zip of it, or loose files — found wherever it sits (`~/.config/notation/`, a copy of
 * `truststore/`, or `x509/` itself) by notation's layout `x509/<type>/<name>/<file>` and its
 * policy file names (`trustpolicy.oci.json` before `trustpolicy.json`, as notation 1.2+ reads
 * them). Also the small edits the Trust page makes to the stored record. Framework-free and
 * light (no certificate code): stores are validated by trust-view.ts.
 */
import { SignetError } from '../errors';
import { TRUST_MATERIAL_SCHEMA, type TrustFileData, type TrustMaterialData, type TrustStoreData, type TrustStoreKind } from './trust-storage';
import { readZip } from './zip';

export const TRUST_STORE_KINDS: readonly TrustStoreKind[] = ['ca', 'signingAuthority', 'tsa'];
/** The same bounds trust-storage.ts enforces on the stored record. */
export const MAX_IMPORT_STORES = 256;
export const MAX_IMPORT_FILES_PER_STORE = 1000;
export const MAX_IMPORT_FILE_BYTES = 4 * 1024 * 1024;
/** Most paths looked at in one import (a whole home folder dropped by mistake stops here). */
export const MAX_IMPORT_PATHS = 20_000;
const MAX_POLICY_BYTES = 4 * 1024 * 1024;
const MAX_NAME_CHARS = 256;

/** One thing found in what was picked, dropped or unzipped, with its path relative to it. */
export interface SourceFile {
  /** `/`-separated, relative (e.g. `notation/truststore/x509/ca/acme/root.pem`). */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  readonly size: number;
  read(): Promise<Uint8Array>;
}

export interface PlannedStore {
  readonly type: TrustStoreKind;
  readonly name: string;
  readonly files: readonly TrustFileData[];
  /** Entries in the store folder that are not regular files (notation refuses the store). */
  readonly nonRegular: readonly string[];
  /** Where it was found, e.g. `store.zip: truststore/x509/ca/acme`. */
  readonly from: string;
}

export interface TrustImportPlan {
  readonly policy: { readonly from: string; readonly text: string } | null;
  readonly stores: readonly PlannedStore[];
  /** What was looked at and not used, with the reason. */
  readonly ignored: readonly { readonly path: string; readonly reason: string }[];
}

const CERTIFICATE_FILE = /\.(pem|crt|cer|der)$/i;
const POLICY_PRIORITY: Record<string, number> = { 'trustpolicy.oci.json': 3, 'trustpolicy.json': 2 };

function tooLarge(path: string, size: number): SignetError {
  return new SignetError('ERR_INPUT_TOO_LARGE', `${path} is ${size} bytes; trust store files and policies of at most ${MAX_IMPORT_FILE_BYTES} bytes are imported`);
}

/** Where the layout `x509/<type>/<name>/…` starts in a path, or -1. */
function layoutIndex(segments: readonly string[]): number {
  for (let i = 0; i + 2 < segments.length; i++) if (segments[i] === 'x509' && (TRUST_STORE_KINDS as readonly string[]).includes(segments[i + 1]!)) return i;
  return -1;
}

function looksLikePolicy(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) && 'version' in v && 'trustPolicies' in v;
  } catch {
    return false;
  }
}

function isZip(source: SourceFile): boolean {
  return source.kind === 'file' && /\.zip$/i.test(source.path);
}

/** Zip entries worth reading: store files and policy files. */
function wantedInZip(path: string): boolean {
  const segments = path.split('/');
  const at = layoutIndex(segments);
  if (at >= 0) return segments.length === at + 4;
  return path.toLowerCase().endsWith('.json');
}

/** A zip picked or dropped becomes its entries, named `<zip>: <path>` in messages. */
async function expandZip(zip: SourceFile): Promise<{ label: string; sources: SourceFile[] }> {
  const bytes = await zip.read();
  const entries = await readZip(bytes, { include: wantedInZip, what: zip.path });
  return {
    label: zip.path,
    sources: entries.map((e) => ({
      path: e.name,
      kind: e.kind,
      size: e.size,
      read: async () => {
        if (!e.bytes) throw new SignetError('ERR_INPUT_INVALID', `${zip.path}: ${e.name} was not read from the archive`);
        return e.bytes;
      }
    }))
  };
}

/**
 * Sorts what was picked, dropped or found in zips into notation's trust stores and policy.
 * Reads only what it uses; throws ERR_INPUT_TOO_LARGE past the bounds and the zip reader's
 * errors for a damaged archive. Nothing is validated here beyond the layout.
 */
export async function collectTrustImport(sources: readonly SourceFile[]): Promise<TrustImportPlan> {
  const groups: { label: string | null; sources: readonly SourceFile[] }[] = [{ label: null, sources: sources.filter((s) => !isZip(s)) }];
  for (const zip of sources.filter(isZip)) groups.push(await expandZip(zip));
  const total = groups.reduce((n, g) => n + g.sources.length, 0);
  if (total > MAX_IMPORT_PATHS) throw new SignetError('ERR_INPUT_TOO_LARGE', `${total} files and folders were given; at most ${MAX_IMPORT_PATHS} are looked at — choose notation's folder or its truststore folder only`);

  const stores = new Map<string, { type: TrustStoreKind; name: string; files: Map<string, TrustFileData>; nonRegular: Set<string>; from: string }>();
  const ignored: { path: string; reason: string }[] = [];
  const policies: { from: string; priority: number; depth: number; text: string }[] = [];

  for (const group of groups) {
    const shown = (p: string) => (group.label ? `${group.label}: ${p}` : p);
    // Paths a folder pick starts with the chosen folder's name; a policy sits at its top or one level down.
    const topDepth = Math.min(...group.sources.map((s) => s.path.split('/').length));
    for (const source of group.sources) {
      const segments = source.path.split('/').filter((s) => s !== '');
      const at = layoutIndex(segments);
      if (at >= 0) {
        const type = segments[at + 1] as TrustStoreKind;
        const name = segments[at + 2]!;
        const rest = segments.slice(at + 3);
        const key = `${type}:${name}`;
        let store = stores.get(key);
        if (!store) {
          if (stores.size >= MAX_IMPORT_STORES) throw new SignetError('ERR_INPUT_TOO_LARGE', `more than ${MAX_IMPORT_STORES} trust stores were found; import fewer at a time`);
          if (name.length > MAX_NAME_CHARS) throw new SignetError('ERR_INPUT_INVALID', `trust store folder name ${JSON.stringify(name.slice(0, 60))}… is longer than ${MAX_NAME_CHARS} characters`);
          store = { type, name, files: new Map(), nonRegular: new Set(), from: shown(segments.slice(0, at + 3).join('/')) };
          stores.set(key, store);
        }
        if (rest.length === 0) continue; // the store folder itself
        if (rest.length > 1 || source.kind !== 'file') {
          store.nonRegular.add(rest[0]!);
          continue;
        }
        const fileName = rest[0]!;
        if (fileName.length > MAX_NAME_CHARS) throw new SignetError('ERR_INPUT_INVALID', `${shown(source.path).slice(0, 200)}: file names of at most ${MAX_NAME_CHARS} characters are imported`);
        if (source.size > MAX_IMPORT_FILE_BYTES) throw tooLarge(shown(source.path), source.size);
        if (!store.files.has(fileName) && store.files.size >= MAX_IMPORT_FILES_PER_STORE) {
          throw new SignetError('ERR_INPUT_TOO_LARGE', `trust store ${key} has more than ${MAX_IMPORT_FILES_PER_STORE} files; notation's stores hold a handful`);
        }
        if (store.files.has(fileName)) ignored.push({ path: shown(source.path), reason: `replaces the file of the same name found earlier in ${key}` });
        store.files.set(fileName, { name: fileName, bytes: await source.read() });
        continue;
      }
      if (source.kind !== 'file') continue;
      const base = segments[segments.length - 1] ?? '';
      const lower = base.toLowerCase();
      const x509 = segments.indexOf('x509');
      if (x509 >= 0 && x509 + 1 < segments.length - 1) {
        ignored.push({ path: shown(source.path), reason: `x509/${segments[x509 + 1]} is not a trust store type notation reads (ca, signingAuthority, tsa)` });
        continue;
      }
      if (lower === 'trustpolicy.blob.json') {
        ignored.push({ path: shown(source.path), reason: 'the blob trust policy is not imported; Signet verifies files with the OCI policy' });
        continue;
      }
      const priority = POLICY_PRIORITY[lower] ?? (lower.endsWith('.json') && segments.length <= topDepth + 1 ? 1 : 0);
      if (priority > 0) {
        if (source.size > MAX_POLICY_BYTES) throw tooLarge(shown(source.path), source.size);
        const text = new TextDecoder().decode(await source.read());
        if (priority > 1 || looksLikePolicy(text)) {
          policies.push({ from: shown(source.path), priority, depth: segments.length, text });
          continue;
        }
      }
      ignored.push({
        path: shown(source.path),
        reason: CERTIFICATE_FILE.test(base)
          ? 'a certificate outside truststore/x509/<type>/<name>/: add it to a named store with "Add certificates"'
          : "not part of notation's trust policy or trust store layout"
      });
    }
  }

  policies.sort((a, b) => b.priority - a.priority || a.depth - b.depth || (a.from < b.from ? -1 : 1));
  const [policy, ...otherPolicies] = policies;
  for (const p of otherPolicies) ignored.push({ path: p.from, reason: `another trust policy is used: ${policy!.from}` });
  return {
    policy: policy ? { from: policy.from, text: policy.text } : null,
    stores: [...stores.values()]
      .map((s) => ({ type: s.type, name: s.name, files: [...s.files.values()], nonRegular: [...s.nonRegular].sort(), from: s.from }))
      .sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : 1) : TRUST_STORE_KINDS.indexOf(a.type) - TRUST_STORE_KINDS.indexOf(b.type))),
    ignored
  };
}

/** A new record; `label` says where the material came from (an edit makes it the person's own: no label). */
function withStores(data: TrustMaterialData | null, stores: readonly TrustStoreData[], policy: string | null | undefined, now: Date, label?: string): TrustMaterialData {
  return {
    ...(label ? { label: label.slice(0, 300) } : {}),
    schema: TRUST_MATERIAL_SCHEMA,
    policy: policy === undefined ? (data?.policy ?? null) : policy,
    stores: [...stores].sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : 1) : TRUST_STORE_KINDS.indexOf(a.type) - TRUST_STORE_KINDS.indexOf(b.type))),
    updatedAt: now.toISOString()
  };
}

/**
 * The stored record after an import: stores found replace stored stores of the same type and
 * name (like copying the folder over notation's), others are kept; the policy is replaced when
 * one was found. Stores with sub-folders or links are left out (notation refuses them).
 */
export function mergeTrustImport(data: TrustMaterialData | null, plan: TrustImportPlan, now = new Date()): { data: TrustMaterialData; imported: PlannedStore[]; refused: PlannedStore[] } {
  const imported = plan.stores.filter((s) => s.nonRegular.length === 0);
  const refused = plan.stores.filter((s) => s.nonRegular.length > 0);
  const replaced = new Set(imported.map((s) => `${s.type}:${s.name}`));
  const kept = (data?.stores ?? []).filter((s) => !replaced.has(`${s.type}:${s.name}`));
  const stores = [...kept, ...imported.map((s) => ({ type: s.type, name: s.name, files: s.files }))];
  if (stores.length > MAX_IMPORT_STORES) throw new SignetError('ERR_INPUT_TOO_LARGE', `the import would make ${stores.length} trust stores; at most ${MAX_IMPORT_STORES} are kept`);
  const from = [...new Set([plan.policy?.from, ...imported.map((s) => s.from)].filter((f): f is string => !!f).map((f) => f.split(/[/:]/)[0]!))];
  const label = `imported on the Trust page from ${from.join(', ') || 'nothing'}`;
  return { data: withStores(data, stores, plan.policy ? plan.policy.text : undefined, now, label), imported, refused };
}

/** The record with one store removed. */
export function removeTrustStore(data: TrustMaterialData, type: TrustStoreKind, name: string, now = new Date()): TrustMaterialData {
  return withStores(data, data.stores.filter((s) => !(s.type === type && s.name === name)), undefined, now);
}

/** The record with one certificate file removed from a store (an emptied store is removed too). */
export function removeTrustStoreFile(data: TrustMaterialData, type: TrustStoreKind, name: string, fileName: string, now = new Date()): TrustMaterialData {
  const stores = data.stores
    .map((s) => (s.type === type && s.name === name ? { ...s, files: s.files.filter((f) => f.name !== fileName) } : s))
    .filter((s) => s.files.length > 0);
  return withStores(data, stores, undefined, now);
}

/** The record with the policy text replaced (null removes it). */
export function withTrustPolicy(data: TrustMaterialData | null, policy: string | null, now = new Date()): TrustMaterialData {
  return withStores(data, data?.stores ?? [], policy, now);
}

/**
 * The record with certificate files added to a named store (created when missing), with the
 * checks and words of `notation cert add --type <type> --store <name> <files>`: a known type, a
 * store name notation accepts, no file whose name the store already has. That each file holds
 * certificates is checked by the caller (trust-view.ts addCertificates).
 */
export function addTrustStoreFiles(data: TrustMaterialData | null, type: TrustStoreKind, name: string, files: readonly TrustFileData[], now = new Date()): TrustMaterialData {
  if (!(TRUST_STORE_KINDS as readonly string[]).includes(type)) throw new SignetError('ERR_TRUST_STORE_INVALID', `unsupported store type: ${String(type)}`);
  if (!/^[a-zA-Z0-9_.-]+$/.test(name)) throw new SignetError('ERR_TRUST_STORE_INVALID', 'named store name needs to follow [a-zA-Z0-9_.-]+ format');
  if (files.length === 0) throw new SignetError('ERR_INPUT_INVALID', 'choose at least one certificate file');
  const existing = data?.stores.find((s) => s.type === type && s.name === name);
  const names = new Set(existing?.files.map((f) => f.name) ?? []);
  for (const f of files) {
    if (f.name.length === 0 || f.name.length > MAX_NAME_CHARS || /[/\\]/.test(f.name) || f.name === '.' || f.name === '..') {
      throw new SignetError('ERR_INPUT_INVALID', `certificate file name ${JSON.stringify(f.name.slice(0, 80))} cannot be used in a trust store folder`);
    }
    if (f.bytes.length > MAX_IMPORT_FILE_BYTES) throw tooLarge(f.name, f.bytes.length);
    if (names.has(f.name)) throw new SignetError('ERR_TRUST_STORE_INVALID', `${f.name}: certificate already exists in the Trust Store (${type}:${name}); remove it first or rename the file`);
    names.add(f.name);
  }
  if ((existing?.files.length ?? 0) + files.length > MAX_IMPORT_FILES_PER_STORE) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `a trust store holds at most ${MAX_IMPORT_FILES_PER_STORE} files`);
  }
  const store: TrustStoreData = { type, name, files: [...(existing?.files ?? []), ...files] };
  const others = (data?.stores ?? []).filter((s) => s !== existing);
  if (!existing && others.length >= MAX_IMPORT_STORES) throw new SignetError('ERR_INPUT_TOO_LARGE', `at most ${MAX_IMPORT_STORES} trust stores are kept`);
  return withStores(data, [...others, store], undefined, now);
}
