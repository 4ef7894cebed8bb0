/**
 * JWS envelopes (`application/jose+json`): flattened JSON serialization only (RFC 7515 §7.2.2),
 * as profiled by the Notary Project. Spec: signature-envelope-jws.md; digest §6.
 */
import { base64Decode, base64Encode, base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../../bytes';
import { SignetError } from '../../errors';
import { parseJsonObject, parseJsonText } from '../../json';
import { MediaType } from '../../oci/media-types';
import { algorithmByJws } from '../algorithms';
import { marshalGoJson } from '../go-json';
import type { Signer } from '../ports';
import { formatRfc3339, parseRfc3339 } from '../time';
import { checkCritical, checkExpiry, criticalLabels, parseSigningScheme, signingTimeHeader } from './headers';
import { HeaderName, truncateToSeconds, type Envelope, type ExtendedAttribute, type SignRequest, type SigningScheme } from './types';

/** Envelopes are bounded by the 32 MiB blob limit; this is the JSON text cap. */
export const MAX_JWS_BYTES = 32 * 1024 * 1024;

const SYSTEM_HEADERS = new Set<string>([
  'alg',
  'crit',
  'cty',
  HeaderName.signingScheme,
  HeaderName.signingTime,
  HeaderName.authenticSigningTime,
  HeaderName.expiry
]);

function invalid(message: string): never {
  throw new SignetError('ERR_ENVELOPE_INVALID', `JWS envelope: ${message}`);
}

function stringField(obj: Record<string, unknown>, key: string): string {
  const value = obj[key];
  if (typeof value !== 'string') invalid(`"${key}" must be a string`);
  return value;
}

/**
 * Go's encoding/json matches struct fields case-insensitively, which is why notation reads the
 * older mock envelopes' "io.cncf.notary.SigningAgent". Mirror that for the unprotected header.
 */
function headerField(header: Record<string, unknown>, name: string): unknown {
  if (name in header) return header[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(header)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function decodeB64Url(text: string, what: string): Uint8Array {
  try {
    return base64UrlDecode(text, what);
  } catch (cause) {
    // notation fails integrity on padded base64url ("illegal base64 data at input byte N").
    throw new SignetError('ERR_ENVELOPE_INVALID', `JWS envelope: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Decodes and structurally validates a JWS envelope; the signature and certificates are checked
 * elsewhere. The signing input is the received `protected` and `payload` strings, never re-encoded.
 */
export function decodeJwsEnvelope(bytes: Uint8Array): Envelope {
  let json: Record<string, unknown>;
  try {
    json = parseJsonObject(bytes, 'JWS envelope', MAX_JWS_BYTES);
  } catch (cause) {
    throw new SignetError('ERR_ENVELOPE_INVALID', (cause as Error).message, { cause });
  }
  if ('signatures' in json) invalid('the general JSON serialization ("signatures") is not supported; expected the flattened form');
  const protectedText = stringField(json, 'protected');
  const payloadText = stringField(json, 'payload');
  const signatureText = stringField(json, 'signature');
  const header = json.header ?? {};
  if (typeof header !== 'object' || header === null || Array.isArray(header)) invalid('"header" must be an object');
  const unprotected = header as Record<string, unknown>;

  const x5c = headerField(unprotected, 'x5c');
  if (!Array.isArray(x5c) || x5c.length === 0) invalid('certificate chain is not set ("header.x5c" must be a non-empty array)');
  const certificateChain = x5c.map((c, i) => {
    if (typeof c !== 'string') invalid(`header.x5c[${i}] must be a base64 string`);
    try {
      return base64Decode(c, `header.x5c[${i}]`);
    } catch (cause) {
      throw new SignetError('ERR_ENVELOPE_INVALID', `JWS envelope: ${(cause as Error).message}`, { cause });
    }
  });

  const protectedBytes = decodeB64Url(protectedText, 'protected header');
  const payload = decodeB64Url(payloadText, 'payload');
  const signature = decodeB64Url(signatureText, 'signature');
  if (signature.length === 0) invalid('signature is empty');

  let protectedJson: unknown;
  try {
    protectedJson = parseJsonText(utf8Decode(protectedBytes, 'JWS protected header'), 'JWS protected header');
  } catch (cause) {
    throw new SignetError('ERR_ENVELOPE_INVALID', `JWS envelope protected header can't be decoded: ${(cause as Error).message}`, { cause });
  }
  if (typeof protectedJson !== 'object' || protectedJson === null || Array.isArray(protectedJson)) {
    invalid('protected header must be a JSON object');
  }
  const ph = protectedJson as Record<string, unknown>;

  // The payload must be a JSON object (golang-jwt parses it as claims before anything else).
  let payloadJson: unknown;
  try {
    payloadJson = parseJsonText(utf8Decode(payload, 'JWS payload'), 'JWS payload');
  } catch (cause) {
    throw new SignetError('ERR_ENVELOPE_INVALID', `JWS envelope payload: ${(cause as Error).message}`, { cause });
  }
  if (typeof payloadJson !== 'object' || payloadJson === null || Array.isArray(payloadJson)) invalid('payload must be a JSON object');

  const scheme = parseSigningScheme(ph[HeaderName.signingScheme]);
  // Each scheme has exactly one time header; the other must be absent.
  if (scheme === 'notary.x509' && ph[HeaderName.authenticSigningTime] !== undefined) {
    invalid(`"${HeaderName.authenticSigningTime}" header must not be present for notary.x509 signing scheme`);
  }
  if (scheme === 'notary.x509.signingAuthority') {
    if (ph[HeaderName.signingTime] !== undefined) {
      invalid(`"${HeaderName.signingTime}" header must not be present for notary.x509.signingAuthority signing scheme`);
    }
    if (ph[HeaderName.authenticSigningTime] === undefined) {
      invalid(`"${HeaderName.authenticSigningTime}" header must be present for notary.x509.signingAuthority signing scheme`);
    }
  }

  const crit = ph.crit;
  if (crit !== undefined && (!Array.isArray(crit) || !crit.every((c) => typeof c === 'string'))) {
    invalid('protected header "crit" must be an array of strings');
  }
  const critList = (crit ?? []) as string[];
  if (critList.length === 0) invalid('missing "crit" header');
  for (const c of critList) {
    if (c === 'alg' || c === 'cty' || c === 'crit' || c === HeaderName.signingTime) {
      invalid(`"${c}" must not be marked critical`);
    }
  }
  const expiryValue = ph[HeaderName.expiry];
  checkCritical(critList, (label) => (label as string) in ph, scheme, expiryValue !== undefined);

  const alg = algorithmByJws(ph.alg);
  const cty = ph.cty;
  if (typeof cty !== 'string') invalid('protected header "cty" must be a string');

  const timeHeader = signingTimeHeader(scheme);
  const signingTimeText = ph[timeHeader];
  if (signingTimeText === undefined) invalid('signing-time not present');
  const signingTime = parseRfc3339(signingTimeText, `protected header "${timeHeader}"`);
  const expiry = expiryValue === undefined ? undefined : parseRfc3339(expiryValue, `protected header "${HeaderName.expiry}"`);
  checkExpiry(signingTime, expiry);

  const extendedAttributes: ExtendedAttribute[] = Object.entries(ph)
    .filter(([key]) => !SYSTEM_HEADERS.has(key))
    .map(([key, value]) => ({ key, value, critical: critList.includes(key) }));

  const agent = headerField(unprotected, HeaderName.signingAgent);
  const timestamp = headerField(unprotected, HeaderName.timestampSignature);
  let timestampSignature: Uint8Array | undefined;
  if (timestamp !== undefined && timestamp !== null) {
    if (typeof timestamp !== 'string') invalid(`header "${HeaderName.timestampSignature}" must be a base64 string`);
    try {
      timestampSignature = base64Decode(timestamp, `header "${HeaderName.timestampSignature}"`);
    } catch (cause) {
      throw new SignetError('ERR_ENVELOPE_INVALID', `JWS envelope: ${(cause as Error).message}`, { cause });
    }
    if (timestampSignature.length === 0) timestampSignature = undefined;
  }

  return {
    mediaType: MediaType.jws,
    algorithm: alg,
    signedAttributes: {
      signingScheme: scheme,
      signingTime,
      signingTimeText: signingTimeText as string,
      expiry,
      expiryText: expiryValue as string | undefined,
      contentType: cty,
      extendedAttributes
    },
    unsignedAttributes: { signingAgent: typeof agent === 'string' ? agent : undefined, timestampSignature },
    certificateChain,
    payload: { contentType: cty, content: payload },
    signature,
    signingInput: utf8Encode(`${protectedText}.${payloadText}`)
  };
}

/** The base64url `protected` string notation would write for this request. */
export function encodeJwsProtectedHeader(req: SignRequest, jwsAlg: string, scheme: SigningScheme = 'notary.x509'): string {
  const signingTime = truncateToSeconds(req.signingTime);
  const expiry = req.expiry ? truncateToSeconds(req.expiry) : undefined;
  checkExpiry(signingTime, expiry);
  const extended = req.extendedAttributes ?? [];
  const header: Record<string, unknown> = {
    alg: jwsAlg,
    crit: criticalLabels(scheme, !!expiry, extended.filter((a) => a.critical).map((a) => a.key), 'jws'),
    cty: MediaType.notaryPayload,
    [HeaderName.signingScheme]: scheme,
    [signingTimeHeader(scheme)]: formatRfc3339(signingTime)
  };
  if (expiry) header[HeaderName.expiry] = formatRfc3339(expiry);
  for (const attr of extended) {
    if (attr.key in header) throw new SignetError('ERR_INPUT_INVALID', `attribute key:${attr.key} repeated`);
    header[attr.key] = attr.value;
  }
  // A Go map: keys sorted, HTML-escaped.
  return base64UrlEncode(utf8Encode(marshalGoJson(header, true)));
}

/** Builds, signs and encodes a flattened JWS Notary envelope. */
export async function signJwsEnvelope(req: SignRequest, signer: Signer): Promise<Uint8Array> {
  if (signer.certificateChain.length === 0) throw new SignetError('ERR_SIGN_FAILED', 'the signer has no certificate chain');
  const protectedText = encodeJwsProtectedHeader(req, signer.algorithm.jws);
  const payloadText = base64UrlEncode(req.payload);
  const signature = await signer.sign(utf8Encode(`${protectedText}.${payloadText}`));
  const header: Record<string, unknown> = {};
  if (req.timestamp) header[HeaderName.timestampSignature] = base64Encode(await req.timestamp(signature, signer.algorithm));
  header.x5c = signer.certificateChain.map((c) => base64Encode(c));
  if (req.signingAgent) header[HeaderName.signingAgent] = req.signingAgent;
  const envelope = { payload: payloadText, protected: protectedText, header, signature: base64UrlEncode(signature) };
  return utf8Encode(marshalGoJson(envelope, false));
}
