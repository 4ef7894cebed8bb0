/**
 * OCSP (RFC 6960) for the revocation step (spec digest §12.4 step 6, "OCSP"): the request
 * notation builds (one SHA-1 CertID, no nonce, GET when short enough), and the parsing and
 * verification of the BasicOCSPResponse that comes back.
 *
 * Verification follows notation-core-go (which uses golang.org/x/crypto/ocsp) and tightens it
 * where x/crypto is lax and RFC 6960 is clear:
 * - the response must be `successful` and of type id-pkix-ocsp-basic;
 * - the SingleResponse used is the first whose CertID names this certificate: same serial (all
 *   x/crypto compares) AND issuer name/key hashes of the issuer, with any of SHA-1/256/384/512;
 * - the signer is the issuer itself, or a delegated responder certificate carried in the
 *   response that the responder ID names, issued by the issuer (DN and signature), with EKU
 *   id-kp-OCSPSigning and valid now (x/crypto takes the first certificate unchecked);
 * - no unknown critical single-response extension; `nextUpdate` present and not past (Go's zero
 *   time counts as past, so a response without nextUpdate is expired for notation too);
 * - `revoked` with an invalidityDate later than the authentic signing time counts as good.
 */
import { base64Encode, bytesEqual, toArrayBuffer, toHex } from '../../bytes';
import { SignetError, isSignetError } from '../../errors';
import { derInteger, derOctetString, derOid, derSequence, DER_NULL } from '../timestamp/asn1';
import { OID, parseCertificate, type Certificate } from '../x509/certificate';
import { DerError, decodeOne, readBitString, readInteger, readOid, readerOf, type DerNode } from '../x509/der';
import { checkSignatureWithKey } from '../x509/signature';
import { Fields, ID, explicitInner, readAlgorithmIdentifier, readEnumerated, readExtensions, readGeneralizedTime, subjectPublicKeyBits, type Extension } from './asn1';
import { checkSignedData, type SignedData } from './signed-data';

/** notation-core-go reads at most this much of an OCSP response (`ocspMaxResponseSize`). */
export const OCSP_MAX_RESPONSE_BYTES = 20480;
/** notation's GET/POST threshold: GET while the (escaped) base64 request is shorter than this. */
export const OCSP_GET_LIMIT = 255;

export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
export const OID_OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';
export const OID_INVALIDITY_DATE = '2.5.29.24';

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
const HASH_OIDS: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512'
};
const SHA1_OID = '1.3.14.3.2.26';

/** CRLReason (RFC 5280 §5.3.1); 7 is unused. */
export const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise'
};

export function reasonName(code: number | undefined): string {
  return code === undefined ? 'no reason given' : (CRL_REASONS[code] ?? `reason code ${code}`);
}

const RESPONSE_STATUS: Readonly<Record<number, string>> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized'
};

async function digest(hash: HashName, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, toArrayBuffer(bytes)));
}

/** The serial number of a parsed certificate as a bigint (Certificate keeps it as hex). */
export function serialOf(cert: Certificate): bigint {
  return BigInt(`0x${cert.serialNumber}`);
}

// --- request ----------------------------------------------------------------------------------

/**
 * The DER OCSPRequest notation sends for `cert` (spec digest §12.4 step 6): one Request whose
 * CertID uses SHA-1 over the issuer's DN and public key bits, no nonce, no extensions, unsigned
 * (byte for byte what Go's `ocsp.CreateRequest(…, {Hash: crypto.SHA1})` and
 * `openssl ocsp -no_nonce -reqout` produce).
 */
export async function createOcspRequest(cert: Certificate, issuer: Certificate): Promise<Uint8Array> {
  let keyBits: Uint8Array;
  try {
    keyBits = subjectPublicKeyBits(issuer.publicKey.spki);
  } catch (e) {
    throw new SignetError('ERR_CERT_INVALID', `issuer certificate ${JSON.stringify(issuer.subject)}: its public key cannot be read for an OCSP request`, { cause: e });
  }
  const certId = derSequence(
    derSequence(derOid(SHA1_OID), DER_NULL),
    derOctetString(await digest('SHA-1', issuer.rawSubject)),
    derOctetString(await digest('SHA-1', keyBits)),
    derInteger(serialOf(cert))
  );
  // OCSPRequest { TBSRequest { requestList { Request { reqCert } } } }; version v1 is DEFAULT, so omitted.
  return derSequence(derSequence(derSequence(derSequence(certId))));
}

/** Go's url.QueryEscape on base64 text: only `+`, `/` and `=` need escaping. */
function queryEscapeBase64(b64: string): string {
  return b64.replace(/[+/=]/g, (c) => (c === '+' ? '%2B' : c === '/' ? '%2F' : '%3D'));
}

export type OcspHttpRequest = { method: 'GET'; url: string } | { method: 'POST'; url: string; body: Uint8Array; contentType: 'application/ocsp-request' };

/**
 * How notation sends `request` to `responderUrl`: GET `<responder path>/<QueryEscape(base64)>`
 * when both the base64 and its escaped form are shorter than 255 characters (RFC 6960 A.1),
 * otherwise POST with Content-Type application/ocsp-request. Throws ERR_REVOCATION_FETCH when
 * the URL is not an http URL (notation only speaks plain HTTP to responders).
 */
export function ocspHttpRequest(responderUrl: string, request: Uint8Array): OcspHttpRequest {
  const url = parseHttpUrl(responderUrl, 'OCSP responder');
  const b64 = base64Encode(request);
  const escaped = queryEscapeBase64(b64);
  if (b64.length < OCSP_GET_LIMIT && escaped.length < OCSP_GET_LIMIT) {
    // Go's url.JoinPath: the escaped path, one slash, then the element.
    const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    return { method: 'GET', url: `${url.protocol}//${url.host}${path}${escaped}${url.search}` };
  }
  return { method: 'POST', url: responderUrl, body: request, contentType: 'application/ocsp-request' };
}

/** An http: URL, else ERR_REVOCATION_FETCH naming `what`. */
export function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (e) {
    throw new SignetError('ERR_REVOCATION_FETCH', `${what} URL ${JSON.stringify(text)} is not a valid URL`, { cause: e });
  }
  if (url.protocol !== 'http:') {
    throw new SignetError('ERR_REVOCATION_FETCH', `${what} URL ${JSON.stringify(text)} uses ${url.protocol.replace(/:$/, '')}; only http URLs are supported (as in notation)`);
  }
  return url;
}

// --- response parsing ---------------------------------------------------------------------------

export interface OcspCertId {
  /** OID of the hash over the issuer name and key. */
  readonly hashAlgorithm: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  readonly serialNumber: bigint;
}

export interface OcspSingleResponse {
  readonly certId: OcspCertId;
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revocationTime?: Date;
  /** CRLReason code when given. */
  readonly revocationReason?: number;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly extensions: readonly Extension[];
}

export type OcspResponderId = { readonly byName: Uint8Array } | { readonly byKey: Uint8Array };

/** A parsed `successful` BasicOCSPResponse (not yet verified). */
export interface OcspResponse {
  readonly responderId: OcspResponderId;
  readonly producedAt: Date;
  readonly responses: readonly OcspSingleResponse[];
  readonly responseExtensions: readonly Extension[];
  readonly signed: SignedData;
  /** DER certificates from `certs`, in order (parsed only when needed). */
  readonly certificates: readonly Uint8Array[];
}

function ocspInvalid(detail: string, cause?: unknown): SignetError {
  return new SignetError('ERR_OCSP_RESPONSE_INVALID', `OCSP response is malformed: ${detail}`, cause === undefined ? undefined : { cause });
}

function rejected(detail: string, cause?: unknown): SignetError {
  return new SignetError('ERR_OCSP_RESPONSE_REJECTED', detail, cause === undefined ? undefined : { cause });
}

function readCertId(node: DerNode, what: string): OcspCertId {
  const f = new Fields(node, what);
  const hashAlgorithm = readAlgorithmIdentifier(f.next('hashAlgorithm', ID.SEQUENCE), `${what}.hashAlgorithm`).oid;
  const issuerNameHash = f.next('issuerNameHash', ID.OCTET_STRING).content;
  const issuerKeyHash = f.next('issuerKeyHash', ID.OCTET_STRING).content;
  const serialNumber = readInteger(f.next('serialNumber', ID.INTEGER), `${what}.serialNumber`);
  f.end();
  return { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber };
}

function readSingleResponse(node: DerNode, what: string): OcspSingleResponse {
  const f = new Fields(node, what);
  const certId = readCertId(f.next('certID', ID.SEQUENCE), `${what}.certID`);
  const statusNode = f.next('certStatus');
  let status: OcspSingleResponse['status'];
  let revocationTime: Date | undefined;
  let revocationReason: number | undefined;
  if (statusNode.tagClass === 2 && statusNode.tagNumber === 0 && !statusNode.constructed) {
    if (statusNode.content.length !== 0) throw new DerError(`${what}.certStatus: good must be NULL`);
    status = 'good';
  } else if (statusNode.tagClass === 2 && statusNode.tagNumber === 1 && statusNode.constructed) {
    status = 'revoked';
    const r = new Fields(statusNode, `${what}.certStatus.revoked`, true);
    revocationTime = readGeneralizedTime(r.next('revocationTime'), `${r.what}.revocationTime`);
    const reason = r.optional('revocationReason', ID.ctx(0));
    if (reason) revocationReason = readEnumerated(explicitInner(reason, `${r.what}.revocationReason`), `${r.what}.revocationReason`);
    r.end();
  } else if (statusNode.tagClass === 2 && statusNode.tagNumber === 2 && !statusNode.constructed) {
    if (statusNode.content.length !== 0) throw new DerError(`${what}.certStatus: unknown must be NULL`);
    status = 'unknown';
  } else {
    throw new DerError(`${what}.certStatus: expected good [0], revoked [1] or unknown [2]`);
  }
  const thisUpdate = readGeneralizedTime(f.next('thisUpdate'), `${what}.thisUpdate`);
  const next = f.optional('nextUpdate', ID.ctx(0));
  const nextUpdate = next ? readGeneralizedTime(explicitInner(next, `${what}.nextUpdate`), `${what}.nextUpdate`) : undefined;
  const ext = f.optional('singleExtensions', ID.ctx(1));
  const extensions = ext ? readExtensions(explicitInner(ext, `${what}.singleExtensions`), `${what}.singleExtensions`) : [];
  f.end();
  return {
    certId,
    status,
    ...(revocationTime ? { revocationTime } : {}),
    ...(revocationReason !== undefined ? { revocationReason } : {}),
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
    extensions
  };
}

function readBasicResponse(bytes: Uint8Array): OcspResponse {
  const basic = new Fields(decodeOne(bytes), 'BasicOCSPResponse');
  const tbsNode = basic.next('tbsResponseData', ID.SEQUENCE);
  const algorithm = readAlgorithmIdentifier(basic.next('signatureAlgorithm', ID.SEQUENCE), 'BasicOCSPResponse.signatureAlgorithm');
  const signatureBits = readBitString(basic.next('signature', ID.BIT_STRING), 'BasicOCSPResponse.signature');
  if (signatureBits.unusedBits !== 0) throw new DerError('BasicOCSPResponse.signature: not a whole number of bytes');
  const certsNode = basic.optional('certs', ID.ctx(0));
  basic.end();
  const certificates: Uint8Array[] = [];
  if (certsNode) {
    const list = explicitInner(certsNode, 'BasicOCSPResponse.certs');
    if (list.tagClass !== 0 || list.tagNumber !== 16 || !list.constructed) throw new DerError('BasicOCSPResponse.certs: expected a SEQUENCE OF Certificate');
    const r = readerOf(list);
    while (!r.empty) {
      const c = r.read(`BasicOCSPResponse.certs[${certificates.length}]: malformed encoding`);
      if (c.tagClass !== 0 || c.tagNumber !== 16 || !c.constructed) throw new DerError(`BasicOCSPResponse.certs[${certificates.length}]: expected a Certificate`);
      certificates.push(c.raw);
    }
  }

  const tbs = new Fields(tbsNode, 'ResponseData');
  const version = tbs.optional('version', ID.ctx(0));
  if (version && readInteger(explicitInner(version, 'ResponseData.version'), 'ResponseData.version') !== 0n) {
    throw new DerError('ResponseData.version: only v1 (0) is defined');
  }
  const rid = tbs.next('responderID');
  let responderId: OcspResponderId;
  if (rid.tagClass === 2 && rid.tagNumber === 1 && rid.constructed) {
    const name = explicitInner(rid, 'ResponseData.responderID.byName');
    if (name.tagClass !== 0 || name.tagNumber !== 16 || !name.constructed) throw new DerError('ResponseData.responderID.byName: expected a Name');
    responderId = { byName: name.raw };
  } else if (rid.tagClass === 2 && rid.tagNumber === 2 && rid.constructed) {
    const key = explicitInner(rid, 'ResponseData.responderID.byKey');
    if (key.tagClass !== 0 || key.tagNumber !== 4 || key.constructed) throw new DerError('ResponseData.responderID.byKey: expected an OCTET STRING');
    responderId = { byKey: key.content };
  } else {
    throw new DerError('ResponseData.responderID: expected byName [1] or byKey [2]');
  }
  const producedAt = readGeneralizedTime(tbs.next('producedAt'), 'ResponseData.producedAt');
  const responsesNode = tbs.next('responses', ID.SEQUENCE);
  const responses: OcspSingleResponse[] = [];
  const rr = readerOf(responsesNode);
  while (!rr.empty) {
    const what = `ResponseData.responses[${responses.length}]`;
    const node = rr.read(`${what}: malformed encoding`);
    if (node.tagClass !== 0 || node.tagNumber !== 16 || !node.constructed) throw new DerError(`${what}: expected a SingleResponse`);
    responses.push(readSingleResponse(node, what));
  }
  if (responses.length === 0) throw new DerError('ResponseData.responses is empty');
  const extNode = tbs.optional('responseExtensions', ID.ctx(1));
  const responseExtensions = extNode ? readExtensions(explicitInner(extNode, 'ResponseData.responseExtensions'), 'ResponseData.responseExtensions') : [];
  tbs.end();
  return { responderId, producedAt, responses, responseExtensions, signed: { algorithm, tbs: tbsNode.raw, signature: signatureBits.bytes }, certificates };
}

/**
 * Parses a DER OCSPResponse. Throws ERR_OCSP_RESPONSE_INVALID for malformed bytes and
 * ERR_OCSP_RESPONSE_REJECTED when the responder answered with an error status
 * (malformedRequest, internalError, tryLater, sigRequired, unauthorized) or a non-basic type.
 */
export function parseOcspResponse(bytes: Uint8Array): OcspResponse {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw ocspInvalid('the response body is empty');
  if (bytes.length > OCSP_MAX_RESPONSE_BYTES) throw ocspInvalid(`it is ${bytes.length} bytes; at most ${OCSP_MAX_RESPONSE_BYTES} are read (as notation)`);
  let status: number;
  let responseBytes: DerNode | undefined;
  try {
    const top = new Fields(decodeOne(bytes), 'OCSPResponse');
    status = readEnumerated(top.next('responseStatus', ID.ENUMERATED), 'OCSPResponse.responseStatus');
    responseBytes = top.optional('responseBytes', ID.ctx(0));
    top.end();
  } catch (e) {
    if (e instanceof DerError) throw ocspInvalid(e.message, e);
    throw ocspInvalid('malformed encoding', e);
  }
  if (status !== 0) throw rejected(`OCSP responder answered "${RESPONSE_STATUS[status] ?? `status ${status}`}" instead of a response`);
  if (!responseBytes) throw ocspInvalid('a successful response carries no responseBytes');
  try {
    const rb = new Fields(explicitInner(responseBytes, 'OCSPResponse.responseBytes'), 'ResponseBytes');
    const type = readOid(rb.next('responseType', ID.OID), 'ResponseBytes.responseType');
    const inner = rb.next('response', ID.OCTET_STRING).content;
    rb.end();
    if (type !== OID_OCSP_BASIC) throw rejected(`OCSP response type ${type} is not supported; expected id-pkix-ocsp-basic (${OID_OCSP_BASIC})`);
    return readBasicResponse(inner);
  } catch (e) {
    if (isSignetError(e)) throw e;
    if (e instanceof DerError) throw ocspInvalid(e.message, e);
    throw ocspInvalid('malformed encoding', e);
  }
}

// --- response verification ----------------------------------------------------------------------

export interface OcspVerdict {
  /** The status for this signature: `good` also when a revocation is later than the authentic signing time. */
  readonly status: 'good' | 'revoked' | 'unknown';
  /** What the responder said, before the invalidity-date rule. */
  readonly certStatus: 'good' | 'revoked' | 'unknown';
  readonly producedAt: Date;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly revocationTime?: Date;
  readonly revocationReason?: number;
  readonly invalidityDate?: Date;
  /** The delegated responder certificate, when the issuer did not sign the response itself. */
  readonly responder?: Certificate;
  /** The delegated responder certificate carries id-pkix-ocsp-nocheck. */
  readonly responderNoCheck: boolean;
}

async function keyHash(cert: Certificate, hash: HashName): Promise<Uint8Array> {
  return digest(hash, subjectPublicKeyBits(cert.publicKey.spki));
}

async function findSingleResponse(response: OcspResponse, cert: Certificate, issuer: Certificate): Promise<OcspSingleResponse> {
  const serial = serialOf(cert);
  let otherIssuer = false;
  let badHash: string | undefined;
  for (const single of response.responses) {
    if (single.certId.serialNumber !== serial) continue;
    const hash = HASH_OIDS[single.certId.hashAlgorithm];
    if (!hash) {
      badHash = single.certId.hashAlgorithm;
      continue;
    }
    const nameOk = bytesEqual(single.certId.issuerNameHash, await digest(hash, issuer.rawSubject));
    const keyOk = bytesEqual(single.certId.issuerKeyHash, await keyHash(issuer, hash));
    if (nameOk && keyOk) return single;
    otherIssuer = true;
  }
  if (otherIssuer) throw rejected(`OCSP response names serial ${cert.serialNumber} of a different issuer (issuer name/key hash mismatch)`);
  if (badHash) throw rejected(`OCSP response uses unsupported CertID hash algorithm ${badHash}`);
  throw rejected(`OCSP response contains no status for certificate serial ${cert.serialNumber}`);
}

/** Which certificate signed the response: the issuer, or a delegated responder from `certs`. */
async function findSigner(response: OcspResponse, issuer: Certificate): Promise<{ signer: Certificate; delegated: boolean }> {
  const id = response.responderId;
  const matches = async (c: Certificate): Promise<boolean> =>
    'byName' in id ? bytesEqual(id.byName, c.rawSubject) : bytesEqual(id.byKey, await keyHash(c, 'SHA-1'));
  if (await matches(issuer)) return { signer: issuer, delegated: false };
  for (let i = 0; i < response.certificates.length; i++) {
    let cert: Certificate;
    try {
      cert = await parseCertificate(response.certificates[i]!, `OCSP response certificate [${i}]`);
    } catch (e) {
      throw rejected(`OCSP response carries an invalid certificate [${i}]: ${(e as Error).message}`, e);
    }
    if (await matches(cert)) return { signer: cert, delegated: true };
  }
  const who = 'byName' in id ? 'by name' : `by key hash ${toHex(id.byKey)}`;
  throw rejected(`OCSP response is signed by a responder (${who}) that is neither the issuing CA nor a certificate included in the response`);
}

/**
 * Checks a delegated responder certificate as RFC 6960 §4.2.2.2 asks: issued directly by the
 * CA that issued the certificate in question, for id-kp-OCSPSigning, and valid now.
 */
async function checkDelegatedResponder(responder: Certificate, issuer: Certificate, now: Date): Promise<void> {
  const name = JSON.stringify(responder.subject);
  if (!bytesEqual(responder.rawIssuer, issuer.rawSubject)) {
    throw rejected(`OCSP responder certificate ${name} is not issued by the certificate's issuer ${JSON.stringify(issuer.subject)}`);
  }
  const sig = await checkSignatureWithKey(responder, issuer, true);
  if (sig !== undefined) throw rejected(`OCSP responder certificate ${name} is not signed by the issuing CA: ${sig}`);
  if (!responder.extendedKeyUsage?.oids.includes(OID.ekuOcspSigning)) {
    throw rejected(`OCSP responder certificate ${name} is not authorized for OCSP signing (extended key usage id-kp-OCSPSigning is missing)`);
  }
  if (now < responder.notBefore || now > responder.notAfter) {
    throw rejected(`OCSP responder certificate ${name} is not valid now (valid ${responder.notBefore.toISOString()} to ${responder.notAfter.toISOString()})`);
  }
}

/** invalidityDate (2.5.29.24) as Go reads it: GeneralizedTime only, no trailing data; else ignored. */
export function invalidityDateOf(extensions: readonly Extension[]): Date | undefined {
  const ext = extensions.find((e) => e.oid === OID_INVALIDITY_DATE);
  if (!ext) return undefined;
  try {
    return readGeneralizedTime(decodeOne(ext.value), 'invalidityDate');
  } catch {
    return undefined;
  }
}

/**
 * Verifies a parsed response for `cert` issued by `issuer` at `now` and returns its verdict
 * (spec digest §12.4 step 6, OCSP). Throws ERR_OCSP_RESPONSE_REJECTED when the response cannot be
 * relied on (wrong certificate, bad signature, unauthorized responder, unknown critical
 * extension, expired). `authenticSigningTime` (signing-authority scheme only) turns a revocation
 * whose invalidity date is later than it into `good`.
 */
export async function verifyOcspResponse(
  response: OcspResponse,
  cert: Certificate,
  issuer: Certificate,
  options: { now: Date; authenticSigningTime?: Date }
): Promise<OcspVerdict> {
  const single = await findSingleResponse(response, cert, issuer);
  const { signer, delegated } = await findSigner(response, issuer);
  if (delegated) await checkDelegatedResponder(signer, issuer, options.now);
  const sigError = await checkSignedData(response.signed, signer, { ocsp: true });
  if (sigError !== undefined) {
    throw rejected(`OCSP response signature does not verify with ${delegated ? 'the delegated responder' : 'the issuing CA'} certificate ${JSON.stringify(signer.subject)}: ${sigError}`);
  }
  const critical = single.extensions.find((e) => e.critical);
  if (critical) throw rejected(`OCSP response has an unsupported critical extension ${critical.oid}`);
  if (!single.nextUpdate) throw rejected('OCSP response has no nextUpdate, so it cannot be shown to be current (notation treats it as expired)');
  if (options.now > single.nextUpdate) {
    throw rejected(`expired OCSP response: nextUpdate ${single.nextUpdate.toISOString()} is before now (${options.now.toISOString()})`);
  }
  const invalidityDate = single.status === 'revoked' ? invalidityDateOf(single.extensions) : undefined;
  let status = single.status;
  if (status === 'revoked' && invalidityDate && options.authenticSigningTime && options.authenticSigningTime < invalidityDate) status = 'good';
  return {
    status,
    certStatus: single.status,
    producedAt: response.producedAt,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    ...(single.revocationTime ? { revocationTime: single.revocationTime } : {}),
    ...(single.revocationReason !== undefined ? { revocationReason: single.revocationReason } : {}),
    ...(invalidityDate ? { invalidityDate } : {}),
    ...(delegated ? { responder: signer } : {}),
    responderNoCheck: delegated && signer.extensions.some((e) => e.oid === OID_OCSP_NOCHECK)
  };
}
