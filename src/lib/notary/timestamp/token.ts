/**
 * Decoding an RFC 3161 TimeStampToken: a CMS SignedData (RFC 5652 §5) whose encapsulated content
 * is a TSTInfo (RFC 3161 §2.4.2). Acceptance follows notation (tspclient-go): BER with definite
 * lengths, SignedData version 3, IssuerAndSerialNumber signer identifiers, X.509 certificates
 * only, eContentType id-ct-TSTInfo. Spec digest §10 "Verification" step 1.
 */
import { concatBytes } from '../../bytes';
import { isSignetError } from '../../errors';
import { type Certificate, parseCertificate } from '../x509/certificate';
import { DerError, TAG, type DerNode, childrenOf, readBoolean, readOid, readTlv } from '../x509/der';
import { parseNameBytes } from '../x509/name';
import {
  FieldReader,
  type PreciseTime,
  compareBytes,
  dateFloor,
  derSequence,
  expectSequence,
  expectSet,
  isContextTag,
  isUniversalTag,
  readBigInteger,
  readOctetString,
  readPreciseTime,
  readSmallInteger,
  structureError,
  tlv
} from './asn1';
import { BerError, convertBerToDer } from './ber';
import { TimestampError } from './errors';
import { TSP_OID } from './oids';

/** Largest token accepted (notation reads TSA responses up to 1 MiB; real tokens are under 16 KiB). */
export const MAX_TIMESTAMP_TOKEN_BYTES = 1024 * 1024;
/** Most certificates accepted in one token. */
export const MAX_TOKEN_CERTIFICATES = 256;
/** Most signer infos accepted in one token. */
export const MAX_TOKEN_SIGNER_INFOS = 64;

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** Full DER of the parameters, when present (e.g. `05 00` for NULL). */
  readonly parameters?: Uint8Array;
}

export interface MessageImprint {
  readonly hashAlgorithm: AlgorithmIdentifier;
  readonly hashedMessage: Uint8Array;
}

export interface Accuracy {
  readonly seconds: number;
  readonly millis: number;
  readonly micros: number;
}

/** TSTInfo (RFC 3161 §2.4.2). */
export interface TstInfo {
  readonly version: number;
  /** TSA policy OID. */
  readonly policy: string;
  readonly messageImprint: MessageImprint;
  readonly serialNumber: bigint;
  /** genTime rounded down to the millisecond. */
  readonly genTime: Date;
  /** genTime exactly (nanoseconds) with the UTC offset it was written in. */
  readonly genTimePrecise: PreciseTime;
  /** Absent when the token has no accuracy field. */
  readonly accuracy?: Accuracy;
  readonly ordering: boolean;
  readonly nonce?: bigint;
  /** The TSA's GeneralName as DER, when given. */
  readonly tsa?: Uint8Array;
  /** The TSA name rendered like Go's pkix.Name.String() when it is a directoryName. */
  readonly tsaName?: string;
  /** DER of the TSTInfo (what the messageDigest attribute covers). */
  readonly der: Uint8Array;
}

export interface CmsAttribute {
  readonly type: string;
  /** DER of the attribute type OID as written. */
  readonly typeDer: Uint8Array;
  /** The attribute's value set as written (any TLV; Go decodes the first element of its content). */
  readonly values: DerNode;
}

export interface CmsSignerInfo {
  readonly version: number;
  /** Raw DER of the signer identifier's issuer Name. */
  readonly issuer: Uint8Array;
  readonly serialNumber: bigint;
  readonly digestAlgorithm: AlgorithmIdentifier;
  /** Absent when the signer info has no signed attributes. */
  readonly signedAttributes?: readonly CmsAttribute[];
  /** What the signature covers when signed attributes are present: their DER SET OF, re-encoded as Go does. */
  readonly signedAttributesDer?: Uint8Array;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  readonly unsignedAttributes?: readonly CmsAttribute[];
}

/** A decoded (not yet verified) timestamp token. */
export interface TimestampToken {
  /** The token as DER (BER input normalised the way notation does before decoding). */
  readonly der: Uint8Array;
  readonly version: number;
  readonly digestAlgorithms: readonly AlgorithmIdentifier[];
  /** eContentType; always id-ct-TSTInfo once parsing succeeded. */
  readonly contentType: string;
  /** eContent: the TSTInfo bytes the CMS signature's message digest covers. */
  readonly content: Uint8Array;
  readonly tstInfo: TstInfo;
  /** Embedded certificates in token order. */
  readonly certificates: readonly Certificate[];
  readonly signerInfos: readonly CmsSignerInfo[];
}

function parseError(message: string, cause?: unknown): TimestampError {
  return new TimestampError('parse', message, cause === undefined ? undefined : { cause });
}

function detail(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** Runs a decoding step, turning reader errors into a TimestampError with notation's wording. */
function decodeStep<T>(run: () => T, wrap: (detail: string, cause: unknown) => TimestampError): T {
  try {
    return run();
  } catch (cause) {
    if (cause instanceof TimestampError) throw cause;
    if (cause instanceof DerError || cause instanceof BerError || cause instanceof RangeError || isSignetError(cause)) {
      throw wrap(detail(cause), cause);
    }
    throw wrap('malformed encoding', cause);
  }
}

/** The first TLV of `bytes`; anything after it is ignored, as Go's asn1.Unmarshal does. */
function firstValue(bytes: Uint8Array, what: string): DerNode {
  if (bytes.length === 0) throw new DerError(`asn1: syntax error: sequence truncated: ${what} is missing`);
  return readTlv(bytes, 0).node;
}

export function readAlgorithmIdentifier(node: DerNode | undefined, what: string): AlgorithmIdentifier {
  const seq = new FieldReader(expectSequence(node, what), what);
  const oid = readOid(seq.next('algorithm'), `${what}.algorithm`);
  const params = seq.optional(() => true);
  return params ? { oid, parameters: params.raw } : { oid };
}

function readAttributes(node: DerNode, what: string): CmsAttribute[] {
  const attributes: CmsAttribute[] = [];
  for (const child of childrenOf(node)) {
    const seq = new FieldReader(expectSequence(child, `${what} attribute`), `${what} attribute`);
    const typeNode = seq.next('type');
    const type = readOid(typeNode, `${what} attribute type`);
    const values = seq.next('values');
    attributes.push({ type, typeDer: typeNode.raw, values });
  }
  return attributes;
}

/** Go re-marshals signed attributes as a DER SET OF before checking the signature (RFC 5652 §5.4). */
function encodeSignedAttributes(attributes: readonly CmsAttribute[]): Uint8Array {
  // Go decodes each Attribute into {type, values} and marshals those two fields back.
  const encoded = attributes.map((a) => derSequence(a.typeDer, a.values.raw));
  encoded.sort(compareBytes);
  return tlv(0x31, concatBytes(...encoded));
}

function readSignerInfo(node: DerNode, index: number): CmsSignerInfo {
  const what = `signerInfos[${index}]`;
  const seq = new FieldReader(expectSequence(node, what), what);
  const version = readSmallInteger(seq.next('version'), `${what}.version`);
  const sidNode = seq.next('sid');
  if (!isUniversalTag(sidNode, TAG.SEQUENCE, true)) {
    throw structureError(`${what}.sid`, 'IssuerAndSerialNumber (SEQUENCE); only issuer-and-serial signer identifiers are supported', sidNode);
  }
  const sid = new FieldReader(sidNode, `${what}.sid`);
  const issuer = sid.next('issuer').raw;
  const serialNumber = readBigInteger(sid.next('serialNumber'), `${what}.sid.serialNumber`);
  const digestAlgorithm = readAlgorithmIdentifier(seq.next('digestAlgorithm'), `${what}.digestAlgorithm`);
  const signedNode = seq.optional((n) => isContextTag(n, 0) && n.constructed);
  let signedAttributes: CmsAttribute[] | undefined;
  let signedAttributesDer: Uint8Array | undefined;
  if (signedNode) {
    signedAttributes = readAttributes(signedNode, `${what}.signedAttrs`);
    signedAttributesDer = encodeSignedAttributes(signedAttributes);
  }
  const signatureAlgorithm = readAlgorithmIdentifier(seq.next('signatureAlgorithm'), `${what}.signatureAlgorithm`);
  const signature = readOctetString(seq.next('signature'), `${what}.signature`);
  const unsignedNode = seq.optional((n) => isContextTag(n, 1) && n.constructed);
  const unsignedAttributes = unsignedNode ? readAttributes(unsignedNode, `${what}.unsignedAttrs`) : undefined;
  return {
    version,
    issuer,
    serialNumber,
    digestAlgorithm,
    ...(signedAttributes ? { signedAttributes, signedAttributesDer: signedAttributesDer! } : {}),
    signatureAlgorithm,
    signature,
    ...(unsignedAttributes ? { unsignedAttributes } : {})
  };
}

function readAccuracy(node: DerNode): Accuracy {
  const seq = new FieldReader(node, 'accuracy');
  const read = (n: DerNode | undefined, what: string): number => {
    if (!n) return 0;
    // [0]/[1] are IMPLICIT INTEGERs: same content rules as an INTEGER.
    const asInteger: DerNode = { ...n, tagClass: 0, tagNumber: TAG.INTEGER };
    const value = readSmallInteger(asInteger, `TSTInfo.accuracy.${what}`);
    if (value < 0 || value > 0x7fffffff) {
      throw new DerError(`asn1: structure error: TSTInfo.accuracy.${what} must be between 0 and 2147483647, got ${value}`);
    }
    return value;
  };
  const seconds = read(seq.optional((n) => isUniversalTag(n, TAG.INTEGER, false)), 'seconds');
  const millis = read(seq.optional((n) => isContextTag(n, 0) && !n.constructed), 'millis');
  const micros = read(seq.optional((n) => isContextTag(n, 1) && !n.constructed), 'micros');
  return { seconds, millis, micros };
}

function generalNameToString(raw: Uint8Array): string | undefined {
  try {
    const outer = readTlv(raw, 0).node;
    const inner = childrenOf(outer)[0];
    if (inner && isContextTag(inner, 4) && inner.constructed) {
      const nameNode = childrenOf(inner)[0];
      if (nameNode) return parseNameBytes(nameNode.raw, 'TSA name').display;
    }
  } catch {
    // A TSA name we cannot render is only cosmetic; it stays available as raw bytes.
  }
  return undefined;
}

/** Decodes TSTInfo DER the way Go's asn1.Unmarshal fills tspclient-go's TSTInfo struct. */
export function parseTstInfo(content: Uint8Array): TstInfo {
  const root = firstValue(content, 'TSTInfo');
  const seq = new FieldReader(expectSequence(root, 'TSTInfo'), 'TSTInfo');
  const version = readSmallInteger(seq.next('version'), 'TSTInfo.version');
  const policy = readOid(seq.next('policy'), 'TSTInfo.policy');
  const imprintNode = seq.next('messageImprint');
  const imprint = new FieldReader(expectSequence(imprintNode, 'TSTInfo.messageImprint'), 'TSTInfo.messageImprint');
  const hashAlgorithm = readAlgorithmIdentifier(imprint.next('hashAlgorithm'), 'TSTInfo.messageImprint.hashAlgorithm');
  const hashedMessage = readOctetString(imprint.next('hashedMessage'), 'TSTInfo.messageImprint.hashedMessage');
  const serialNumber = readBigInteger(seq.next('serialNumber'), 'TSTInfo.serialNumber');
  const genTimePrecise = readPreciseTime(seq.next('genTime'), 'TSTInfo.genTime');
  const accuracyNode = seq.optional((n) => isUniversalTag(n, TAG.SEQUENCE, true));
  const orderingNode = seq.optional((n) => isUniversalTag(n, TAG.BOOLEAN, false));
  const nonceNode = seq.optional((n) => isUniversalTag(n, TAG.INTEGER, false));
  const tsaNode = seq.optional((n) => isContextTag(n, 0));
  const accuracy = accuracyNode ? readAccuracy(accuracyNode) : undefined;
  const ordering = orderingNode ? readBoolean(orderingNode, 'TSTInfo.ordering') : false;
  const nonce = nonceNode ? readBigInteger(nonceNode, 'TSTInfo.nonce') : undefined;
  const tsaName = tsaNode ? generalNameToString(tsaNode.raw) : undefined;
  return {
    version,
    policy,
    messageImprint: { hashAlgorithm, hashedMessage },
    serialNumber,
    genTime: dateFloor(genTimePrecise.ns),
    genTimePrecise,
    ...(accuracy ? { accuracy } : {}),
    ordering,
    ...(nonce !== undefined ? { nonce } : {}),
    ...(tsaNode ? { tsa: tsaNode.raw } : {}),
    ...(tsaName !== undefined ? { tsaName } : {}),
    der: root.raw
  };
}

interface SignedDataFields {
  version: number;
  digestAlgorithms: AlgorithmIdentifier[];
  contentType: string;
  content: Uint8Array;
  certificatesBytes?: Uint8Array;
  signerInfos: CmsSignerInfo[];
}

function readSignedData(der: Uint8Array): SignedDataFields {
  // ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY }
  const contentInfo = decodeStep(
    () => {
      const root = readTlv(der, 0).node;
      const seq = new FieldReader(expectSequence(root, 'ContentInfo'), 'ContentInfo');
      const contentType = readOid(seq.next('contentType'), 'ContentInfo.contentType');
      const content = seq.next('content');
      if (!isContextTag(content, 0) || !(content.constructed || content.content.length === 0)) {
        throw structureError('ContentInfo.content', '[0] EXPLICIT', content);
      }
      return { contentType, content: content.content };
    },
    (d, cause) => parseError(`cms: syntax error: invalid content info: failed to unmarshal DER to ContentInfo: ${d}`, cause)
  );
  if (contentInfo.contentType !== TSP_OID.signedData) {
    throw parseError(`cms: content type is not signed-data (found ${contentInfo.contentType}, expected ${TSP_OID.signedData})`);
  }
  return decodeStep(
    () => {
      const node = firstValue(contentInfo.content, 'SignedData');
      const seq = new FieldReader(expectSequence(node, 'SignedData'), 'SignedData');
      const version = readSmallInteger(seq.next('version'), 'SignedData.version');
      const digestSet = expectSet(seq.next('digestAlgorithms'), 'SignedData.digestAlgorithms');
      const digestAlgorithms = childrenOf(digestSet).map((n, i) => readAlgorithmIdentifier(n, `SignedData.digestAlgorithms[${i}]`));
      const encap = new FieldReader(expectSequence(seq.next('encapContentInfo'), 'SignedData.encapContentInfo'), 'SignedData.encapContentInfo');
      const contentType = readOid(encap.next('eContentType'), 'SignedData.encapContentInfo.eContentType');
      const eContent = encap.optional((n) => isContextTag(n, 0) && (n.constructed || n.content.length === 0));
      let content = new Uint8Array(0);
      if (eContent) {
        if (eContent.content.length === 0) throw new DerError('asn1: structure error: SignedData.encapContentInfo.eContent: zero length explicit tag');
        const inner = readTlv(eContent.content, 0).node;
        // Go: an OPTIONAL field whose inner value is not a primitive OCTET STRING counts as absent.
        if (isUniversalTag(inner, TAG.OCTET_STRING, false)) content = inner.content.slice();
      }
      // Both are IMPLICIT SETs: Go's asn1 matches the tag, then refuses a primitive encoding.
      const constructedSet = (n: DerNode | undefined, field: string) => {
        if (n && !n.constructed) throw new DerError(`asn1: structure error: tags don't match (17 vs {class:2 tag:${n.tagNumber} length:${n.content.length} isCompound:false}) SignedData.${field}`);
        return n;
      };
      const certs = constructedSet(seq.optional((n) => isContextTag(n, 0)), 'certificates');
      constructedSet(seq.optional((n) => isContextTag(n, 1)), 'crls'); // CRLs: not used for timestamps
      const signerSet = expectSet(seq.next('signerInfos'), 'SignedData.signerInfos');
      const signerNodes = childrenOf(signerSet);
      if (signerNodes.length > MAX_TOKEN_SIGNER_INFOS) {
        throw new DerError(`SignedData has ${signerNodes.length} signer infos; at most ${MAX_TOKEN_SIGNER_INFOS} are accepted`);
      }
      const signerInfos = signerNodes.map((n, i) => readSignerInfo(n, i));
      return { version, digestAlgorithms, contentType, content, ...(certs ? { certificatesBytes: certs.content } : {}), signerInfos };
    },
    (d, cause) => parseError(`cms: syntax error: invalid signed data: ${d}`, cause)
  );
}

async function readCertificates(bytes: Uint8Array | undefined): Promise<Certificate[]> {
  const wrap = (d: string, cause?: unknown) =>
    parseError(`cms: syntax error: failed to parse X.509 certificates from signed data. Only X.509 certificates are supported: ${d}`, cause);
  if (!bytes) return [];
  const ders = decodeStep(
    () => {
      const out: Uint8Array[] = [];
      let offset = 0;
      while (offset < bytes.length) {
        const { node, next } = readTlv(bytes, offset);
        if (!isUniversalTag(node, TAG.SEQUENCE, true)) throw structureError(`certificates[${out.length}]`, 'an X.509 certificate (SEQUENCE)', node);
        out.push(node.raw);
        if (out.length > MAX_TOKEN_CERTIFICATES) throw new DerError(`more than ${MAX_TOKEN_CERTIFICATES} certificates`);
        offset = next;
      }
      return out;
    },
    (d, cause) => wrap(d, cause)
  );
  const certificates: Certificate[] = [];
  for (let i = 0; i < ders.length; i++) {
    try {
      certificates.push(await parseCertificate(ders[i]!, `timestamp token certificate ${i + 1}`));
    } catch (cause) {
      throw wrap(detail(cause), cause);
    }
  }
  return certificates;
}

/**
 * Decodes a TimeStampToken (the bytes of `io.cncf.notary.timestampSignature`): CMS SignedData,
 * BER with definite lengths allowed, eContentType id-ct-TSTInfo, TSTInfo fields, embedded
 * certificates. Nothing is verified here; see verifyTimestampToken.
 * Spec digest §10 "Verification" step 1.
 * @throws TimestampError (ERR_TIMESTAMP_INVALID) at stage `parse` (CMS level, with notation's
 *   wording, e.g. `unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (…)`)
 *   or `tstinfo` (`cannot unmarshal TSTInfo from timestamp token: …`).
 */
export async function parseTimestampToken(bytes: Uint8Array): Promise<TimestampToken> {
  if (!(bytes instanceof Uint8Array)) throw parseError('timestamp token: expected bytes');
  if (bytes.length > MAX_TIMESTAMP_TOKEN_BYTES) {
    throw new TimestampError('parse', `timestamp token is ${bytes.length} bytes; at most ${MAX_TIMESTAMP_TOKEN_BYTES} bytes are accepted`, {
      code: 'ERR_INPUT_TOO_LARGE'
    });
  }
  const der = decodeStep(
    () => convertBerToDer(bytes),
    (d, cause) =>
      parseError(`cms: syntax error: invalid signed data: failed to convert from BER to DER: asn1: ${cause instanceof BerError ? cause.kind : 'syntax'} error: ${d}`, cause)
  );
  const signed = readSignedData(der);
  if (signed.version !== 3) throw parseError(`cms: syntax error: unsupported signed data version: got ${signed.version}, want 3`);
  const certificates = await readCertificates(signed.certificatesBytes);
  if (signed.contentType !== TSP_OID.tstInfo) {
    throw parseError(`unexpected content type: ${signed.contentType}. Expected to be id-ct-TSTInfo (${TSP_OID.tstInfo})`);
  }
  const tstInfo = decodeStep(
    () => parseTstInfo(signed.content),
    (d, cause) => new TimestampError('tstinfo', `cannot unmarshal TSTInfo from timestamp token: ${d}`, { cause })
  );
  return Object.freeze({
    der,
    version: signed.version,
    digestAlgorithms: signed.digestAlgorithms,
    contentType: signed.contentType,
    content: signed.content,
    tstInfo,
    certificates,
    signerInfos: signed.signerInfos
  });
}
