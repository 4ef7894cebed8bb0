/**
 * OCI content digests (`<algorithm>:<encoded>`), computed with WebCrypto so the same code runs in
 * Node and in browsers. See https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#digests
 */
import { toArrayBuffer, toHex } from '../bytes';
import { SignetError } from '../errors';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };
const WEBCRYPTO_NAME: Record<DigestAlgorithm, string> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Parses and validates a digest string; only lowercase hex of the exact length is accepted. */
export function parseDigest(digest: unknown, what = 'digest'): ParsedDigest {
  if (typeof digest !== 'string') {
    throw new SignetError('ERR_DIGEST_INVALID', `${what} must be a string like "sha256:<64 hex>", got ${typeof digest}`);
  }
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (colon < 0 || !(algorithm in HEX_LENGTH)) {
    throw new SignetError(
      'ERR_DIGEST_INVALID',
      `${what} "${truncate(digest)}" must start with sha256:, sha384: or sha512:`
    );
  }
  const alg = algorithm as DigestAlgorithm;
  if (hex.length !== HEX_LENGTH[alg] || !/^[0-9a-f]+$/.test(hex)) {
    throw new SignetError(
      'ERR_DIGEST_INVALID',
      `${what} "${truncate(digest)}" must have ${HEX_LENGTH[alg]} lowercase hex characters after "${alg}:"`
    );
  }
  return { algorithm: alg, hex };
}

export function isDigest(value: unknown): value is string {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

export async function hashBytes(algorithm: DigestAlgorithm, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(WEBCRYPTO_NAME[algorithm], toArrayBuffer(bytes)));
}

/** The digest string of `bytes` (sha256 unless another algorithm is asked for). */
export async function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Promise<string> {
  return `${algorithm}:${toHex(await hashBytes(algorithm, bytes))}`;
}

/**
 * Checks that `bytes` hash to `expected`; throws ERR_DIGEST_MISMATCH otherwise. Used on every
 * byte read from a registry before it is parsed or trusted.
 */
export async function verifyDigest(bytes: Uint8Array, expected: string, what = 'content'): Promise<void> {
  const { algorithm } = parseDigest(expected, `expected digest of ${what}`);
  const actual = await computeDigest(bytes, algorithm);
  if (actual !== expected) {
    throw new SignetError(
      'ERR_DIGEST_MISMATCH',
      `${what} does not match its digest: expected ${expected}, received bytes hash to ${actual}`
    );
  }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
