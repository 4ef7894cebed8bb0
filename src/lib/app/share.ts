/**
 * Share links: a URL that reproduces a verification — the artifact pinned to its digest, the trust
 * policy statement that applied, and the trust stores it names — compressed (deflate-raw) into
 * the URL fragment, which browsers never send to a server. A link longer than
 * MAX_SHARE_URL_LENGTH is not produced; the same content is offered as a "verification bundle"
 * JSON file that the app opens instead.
 *
 *   https://signet.example/#share=1.<base64url(deflate-raw(JSON))>
 *
 * Decoding treats the fragment as hostile: bounded input, bounded decompression, strict
 * structure. The trust policy and certificates inside are validated later by the core, exactly
 * as stored trust material is.
 */
import { base64Decode, base64Encode, base64UrlDecode, base64UrlEncode, utf8Encode } from '../bytes';
import { SignetError } from '../errors';
import { parseJsonBytes } from '../json';
import { parseReference } from '../oci/reference';

export const SHARE_FRAGMENT_KEY = 'share';
export const SHARE_VERSION = 1;
/** Longest share URL produced; longer ones become a bundle file (many chat tools and proxies cut URLs near here). */
export const MAX_SHARE_URL_LENGTH = 32 * 1024;
/** Longest fragment accepted when opening a link (links made elsewhere may be longer than ours). */
export const MAX_SHARE_FRAGMENT_LENGTH = 512 * 1024;
/** Largest decompressed share content accepted. */
export const MAX_SHARE_JSON_BYTES = 4 * 1024 * 1024;
export const BUNDLE_MEDIA_TYPE = 'application/vnd.signet.verification-bundle.v1+json';
const MAX_STORES = 32;
const MAX_CERTS_PER_STORE = 64;
const MAX_CERT_BASE64 = 96 * 1024;

export type ShareStoreType = 'ca' | 'signingAuthority' | 'tsa';

export interface ShareTrustStore {
  readonly type: ShareStoreType;
  readonly name: string;
  /** DER certificates, standard base64. */
  readonly certificates: readonly string[];
}

/** What a share link carries. */
export interface SharePayload {
  readonly v: typeof SHARE_VERSION;
  /** `<registry>/<repository>@<digest>`: always pinned to a digest. */
  readonly reference: string;
  /** The tag the sharer typed, if any (shown, never used to resolve). */
  readonly tag?: string;
  /** A trust policy document (notation's trustpolicy.json shape), validated by the core on use. */
  readonly policy: unknown;
  readonly stores: readonly ShareTrustStore[];
  /** When the link was made (ISO 8601). */
  readonly createdAt: string;
  /** The Signet origin that made it. */
  readonly createdBy?: string;
}

function invalid(detail: string, cause?: unknown): SignetError {
  return new SignetError('ERR_INPUT_INVALID', `share link: ${detail}`, cause === undefined ? undefined : { cause });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the structure of share content (not the trust material's meaning) and returns it typed. */
export function validateSharePayload(value: unknown): SharePayload {
  if (!isRecord(value)) throw invalid('expected a JSON object');
  if (value.v !== SHARE_VERSION) throw invalid(`version ${JSON.stringify(value.v ?? null)} is not supported; this Signet reads version ${SHARE_VERSION}`);
  if (typeof value.reference !== 'string') throw invalid('"reference" must be text');
  const ref = parseReference(value.reference);
  if (!ref.digest) throw invalid(`"reference" must be pinned to a digest (…@sha256:…), got "${value.reference.slice(0, 200)}"`);
  if (value.tag !== undefined && (typeof value.tag !== 'string' || value.tag.length > 128)) throw invalid('"tag" must be a tag');
  if (!isRecord(value.policy)) throw invalid('"policy" must be a trust policy object');
  if (!Array.isArray(value.stores) || value.stores.length > MAX_STORES) throw invalid(`"stores" must be a list of at most ${MAX_STORES} trust stores`);
  const stores: ShareTrustStore[] = value.stores.map((s, i) => {
    if (!isRecord(s)) throw invalid(`stores[${i}] must be an object`);
    if (s.type !== 'ca' && s.type !== 'signingAuthority' && s.type !== 'tsa') throw invalid(`stores[${i}].type must be ca, signingAuthority or tsa`);
    if (typeof s.name !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(s.name)) throw invalid(`stores[${i}].name must match [a-zA-Z0-9_.-]+`);
    if (!Array.isArray(s.certificates) || s.certificates.length === 0 || s.certificates.length > MAX_CERTS_PER_STORE) {
      throw invalid(`stores[${i}].certificates must list 1 to ${MAX_CERTS_PER_STORE} certificates`);
    }
    const certificates = s.certificates.map((c, j) => {
      if (typeof c !== 'string' || c.length > MAX_CERT_BASE64) throw invalid(`stores[${i}].certificates[${j}] must be base64 DER`);
      base64Decode(c, `stores[${i}].certificates[${j}]`);
      return c;
    });
    return { type: s.type, name: s.name, certificates };
  });
  if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt))) throw invalid('"createdAt" must be a date');
  if (value.createdBy !== undefined && (typeof value.createdBy !== 'string' || value.createdBy.length > 300)) throw invalid('"createdBy" must be an origin');
  return {
    v: SHARE_VERSION,
    reference: value.reference,
    ...(typeof value.tag === 'string' ? { tag: value.tag } : {}),
    policy: value.policy,
    stores,
    createdAt: value.createdAt,
    ...(typeof value.createdBy === 'string' ? { createdBy: value.createdBy } : {})
  };
}

async function pipeBytes(bytes: Uint8Array, transform: TransformStream<Uint8Array, Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const readable = new Blob([bytes as BlobPart]).stream().pipeThrough(transform);
  const reader = readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new SignetError('ERR_INPUT_TOO_LARGE', `share link: the content unpacks to more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** The fragment value (without `#`): `share=1.<base64url(deflate-raw(JSON))>`. */
export async function encodeShareFragment(payload: SharePayload): Promise<string> {
  const json = utf8Encode(JSON.stringify(validateSharePayload(payload)));
  const packed = await pipeBytes(json, new CompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>, Number.MAX_SAFE_INTEGER);
  return `${SHARE_FRAGMENT_KEY}=${SHARE_VERSION}.${base64UrlEncode(packed)}`;
}

/** True when a URL fragment (with or without `#`) carries a share link. */
export function isShareFragment(fragment: string): boolean {
  return fragment.replace(/^#/, '').startsWith(`${SHARE_FRAGMENT_KEY}=`);
}

/** Decodes a fragment made by encodeShareFragment; typed errors for anything else. */
export async function decodeShareFragment(fragment: string): Promise<SharePayload> {
  const text = fragment.replace(/^#/, '');
  if (text.length > MAX_SHARE_FRAGMENT_LENGTH) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `share link: the fragment is ${text.length} characters; at most ${MAX_SHARE_FRAGMENT_LENGTH} are read`);
  }
  const m = /^share=(\d+)\.([A-Za-z0-9_-]*)$/.exec(text);
  if (!m) throw invalid('the link is damaged: expected #share=<version>.<data> (was it cut off when copied?)');
  if (Number(m[1]) !== SHARE_VERSION) throw invalid(`version ${m[1]} is not supported; this Signet reads version ${SHARE_VERSION}`);
  let packed: Uint8Array;
  try {
    packed = base64UrlDecode(m[2] ?? '', 'share link data');
  } catch (e) {
    throw invalid('the link is damaged: its data is not base64url (was it cut off when copied?)', e);
  }
  let json: Uint8Array;
  try {
    json = await pipeBytes(packed, new DecompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>, MAX_SHARE_JSON_BYTES);
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw invalid('the link is damaged: its data does not decompress (was it cut off when copied?)', e);
  }
  return validateSharePayload(parseJsonBytes(json, 'share link content', MAX_SHARE_JSON_BYTES));
}

/** The verification bundle file: the same content as a link, as JSON. */
export function encodeVerificationBundle(payload: SharePayload): string {
  return `${JSON.stringify({ mediaType: BUNDLE_MEDIA_TYPE, share: validateSharePayload(payload) }, null, 2)}\n`;
}

/** True when parsed JSON looks like a verification bundle (used to route dropped files). */
export function isVerificationBundle(value: unknown): boolean {
  return isRecord(value) && value.mediaType === BUNDLE_MEDIA_TYPE;
}

export function decodeVerificationBundle(bytes: Uint8Array): SharePayload {
  const value = parseJsonBytes(bytes, 'verification bundle', MAX_SHARE_JSON_BYTES);
  if (!isVerificationBundle(value)) throw new SignetError('ERR_INPUT_INVALID', `verification bundle: expected {"mediaType": "${BUNDLE_MEDIA_TYPE}", "share": …}`);
  return validateSharePayload((value as Record<string, unknown>).share);
}

export type ShareOutcome =
  | { readonly kind: 'link'; readonly url: string }
  | { readonly kind: 'bundle'; readonly fileName: string; readonly json: string; readonly linkLength: number; readonly reason: string };

/**
 * A share link on `pageUrl` (its fragment replaced), or — when it would be longer than
 * `maxUrlLength` — a verification bundle to download instead.
 */
export async function createShare(payload: SharePayload, pageUrl: string, maxUrlLength = MAX_SHARE_URL_LENGTH): Promise<ShareOutcome> {
  const fragment = await encodeShareFragment(payload);
  const url = new URL(pageUrl);
  url.search = '';
  url.hash = fragment;
  const href = url.toString();
  if (href.length <= maxUrlLength) return { kind: 'link', url: href };
  const digest = parseReference(payload.reference).digest ?? 'artifact';
  return {
    kind: 'bundle',
    fileName: `signet-verification-${digest.replace(/^sha256:/, '').slice(0, 12)}.json`,
    json: encodeVerificationBundle(payload),
    linkLength: href.length,
    reason: `The link would be ${href.length} characters long (the limit is ${maxUrlLength}), because the trust material is large. Download the verification bundle and send the file instead; Signet opens it from the Verify page or by drag and drop.`
  };
}

/** DER → base64 for ShareTrustStore.certificates. */
export function certificateToShare(der: Uint8Array): string {
  return base64Encode(der);
}

/** base64 → DER (already checked by validateSharePayload). */
export function certificateFromShare(text: string): Uint8Array {
  return base64Decode(text, 'shared certificate');
}

