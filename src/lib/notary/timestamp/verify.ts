/**
 * Checking a timestamp token: the imprint over the envelope's primitive signature, the time range
 * it vouches for, and the token's authenticity (signing-certificate-v2, chain to a trusted TSA
 * root at genTime, CMS signature and signed attributes, timestamping EKU, §8 profile).
 * Spec digest §10 "Verification", §12.4 step 5. Order and wording follow notation v1.3.2
 * (notation-go verifyTimestamp → tspclient-go → notation-core-go).
 */
import { bytesEqual, toArrayBuffer } from '../../bytes';
import type { Certificate } from '../x509/certificate';
import { DerError, TAG, readOid, readTlv } from '../x509/der';
import {
  FieldReader,
  type GoTimeLayout,
  type PreciseTime,
  dateCeil,
  dateFloor,
  dateToNs,
  expectSequence,
  formatGoTime,
  isContextTag,
  isUniversalTag,
  readBigInteger,
  readOctetString,
  readPreciseTime
} from './asn1';
import { isSignetError, SignetError } from '../../errors';
import { validateCertificateChain } from '../x509/chain';
import { goQuote } from '../x509/go-format';
import { ChainError, verifyTsaChain } from './chain';
import { TimestampError, notationTimestampMessage } from './errors';
import { HASH_BY_OID, TSP_OID } from './oids';
import { SignatureCheckError, checkCmsSignature, cmsSignatureAlgorithm } from './signature';
import { type CmsAttribute, type CmsSignerInfo, type TimestampToken, type TstInfo, parseTimestampToken, readAlgorithmIdentifier } from './token';

const NS_PER_S = 1_000_000_000n;

/** The interval a verified token vouches for: [genTime − accuracy, genTime + accuracy]. */
export interface TimestampRange {
  readonly genTime: PreciseTime;
  /** Accuracy in nanoseconds (notation's rule; see timestampRange). */
  readonly accuracyNs: bigint;
  /** Lower bound, exact, in genTime's UTC offset. */
  readonly earliestPrecise: PreciseTime;
  readonly latestPrecise: PreciseTime;
  /**
   * Lower bound rounded down and upper bound rounded up to the millisecond. Certificate validity
   * bounds are whole seconds, so comparing these Dates with them gives exactly notation's answer.
   */
  readonly earliest: Date;
  readonly latest: Date;
}

/**
 * The timestamp's range with notation's accuracy rule (spec digest §10 "Verification" step 6):
 * the TSTInfo accuracy (seconds + millis + micros) when it is non-zero; otherwise 1 s when the
 * policy is the baseline policy 0.4.0.2023.1.1 (RFC 3628), else 0. Like notation, an accuracy
 * field that is present but all zero counts as absent.
 */
export function timestampRange(tstInfo: TstInfo): TimestampRange {
  const a = tstInfo.accuracy;
  let accuracyNs = a ? BigInt(a.seconds) * NS_PER_S + BigInt(a.millis) * 1_000_000n + BigInt(a.micros) * 1_000n : 0n;
  if (accuracyNs === 0n && tstInfo.policy === TSP_OID.baselineTimestampPolicy) accuracyNs = NS_PER_S;
  const genTime = tstInfo.genTimePrecise;
  const earliestPrecise = { ns: genTime.ns - accuracyNs, offsetMinutes: genTime.offsetMinutes };
  const latestPrecise = { ns: genTime.ns + accuracyNs, offsetMinutes: genTime.offsetMinutes };
  return { genTime, accuracyNs, earliestPrecise, latestPrecise, earliest: dateFloor(earliestPrecise.ns), latest: dateCeil(latestPrecise.ns) };
}

/** tspclient-go's BoundedAfter: the range's lower bound is at or after `time`. */
export function timestampBoundedAfter(range: TimestampRange, time: Date): boolean {
  return range.earliestPrecise.ns >= dateToNs(time);
}

/** tspclient-go's BoundedBefore: the range's upper bound is at or before `time`. */
export function timestampBoundedBefore(range: TimestampRange, time: Date): boolean {
  return range.latestPrecise.ns <= dateToNs(time);
}

/** `[<lower>, <upper>]` exactly as notation prints a timestamp (tspclient-go Timestamp.Format). */
export function formatTimestampRange(range: TimestampRange, layout: GoTimeLayout): string {
  return `[${formatGoTime(range.earliestPrecise, layout)}, ${formatGoTime(range.latestPrecise, layout)}]`;
}

async function digest(hash: string, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, toArrayBuffer(bytes)));
}

async function tokenOf(token: TimestampToken | Uint8Array): Promise<TimestampToken> {
  return token instanceof Uint8Array ? parseTimestampToken(token) : token;
}

/**
 * Checks the TSTInfo against the envelope's primitive signature bytes (COSE: the signature bstr;
 * JWS: the base64url-decoded signature): version 1, a SHA-256/384/512 imprint, and the imprint
 * equal to the hash named in the token over `signatureBytes`. Returns the range on success.
 * Spec digest §10 "Verification" step 2.
 * @throws TimestampError at stage `validate`, e.g. `invalid TSTInfo: mismatched message`.
 */
export async function validateTimestampImprint(token: TimestampToken | TstInfo, signatureBytes: Uint8Array): Promise<TimestampRange> {
  const info = 'tstInfo' in token ? token.tstInfo : token;
  if (!(signatureBytes instanceof Uint8Array)) throw new TimestampError('validate', 'invalid TSTInfo: the signature bytes to compare with the imprint are missing');
  if (info.version !== 1) throw new TimestampError('validate', `invalid TSTInfo: timestamp token info version must be 1, but got ${info.version}`);
  const hash = HASH_BY_OID[info.messageImprint.hashAlgorithm.oid];
  if (!hash) throw new TimestampError('validate', `invalid TSTInfo: unrecognized hash algorithm: ${info.messageImprint.hashAlgorithm.oid}`);
  const expected = await digest(hash.name, signatureBytes);
  if (!bytesEqual(expected, info.messageImprint.hashedMessage)) throw new TimestampError('validate', 'invalid TSTInfo: mismatched message');
  return timestampRange(info);
}

// --- signed attributes ---------------------------------------------------------------------------

class AttributeNotFound extends Error {
  constructor() {
    super('attribute not found');
  }
}

/** Go's Attributes.Get: the first attribute of that type, decoded from the first element of its values. */
function attributeValue(attributes: readonly CmsAttribute[] | undefined, type: string) {
  const attribute = attributes?.find((a) => a.type === type);
  if (!attribute) throw new AttributeNotFound();
  const content = attribute.values.content;
  if (content.length === 0) throw new DerError('asn1: syntax error: sequence truncated');
  return readTlv(content, 0).node;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Go's time.Time.String() (what notation prints for a signing time). */
function goTimeString(t: PreciseTime): string {
  const iso = formatGoTime(t, 'RFC3339Nano');
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})$/.exec(iso)!;
  if (m[3] === 'Z') return `${m[1]} ${m[2]} +0000 UTC`;
  const zone = m[3]!.replace(':', '');
  return `${m[1]} ${m[2]} ${zone} ${zone}`;
}

interface EssCertId {
  hashOid?: string;
  certHash: Uint8Array;
  issuerSerial?: { issuerNameDer?: Uint8Array; serialNumber: bigint };
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL } (RFC 5035). */
function readSigningCertificateV2(signerInfo: CmsSignerInfo): EssCertId[] {
  const node = attributeValue(signerInfo.signedAttributes, TSP_OID.signingCertificateV2);
  const seq = new FieldReader(expectSequence(node, 'SigningCertificateV2'), 'SigningCertificateV2');
  const certsNode = expectSequence(seq.next('certs'), 'SigningCertificateV2.certs');
  const ids: EssCertId[] = [];
  const certs = new FieldReader(certsNode, 'SigningCertificateV2.certs');
  for (let item = certs.optional(() => true), i = 0; item; item = certs.optional(() => true), i++) {
    const what = `ESSCertIDv2[${i}]`;
    const f = new FieldReader(expectSequence(item, what), what);
    const alg = f.optional((n) => isUniversalTag(n, TAG.SEQUENCE, true));
    const certHash = readOctetString(f.next('certHash'), `${what}.certHash`);
    const serialNode = f.optional((n) => isUniversalTag(n, TAG.SEQUENCE, true));
    const id: EssCertId = { certHash, ...(alg ? { hashOid: readAlgorithmIdentifier(alg, `${what}.hashAlgorithm`).oid } : {}) };
    if (serialNode) {
      const s = new FieldReader(serialNode, `${what}.issuerSerial`);
      const names = new FieldReader(expectSequence(s.next('issuer'), `${what}.issuerSerial.issuer`), `${what}.issuerSerial.issuer`);
      const directoryName = names.optional((n) => isContextTag(n, 4));
      const serialNumber = readBigInteger(s.next('serialNumber'), `${what}.issuerSerial.serialNumber`);
      id.issuerSerial = { serialNumber, ...(directoryName ? { issuerNameDer: directoryName.content } : {}) };
    }
    ids.push(id);
  }
  return ids;
}

/**
 * The TSA certificate the signer info designates through its signing-certificate-v2 attribute
 * (RFC 5035; mandatory for Notary since spec v1.1): the first ESSCertIDv2 names it by issuer and
 * serial (or the signer identifier when absent) and by hash (SHA-256 unless stated). Only
 * certificates inside the token are considered. Throws Error with tspclient-go's text.
 */
export async function signingCertificate(token: TimestampToken, signerInfo: CmsSignerInfo): Promise<Certificate> {
  let ids: EssCertId[];
  try {
    ids = readSigningCertificateV2(signerInfo);
  } catch (e) {
    // Word for word notation's message, also when only a v1 attribute is present (notation and
    // spec v1.1 require signing-certificate-v2).
    throw new Error(`failed to get SigningCertificateV2 from signed attributes: ${message(e)}`, { cause: e });
  }
  const first = ids[0];
  if (!first) throw new Error('signingCertificateV2 does not contain any certificate');
  let issuer: Uint8Array;
  let serial: bigint;
  if (first.issuerSerial) {
    if (!first.issuerSerial.issuerNameDer) throw new Error('issuer name is missing in IssuerSerial');
    try {
      if (first.issuerSerial.issuerNameDer.length === 0) throw new DerError('asn1: syntax error: sequence truncated');
      issuer = readTlv(first.issuerSerial.issuerNameDer, 0).node.raw;
    } catch (e) {
      throw new Error(`failed to unmarshal issuer name: ${message(e)}`, { cause: e });
    }
    serial = first.issuerSerial.serialNumber;
  } else {
    issuer = signerInfo.issuer;
    serial = signerInfo.serialNumber;
  }
  const candidate = token.certificates.find((c) => bytesEqual(c.rawIssuer, issuer) && BigInt(`0x${c.serialNumber}`) === serial);
  if (!candidate) throw new Error('signing certificate not found in the timestamp token');
  const hash = first.hashOid === undefined ? HASH_BY_OID[TSP_OID.sha256] : HASH_BY_OID[first.hashOid];
  if (!hash) throw new Error('unsupported certificate hash algorithm in SigningCertificateV2 attribute');
  if (!bytesEqual(await digest(hash.name, candidate.der), first.certHash)) {
    throw new Error('signing certificate hash does not match CertHash in signed attribute');
  }
  return candidate;
}

/** tspclient-go verifySignedAttributes; returns the chain to use. Errors are the text after "cms verification failure: ". */
async function checkSignedAttributes(token: TimestampToken, signerInfo: CmsSignerInfo, chains: Certificate[][]): Promise<Certificate[]> {
  const attrs = signerInfo.signedAttributes;
  if (!attrs || attrs.length === 0) throw new Error('missing signed attributes');
  let contentType: string;
  try {
    contentType = readOid(attributeValue(attrs, TSP_OID.contentType), 'content type');
  } catch (e) {
    throw new Error(`invalid content type: ${message(e)}`, { cause: e });
  }
  if (contentType !== token.contentType) {
    throw new Error(`mismatch content type: found ${goQuote(contentType)} in signer info, and ${goQuote(token.contentType)} in signed data`);
  }
  let expectedDigest: Uint8Array;
  try {
    expectedDigest = readOctetString(attributeValue(attrs, TSP_OID.messageDigest), 'message digest');
  } catch (e) {
    throw new Error(`invalid message digest: ${message(e)}`, { cause: e });
  }
  const hash = HASH_BY_OID[signerInfo.digestAlgorithm.oid];
  if (!hash) throw new Error('unsupported digest algorithm');
  if (!bytesEqual(await digest(hash.name, token.content), expectedDigest)) throw new Error('mismatch message digest');
  let signingTime: PreciseTime;
  try {
    signingTime = readPreciseTime(attributeValue(attrs, TSP_OID.signingTime), 'signing time');
  } catch (e) {
    if (e instanceof AttributeNotFound) return chains[0]!;
    throw new Error(`invalid signing time: ${message(e)}`, { cause: e });
  }
  const within = chains.find((chain) => chain.every((c) => signingTime.ns >= dateToNs(c.notBefore) && signingTime.ns <= dateToNs(c.notAfter)));
  if (!within) throw new Error(`signing time, ${goTimeString(signingTime)}, is outside certificate's validity period`);
  return within;
}

/** One signer info through tspclient-go's SignedToken.Verify loop body. Errors carry the full "failed to verify signed token: …" text. */
async function verifySigner(token: TimestampToken, signerInfo: CmsSignerInfo, roots: readonly Certificate[], at: PreciseTime): Promise<{ chain: Certificate[]; signer: Certificate }> {
  let signer: Certificate;
  try {
    signer = await signingCertificate(token, signerInfo);
  } catch (e) {
    throw new Error(`failed to verify signed token: ${message(e)}`, { cause: e });
  }
  const cms = (text: string, cause?: unknown) => new Error(`failed to verify signed token: cms verification failure: ${text}`, cause === undefined ? undefined : { cause });
  if (signerInfo.version !== 1) throw cms(`invalid signer info version: only version 1 is supported; got ${signerInfo.version}`);
  let chains: Certificate[][];
  try {
    chains = await verifyTsaChain(signer, token.certificates, roots, at);
  } catch (e) {
    if (e instanceof ChainError) throw cms(e.message, e);
    throw e;
  }
  const algorithm = cmsSignatureAlgorithm(signerInfo.digestAlgorithm.oid, signerInfo.signatureAlgorithm.oid);
  if (!algorithm) throw cms('unknown signature algorithm');
  try {
    await checkCmsSignature(algorithm, signerInfo.signedAttributesDer ?? token.content, signerInfo.signature, signer);
  } catch (e) {
    if (e instanceof SignatureCheckError) throw cms(e.message, e);
    throw e;
  }
  let chain: Certificate[];
  try {
    chain = await checkSignedAttributes(token, signerInfo, chains);
  } catch (e) {
    throw cms(message(e), e);
  }
  // RFC 3161 §2.3: exactly one EKU, id-kp-timeStamping, in a critical extension.
  const eku = signer.extendedKeyUsage;
  if (!eku || eku.oids.length !== 1 || eku.oids[0] !== TSP_OID.ekuTimeStamping) {
    throw new Error('failed to verify signed token: signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage');
  }
  if (!eku.critical) throw new Error('failed to verify signed token: signing certificate extended key usage extension must be set as critical');
  return { chain, signer };
}

export interface VerifyTimestampOptions {
  /** Trusted TSA roots (the policy's `tsa` stores, or `--timestamp-root-cert` when signing). */
  readonly tsaRoots: readonly Certificate[];
  /** The envelope's primitive signature bytes, which the imprint must cover. */
  readonly signatureBytes: Uint8Array;
  /**
   * When the TSA chain must be valid. Default: the token's genTime (verification, as notation).
   * When signing, notation checks the fresh token's chain at the current time: pass the clock.
   */
  readonly at?: Date;
}

export interface VerifiedTimestamp {
  readonly token: TimestampToken;
  readonly range: TimestampRange;
  /** TSA chain, signer certificate first, trusted root last (what TSA revocation checking needs). */
  readonly tsaChain: readonly Certificate[];
  readonly signerCertificate: Certificate;
}

/**
 * Verifies a timestamp token for an envelope, the way notation does in the authentic-timestamp
 * step (spec digest §10 "Verification" steps 2–4, §12.4 step 5):
 * 1. the imprint covers `signatureBytes` (stage `validate`);
 * 2. at least one TSA root is given (stage `trust`);
 * 3. for some signer info: its signing-certificate-v2 designates a certificate in the token, that
 *    certificate chains through the token's certificates to a trusted root (byte-identical or
 *    issuing) with every certificate valid at genTime and EKU timeStamping allowed down the chain,
 *    the CMS signature verifies over the signed attributes, content-type and message-digest
 *    attributes match the TSTInfo, a signing-time attribute (if any) lies in the chain's
 *    validity, and the signer's EKU is exactly timeStamping and critical (stage `verify`);
 * 4. the chain meets the timestamping certificate profile of §8 (stage `chain`).
 * TSA revocation (§10 step 5) is not done here: it needs the network; use `tsaChain`.
 * @throws TimestampError (ERR_TIMESTAMP_INVALID); `notationTimestampMessage(e)` gives notation's full message.
 */
export async function verifyTimestampToken(tokenOrBytes: TimestampToken | Uint8Array, options: VerifyTimestampOptions): Promise<VerifiedTimestamp> {
  const token = await tokenOf(tokenOrBytes);
  const range = await validateTimestampImprint(token, options.signatureBytes);
  if (options.tsaRoots.length === 0) throw new TimestampError('trust', 'no trusted TSA certificate found in trust store');
  const at: PreciseTime = options.at ? { ns: dateToNs(options.at), offsetMinutes: 0 } : token.tstInfo.genTimePrecise;
  if (token.signerInfos.length === 0) throw new TimestampError('verify', 'failed to verify signed token: signerInfo not found');
  let lastError: unknown;
  let verified: { chain: Certificate[]; signer: Certificate } | undefined;
  for (const signerInfo of token.signerInfos) {
    try {
      verified = await verifySigner(token, signerInfo, options.tsaRoots, at);
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (!verified) throw new TimestampError('verify', message(lastError), { cause: lastError });
  try {
    await validateCertificateChain(verified.chain, 'timestamping');
  } catch (e) {
    if (isSignetError(e)) throw new TimestampError('chain', e.message, { cause: e });
    throw e;
  }
  return { token, range, tsaChain: verified.chain, signerCertificate: verified.signer };
}

/**
 * The authentic-timestamp token check as notation's verifier runs it (spec digest §12.4 step 5,
 * after the tsa store was loaded and found non-empty): parse, imprint over the primitive
 * signature bytes, verify against `tsaRoots` at genTime, §8 profile. The range still has to be
 * compared with the signing chain, and TSA revocation checked, by the caller.
 * @throws SignetError (ERR_TIMESTAMP_INVALID) whose message is notation's whole message, e.g.
 *   `failed to verify the timestamp countersignature with error: failed to verify signed token: …`;
 *   its `cause` is the TimestampError with the stage.
 */
export async function verifyTimestampForSignature(token: Uint8Array, signatureBytes: Uint8Array, tsaRoots: readonly Certificate[]): Promise<VerifiedTimestamp> {
  try {
    return await verifyTimestampToken(await parseTimestampToken(token), { tsaRoots, signatureBytes });
  } catch (e) {
    if (e instanceof TimestampError) throw new SignetError(e.code, notationTimestampMessage(e), { cause: e });
    throw e;
  }
}
