/**
 * Decryption of encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY", RFC 5958 EncryptedPrivateKeyInfo) with
 * PBES2 = PBKDF2 + AES-CBC (RFC 8018), which is what OpenSSL 3 (`openssl pkcs8 -topk8`,
 * `openssl genpkey -aes-256-cbc`) writes by default. WebCrypto has both primitives, so no
 * library is needed. Other schemes (scrypt, PBES1, PKCS#12 PBE, AES-192, DES) are refused with
 * a message saying how to re-encrypt: WebCrypto has no scrypt or DES, and Chromium has no
 * 192-bit AES.
 */
import { toArrayBuffer, utf8Encode } from '../bytes';
import { SignetError } from '../errors';
import { DerError, TAG, decodeOne, expectConstructed, expectPrimitive, isUniversal, readInteger, readOid } from '../notary/x509/der';

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11';

const PRF_BY_OID: Readonly<Record<string, 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'>> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512'
};

const AES_CBC_BY_OID: Readonly<Record<string, number>> = {
  '2.16.840.1.101.3.4.1.2': 128,
  '2.16.840.1.101.3.4.1.42': 256
};
const OID_AES192_CBC = '2.16.840.1.101.3.4.1.22';

/**
 * Upper bound on PBKDF2 iterations taken from the file: a hostile file could otherwise ask for
 * 2^31 rounds and freeze the tab. Real files use 2,048 (OpenSSL) to about 1,000,000.
 */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SALT_BYTES = 1024;

const RE_ENCRYPT_HINT = 're-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` or import it unencrypted';

interface Pbes2Parameters {
  salt: Uint8Array;
  iterations: number;
  keyLength?: number;
  prf: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
  aesBits: number;
  iv: Uint8Array;
  encrypted: Uint8Array;
}

function unsupported(what: string, detail: string): SignetError {
  return new SignetError('ERR_UNSUPPORTED', `${what} is encrypted with ${detail}, which Signet cannot decrypt in the browser; ${RE_ENCRYPT_HINT}`);
}

function readPbes2(der: Uint8Array, what: string): Pbes2Parameters {
  let fields;
  let schemeOid: string;
  try {
    fields = expectConstructed(decodeOne(der), TAG.SEQUENCE, 'EncryptedPrivateKeyInfo');
    const scheme = expectConstructed(fields[0], TAG.SEQUENCE, 'encryptionAlgorithm');
    schemeOid = readOid(scheme[0], 'encryptionAlgorithm');
  } catch (cause) {
    throw new SignetError('ERR_KEY_INVALID', `${what} is not a valid encrypted PKCS#8 key (${cause instanceof Error ? cause.message : 'malformed DER'})`, { cause });
  }
  if (schemeOid !== OID_PBES2) {
    // PBES1 (1.2.840.113549.1.5.x) and PKCS#12 PBE (1.2.840.113549.1.12.1.x) use DES/RC2/RC4.
    throw unsupported(what, `a legacy scheme (OID ${schemeOid})`);
  }
  try {
    const scheme = expectConstructed(fields[0], TAG.SEQUENCE, 'encryptionAlgorithm');
    const params = expectConstructed(scheme[1], TAG.SEQUENCE, 'PBES2 parameters');
    const kdf = expectConstructed(params[0], TAG.SEQUENCE, 'keyDerivationFunc');
    const kdfOid = readOid(kdf[0], 'keyDerivationFunc');
    if (kdfOid === OID_SCRYPT) throw unsupported(what, 'scrypt');
    if (kdfOid !== OID_PBKDF2) throw unsupported(what, `key derivation ${kdfOid}`);
    const kdfParams = expectConstructed(kdf[1], TAG.SEQUENCE, 'PBKDF2 parameters');
    const salt = expectPrimitive(kdfParams[0], TAG.OCTET_STRING, 'PBKDF2 salt').content;
    const iterations = readInteger(kdfParams[1], 'PBKDF2 iterationCount');
    let i = 2;
    let keyLength: number | undefined;
    if (isUniversal(kdfParams[i], TAG.INTEGER)) keyLength = Number(readInteger(kdfParams[i++], 'PBKDF2 keyLength'));
    let prf: Pbes2Parameters['prf'] = 'SHA-1'; // RFC 8018 default
    if (kdfParams[i] !== undefined) {
      const prfOid = readOid(expectConstructed(kdfParams[i], TAG.SEQUENCE, 'PBKDF2 prf')[0], 'PBKDF2 prf');
      const hash = PRF_BY_OID[prfOid];
      if (!hash) throw unsupported(what, `PBKDF2 PRF ${prfOid}`);
      prf = hash;
    }
    if (iterations < 1n || iterations > BigInt(MAX_PBKDF2_ITERATIONS)) {
      throw new SignetError('ERR_KEY_INVALID', `${what} asks for ${iterations} PBKDF2 iterations; expected 1 to ${MAX_PBKDF2_ITERATIONS}`);
    }
    if (salt.length === 0 || salt.length > MAX_SALT_BYTES) {
      throw new SignetError('ERR_KEY_INVALID', `${what} has a ${salt.length}-byte PBKDF2 salt; expected 1 to ${MAX_SALT_BYTES} bytes`);
    }
    const cipher = expectConstructed(params[1], TAG.SEQUENCE, 'encryptionScheme');
    const cipherOid = readOid(cipher[0], 'encryptionScheme');
    if (cipherOid === OID_AES192_CBC) throw unsupported(what, 'AES-192-CBC');
    const aesBits = AES_CBC_BY_OID[cipherOid];
    if (!aesBits) throw unsupported(what, `cipher ${cipherOid}`);
    const iv = expectPrimitive(cipher[1], TAG.OCTET_STRING, 'AES IV').content;
    if (iv.length !== 16) throw new DerError(`AES IV is ${iv.length} bytes; expected 16`);
    if (keyLength !== undefined && keyLength !== aesBits / 8) throw new DerError(`PBKDF2 keyLength ${keyLength} does not match AES-${aesBits}`);
    const encrypted = expectPrimitive(fields[1], TAG.OCTET_STRING, 'encryptedData').content;
    if (encrypted.length === 0 || encrypted.length % 16 !== 0) throw new DerError('encryptedData is not whole AES blocks');
    return { salt, iterations: Number(iterations), ...(keyLength === undefined ? {} : { keyLength }), prf, aesBits, iv, encrypted };
  } catch (cause) {
    if (cause instanceof SignetError) throw cause;
    throw new SignetError('ERR_KEY_INVALID', `${what} has malformed PBES2 parameters (${cause instanceof Error ? cause.message : 'malformed DER'})`, { cause });
  }
}

/**
 * Decrypts an EncryptedPrivateKeyInfo (DER) with `passphrase` and returns the inner PKCS#8 DER.
 * ERR_KEY_PASSPHRASE when the passphrase is missing or wrong; ERR_UNSUPPORTED for schemes
 * WebCrypto cannot do (the message says how to re-encrypt); ERR_KEY_INVALID for a damaged file.
 */
export async function decryptPkcs8(der: Uint8Array, passphrase: string | undefined, what = 'encrypted private key'): Promise<Uint8Array> {
  const p = readPbes2(der, what);
  if (passphrase === undefined || passphrase === '') {
    throw new SignetError('ERR_KEY_PASSPHRASE', `${what} is encrypted; enter its passphrase`);
  }
  const passphraseBytes = utf8Encode(passphrase);
  try {
    const base = await crypto.subtle.importKey('raw', toArrayBuffer(passphraseBytes), 'PBKDF2', false, ['deriveKey']);
    const aes = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', salt: toArrayBuffer(p.salt), iterations: p.iterations, hash: p.prf },
      base,
      { name: 'AES-CBC', length: p.aesBits },
      false,
      ['decrypt']
    );
    const plain = await crypto.subtle.decrypt({ name: 'AES-CBC', iv: toArrayBuffer(p.iv) }, aes, toArrayBuffer(p.encrypted));
    return new Uint8Array(plain);
  } catch (cause) {
    // A wrong passphrase almost always breaks the CBC padding; the rare survivor fails PKCS#8
    // parsing later and is reported the same way by the caller.
    throw new SignetError('ERR_KEY_PASSPHRASE', `the passphrase for ${what} is wrong, or the file is damaged`, { cause });
  } finally {
    passphraseBytes.fill(0);
  }
}
