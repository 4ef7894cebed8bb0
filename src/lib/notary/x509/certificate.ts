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
  CLASS_CONTEXT,
  DerError,
  DerReader,
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
  readTlv,
  readerOf
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

/** Go's parseAI: an OID, then optional parameters; anything after them is ignored. */
function parseAlgorithmIdentifier(node: DerNode): { oid: string; parameters?: Uint8Array } {
  const r = readerOf(node);
  const oid = readOid(r.readTag(0x06, 'malformed OID'), 'malformed OID');
  if (r.empty) return { oid };
  return { oid, parameters: r.read('malformed parameters').raw };
}

// --- public keys ---------------------------------------------------------------------------------

function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

/** Go's parsePublicKey for the key types it knows; others are kept as 'unknown'. */
function parsePublicKey(spkiNode: DerNode): CertificatePublicKey {
  const r = readerOf(spkiNode);
  const alg = parseAlgorithmIdentifier(r.readTag(0x30, 'malformed public key algorithm identifier'));
  const { bytes: key, unusedBits } = readBitString(r.readTag(0x03, 'malformed subjectPublicKey'), 'malformed subjectPublicKey');
  const spki = spkiNode.raw;
  switch (alg.oid) {
    case OID.rsaEncryption: {
      if (!alg.parameters || !bytesEqual(alg.parameters, new Uint8Array([0x05, 0x00]))) throw new DerError('RSA key missing NULL parameters');
      // Go reads the BIT STRING's bytes as RSAPublicKey (trailing bytes ignored).
      const keyReader = new DerReader(key);
      const fields = readerOf(keyReader.readTag(0x30, 'invalid RSA public key'));
      const n = readInteger(fields.readTag(0x02, 'invalid RSA modulus'), 'invalid RSA modulus');
      const e = readInteger(fields.readTag(0x02, 'invalid RSA public exponent'), 'invalid RSA public exponent');
      if (n <= 0n) throw new DerError('RSA modulus is not a positive number');
      if (e <= 0n || e > 0x7fffffffn) throw new DerError('RSA public exponent is not a positive number');
      if (unusedBits !== 0) throw new DerError('invalid RSA public key');
      // Go reports Size()*8, i.e. the modulus length rounded up to whole bytes.
      return { keyType: 'RSA', keySize: Math.ceil(bitLength(n) / 8) * 8, algorithmOid: alg.oid, spki };
    }
    case OID.ecPublicKey: {
      if (!alg.parameters) throw new DerError('invalid ECDSA parameters');
      const curveOid = readOid(new DerReader(alg.parameters).readTag(0x06, 'invalid ECDSA parameters'), 'invalid ECDSA parameters');
      const curve = CURVES[curveOid];
      if (!curve) throw new DerError('unsupported elliptic curve');
      // Uncompressed points only (Go's ecdsa parsing); on-curve is checked when WebCrypto imports it.
      if (unusedBits !== 0 || key.length !== 1 + 2 * curve.coordinateBytes || key[0] !== 0x04) {
        throw new DerError('failed to unmarshal elliptic curve point');
      }
      return { keyType: 'EC', keySize: curve.bits, curve: curve.name, algorithmOid: alg.oid, spki };
    }
    case OID.ed25519:
    case OID.x25519: {
      const name = alg.oid === OID.ed25519 ? 'Ed25519' : 'X25519';
      if (alg.parameters) throw new DerError(`${name} key encoded with illegal parameters`);
      if (unusedBits !== 0 || key.length !== 32) throw new DerError(`${name}: bad public key length`);
      return { keyType: name, keySize: 256, algorithmOid: alg.oid, spki };
    }
    case OID.dsa: {
      let size = 0;
      if (alg.parameters) {
        const p = new DerReader(alg.parameters);
        const params = readerOf(p.readTag(0x30, 'invalid DSA parameters'));
        size = bitLength(readInteger(params.readTag(0x02, 'invalid DSA parameters'), 'invalid DSA parameters'));
      }
      return { keyType: 'DSA', keySize: size, algorithmOid: alg.oid, spki };
    }
    default:
      // Go keeps unknown key algorithms (PublicKeyAlgorithm = Unknown) rather than failing.
      return { keyType: 'unknown', keySize: 0, algorithmOid: alg.oid, spki };
  }
}

// --- extensions ----------------------------------------------------------------------------------

/** Go's parseExtension: OID, optional BOOLEAN, OCTET STRING; the rest ignored. */
function parseExtension(node: DerNode): CertificateExtension {
  const r = readerOf(node);
  const oid = readOid(r.readTag(0x06, 'malformed extension OID field'), 'malformed extension OID field');
  let critical = false;
  if (r.peekByte() === 0x01) critical = readBoolean(r.read('malformed extension critical field'), 'malformed extension critical field');
  const value = r.readTag(0x04, 'malformed extension value field').content;
  return { oid, critical, value };
}

function parseExtensions(node: DerNode): CertificateExtension[] {
  const list = readerOf(readerOf(node).readTag(0x30, 'malformed extensions'));
  const out: CertificateExtension[] = [];
  const seen = new Set<string>();
  while (!list.empty) {
    const ext = parseExtension(list.readTag(0x30, 'malformed extension'));
    if (seen.has(ext.oid)) throw new DerError(`certificate contains duplicate extension with OID "${ext.oid}"`);
    seen.add(ext.oid);
    out.push(ext);
  }
  return out;
}

function parseBasicConstraints(ext: CertificateExtension): BasicConstraints {
  const fields = readerOf(new DerReader(ext.value).readTag(0x30, 'invalid basic constraints'));
  let cA = false;
  if (fields.peekByte() === 0x01) cA = readBoolean(fields.read('invalid basic constraints'), 'invalid basic constraints');
  let pathLenConstraint: number | undefined;
  if (fields.peekByte() === 0x02) {
    const v = readInteger(fields.read('invalid basic constraints'), 'invalid basic constraints');
    if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) throw new DerError('invalid basic constraints');
    pathLenConstraint = Number(v);
  }
  return pathLenConstraint === undefined ? { critical: ext.critical, cA } : { critical: ext.critical, cA, pathLenConstraint };
}

function parseKeyUsage(ext: CertificateExtension): KeyUsage {
  const bits = readBitString(new DerReader(ext.value).readTag(0x03, 'invalid key usage'), 'invalid key usage').bytes;
  const usages = KEY_USAGE_BITS.filter((_, i) => ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
  return { critical: ext.critical, usages };
}

function parseExtendedKeyUsage(ext: CertificateExtension): ExtendedKeyUsage {
  const items = readerOf(new DerReader(ext.value).readTag(0x30, 'invalid extended key usages'));
  const oids: string[] = [];
  while (!items.empty) oids.push(readOid(items.readTag(0x06, 'invalid extended key usages'), 'invalid extended key usages'));
  return { critical: ext.critical, oids };
}

function isIA5(bytes: Uint8Array): boolean {
  return bytes.every((b) => b < 0x80);
}

/**
 * The structural checks Go's processExtensions makes on the other extensions it understands, so
 * a certificate Go refuses to parse is refused here too. Not replicated: Go's domain-name and
 * mailbox syntax checks inside name constraints and SAN URIs.
 */
function checkOtherExtension(ext: CertificateExtension): void {
  const v = new DerReader(ext.value);
  switch (ext.oid) {
    case '2.5.29.14': // subjectKeyIdentifier
      if (ext.critical) throw new DerError('subject key identifier incorrectly marked critical');
      v.readTag(0x04, 'invalid subject key identifier');
      return;
    case '2.5.29.35': {
      // authorityKeyIdentifier
      if (ext.critical) throw new DerError('authority key identifier incorrectly marked critical');
      const akid = readerOf(v.readTag(0x30, 'invalid authority key identifier'));
      if (akid.peekByte() === 0x80) akid.read('invalid authority key identifier');
      return;
    }
    case '2.5.29.17': {
      // subjectAltName
      const names = readerOf(v.readTag(0x30, 'invalid subject alternative names'));
      while (!names.empty) {
        const n = names.read('invalid subject alternative name');
        if (n.tagClass !== CLASS_CONTEXT) continue;
        if (n.tagNumber === 1 && !isIA5(n.content)) throw new DerError('SAN rfc822Name is malformed');
        if (n.tagNumber === 2 && !isIA5(n.content)) throw new DerError('SAN dNSName is malformed');
        if (n.tagNumber === 6 && !isIA5(n.content)) throw new DerError('SAN uniformResourceIdentifier is malformed');
        if (n.tagNumber === 7 && n.content.length !== 4 && n.content.length !== 16) {
          throw new DerError(`cannot parse IP address of length ${n.content.length}`);
        }
      }
      return;
    }
    case '2.5.29.30': {
      // nameConstraints
      const nc = readerOf(v.readTag(0x30, 'invalid NameConstraints extension'));
      if (!v.empty) throw new DerError('invalid NameConstraints extension');
      const permitted = nc.readOptional(0xa0, 'invalid NameConstraints extension');
      const excluded = nc.readOptional(0xa1, 'invalid NameConstraints extension');
      if (!nc.empty) throw new DerError('invalid NameConstraints extension');
      if ((permitted?.content.length ?? 0) === 0 && (excluded?.content.length ?? 0) === 0) throw new DerError('empty name constraints extension');
      for (const subtrees of [permitted, excluded]) {
        if (!subtrees) continue;
        const s = readerOf(subtrees);
        while (!s.empty) readerOf(s.readTag(0x30, 'invalid NameConstraints extension')).read('invalid NameConstraints extension');
      }
      return;
    }
    case '2.5.29.31': {
      // cRLDistributionPoints
      const dps = readerOf(v.readTag(0x30, 'invalid CRL distribution points'));
      while (!dps.empty) {
        const dp = readerOf(dps.readTag(0x30, 'invalid CRL distribution point'));
        const name = dp.readOptional(0xa0, 'invalid CRL distribution point');
        if (!name) continue;
        const full = readerOf(readerOf(name).readTag(0xa0, 'invalid CRL distribution point'));
        while (!full.empty && full.peekByte() === 0x86) full.read('invalid CRL distribution point');
      }
      return;
    }
    case '2.5.29.32': {
      // certificatePolicies
      const policies = readerOf(v.readTag(0x30, 'invalid certificate policies'));
      const seen = new Set<string>();
      while (!policies.empty) {
        const oid = readOid(readerOf(policies.readTag(0x30, 'invalid certificate policies')).readTag(0x06, 'invalid certificate policies'), 'invalid certificate policies');
        if (seen.has(oid)) throw new DerError('invalid certificate policies');
        seen.add(oid);
      }
      return;
    }
    case '2.5.29.33': {
      // policyMappings
      const maps = readerOf(v.readTag(0x30, 'invalid policy mappings extension'));
      while (!maps.empty) {
        const m = readerOf(maps.readTag(0x30, 'invalid policy mappings extension'));
        m.readTag(0x06, 'invalid policy mappings extension');
        m.readTag(0x06, 'invalid policy mappings extension');
      }
      return;
    }
    case '2.5.29.36': {
      // policyConstraints
      const pc = readerOf(v.readTag(0x30, 'invalid policy constraints extension'));
      for (const tag of [0x80, 0x81]) {
        const n = pc.readOptional(tag, 'invalid policy constraints extension');
        if (n && (n.content.length === 0 || n.content.length > 8)) throw new DerError('invalid policy constraints extension');
      }
      return;
    }
    case '2.5.29.54': // inhibitAnyPolicy
      readInteger(v.readTag(0x02, 'invalid inhibit any policy extension'), 'invalid inhibit any policy extension');
      return;
    case '1.3.6.1.5.5.7.1.1': {
      // authorityInfoAccess
      if (ext.critical) throw new DerError('authority info access incorrectly marked critical');
      const aia = readerOf(v.readTag(0x30, 'invalid authority info access'));
      while (!aia.empty) {
        const ad = readerOf(aia.readTag(0x30, 'invalid authority info access'));
        readOid(ad.readTag(0x06, 'invalid authority info access'), 'invalid authority info access');
        if (ad.peekByte() === 0x86) ad.read('invalid authority info access');
      }
      return;
    }
  }
}

// --- certificates --------------------------------------------------------------------------------

/**
 * Walks the certificate like Go's parseCertificate: fields in order, the same error texts, and
 * bytes after the known fields of a structure ignored where Go ignores them.
 */
function parseStructure(der: Uint8Array): Omit<Certificate, 'sha256Fingerprint'> {
  const { node: top, next } = readTlv(der, 0);
  if (top.tagClass !== 0 || top.tagNumber !== TAG.SEQUENCE || !top.constructed) throw new DerError('malformed certificate');
  if (next !== der.length) throw new DerError('trailing data');
  const input = readerOf(top);
  const tbsNode = input.readTag(0x30, 'malformed tbs certificate');
  const tbs = readerOf(tbsNode);
  let version = 1;
  if (tbs.peekByte() === 0xa0) {
    const v = readerOf(tbs.read('malformed version'));
    const n = readInteger(v.readTag(0x02, 'malformed version'), 'malformed version');
    if (!v.empty || n < 0n) throw new DerError('malformed version');
    if (n > 2n) throw new DerError('invalid version');
    version = Number(n) + 1;
  }
  const serial = readInteger(tbs.readTag(0x02, 'malformed serial number'), 'malformed serial number');
  if (serial < 0n) throw new DerError('negative serial number');
  const innerAlgNode = tbs.readTag(0x30, 'malformed signature algorithm identifier');
  const outerAlgNode = input.readTag(0x30, 'malformed algorithm identifier');
  if (!bytesEqual(innerAlgNode.content, outerAlgNode.content)) {
    throw new DerError("inner and outer signature algorithm identifiers don't match");
  }
  const sigAlg = parseAlgorithmIdentifier(innerAlgNode);
  const issuerNode = tbs.readTag(0x30, 'malformed issuer');
  const issuer = parseName(issuerNode, 'issuer');
  const validity = readerOf(tbs.readTag(0x30, 'malformed validity'));
  const notBefore = readTime(validity.read('notBefore: malformed validity'), 'notBefore');
  const notAfter = readTime(validity.read('notAfter: malformed validity'), 'notAfter');
  const subjectNode = tbs.readTag(0x30, 'malformed subject');
  const subject = parseName(subjectNode, 'subject');
  const spkiNode = tbs.readTag(0x30, 'malformed spki');
  const publicKey = parsePublicKey(spkiNode);
  let extensions: CertificateExtension[] = [];
  if (version > 1) {
    tbs.readOptional(0x81, 'malformed issuerUniqueID');
    tbs.readOptional(0x82, 'malformed subjectUniqueID');
    if (version === 3) {
      const extNode = tbs.readOptional(0xa3, 'malformed extensions');
      if (extNode) extensions = parseExtensions(extNode);
    }
  }
  const signature = readBitString(input.readTag(0x03, 'malformed signature'), 'malformed signature').bytes;

  let basicConstraints: BasicConstraints | undefined;
  let keyUsage: KeyUsage | undefined;
  let extendedKeyUsage: ExtendedKeyUsage | undefined;
  for (const ext of extensions) {
    if (ext.oid === OID.basicConstraints) basicConstraints = parseBasicConstraints(ext);
    else if (ext.oid === OID.keyUsage) keyUsage = parseKeyUsage(ext);
    else if (ext.oid === OID.extKeyUsage) extendedKeyUsage = parseExtendedKeyUsage(ext);
    else checkOtherExtension(ext);
  }

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
    rawSubject: subjectNode.raw,
    rawIssuer: issuerNode.raw,
    notBefore,
    notAfter,
    publicKey,
    ...(basicConstraints ? { basicConstraints } : {}),
    isCA: basicConstraints?.cA === true,
    ...(keyUsage ? { keyUsage } : {}),
    ...(extendedKeyUsage ? { extendedKeyUsage } : {}),
    extensions,
    isSelfIssued: bytesEqual(subjectNode.raw, issuerNode.raw),
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
  return deepFreeze({ ...parsed, sha256Fingerprint });
}

/** Freezes plain objects and arrays (typed arrays cannot be frozen; callers must not write to them). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof Date) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** True when the bytes look like text containing a PEM block. */
function looksLikePem(bytes: Uint8Array): boolean {
  const head = bytes.length;
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
        // Each certificate is a SEQUENCE; stop at the first thing that is not (Go stops at the first error).
        if (bytes[offset] !== 0x30) throw new DerError('malformed certificate');
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
