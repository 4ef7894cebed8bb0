/**
 * Import of an existing private key from PEM so that it ends non-extractable, like a generated
 * one. Accepts what notation's local keys use: PKCS#8 ("PRIVATE KEY", what `notation cert
 * generate-test` writes), encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY", PBES2, see pbes2.ts), and the
 * legacy PKCS#1 ("RSA PRIVATE KEY") and SEC1 ("EC PRIVATE KEY") forms. The key type and size come
 * from the key itself and pick the Notary algorithm (spec digest §7).
 *
 * Nothing here keeps the imported text: the decoded bytes are zeroed once WebCrypto has the key.
 * (The caller's PEM string cannot be wiped — JavaScript strings are immutable — so callers should
 * drop their reference, e.g. clear the text field.)
 */
import { toArrayBuffer, utf8Encode } from '../bytes';
import { SignetError, isSignetError } from '../errors';
import { importParams, signParams, type SignatureAlgorithm } from '../notary/algorithms';
import { decodePemBlocks } from '../notary/x509/pem';
import type { SigningKeyPair } from './generate';
import { decryptPkcs8 } from './pbes2';
import { algorithmForPkcs8, pkcs8FromPkcs1, pkcs8FromSec1 } from './pkcs8';

/** Largest PEM text accepted (an RSA-4096 PKCS#8 PEM is about 3.3 KiB). */
export const MAX_PRIVATE_KEY_PEM_LENGTH = 64 * 1024;

export interface ImportPrivateKeyOptions {
  /** Passphrase of an "ENCRYPTED PRIVATE KEY". */
  passphrase?: string;
  /** Names the input in error messages (e.g. the file name). */
  what?: string;
}

const KEY_BLOCK_TYPES = ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'] as const;
type KeyBlockType = (typeof KEY_BLOCK_TYPES)[number];

function isKeyBlock(type: string): type is KeyBlockType {
  return (KEY_BLOCK_TYPES as readonly string[]).includes(type);
}

/** The one private key block in `pem` (other blocks, e.g. EC PARAMETERS or certificates, are ignored). */
function readKeyBlock(pem: string, what: string): { type: KeyBlockType; der: Uint8Array } {
  if (typeof pem !== 'string') throw new SignetError('ERR_INPUT_INVALID', `${what}: expected PEM text`);
  if (pem.length > MAX_PRIVATE_KEY_PEM_LENGTH) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `${what} is ${pem.length} characters; a private key PEM is at most ${MAX_PRIVATE_KEY_PEM_LENGTH}`);
  }
  if (/Proc-Type:\s*4,\s*ENCRYPTED/i.test(pem)) {
    throw new SignetError(
      'ERR_UNSUPPORTED',
      `${what} uses OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED), which Signet cannot decrypt; convert it with \`openssl pkcs8 -topk8 -v2 aes-256-cbc\` (or import it unencrypted)`
    );
  }
  let blocks;
  try {
    blocks = decodePemBlocks(pem.replace(/\r\n/g, '\n'), what);
  } catch (cause) {
    throw new SignetError('ERR_KEY_INVALID', `${what}: the PEM block is not valid base64`, { cause });
  }
  const keys = blocks.filter((b) => isKeyBlock(b.type));
  if (keys.length === 0) {
    const found = blocks.length > 0 ? `found only ${blocks.map((b) => `"${b.type}"`).join(', ')}` : 'found no PEM block';
    throw new SignetError('ERR_KEY_INVALID', `${what}: expected a "-----BEGIN PRIVATE KEY-----" PEM block; ${found}`);
  }
  if (keys.length > 1) throw new SignetError('ERR_KEY_INVALID', `${what} holds ${keys.length} private keys; import one at a time`);
  return { type: keys[0]!.type as KeyBlockType, der: keys[0]!.bytes };
}

/**
 * Imports a private key PEM as a non-extractable signing key plus its public key, after proving
 * with one signature that the two belong together.
 * Errors: ERR_KEY_INVALID (not a key / damaged), ERR_KEY_PASSPHRASE (encrypted, passphrase missing
 * or wrong), ERR_ALGORITHM_UNSUPPORTED (not one of the six Notary key specs, §7), ERR_UNSUPPORTED
 * (an encryption WebCrypto cannot undo), ERR_INPUT_TOO_LARGE.
 */
export async function importPrivateKeyPem(pem: string, options: ImportPrivateKeyOptions = {}): Promise<SigningKeyPair> {
  const what = options.what ?? 'the private key';
  const block = readKeyBlock(pem, what);
  const wiped: Uint8Array[] = [block.der];
  try {
    let pkcs8: Uint8Array;
    switch (block.type) {
      case 'PRIVATE KEY':
        pkcs8 = block.der;
        break;
      case 'ENCRYPTED PRIVATE KEY':
        pkcs8 = await decryptPkcs8(block.der, options.passphrase, what);
        break;
      case 'RSA PRIVATE KEY':
        pkcs8 = pkcs8FromPkcs1(block.der, what);
        break;
      case 'EC PRIVATE KEY':
        pkcs8 = pkcs8FromSec1(block.der, what);
        break;
    }
    wiped.push(pkcs8);
    let algorithm: SignatureAlgorithm;
    try {
      algorithm = algorithmForPkcs8(pkcs8, what);
    } catch (e) {
      // Decrypting with a wrong passphrase can (rarely) pass the padding check and yield garbage.
      if (block.type === 'ENCRYPTED PRIVATE KEY' && isSignetError(e, 'ERR_KEY_INVALID')) {
        throw new SignetError('ERR_KEY_PASSPHRASE', `the passphrase for ${what} is wrong, or the file is damaged`, { cause: e });
      }
      throw e;
    }
    return await importPkcs8(pkcs8, algorithm, what);
  } finally {
    for (const bytes of wiped) bytes.fill(0);
  }
}

/**
 * Imports PKCS#8 DER already known to hold a key for `algorithm`. The public key is derived by
 * WebCrypto (PKCS#8 need not carry it): the key is imported once as extractable only to read
 * its public JWK fields, then imported again non-extractable; only the second one is returned.
 */
async function importPkcs8(pkcs8: Uint8Array, algorithm: SignatureAlgorithm, what: string): Promise<SigningKeyPair> {
  const params = importParams(algorithm);
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  try {
    const transient = await crypto.subtle.importKey('pkcs8', toArrayBuffer(pkcs8), params, true, ['sign']);
    const jwk = await crypto.subtle.exportKey('jwk', transient);
    const publicJwk: JsonWebKey =
      algorithm.keyType === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
    publicKey = await crypto.subtle.importKey('jwk', publicJwk, params, true, ['verify']);
    privateKey = await crypto.subtle.importKey('pkcs8', toArrayBuffer(pkcs8), params, false, ['sign']);
  } catch (cause) {
    throw new SignetError(
      'ERR_KEY_INVALID',
      `${what} could not be imported as an ${algorithm.keySpec} key (${cause instanceof Error ? cause.message : String(cause)})`,
      { cause }
    );
  }
  // A damaged key (e.g. a wrong CRT component) can import but sign wrongly; find out now.
  const probe = utf8Encode('signet key import check');
  const signature = await crypto.subtle.sign(signParams(algorithm), privateKey, toArrayBuffer(probe));
  if (!(await crypto.subtle.verify(signParams(algorithm), publicKey, signature, toArrayBuffer(probe)))) {
    throw new SignetError('ERR_KEY_INVALID', `${what} is damaged: a signature made with it does not verify with its own public key`);
  }
  return { keySpec: algorithm.keySpec, privateKey, publicKey };
}
