/**
 * X.509 certificates as immutable values: parsed once with the same acceptance rules as Go's
 * `x509.ParseCertificate` (which notation uses), exposing what the Notary rules need
 * (spec digest §7 keys, §8 certificate profile, §11 trust stores, §12.5 identities).
 */
import { bytesEqual, toArrayBuffer, toHex, utf8Decode } from '../../bytes';
import { SignetError, isSignetError } from '../../errors';
import { hashBytes } from '../../oci/digest';
import { algorithmForKey, importParams, type SignatureAlgorithm } from '../algorithms';
import {
  DerError,
  TAG,
  type DerNode,
  childrenOf,
  decodeOne,
  expectConstructed,
  isContext,
  isUniversal,
  readBitString,
  readBoolean,
  readInteger,
  readOid,
  readTime,
  readTlv
} from './der';
import { parseName, type DnAttribute } from './name';
import { decodePemBlocks } from './pem';

/** Largest DER certificate accepted (real ones are 1–3 KiB; this bounds work on hostile input). */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** Largest certificate file (PEM bundle) accepted. */
export const MAX_CERTIFICATE_FILE_BYTES = 4 * 1024 * 1024;
/** Most certificates accepted from one file. */
export const MAX_CERTIFICATES_PER_FILE = 1000;

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  x25519: '1.3.101.110',
  dsa: '1.2.840.10040.4.1',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  ekuAny: '2.5.29.37.0',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuClientAuth: '1.3.6.1.5.5.7.3.2',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOcspSigning: '1.3.6.1.5.5.7.3.9'
} as const;

const CURVES: Readonly<Record<string, { name: string; bits: number; coordinateBytes: number }>> = {
  '1.3.132.0.33': { name: 'P-224', bits: 224, coordinateBytes: 28 },
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256, coordinateBytes: 32 },
  '1.3.132.0.34': { name: 'P-384', bits: 384, coordinateBytes: 48 },
  '1.3.132.0.35': { name: 'P-521', bits: 521, coordinateBytes: 66 }
};

export interface CertificatePublicKey {
  /** 'RSA', 'EC', 'Ed25519', 'X25519', 'DSA', or 'unknown' (any other algorithm; Go parses those too). */
  readonly keyType: 'RSA' | 'EC' | 'Ed25519' | 'X25519' | 'DSA' | 'unknown';
  /** RSA: modulus size rounded up to whole bytes, in bits (Go's `Size()*8`); EC: curve size; else 0 or the key's size. */
  readonly keySize: number;
  /** EC only: WebCrypto curve name (P-224 is parsed but never usable). */
  readonly curve?: string;
  /** OID of the SubjectPublicKeyInfo algorithm. */
  readonly algorithmOid: string;
  /** The DER SubjectPublicKeyInfo, ready for `crypto.subtle.importKey('spki', …)`. */
  readonly spki: Uint8Array;
}

export interface BasicConstraints {
  readonly critical: boolean;
  readonly cA: boolean;
  /** As encoded; Go treats a negative value like an absent one. */
  readonly pathLenConstraint?: number;
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'contentCommitment'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** Bit order of the KeyUsage BIT STRING (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'contentCommitment',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly'
];

export interface KeyUsage {
  readonly critical: boolean;
  readonly usages: readonly KeyUsageName[];
}

export interface ExtendedKeyUsage {
  readonly critical: boolean;
  /** Purpose OIDs in certificate order. */
  readonly oids: readonly string[];
}

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** Content of extnValue (the DER of the extension's own value). */
  readonly value: Uint8Array;
}

export interface CertificateSignatureAlgorithm {
  readonly oid: string;
  /** Go's name (`SHA256-RSA`, `SHA384-RSAPSS`, `ECDSA-SHA256`, `SHA1-RSA`…), or the OID when unknown. */
  readonly name: string;
  /** Raw DER of the AlgorithmIdentifier parameters, when present. */
  readonly parameters?: Uint8Array;
}

/** A parsed certificate. Plain data; never mutate. */
export interface Certificate {
  readonly der: Uint8Array;
  /** SHA-256 of `der`, lowercase hex (the Notary thumbprint and `notation inspect` fingerprint). */
  readonly sha256Fingerprint: string;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Serial number, lowercase hex without leading zeros ("0" for zero). */
  readonly serialNumber: string;
  /** Go `pkix.Name.String()` rendering, e.g. `CN=alpine,O=Notary,L=Seattle,ST=WA,C=US`. */
  readonly subject: string;
  readonly issuer: string;
  /** Subject attributes in certificate (RDN sequence) order. */
  readonly subjectAttributes: readonly DnAttribute[];
  readonly issuerAttributes: readonly DnAttribute[];
  /** Raw DER of the subject and issuer Names (chain rules compare these bytes). */
  readonly rawSubject: Uint8Array;
  readonly rawIssuer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: CertificatePublicKey;
  readonly basicConstraints?: BasicConstraints;
  /** basicConstraints present with cA=true (Go: BasicConstraintsValid && IsCA). */
  readonly isCA: boolean;
  readonly keyUsage?: KeyUsage;
  readonly extendedKeyUsage?: ExtendedKeyUsage;
  readonly extensions: readonly CertificateExtension[];
  /** Subject DN bytes equal issuer DN bytes. Says nothing about who signed it; see chain.ts. */
  readonly isSelfIssued: boolean;
  readonly signatureAlgorithmOid: string;
  readonly signatureAlgorithm: CertificateSignatureAlgorithm;
  /** Raw DER of tbsCertificate (what the issuer signed). */
  readonly tbs: Uint8Array;
  /** signatureValue bits. */
  readonly signature: Uint8Array;
}

function invalid(what: string, detail: string, cause?: unknown): SignetError {
  return new SignetError('ERR_CERT_INVALID', `${what} is not a valid X.509 certificate: ${detail}`, cause === undefined ? undefined : { cause });
}

// --- signature algorithms -----------------------------------------------------------------------

const SIGNATURE_ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2-RSA',
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.3.14.3.2.29': 'SHA1-RSA',
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.10040.4.3': 'DSA-SHA1',
  '2.16.840.1.101.3.4.3.2': 'DSA-SHA256',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512',
  '1.3.101.112': 'Ed25519'
};

const HASH_OIDS: Readonly<Record<string, { name: 'SHA-256' | 'SHA-384' | 'SHA-512'; length: number }>> = {
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', length: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', length: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', length: 64 }
};

/** The RSASSA-PSS hash when the parameters are one of the forms Go accepts, else undefined. */
export function rsaPssHash(parameters: Uint8Array | undefined): 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined {
  // Go accepts only MGF1 with the same hash, salt length = hash length, trailer field 1.
  if (!parameters) return undefined;
  try {
    const fields = expectConstructed(decodeOne(parameters), TAG.SEQUENCE, 'RSASSA-PSS parameters');
    let hashOid = '1.3.14.3.2.26'; // SHA-1 default
    let mgfHashOid = '1.3.14.3.2.26';
    let salt = 20n;
    let trailer = 1n;
    const hashAlgParamsOk = (alg: DerNode[]): boolean => alg.length === 1 || (alg.length === 2 && isUniversal(alg[1], TAG.NULL) && alg[1].content.length === 0);
    for (const f of fields) {
      const inner = childrenOf(f);
      if (isContext(f, 0)) {
        const alg = expectConstructed(inner[0], TAG.SEQUENCE, 'hash');
        if (!hashAlgParamsOk(alg)) return undefined;
        hashOid = readOid(alg[0], 'hash');
      } else if (isContext(f, 1)) {
        const mgf = expectConstructed(inner[0], TAG.SEQUENCE, 'mgf');
        if (readOid(mgf[0], 'mgf') !== '1.2.840.113549.1.1.8') return undefined;
        const mgfHash = expectConstructed(mgf[1], TAG.SEQUENCE, 'mgf hash');
        if (!hashAlgParamsOk(mgfHash)) return undefined;
        mgfHashOid = readOid(mgfHash[0], 'mgf hash');
      } else if (isContext(f, 2)) {
        salt = readInteger(inner[0], 'salt length');
      } else if (isContext(f, 3)) {
        trailer = readInteger(inner[0], 'trailer field');
      } else {
        return undefined;
      }
    }
    const hash = HASH_OIDS[hashOid];
    if (!hash || mgfHashOid !== hashOid || salt !== BigInt(hash.length) || trailer !== 1n) return undefined;
    return hash.name;
  } catch {
    return undefined;
  }
}

function signatureAlgorithmName(oid: string, parameters: Uint8Array | undefined): string {
  if (oid === OID.rsassaPss) {
    const hash = rsaPssHash(parameters);
    return hash ? `${hash.replace('-', '')}-RSAPSS` : oid;
  }
  return SIGNATURE_ALGORITHM_NAMES[oid] ?? oid;
}

function parseAlgorithmIdentifier(node: DerNode | undefined, what: string): { oid: string; parameters?: Uint8Array } {
  const parts = expectConstructed(node, TAG.SEQUENCE, what);
  if (parts.length < 1 || parts.length > 2) throw new DerError(`${what}: malformed algorithm identifier`);
  const oid = readOid(parts[0], what);
  return parts[1] ? { oid, parameters: parts[1].raw } : { oid };
}

// --- public keys ---------------------------------------------------------------------------------

function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

function parsePublicKey(spkiNode: DerNode): CertificatePublicKey {
  const parts = expectConstructed(spkiNode, TAG.SEQUENCE, 'subjectPublicKeyInfo');
  if (parts.length !== 2) throw new DerError('malformed subjectPublicKeyInfo');
  const alg = parseAlgorithmIdentifier(parts[0], 'public key algorithm');
  const { bytes: key, unusedBits } = readBitString(parts[1], 'subjectPublicKey');
  const spki = spkiNode.raw;
  switch (alg.oid) {
    case OID.rsaEncryption: {
      if (!alg.parameters || !bytesEqual(alg.parameters, new Uint8Array([0x05, 0x00]))) throw new DerError('RSA key missing NULL parameters');
      if (unusedBits !== 0) throw new DerError('malformed RSA public key');
      const fields = expectConstructed(decodeOne(key), TAG.SEQUENCE, 'RSA public key');
      if (fields.length !== 2) throw new DerError('malformed RSA public key');
      const n = readInteger(fields[0], 'RSA modulus');
      const e = readInteger(fields[1], 'RSA public exponent');
      if (n <= 0n) throw new DerError('RSA modulus is not a positive number');
      if (e <= 0n || e > 0x7fffffffn) throw new DerError('RSA public exponent is not a positive number');
      // Go reports Size()*8, i.e. the modulus length rounded up to whole bytes.
      return { keyType: 'RSA', keySize: Math.ceil(bitLength(n) / 8) * 8, algorithmOid: alg.oid, spki };
    }
    case OID.ecPublicKey: {
      if (!alg.parameters) throw new DerError('EC key missing curve parameters');
      const curveOid = readOid(decodeOne(alg.parameters), 'EC curve');
      const curve = CURVES[curveOid];
      if (!curve) throw new DerError(`unsupported elliptic curve ${curveOid}`);
      if (unusedBits !== 0 || key.length !== 1 + 2 * curve.coordinateBytes || key[0] !== 0x04) {
        throw new DerError('failed to unmarshal elliptic curve point');
      }
      return { keyType: 'EC', keySize: curve.bits, curve: curve.name, algorithmOid: alg.oid, spki };
    }
    case OID.ed25519:
    case OID.x25519: {
      if (alg.parameters) throw new DerError('Ed25519/X25519 key encoded with illegal parameters');
      if (unusedBits !== 0 || key.length !== 32) throw new DerError('malformed Ed25519/X25519 public key');
      return { keyType: alg.oid === OID.ed25519 ? 'Ed25519' : 'X25519', keySize: 256, algorithmOid: alg.oid, spki };
    }
    case OID.dsa: {
      let size = 0;
      if (alg.parameters) {
        const p = expectConstructed(decodeOne(alg.parameters), TAG.SEQUENCE, 'DSA parameters');
        size = bitLength(readInteger(p[0], 'DSA p'));
      }
      return { keyType: 'DSA', keySize: size, algorithmOid: alg.oid, spki };
    }
    default:
      // Go keeps unknown key algorithms (PublicKeyAlgorithm = Unknown) rather than failing.
      return { keyType: 'unknown', keySize: 0, algorithmOid: alg.oid, spki };
  }
}

// --- extensions ----------------------------------------------------------------------------------

function parseExtensions(node: DerNode): CertificateExtension[] {
  const list = expectConstructed(childrenOf(node)[0], TAG.SEQUENCE, 'extensions');
  if (childrenOf(node).length !== 1) throw new DerError('malformed extensions');
  const out: CertificateExtension[] = [];
  const seen = new Set<string>();
  for (const extNode of list) {
    const parts = expectConstructed(extNode, TAG.SEQUENCE, 'extension');
    const oid = readOid(parts[0], 'extension id');
    let i = 1;
    let critical = false;
    if (isUniversal(parts[i], TAG.BOOLEAN)) critical = readBoolean(parts[i++], `extension ${oid} critical flag`);
    const valueNode = parts[i++];
    if (!isUniversal(valueNode, TAG.OCTET_STRING) || valueNode.constructed || i !== parts.length) {
      throw new DerError(`malformed extension ${oid}`);
    }
    if (seen.has(oid)) throw new DerError(`certificate contains duplicate extension with OID "${oid}"`);
    seen.add(oid);
    out.push({ oid, critical, value: valueNode.content });
  }
  return out;
}

function parseBasicConstraints(ext: CertificateExtension): BasicConstraints {
  try {
    const fields = expectConstructed(decodeOne(ext.value), TAG.SEQUENCE, 'basic constraints');
    let i = 0;
    let cA = false;
    if (isUniversal(fields[i], TAG.BOOLEAN)) cA = readBoolean(fields[i++], 'cA');
    let pathLenConstraint: number | undefined;
    if (isUniversal(fields[i], TAG.INTEGER)) {
      const v = readInteger(fields[i++], 'pathLenConstraint');
      if (v > 0x7fffffffn || v < -0x80000000n) throw new DerError('pathLenConstraint out of range');
      pathLenConstraint = Number(v);
    }
    // Go stops reading after the known fields; anything else is ignored.
    return pathLenConstraint === undefined ? { critical: ext.critical, cA } : { critical: ext.critical, cA, pathLenConstraint };
  } catch (cause) {
    throw new DerError(`invalid basic constraints${cause instanceof Error ? `: ${cause.message}` : ''}`);
  }
}

function parseKeyUsage(ext: CertificateExtension): KeyUsage {
  let bits: Uint8Array;
  try {
    bits = readBitString(decodeOne(ext.value), 'key usage').bytes;
  } catch {
    throw new DerError('invalid key usage');
  }
  const usages = KEY_USAGE_BITS.filter((_, i) => ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
  return { critical: ext.critical, usages };
}

function parseExtendedKeyUsage(ext: CertificateExtension): ExtendedKeyUsage {
  try {
    const items = expectConstructed(decodeOne(ext.value), TAG.SEQUENCE, 'extended key usage');
    return { critical: ext.critical, oids: items.map((n) => readOid(n, 'key purpose')) };
  } catch {
    throw new DerError('invalid extended key usages');
  }
}

// --- certificates --------------------------------------------------------------------------------

function parseStructure(der: Uint8Array): Omit<Certificate, 'sha256Fingerprint'> {
  const certParts = expectConstructed(decodeOne(der), TAG.SEQUENCE, 'certificate');
  if (certParts.length !== 3) throw new DerError('malformed certificate');
  const [tbsNode, outerAlgNode, sigNode] = certParts as [DerNode, DerNode, DerNode];
  const tbs = expectConstructed(tbsNode, TAG.SEQUENCE, 'tbsCertificate');
  let i = 0;
  let version = 1;
  if (isContext(tbs[0], 0) && tbs[0].constructed) {
    const inner = childrenOf(tbs[0]);
    if (inner.length !== 1) throw new DerError('malformed version');
    const v = readInteger(inner[0], 'version');
    if (v < 0n) throw new DerError('malformed version');
    if (v > 2n) throw new DerError('invalid version');
    version = Number(v) + 1;
    i++;
  }
  const serial = readInteger(tbs[i++], 'serial number');
  if (serial < 0n) throw new DerError('negative serial number');
  const innerAlgNode = tbs[i++];
  expectConstructed(innerAlgNode, TAG.SEQUENCE, 'signature algorithm');
  if (!bytesEqual(innerAlgNode!.content, outerAlgNode.content) || !isUniversal(outerAlgNode, TAG.SEQUENCE)) {
    throw new DerError("inner and outer signature algorithm identifiers don't match");
  }
  const sigAlg = parseAlgorithmIdentifier(innerAlgNode, 'signature algorithm');
  const issuerNode = tbs[i++];
  const issuer = parseName(issuerNode!, 'issuer');
  const validity = expectConstructed(tbs[i++], TAG.SEQUENCE, 'validity');
  if (validity.length !== 2) throw new DerError('malformed validity');
  const notBefore = readTime(validity[0], 'notBefore');
  const notAfter = readTime(validity[1], 'notAfter');
  const subjectNode = tbs[i++];
  const subject = parseName(subjectNode!, 'subject');
  const spkiNode = tbs[i++];
  if (!spkiNode) throw new DerError('malformed spki');
  const publicKey = parsePublicKey(spkiNode);
  let extensions: CertificateExtension[] = [];
  if (version > 1) {
    if (isContext(tbs[i], 1)) i++;
    if (isContext(tbs[i], 2)) i++;
    if (version === 3 && isContext(tbs[i], 3)) {
      if (!tbs[i]!.constructed) throw new DerError('malformed extensions');
      extensions = parseExtensions(tbs[i++]!);
    }
  }
  const signature = readBitString(sigNode, 'signature').bytes;

  const find = (oid: string) => extensions.find((e) => e.oid === oid);
  const bcExt = find(OID.basicConstraints);
  const kuExt = find(OID.keyUsage);
  const ekuExt = find(OID.extKeyUsage);
  const basicConstraints = bcExt ? parseBasicConstraints(bcExt) : undefined;
  const keyUsage = kuExt ? parseKeyUsage(kuExt) : undefined;
  const extendedKeyUsage = ekuExt ? parseExtendedKeyUsage(ekuExt) : undefined;

  const signatureAlgorithm: CertificateSignatureAlgorithm = {
    oid: sigAlg.oid,
    name: signatureAlgorithmName(sigAlg.oid, sigAlg.parameters),
    ...(sigAlg.parameters ? { parameters: sigAlg.parameters } : {})
  };
  return {
    der,
    version,
    serialNumber: serial.toString(16),
    subject: subject.display,
    issuer: issuer.display,
    subjectAttributes: subject.attributes,
    issuerAttributes: issuer.attributes,
    rawSubject: subjectNode!.raw,
    rawIssuer: issuerNode!.raw,
    notBefore,
    notAfter,
    publicKey,
    ...(basicConstraints ? { basicConstraints } : {}),
    isCA: basicConstraints?.cA === true,
    ...(keyUsage ? { keyUsage } : {}),
    ...(extendedKeyUsage ? { extendedKeyUsage } : {}),
    extensions,
    isSelfIssued: bytesEqual(subjectNode!.raw, issuerNode!.raw),
    signatureAlgorithmOid: sigAlg.oid,
    signatureAlgorithm,
    tbs: tbsNode.raw,
    signature
  };
}

/**
 * Parses one DER certificate. Async because the SHA-256 fingerprint comes from WebCrypto.
 * Accepts what Go's `x509.ParseCertificate` accepts (strict DER, no trailing data, no negative
 * serial, no duplicate extensions, matching inner/outer signature algorithms, DN values of string
 * types, supported EC curves) and rejects the rest with ERR_CERT_INVALID.
 * Spec digest §8, §11.
 * @param what names the certificate in error messages (e.g. `x5chain[1]`, a file name).
 */
export async function parseCertificate(der: Uint8Array, what = 'certificate'): Promise<Certificate> {
  if (!(der instanceof Uint8Array)) throw invalid(what, 'expected bytes');
  if (der.length === 0) throw invalid(what, 'it is empty');
  if (der.length > MAX_CERTIFICATE_BYTES) {
    throw invalid(what, `it is ${der.length} bytes; at most ${MAX_CERTIFICATE_BYTES} bytes are accepted`);
  }
  // Own copy: the value must not change if the caller reuses its buffer.
  const copy = der.slice();
  let parsed: Omit<Certificate, 'sha256Fingerprint'>;
  try {
    parsed = parseStructure(copy);
  } catch (cause) {
    if (cause instanceof DerError) throw invalid(what, cause.message, cause);
    if (isSignetError(cause)) throw cause;
    // Anything else (e.g. a RangeError) is still bad input, never a crash.
    throw invalid(what, 'malformed encoding', cause);
  }
  const sha256Fingerprint = toHex(await hashBytes('sha256', copy));
  return Object.freeze({ ...parsed, sha256Fingerprint });
}

/** True when the bytes look like text containing a PEM block. */
function looksLikePem(bytes: Uint8Array): boolean {
  const head = Math.min(bytes.length, 64 * 1024);
  const marker = [0x2d, 0x2d, 0x2d, 0x2d, 0x2d, 0x42, 0x45, 0x47, 0x49, 0x4e, 0x20]; // "-----BEGIN "
  outer: for (let i = 0; i + marker.length <= head; i++) {
    for (let j = 0; j < marker.length; j++) if (bytes[i + j] !== marker[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Parses a certificate file: PEM with any number of blocks (text between blocks is ignored), or
 * DER holding one or more concatenated certificates (Go's `x509.ParseCertificates`), as notation
 * reads trust-store files and `--timestamp-root-cert` (spec digest §11).
 * Throws ERR_CERT_INVALID when no certificate is found or any certificate is invalid.
 */
export async function parseCertificates(bytes: Uint8Array, what = 'certificate file'): Promise<Certificate[]> {
  if (!(bytes instanceof Uint8Array)) throw invalid(what, 'expected bytes');
  if (bytes.length > MAX_CERTIFICATE_FILE_BYTES) {
    throw new SignetError('ERR_CERT_INVALID', `${what} is ${bytes.length} bytes; at most ${MAX_CERTIFICATE_FILE_BYTES} bytes are accepted`);
  }
  if (bytes.length === 0) throw new SignetError('ERR_CERT_INVALID', `${what} is empty; expected a PEM or DER certificate`);
  const ders: Uint8Array[] = [];
  if (looksLikePem(bytes)) {
    let text: string;
    try {
      text = utf8Decode(bytes, what);
    } catch {
      // PEM is ASCII; decode bytes one-to-one so stray non-UTF-8 text outside blocks is ignored.
      text = Array.from(bytes, (b) => String.fromCharCode(b)).join('');
    }
    const blocks = decodePemBlocks(text, what);
    if (blocks.length > 0) {
      blocks.forEach((block, index) => {
        if (block.type !== 'CERTIFICATE') {
          throw new SignetError('ERR_CERT_INVALID', `${what}: PEM block ${index + 1} is "${block.type}", expected "CERTIFICATE"`);
        }
        ders.push(block.bytes);
      });
    }
  }
  if (ders.length === 0) {
    // DER: one or more certificates back to back.
    let offset = 0;
    while (offset < bytes.length) {
      let next: number;
      try {
        next = readTlv(bytes, offset).next;
      } catch (cause) {
        throw invalid(ders.length === 0 ? what : `${what} (certificate ${ders.length + 1})`, cause instanceof Error ? cause.message : 'malformed DER', cause);
      }
      ders.push(bytes.subarray(offset, next));
      offset = next;
      if (ders.length > MAX_CERTIFICATES_PER_FILE) break;
    }
  }
  if (ders.length > MAX_CERTIFICATES_PER_FILE) {
    throw new SignetError('ERR_CERT_INVALID', `${what} holds more than ${MAX_CERTIFICATES_PER_FILE} certificates`);
  }
  const certs: Certificate[] = [];
  for (let i = 0; i < ders.length; i++) {
    certs.push(await parseCertificate(ders[i]!, ders.length === 1 ? what : `${what} (certificate ${i + 1})`));
  }
  return certs;
}

// --- keys and algorithms -------------------------------------------------------------------------

/**
 * The Notary signature algorithm bound to the certificate's key (spec digest §7): RSA 2048/3072/4096
 * → PS256/384/512, EC P-256/384/521 → ES256/384/512. Other keys: ERR_ALGORITHM_UNSUPPORTED.
 */
export function signatureAlgorithmForCertificate(cert: Certificate): SignatureAlgorithm {
  const { keyType, keySize } = cert.publicKey;
  if (keyType !== 'RSA' && keyType !== 'EC') {
    throw new SignetError(
      'ERR_ALGORITHM_UNSUPPORTED',
      `certificate "${cert.subject}" has a ${keyType === 'unknown' ? `key of algorithm ${cert.publicKey.algorithmOid}` : `${keyType} key`}; Notary signatures need RSA 2048/3072/4096 or EC P-256/P-384/P-521`
    );
  }
  try {
    return algorithmForKey(keyType, keySize);
  } catch (cause) {
    throw new SignetError(
      'ERR_ALGORITHM_UNSUPPORTED',
      `certificate "${cert.subject}" has an ${keyType === 'RSA' ? `RSA ${keySize}-bit` : `EC ${cert.publicKey.curve ?? keySize}`} key; Notary signatures need RSA 2048/3072/4096 or EC P-256/P-384/P-521`,
      { cause }
    );
  }
}

/**
 * Imports the certificate's public key for verifying an envelope signed with `alg`.
 * ERR_ALGORITHM_UNSUPPORTED when the key is not one of the six Notary key specs;
 * ERR_ALGORITHM_MISMATCH when it is, but not the one `alg` needs (no algorithm substitution, §7);
 * ERR_CERT_INVALID when WebCrypto refuses the key bytes (e.g. an EC point not on the curve).
 */
export async function importVerificationKey(cert: Certificate, alg: SignatureAlgorithm): Promise<CryptoKey> {
  const keyAlg = signatureAlgorithmForCertificate(cert);
  if (keyAlg.keySpec !== alg.keySpec) {
    throw new SignetError(
      'ERR_ALGORITHM_MISMATCH',
      `signature algorithm ${alg.jws} (${alg.name}) does not match the signing certificate's ${keyAlg.keySpec} key, which requires ${keyAlg.jws} (${keyAlg.name})`
    );
  }
  try {
    return await crypto.subtle.importKey('spki', toArrayBuffer(cert.publicKey.spki), importParams(alg), false, ['verify']);
  } catch (cause) {
    throw new SignetError('ERR_CERT_INVALID', `the public key of certificate "${cert.subject}" cannot be imported: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
