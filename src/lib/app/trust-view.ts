/**
 * What the Trust page shows about trust stores: each store validated exactly as notation does
 * when it loads `truststore/x509/<type>/<name>/` (notary/trust-store.ts), with notation's message
 * and its inner detail when it fails, and the certificates of each file. Also adding certificate
 * files to a store the way `notation cert add` does: refused unless the store still validates.
 * Loads the certificate parser (pkijs), so pages import this module on demand.
 */
import { isSignetError, SignetError } from '../errors';
import { validateTrustStore, type TrustStoreFile } from '../notary/trust-store';
import { parseCertificate, parseCertificates, type Certificate } from '../notary/x509/certificate';
import { addTrustStoreFiles, type PlannedStore } from './trust-import';
import type { TrustFileData, TrustMaterialData, TrustStoreData, TrustStoreKind } from './trust-storage';

export interface CertificateRow {
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256Fingerprint: string;
  readonly isCA: boolean;
  readonly selfIssued: boolean;
  readonly validity: 'valid' | 'expired' | 'not yet valid';
}

export interface StoreFileView {
  readonly name: string;
  readonly size: number;
  /** Certificates read from the file (empty when it could not be read). */
  readonly certificates: readonly CertificateRow[];
}

export interface StoreView {
  readonly type: TrustStoreKind;
  readonly name: string;
  /** `type:name`, as policies name it. */
  readonly key: string;
  readonly files: readonly StoreFileView[];
  /** notation's verdict on the store: null when valid. */
  readonly error: { readonly message: string; readonly detail?: string } | null;
}

function row(cert: Certificate, now: Date): CertificateRow {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: cert.notBefore.toISOString().replace('.000Z', 'Z'),
    notAfter: cert.notAfter.toISOString().replace('.000Z', 'Z'),
    sha256Fingerprint: cert.sha256Fingerprint,
    isCA: cert.isCA,
    selfIssued: cert.isSelfIssued,
    validity: now < cert.notBefore ? 'not yet valid' : now > cert.notAfter ? 'expired' : 'valid'
  };
}

function describeFailure(e: SignetError): { message: string; detail?: string } {
  const cause = (e as Error & { cause?: unknown }).cause;
  const detail = cause instanceof Error && cause.message !== e.message ? cause.message : undefined;
  return { message: e.message, ...(detail ? { detail } : {}) };
}

/** Validates one store like notation and describes it. Never throws for bad certificates. */
export async function describeTrustStore(store: TrustStoreData | PlannedStore, now = new Date()): Promise<StoreView> {
  const nonRegular = 'nonRegular' in store ? store.nonRegular : [];
  const files: TrustStoreFile[] = [...store.files.map((f) => ({ name: f.name, bytes: f.bytes })), ...nonRegular.map((name) => ({ name, kind: 'directory' as const }))];
  const key = `${store.type}:${store.name}`;
  try {
    const validated = await validateTrustStore({ type: store.type, name: store.name, files });
    const byName = new Map(validated.files.map((f) => [f.name, f.certificates]));
    return {
      type: store.type,
      name: store.name,
      key,
      files: store.files.map((f) => ({ name: f.name, size: f.bytes.length, certificates: (byName.get(f.name) ?? []).map((c) => row(c, now)) })),
      error: null
    };
  } catch (e) {
    if (!isSignetError(e)) throw e;
    const described: StoreFileView[] = [];
    for (const f of store.files) {
      let certificates: CertificateRow[] = [];
      try {
        certificates = (await parseCertificates(f.bytes, f.name)).map((c) => row(c, now));
      } catch {
        // The store's error names the file that cannot be read.
      }
      described.push({ name: f.name, size: f.bytes.length, certificates });
    }
    return { type: store.type, name: store.name, key, files: described, error: describeFailure(e) };
  }
}

export async function describeTrustStores(stores: readonly (TrustStoreData | PlannedStore)[], now = new Date()): Promise<StoreView[]> {
  const out: StoreView[] = [];
  for (const s of stores) out.push(await describeTrustStore(s, now));
  return out;
}

/**
 * `notation cert add --type <type> --store <name> <files…>`: the record with the files added when
 * each holds at least one certificate (notation reads them and refuses "no valid certificate
 * found in the file"), plus the store as notation will judge it at verification time — notation
 * adds a leaf certificate to a `ca` store without complaint and fails only when the store is
 * used, so the view's error is a warning to show, not a refusal.
 */
export async function addCertificates(
  data: TrustMaterialData | null,
  type: TrustStoreKind,
  name: string,
  files: readonly TrustFileData[],
  now = new Date()
): Promise<{ data: TrustMaterialData; store: StoreView }> {
  const next = addTrustStoreFiles(data, type, name, files, now);
  for (const f of files) {
    let certs: Certificate[];
    try {
      certs = await parseCertificates(f.bytes, f.name);
    } catch (e) {
      if (!isSignetError(e)) throw e;
      throw new SignetError('ERR_CERT_INVALID', `${f.name}: ${e.message}`, { cause: e });
    }
    if (certs.length === 0) throw new SignetError('ERR_CERT_INVALID', `${f.name}: no valid certificate found in the file`);
  }
  const store = next.stores.find((s) => s.type === type && s.name === name)!;
  return { data: next, store: await describeTrustStore(store, now) };
}

/** Rows for DER certificates (a key's chain, leaf first). */
export async function describeCertificates(ders: readonly Uint8Array[], now = new Date()): Promise<CertificateRow[]> {
  const out: CertificateRow[] = [];
  for (const [i, der] of ders.entries()) out.push(row(await parseCertificate(der, `certificate ${i + 1}`), now));
  return out;
}
