/**
 * The signing side of RFC 3161 (spec digest §10 "Signing"): build the TimeStampReq over the
 * envelope's primitive signature, check the TSA's TimeStampResp against it, and (with
 * requestTimestamp) verify the returned token before it is stored in the envelope. The HTTP
 * exchange itself happens outside the core, behind the Timestamper port.
 */
import { bytesEqual, toArrayBuffer } from '../../bytes';
import { isSignetError } from '../../errors';
import type { SignatureAlgorithm } from '../algorithms';
import type { Certificate } from '../x509/certificate';
import { DerError, TAG, childrenOf, readTlv } from '../x509/der';
import { DER_NULL, DER_TRUE, FieldReader, derInteger, derOctetString, derOid, derSequence, expectSequence, isUniversalTag, readSmallInteger } from './asn1';
import { TimestampError, notationTimestampMessage } from './errors';
import { OID_BY_HASH } from './oids';
import { type MessageImprint, MAX_TIMESTAMP_TOKEN_BYTES, type TimestampToken, parseTimestampToken } from './token';
import { signingCertificate, verifyTimestampToken } from './verify';

/**
 * Sends a DER TimeStampReq to a TSA and resolves with the raw TimeStampResp body. Implemented by
 * the app/CLI (HTTP POST, `Content-Type: application/timestamp-query`, reply
 * `application/timestamp-reply`, body capped at 1 MiB); it must reject on any transport problem.
 */
export type Timestamper = (request: Uint8Array) => Promise<Uint8Array>;

/** A TimeStampReq and what the response must echo. */
export interface TimestampRequest {
  /** DER TimeStampReq to POST. */
  readonly der: Uint8Array;
  readonly messageImprint: MessageImprint;
  readonly nonce: bigint;
  readonly certReq: true;
}

const NONCE_LIMIT = 1n << 159n;

function randomNonce(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  bytes[0]! &= 0x7f; // 159 bits: below 2^159, as notation picks it
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/**
 * Builds the TimeStampReq notation sends (spec digest §10 "Signing" step 3): version 1,
 * messageImprint = the signing algorithm's hash (NULL parameters) over the primitive signature
 * bytes, a random nonce below 2^159, certReq TRUE, no policy, no extensions.
 * @param nonce fixed nonce for tests; must be 0 ≤ nonce < 2^159.
 */
export async function buildTimestampRequest(signatureBytes: Uint8Array, algorithm: SignatureAlgorithm, nonce?: bigint): Promise<TimestampRequest> {
  if (!(signatureBytes instanceof Uint8Array) || signatureBytes.length === 0) {
    throw new TimestampError('request', 'malformed timestamping request: content to be time stamped cannot be empty');
  }
  const hashOid = OID_BY_HASH[algorithm.hash];
  if (!hashOid) throw new TimestampError('request', `malformed timestamping request: unsupported hashing algorithm: ${String(algorithm.hash)}`);
  if (nonce !== undefined && (typeof nonce !== 'bigint' || nonce < 0n || nonce >= NONCE_LIMIT)) {
    throw new TimestampError('request', 'malformed timestamping request: the nonce must be a bigint between 0 and 2^159 - 1');
  }
  const chosen = nonce ?? randomNonce();
  const hashedMessage = new Uint8Array(await crypto.subtle.digest(algorithm.hash, toArrayBuffer(signatureBytes)));
  const der = derSequence(
    derInteger(1n),
    derSequence(derSequence(derOid(hashOid), DER_NULL), derOctetString(hashedMessage)),
    derInteger(chosen),
    DER_TRUE
  );
  return {
    der,
    messageImprint: { hashAlgorithm: { oid: hashOid, parameters: DER_NULL }, hashedMessage },
    nonce: chosen,
    certReq: true
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  0: 'granted',
  1: 'granted with modifications',
  2: 'rejected',
  3: 'the request body part has not yet been processed, expect to hear more later',
  4: 'warning: a revocation is imminent',
  5: 'a revocation has occurred'
};

const FAILURE_INFO: readonly [number, string][] = [
  [0, 'unrecognized or unsupported Algorithm Identifier'],
  [2, 'transaction not permitted or supported'],
  [5, 'the data submitted has the wrong format'],
  [14, "the TSA's time source is not available"],
  [15, 'the requested TSA policy is not supported by the TSA'],
  [16, 'the requested extension is not supported by the TSA'],
  [17, 'the additional information requested could not be understood or is not available'],
  [25, 'the request cannot be handled due to system failure']
];

function responseError(text: string, cause?: unknown): TimestampError {
  return new TimestampError('response', `invalid timestamping response: ${text}`, cause === undefined ? undefined : { cause });
}

interface ParsedResponse {
  status: number;
  statusStrings: string[];
  failInfo: number[];
  token?: Uint8Array;
}

function readResponse(bytes: Uint8Array): ParsedResponse {
  // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
  const root = readTlv(bytes, 0).node;
  const seq = new FieldReader(expectSequence(root, 'TimeStampResp'), 'TimeStampResp');
  const statusInfo = new FieldReader(expectSequence(seq.next('status'), 'TimeStampResp.status'), 'PKIStatusInfo');
  const status = readSmallInteger(statusInfo.next('status'), 'PKIStatusInfo.status');
  const statusStrings: string[] = [];
  const text = statusInfo.optional((n) => isUniversalTag(n, TAG.SEQUENCE, true));
  if (text) {
    for (const s of childrenOf(text)) {
      if (isUniversalTag(s, TAG.UTF8_STRING, false)) statusStrings.push(new TextDecoder().decode(s.content));
    }
  }
  const failInfo: number[] = [];
  const bits = statusInfo.optional((n) => isUniversalTag(n, TAG.BIT_STRING, false));
  if (bits && bits.content.length > 0) {
    const data = bits.content.subarray(1);
    for (const [bit] of FAILURE_INFO) if (((data[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) failInfo.push(bit);
  }
  const token = seq.optional(() => true);
  return { status, statusStrings, failInfo, ...(token ? { token: token.raw } : {}) };
}

function imprintText(imprint: MessageImprint): string {
  let hex = '';
  for (const b of imprint.hashedMessage) hex += b.toString(16).padStart(2, '0');
  const params = imprint.hashAlgorithm.parameters ? 'NULL parameters' : 'no parameters';
  return `{hash algorithm ${imprint.hashAlgorithm.oid} with ${params}, digest ${hex}}`;
}

function sameParameters(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : bytesEqual(a, b);
}

export interface CheckedTimestampResponse {
  /** The TimeStampToken (ContentInfo) exactly as the TSA sent it: what goes into the envelope. */
  readonly token: Uint8Array;
  readonly parsed: TimestampToken;
}

/**
 * Checks a TimeStampResp against its request (spec digest §10 "Signing" step 4, as tspclient-go's
 * Response.Validate): status granted or grantedWithMods, a token that parses, TSTInfo version 1,
 * imprint (hash OID, parameters, digest) equal to the request's, genTime in UTC, the nonce echoed,
 * and — certReq being TRUE — a signer certificate identified by signing-certificate-v2 inside the
 * token. Does not verify the token's signature or chain; requestTimestamp does both.
 * @throws TimestampError at stage `response`; a refused request has code ERR_TIMESTAMP_REJECTED.
 */
export async function parseTimestampResponse(bytes: Uint8Array, request: TimestampRequest): Promise<CheckedTimestampResponse> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw responseError('the TSA returned an empty body; expected a DER TimeStampResp');
  if (bytes.length > MAX_TIMESTAMP_TOKEN_BYTES) {
    throw new TimestampError('response', `invalid timestamping response: ${bytes.length} bytes; at most ${MAX_TIMESTAMP_TOKEN_BYTES} bytes are accepted`, {
      code: 'ERR_INPUT_TOO_LARGE'
    });
  }
  let response: ParsedResponse;
  try {
    response = readResponse(bytes);
  } catch (cause) {
    const detail = cause instanceof DerError || isSignetError(cause) ? cause.message : 'malformed encoding';
    throw responseError(`the TSA's reply is not a DER TimeStampResp: ${detail}`, cause);
  }
  if (response.status !== 0 && response.status !== 1) {
    let text = `invalid response with status code ${response.status}: ${STATUS_TEXT[response.status] ?? `unknown PKIStatus ${response.status}`}`;
    const failures = FAILURE_INFO.filter(([bit]) => response.failInfo.includes(bit)).map(([, t]) => t);
    if (failures.length > 0) text += `. Failure info: ${failures.join('\n')}`;
    if (response.statusStrings.length > 0) text += ` (TSA says: ${response.statusStrings.map((s) => JSON.stringify(s)).join(', ')})`;
    throw new TimestampError('response', `invalid timestamping response: ${text}`, { code: 'ERR_TIMESTAMP_REJECTED' });
  }
  if (!response.token) throw responseError('the TSA granted the request but sent no timeStampToken');
  let parsed: TimestampToken;
  try {
    parsed = await parseTimestampToken(response.token);
  } catch (cause) {
    const text = cause instanceof TimestampError ? cause.message : cause instanceof Error ? cause.message : String(cause);
    throw responseError(text, cause);
  }
  const info = parsed.tstInfo;
  if (info.version !== 1) throw responseError(`timestamp token info version must be 1, but got ${info.version}`);
  const got = info.messageImprint;
  const want = request.messageImprint;
  if (got.hashAlgorithm.oid !== want.hashAlgorithm.oid || !sameParameters(got.hashAlgorithm.parameters, want.hashAlgorithm.parameters) || !bytesEqual(got.hashedMessage, want.hashedMessage)) {
    throw responseError(`message imprint in response ${imprintText(got)} does not match with request ${imprintText(want)}`);
  }
  if (info.genTimePrecise.offsetMinutes !== 0) throw responseError('TSTInfo genTime must be in UTC');
  if (info.nonce !== request.nonce) {
    throw responseError(`nonce in response ${info.nonce === undefined ? '<nil>' : info.nonce.toString()} does not match nonce in request ${request.nonce.toString()}`);
  }
  let found = false;
  for (const signerInfo of parsed.signerInfos) {
    try {
      await signingCertificate(parsed, signerInfo);
      found = true;
      break;
    } catch {
      // try the next signer info
    }
  }
  if (!found) throw responseError('certReq is True in request, but did not find any TSA signing certificate in the response');
  return { token: response.token.slice(), parsed };
}

export interface RequestTimestampOptions {
  /** TSA roots to trust (notation: `--timestamp-root-cert`). */
  readonly tsaRoots: readonly Certificate[];
  /** Current time for the TSA chain check (notation checks the fresh token at "now"). */
  readonly now: Date;
  /** Fixed nonce, for tests. */
  readonly nonce?: bigint;
}

/**
 * The whole signing-side exchange (spec digest §10 "Signing" steps 2–5): build the request over
 * the primitive signature bytes with the signing algorithm's hash, send it through `timestamper`,
 * check the response, then verify the token against `tsaRoots` (CMS signature, chain valid at
 * `now`, timestamping profile). Resolves with the token bytes to store in
 * `io.cncf.notary.timestampSignature`; any failure rejects, so signing aborts (§10 step 7).
 * Fits SignRequest.timestamp: `(sig, alg) => requestTimestamp(sig, alg, port, { tsaRoots, now: clock() })`.
 */
export async function requestTimestamp(
  signatureBytes: Uint8Array,
  algorithm: SignatureAlgorithm,
  timestamper: Timestamper,
  options: RequestTimestampOptions
): Promise<Uint8Array> {
  const request = await buildTimestampRequest(signatureBytes, algorithm, options.nonce);
  let reply: Uint8Array;
  try {
    reply = await timestamper(request.der);
  } catch (cause) {
    if (isSignetError(cause)) throw cause;
    throw new TimestampError('response', `the timestamp authority could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const checked = await parseTimestampResponse(reply, request);
  try {
    await verifyTimestampToken(checked.parsed, { tsaRoots: options.tsaRoots, signatureBytes, at: options.now });
  } catch (cause) {
    if (cause instanceof TimestampError) {
      throw new TimestampError(cause.stage, `the timestamp authority's token failed verification: ${notationTimestampMessage(cause)}`, { cause });
    }
    throw cause;
  }
  return checked.token;
}
