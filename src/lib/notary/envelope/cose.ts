/**
 * COSE_Sign1 envelopes (`application/cose`), RFC 9052 as profiled by the Notary Project.
 * Spec: signing-scheme / signature-envelope-cose.md; digest §5.
 */
import { SignetError } from '../../errors';
import { MediaType } from '../../oci/media-types';
import { algorithmByCose } from '../algorithms';
import type { Signer } from '../ports';
import { CborTag, decodeCbor, encodeCbor, epochTime, sortCanonical, tagged, type CborInput, type CborKey, type CborValue } from './cbor';
import { checkCritical, checkExpiry, criticalLabels, parseSigningScheme, signingTimeHeader } from './headers';
import { HeaderName, truncateToSeconds, type Envelope, type ExtendedAttribute, type SignRequest, type SigningScheme } from './types';

const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CONTENT_TYPE = 3;
const LABEL_X5CHAIN = 33;
const COSE_SIGN1_TAG = 18;

const SYSTEM_LABELS = new Set<CborKey>([
  LABEL_ALG,
  LABEL_CRIT,
  LABEL_CONTENT_TYPE,
  HeaderName.expiry,
  HeaderName.signingScheme,
  HeaderName.signingTime,
  HeaderName.authenticSigningTime
]);

function invalid(message: string): never {
  throw new SignetError('ERR_ENVELOPE_INVALID', `COSE envelope: ${message}`);
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SignetError && e.code === 'ERR_CBOR_INVALID') {
      throw new SignetError('ERR_ENVELOPE_INVALID', `COSE envelope is not valid CBOR: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/** Reads a tag-1 epoch time; notation refuses untagged values and tag-0 strings. */
function readTime(value: CborValue | undefined, label: string): Date {
  if (value === undefined) invalid(`protected header "${label}" is missing`);
  if (!(value instanceof CborTag)) invalid(`header "${label}" time value does not have a tag`);
  if (value.tag !== 1) invalid(`header "${label}": only tag 1 (epoch-based) date/time is supported, got tag ${value.tag}`);
  const seconds = value.value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) invalid(`header "${label}" tag 1 must wrap a number of seconds`);
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) invalid(`header "${label}" is outside the representable time range`);
  return date;
}

/**
 * Decodes and structurally validates a COSE envelope. It does not check the signature or the
 * certificates (see verifyEnvelopeSignature and the integrity check); it never re-encodes: the
 * signing input is built from the protected header bytes exactly as received.
 */
export function decodeCoseEnvelope(bytes: Uint8Array): Envelope {
  const top = wrap(() => decodeCbor(bytes, 'COSE envelope'));
  if (!(top instanceof CborTag) || top.tag !== COSE_SIGN1_TAG) {
    invalid('not a COSE_Sign1_Tagged message (expected CBOR tag 18 around a 4-element array)');
  }
  const parts = top.value;
  if (!Array.isArray(parts) || parts.length !== 4) invalid('COSE_Sign1 must be an array of 4 elements');
  const [protectedBytes, unprotected, payload, signature] = parts as [CborValue, CborValue, CborValue, CborValue];
  if (!(protectedBytes instanceof Uint8Array)) invalid('protected header must be a byte string');
  if (!(unprotected instanceof Map)) invalid('unprotected header must be a map');
  if (payload === null || payload === undefined) invalid('detached payloads are not supported; the payload must be embedded');
  if (!(payload instanceof Uint8Array)) invalid('payload must be a byte string');
  if (!(signature instanceof Uint8Array) || signature.length === 0) invalid('signature missing in COSE envelope');

  const protectedMap = protectedBytes.length === 0 ? new Map<CborKey, CborValue>() : wrap(() => decodeCbor(protectedBytes, 'COSE protected header'));
  if (!(protectedMap instanceof Map)) invalid('protected header must encode a map');
  for (const key of unprotected.keys()) {
    if (protectedMap.has(key)) invalid(`header ${JSON.stringify(String(key))} appears in both the protected and the unprotected header`);
  }

  const scheme = parseSigningScheme(protectedMap.get(HeaderName.signingScheme));
  const critValue = protectedMap.get(LABEL_CRIT);
  let crit: (string | number)[] = [];
  if (critValue !== undefined) {
    if (!Array.isArray(critValue) || !critValue.every((c) => typeof c === 'string' || typeof c === 'number')) {
      invalid('protected header "crit" must be an array of labels');
    }
    crit = critValue as (string | number)[];
    for (const c of crit) {
      if (typeof c === 'number' && c >= 0 && c <= 8) invalid(`"crit" must not list the registered label ${c}`);
    }
  }
  checkCritical(crit, (label) => protectedMap.has(label), scheme, protectedMap.has(HeaderName.expiry));

  const alg = protectedMap.get(LABEL_ALG);
  if (typeof alg !== 'number') invalid('protected header "alg" (label 1) must be an integer algorithm identifier');
  const algorithm = algorithmByCose(alg);

  const timeLabel = signingTimeHeader(scheme);
  const signingTime = readTime(protectedMap.get(timeLabel), timeLabel);
  const expiry = protectedMap.has(HeaderName.expiry) ? readTime(protectedMap.get(HeaderName.expiry), HeaderName.expiry) : undefined;
  checkExpiry(signingTime, expiry);

  const contentType = protectedMap.get(LABEL_CONTENT_TYPE);
  if (contentType === undefined) invalid('missing content type');
  if (typeof contentType !== 'string') invalid("content type should be of 'tstr' type");

  const extendedAttributes: ExtendedAttribute[] = [];
  for (const [key, value] of protectedMap) {
    if (SYSTEM_LABELS.has(key)) continue;
    extendedAttributes.push({ key: typeof key === 'bigint' ? Number(key) : key, value: plain(value), critical: crit.includes(key as string | number) });
  }

  const x5chain = unprotected.get(LABEL_X5CHAIN);
  // notation requires an array even for a single certificate (RFC 9360's bare bstr form is refused).
  if (!Array.isArray(x5chain) || x5chain.length === 0 || !x5chain.every((c) => c instanceof Uint8Array)) {
    invalid('certificate chain is not present (unprotected header 33 must be an array of DER certificates)');
  }
  const signingAgent = unprotected.get(HeaderName.signingAgent);
  const timestamp = unprotected.get(HeaderName.timestampSignature);

  return {
    mediaType: MediaType.cose,
    algorithm,
    signedAttributes: { signingScheme: scheme, signingTime, expiry, contentType, extendedAttributes },
    unsignedAttributes: {
      signingAgent: typeof signingAgent === 'string' ? signingAgent : undefined,
      timestampSignature: timestamp instanceof Uint8Array && timestamp.length > 0 ? timestamp : undefined
    },
    certificateChain: x5chain as Uint8Array[],
    payload: { contentType, content: payload },
    signature,
    signingInput: sigStructure(protectedBytes, payload)
  };
}

/** Converts decoded CBOR into display-friendly plain values (maps to objects, tags kept). */
function plain(value: CborValue): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Sig_structure for COSE_Sign1 with empty external AAD (RFC 9052 §4.4). */
function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/** The protected header notation would write for this request, as deterministic CBOR bytes. */
export function encodeCoseProtectedHeader(req: SignRequest, cose: number, scheme: SigningScheme = 'notary.x509'): Uint8Array {
  const signingTime = truncateToSeconds(req.signingTime);
  const expiry = req.expiry ? truncateToSeconds(req.expiry) : undefined;
  checkExpiry(signingTime, expiry);
  const extended = req.extendedAttributes ?? [];
  const entries: [CborKey, CborInput][] = [
    [LABEL_ALG, cose],
    [LABEL_CRIT, criticalLabels(scheme, !!expiry, extended.filter((a) => a.critical).map((a) => a.key), 'cose')],
    [LABEL_CONTENT_TYPE, MediaType.notaryPayload],
    [HeaderName.signingScheme, scheme],
    [signingTimeHeader(scheme), epochTime(signingTime)]
  ];
  if (expiry) entries.push([HeaderName.expiry, epochTime(expiry)]);
  for (const attr of extended) {
    if (entries.some(([k]) => k === attr.key)) {
      throw new SignetError('ERR_INPUT_INVALID', `"${attr.key}" already exists in the protected header`);
    }
    entries.push([attr.key, attr.value]);
  }
  return encodeCbor(sortCanonical(entries));
}

/** Builds, signs and encodes a COSE_Sign1_Tagged Notary envelope. */
export async function signCoseEnvelope(req: SignRequest, signer: Signer): Promise<Uint8Array> {
  if (signer.certificateChain.length === 0) throw new SignetError('ERR_SIGN_FAILED', 'the signer has no certificate chain');
  const protectedBytes = encodeCoseProtectedHeader(req, signer.algorithm.cose);
  const signature = await signer.sign(sigStructure(protectedBytes, req.payload));
  const unprotected: [CborKey, CborInput][] = [[LABEL_X5CHAIN, signer.certificateChain.map((c) => c)]];
  if (req.signingAgent) unprotected.push([HeaderName.signingAgent, req.signingAgent]);
  if (req.timestamp) unprotected.push([HeaderName.timestampSignature, await req.timestamp(signature, signer.algorithm)]);
  return encodeCbor(tagged([protectedBytes, sortCanonical(unprotected), req.payload, signature], COSE_SIGN1_TAG));
}
