/**
 * Validation of one named trust store's certificates, as notation-go's X509TrustStore does when
 * it loads `truststore/x509/<type>/<name>/` (spec digest §11). Pure: the caller reads the files
 * (disk, IndexedDB, drag-and-drop) and passes their bytes; loading is not done here.
 *
 * Rules (NOTATION):
 * - type is ca | signingAuthority | tsa; the name matches ^[a-zA-Z0-9_.-]+$;
 * - every entry must be a regular file (no sub-directories, no symlinks);
 * - each file holds one or more PEM or DER certificates;
 * - every certificate is a CA (basicConstraints cA=true) or verifies under its own key
 *   (a self-signed leaf, e.g. notation's `notation cert generate-test` certificates);
 * - tsa stores hold only self-signed, self-issued root CAs;
 * - a store with no certificate is an error.
 * Files are processed in name order, like Go's os.ReadDir, so the first bad file reported is the same.
 */
import { SignetError, isSignetError } from '../errors';
import { parseCertificates, type Certificate } from './x509/certificate';
import { goQuote } from './x509/go-format';
import { checkSignatureWithKey, isSelfSigned } from './x509/signature';

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';
export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

/** Most entries accepted in one store (bounds work on hostile input; real stores hold a handful). */
export const MAX_TRUST_STORE_FILES = 1000;

export interface TrustStoreFile {
  readonly name: string;
  /** File content; ignored for directories and symlinks. */
  readonly bytes?: Uint8Array;
  /** What the loader found. Defaults to 'file'; directories and symlinks are refused as notation does. */
  readonly kind?: 'file' | 'directory' | 'symlink';
}

export interface TrustStoreInput {
  readonly type: string;
  readonly name: string;
  readonly files: readonly TrustStoreFile[];
}

export interface ValidatedTrustStore {
  readonly type: TrustStoreType;
  readonly name: string;
  /** Every certificate, in file-name order then file order. */
  readonly certificates: readonly Certificate[];
  /** Which file each certificate came from. */
  readonly files: readonly { readonly name: string; readonly certificates: readonly Certificate[] }[];
}

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

export function isTrustStoreType(value: unknown): value is TrustStoreType {
  return typeof value === 'string' && (TRUST_STORE_TYPES as readonly string[]).includes(value);
}

/** notation-go's rule for store names (also used for file names it creates). */
export function isValidTrustStoreName(name: unknown): name is string {
  return typeof name === 'string' && STORE_NAME.test(name);
}

function storeError(message: string, inner?: string | Error): SignetError {
  const cause = inner === undefined ? undefined : typeof inner === 'string' ? new Error(inner) : inner;
  return new SignetError('ERR_TRUST_STORE_INVALID', message, cause === undefined ? undefined : { cause });
}

/**
 * notation-go `ValidateCertificates`: a certificate that is not a CA must verify under its own
 * key (Go's CheckSignature, which still accepts SHA-1 here; the DN is not compared).
 * Returns the inner error text or undefined.
 */
async function validateStoreCertificates(certs: readonly Certificate[]): Promise<string | undefined> {
  if (certs.length < 1) return 'input certs cannot be empty';
  for (const cert of certs) {
    if (!cert.isCA && (await checkSignatureWithKey(cert, cert, true)) !== undefined) {
      return `certificate with subject ${goQuote(cert.subject)} is not a CA certificate or self-signed signing certificate`;
    }
  }
  return undefined;
}

/** notation-go `isRootCACertificate` for tsa stores. Returns the error text or undefined. */
async function rootCaError(cert: Certificate): Promise<string | undefined> {
  const self = await isSelfSigned(cert);
  if (self.error !== undefined) return `certificate with subject ${goQuote(cert.subject)} is not a root CA certificate: ${self.error}`;
  if (!self.selfSigned) {
    return `certificate with subject ${goQuote(cert.subject)} is not a root CA certificate: issuer (${cert.issuer}) and subject (${cert.subject}) are not the same`;
  }
  return undefined;
}

/**
 * Validates a named trust store and returns its certificates, or throws ERR_TRUST_STORE_INVALID
 * with notation's message (e.g. `failed to validate the trusted certificate non-ca.crt in trust
 * store trust-store-with-leaf-certs of type ca`); the detail notation keeps as its inner error is
 * the error's `cause`. Spec digest §11.
 */
export async function validateTrustStore(input: TrustStoreInput): Promise<ValidatedTrustStore> {
  const { type, name, files } = input;
  if (!isTrustStoreType(type)) throw storeError(`unsupported trust store type: ${String(type)}`);
  if (!isValidTrustStoreName(name)) {
    throw storeError(`trust store name needs to follow [a-zA-Z0-9_.-]+ format, ${String(name)} is invalid`);
  }
  if (!Array.isArray(files)) throw storeError(`the trust store "${name}" of type "${type}" has no file list`);
  if (files.length > MAX_TRUST_STORE_FILES) {
    throw storeError(`the trust store "${name}" of type "${type}" has ${files.length} entries; at most ${MAX_TRUST_STORE_FILES} are accepted`);
  }
  // Go's os.ReadDir returns entries sorted by file name (byte order).
  const sorted = [...files].sort((a, b) => compareBytes(a.name, b.name));
  const out: { name: string; certificates: Certificate[] }[] = [];
  for (const file of sorted) {
    const fileName = file.name;
    if ((file.kind ?? 'file') !== 'file') {
      throw storeError(
        `trusted certificate ${fileName} in trust store ${name} of type ${type} is not a regular file (directories or symlinks are not supported)`
      );
    }
    const bytes = file.bytes ?? new Uint8Array(0);
    let certs: Certificate[];
    if (bytes.length === 0) {
      // Go reads an empty file as zero certificates; the validation step then rejects it.
      certs = [];
    } else {
      try {
        certs = await parseCertificates(bytes, fileName);
      } catch (e) {
        if (!isSignetError(e)) throw e;
        throw storeError(`failed to read the trusted certificate ${fileName} in trust store ${name} of type ${type}`, e);
      }
    }
    const invalid = await validateStoreCertificates(certs);
    if (invalid !== undefined) {
      throw storeError(`failed to validate the trusted certificate ${fileName} in trust store ${name} of type ${type}`, invalid);
    }
    if (type === 'tsa') {
      for (const cert of certs) {
        const error = await rootCaError(cert);
        if (error !== undefined) throw storeError(`trusted certificate ${fileName} in trust store ${name} of type ${type} is invalid: ${error}`, error);
      }
    }
    out.push({ name: fileName, certificates: certs });
  }
  const certificates = out.flatMap((f) => f.certificates);
  if (certificates.length < 1) throw storeError(`no x509 certificates were found in trust store "${name}" of type "${type}"`);
  return { type, name, certificates, files: out };
}

function compareBytes(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}
