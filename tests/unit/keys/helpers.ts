/** Shared assertions for the key tests (Node and Chromium). */
import { expect } from 'vitest';
import { base64Decode, toArrayBuffer, utf8Encode } from '../../../src/lib/bytes';
import { isSignetError, type SignetErrorCode } from '../../../src/lib/errors';
import { algorithmByKeySpec, importParams, signParams, type KeySpec } from '../../../src/lib/notary/algorithms';

/** Awaits `p` and asserts it rejects with a SignetError of `code` (and message, when given). */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: SignetErrorCode, message?: RegExp): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isSignetError(e, code), `expected ${code}, got ${e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e)}`).toBe(true);
    if (message) expect((e as Error).message).toMatch(message);
    return e as Error;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** Asserts that WebCrypto refuses to export the private key in every format. */
export async function expectExportRefused(privateKey: CryptoKey): Promise<void> {
  expect(privateKey.extractable).toBe(false);
  for (const format of ['pkcs8', 'jwk', 'raw', 'spki'] as const) {
    let exported = false;
    try {
      await crypto.subtle.exportKey(format, privateKey);
      exported = true;
    } catch (e) {
      expect((e as Error).name, `exportKey(${format})`).toMatch(/InvalidAccess|NotSupported/);
    }
    expect(exported, `exportKey(${format}) must be refused`).toBe(false);
  }
}

/** Signs a message with `privateKey` using the Notary algorithm for `keySpec` and verifies it with `publicKey`. */
export async function signAndVerify(keySpec: KeySpec, privateKey: CryptoKey, publicKey: CryptoKey, text = 'hello notary'): Promise<boolean> {
  const alg = algorithmByKeySpec(keySpec);
  const data = toArrayBuffer(utf8Encode(text));
  const signature = await crypto.subtle.sign(signParams(alg), privateKey, data);
  if (alg.keyType === 'EC') expect(signature.byteLength).toBe(2 * alg.ecCoordinateLength!);
  else expect(signature.byteLength).toBe(alg.keySize / 8);
  return crypto.subtle.verify(signParams(alg), publicKey, signature, data);
}

/** A public key from an SPKI PEM (e.g. the one OpenSSL derived), for the Notary algorithm of `keySpec`. */
export async function publicKeyFromPem(pem: string, keySpec: KeySpec): Promise<CryptoKey> {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return crypto.subtle.importKey('spki', toArrayBuffer(base64Decode(body)), importParams(algorithmByKeySpec(keySpec)), true, ['verify']);
}
