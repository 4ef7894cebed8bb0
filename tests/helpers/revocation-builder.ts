/**
 * Builds signed OCSP responses (RFC 6960) and CRLs (RFC 5280 §5) for revocation unit tests, in
 * Node and in Chromium alike (DER by hand, signatures by WebCrypto with test-pki keys). OpenSSL
 * made the committed fixtures under tests/fixtures/revocation; this builder makes the shapes
 * OpenSSL will not (critical extensions, several SingleResponses, SHA-256 CertIDs, removeFromCRL,
 * delta CRLs with chosen numbers, wrong names…).
 *
 *   const der = await buildOcspResponse({ signer: { cert: ca, key }, producedAt, responses: [
 *     { serial: serialOf(leaf), issuer: ca, status: 'good', thisUpdate, nextUpdate } ] });
 *   const crl = await buildCrl({ issuer: ca, key, thisUpdate, nextUpdate, number: 1n, entries: [...] });
 */
import { concatBytes, toArrayBuffer } from '../../src/lib/bytes';
import { DER_NULL, derInteger, derOctetString, derOid, derSequence, tlv } from '../../src/lib/notary/timestamp/asn1';
import type { Certificate } from '../../src/lib/notary/x509/certificate';
import { subjectPublicKeyBits } from '../../src/lib/notary/revocation/asn1';
import type { TestKey } from './test-pki';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASH_OID: Record<HashName, string> = {
  'SHA-1': '1.3.14.3.2.26',
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3'
};

export interface ExtSpec {
  oid: string;
  critical?: boolean;
  /** The extnValue content (DER of the extension's value). */
  value: Uint8Array;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** SEQUENCE over any number of parts (derSequence spreads its arguments, which overflows the stack for huge lists). */
export function sequenceOf(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const content = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    content.set(p, at);
    at += p.length;
  }
  return tlv(0x30, content);
}

export function generalizedTime(d: Date): Uint8Array {
  const s = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return tlv(0x18, new TextEncoder().encode(s));
}

export function utcTime(d: Date): Uint8Array {
  const s = `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
}

export function enumerated(v: number): Uint8Array {
  return tlv(0x0a, derInteger(BigInt(v)).subarray(2));
}

export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(0x03, concatBytes(new Uint8Array([0]), bytes));
}

/** `[n] EXPLICIT` around one value. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 | n, inner);
}

export function extensions(list: readonly ExtSpec[]): Uint8Array {
  return derSequence(
    ...list.map((e) => derSequence(derOid(e.oid), ...(e.critical ? [new Uint8Array([0x01, 0x01, 0xff])] : []), derOctetString(e.value)))
  );
}

export function invalidityDateExtension(date: Date, critical = false): ExtSpec {
  return { oid: '2.5.29.24', critical, value: generalizedTime(date) };
}

/** A DistributionPoints value (CRL distribution points / Freshest CRL) naming `urls`. */
export function distributionPoints(urls: readonly string[]): Uint8Array {
  const names = urls.map((u) => tlv(0x86, new TextEncoder().encode(u)));
  return derSequence(derSequence(explicit(0, tlv(0xa0, concatBytes(...names)))));
}

async function digest(hash: HashName, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, toArrayBuffer(bytes)));
}

/** Signature over `tbs` with a test key: the AlgorithmIdentifier DER and the signature bytes. */
export async function signWith(key: TestKey, tbs: Uint8Array, hash: HashName = 'SHA-256'): Promise<{ algorithm: Uint8Array; signature: Uint8Array }> {
  if (key.keyType === 'EC') {
    const curve = key.spec === 'EC-256' ? 'P-256' : key.spec === 'EC-384' ? 'P-384' : 'P-521';
    const k = await crypto.subtle.importKey('pkcs8', key.pkcs8, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, k, toArrayBuffer(tbs)));
    const half = raw.length / 2;
    const int = (b: Uint8Array) => derInteger(BigInt(`0x${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`));
    const oid = { 'SHA-1': '1.2.840.10045.4.1', 'SHA-256': '1.2.840.10045.4.3.2', 'SHA-384': '1.2.840.10045.4.3.3', 'SHA-512': '1.2.840.10045.4.3.4' }[hash];
    return { algorithm: derSequence(derOid(oid)), signature: derSequence(int(raw.subarray(0, half)), int(raw.subarray(half))) };
  }
  const k = await crypto.subtle.importKey('pkcs8', key.pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, k, toArrayBuffer(tbs)));
  const oid = { 'SHA-1': '1.2.840.113549.1.1.5', 'SHA-256': '1.2.840.113549.1.1.11', 'SHA-384': '1.2.840.113549.1.1.12', 'SHA-512': '1.2.840.113549.1.1.13' }[hash];
  return { algorithm: derSequence(derOid(oid), DER_NULL), signature };
}

// --- OCSP -----------------------------------------------------------------------------------------

export interface SingleSpec {
  serial: bigint;
  /** The CA the CertID names (name and key hashes are computed from it unless overridden). */
  issuer: Certificate;
  hash?: HashName;
  nameHash?: Uint8Array;
  keyHash?: Uint8Array;
  status: 'good' | 'unknown' | { revokedAt: Date; reason?: number };
  thisUpdate: Date;
  nextUpdate?: Date;
  extensions?: ExtSpec[];
}

export async function certId(spec: Pick<SingleSpec, 'serial' | 'issuer' | 'hash' | 'nameHash' | 'keyHash'>): Promise<Uint8Array> {
  const hash = spec.hash ?? 'SHA-1';
  return derSequence(
    derSequence(derOid(HASH_OID[hash]), DER_NULL),
    derOctetString(spec.nameHash ?? (await digest(hash, spec.issuer.rawSubject))),
    derOctetString(spec.keyHash ?? (await digest(hash, subjectPublicKeyBits(spec.issuer.publicKey.spki)))),
    derInteger(spec.serial)
  );
}

async function singleResponse(s: SingleSpec): Promise<Uint8Array> {
  let status: Uint8Array;
  if (s.status === 'good') status = new Uint8Array([0x80, 0x00]);
  else if (s.status === 'unknown') status = new Uint8Array([0x82, 0x00]);
  else status = tlv(0xa1, concatBytes(generalizedTime(s.status.revokedAt), ...(s.status.reason !== undefined ? [explicit(0, enumerated(s.status.reason))] : [])));
  return derSequence(
    await certId(s),
    status,
    generalizedTime(s.thisUpdate),
    ...(s.nextUpdate ? [explicit(0, generalizedTime(s.nextUpdate))] : []),
    ...(s.extensions?.length ? [explicit(1, extensions(s.extensions))] : [])
  );
}

export interface OcspResponseSpec {
  responses: SingleSpec[];
  /** Who signs: the certificate (for the responder ID) and its key. */
  signer: { cert: Certificate; key: TestKey };
  /** Responder ID by name (default) or by SHA-1 key hash. */
  responderId?: 'name' | 'key';
  /** DER certificates for the `certs` field. */
  certs?: Uint8Array[];
  producedAt: Date;
  responseExtensions?: ExtSpec[];
  signatureHash?: HashName;
  /** Changes the signed bytes after signing (to break the signature). */
  afterSigning?: (tbs: Uint8Array) => Uint8Array;
}

export async function buildOcspResponse(spec: OcspResponseSpec): Promise<Uint8Array> {
  const rid =
    spec.responderId === 'key'
      ? explicit(2, derOctetString(await digest('SHA-1', subjectPublicKeyBits(spec.signer.cert.publicKey.spki))))
      : explicit(1, spec.signer.cert.rawSubject);
  const singles = await Promise.all(spec.responses.map(singleResponse));
  const tbs = derSequence(
    rid,
    generalizedTime(spec.producedAt),
    derSequence(...singles),
    ...(spec.responseExtensions?.length ? [explicit(1, extensions(spec.responseExtensions))] : [])
  );
  const { algorithm, signature } = await signWith(spec.signer.key, tbs, spec.signatureHash);
  const signedTbs = spec.afterSigning ? spec.afterSigning(tbs) : tbs;
  const basic = derSequence(signedTbs, algorithm, bitString(signature), ...(spec.certs?.length ? [explicit(0, derSequence(...spec.certs))] : []));
  return derSequence(enumerated(0), explicit(0, derSequence(derOid('1.3.6.1.5.5.7.48.1.1'), derOctetString(basic))));
}

/** An OCSPResponse with an error status and no body (1 malformedRequest … 6 unauthorized). */
export function ocspErrorResponse(status: number): Uint8Array {
  return derSequence(enumerated(status));
}

// --- CRL ------------------------------------------------------------------------------------------

export interface CrlEntrySpec {
  serial: bigint;
  date: Date;
  reason?: number;
  invalidityDate?: Date;
  extensions?: ExtSpec[];
}

export interface CrlSpec {
  /** The CA: its subject becomes the CRL issuer unless `issuerName` is given. */
  issuer: Certificate;
  key: TestKey;
  issuerName?: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  number?: bigint;
  /** Makes it a delta CRL with this BaseCRLNumber (critical, as RFC 5280 requires). */
  deltaBase?: bigint;
  /** Freshest CRL extension URLs (where the delta is). */
  freshest?: string[];
  entries?: CrlEntrySpec[];
  extensions?: ExtSpec[];
  signatureHash?: HashName;
  /** Use UTCTime for the CRL times (as most CAs do until 2050). */
  utc?: boolean;
}

export async function buildCrl(spec: CrlSpec): Promise<Uint8Array> {
  const time = spec.utc ? utcTime : generalizedTime;
  const entries = (spec.entries ?? []).map((e) => {
    const ext: ExtSpec[] = [
      ...(e.reason !== undefined ? [{ oid: '2.5.29.21', value: enumerated(e.reason) }] : []),
      ...(e.invalidityDate ? [invalidityDateExtension(e.invalidityDate)] : []),
      ...(e.extensions ?? [])
    ];
    return derSequence(derInteger(e.serial), time(e.date), ...(ext.length ? [extensions(ext)] : []));
  });
  const crlExt: ExtSpec[] = [
    ...(spec.number !== undefined ? [{ oid: '2.5.29.20', value: derInteger(spec.number) }] : []),
    ...(spec.deltaBase !== undefined ? [{ oid: '2.5.29.27', critical: true, value: derInteger(spec.deltaBase) }] : []),
    ...(spec.freshest ? [{ oid: '2.5.29.46', value: distributionPoints(spec.freshest) }] : []),
    ...(spec.extensions ?? [])
  ];
  const probe = await signWith(spec.key, new Uint8Array(0), spec.signatureHash);
  const tbs = derSequence(
    derInteger(1n),
    probe.algorithm,
    spec.issuerName ?? spec.issuer.rawSubject,
    time(spec.thisUpdate),
    ...(spec.nextUpdate ? [time(spec.nextUpdate)] : []),
    ...(entries.length ? [sequenceOf(entries)] : []),
    ...(crlExt.length ? [explicit(0, extensions(crlExt))] : [])
  );
  const { algorithm, signature } = await signWith(spec.key, tbs, spec.signatureHash);
  return derSequence(tbs, algorithm, bitString(signature));
}
