/**
 * PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 5958) inspection, and re-wrapping of the two legacy
 * private key encodings notation also reads (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY")
 * into PKCS#8, the only private key format WebCrypto imports.
 * The AlgorithmIdentifier and key size pick the Notary algorithm (spec digest §7).
 */
import { concatBytes } from '../bytes';
import { SignetError } from '../errors';
import { algorithmForKey, type SignatureAlgorithm } from '../notary/algorithms';
import { DerError, TAG, childrenOf, decodeOne, expectConstructed, expectPrimitive, isContext, isUniversal, readInteger, readOid } from '../notary/x509/der';

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

const CURVE_BY_OID: Readonly<Record<string, { bits: number; name: string }>> = {
  '1.2.840.10045.3.1.7': { bits: 256, name: 'P-256' },
  '1.3.132.0.34': { bits: 384, name: 'P-384' },
  '1.3.132.0.35': { bits: 521, name: 'P-521' }
};

const OTHER_KEY_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10040.4.1': 'DSA'
};

function keyInvalid(what: string, detail: string, cause?: unknown): SignetError {
  return new SignetError('ERR_KEY_INVALID', `${what} is not a valid private key: ${detail}`, cause === undefined ? undefined : { cause });
}

function derMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : 'malformed DER';
}

// --- a minimal DER writer: only what re-wrapping needs ---------------------------------------------

function derLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

function derTlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([tag]), derLength(content.length), content);
}

const DER_SEQUENCE = 0x30;
const DER_OCTET_STRING = 0x04;
const DER_INTEGER_ZERO = new Uint8Array([0x02, 0x01, 0x00]);
const DER_NULL = new Uint8Array([0x05, 0x00]);

function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const out: number[] = [Number(arcs[0]! * 40n + arcs[1]!)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(Number(v & 0x7fn) | (chunk.length > 0 ? 0x80 : 0));
      v >>= 7n;
    } while (v > 0n);
    out.push(...chunk);
  }
  return derTlv(0x06, new Uint8Array(out));
}

// --- inspection ---------------------------------------------------------------------------------

function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

/** The RSA modulus size in bits, rounded up to whole bytes as Go's `Size()*8` (what notation checks). */
function rsaModulusBits(rsaPrivateKey: Uint8Array, what: string): number {
  try {
    const fields = expectConstructed(decodeOne(rsaPrivateKey), TAG.SEQUENCE, 'RSAPrivateKey');
    if (fields.length < 9) throw new DerError('RSAPrivateKey must have 9 fields');
    const modulus = readInteger(fields[1], 'modulus');
    if (modulus <= 0n) throw new DerError('modulus is not positive');
    return Math.ceil(bitLength(modulus) / 8) * 8;
  } catch (cause) {
    throw keyInvalid(what, `the RSA key is damaged (${derMessage(cause)})`, cause);
  }
}

/**
 * Reads a PKCS#8 PrivateKeyInfo and returns the Notary algorithm its key must use: RSA
 * 2048/3072/4096 → RSASSA-PSS with SHA-256/384/512, EC P-256/384/521 → ECDSA (spec digest §7).
 * ERR_KEY_INVALID for malformed input, ERR_ALGORITHM_UNSUPPORTED for any other key.
 */
export function algorithmForPkcs8(pkcs8: Uint8Array, what = 'private key'): SignatureAlgorithm {
  let algorithmOid: string;
  let parameters: ReturnType<typeof decodeOne> | undefined;
  let privateKey: Uint8Array;
  try {
    const fields = expectConstructed(decodeOne(pkcs8), TAG.SEQUENCE, 'PrivateKeyInfo');
    const version = readInteger(fields[0], 'version');
    if (version !== 0n && version !== 1n) throw new DerError(`version ${version} is not 0 or 1`);
    const algorithm = expectConstructed(fields[1], TAG.SEQUENCE, 'privateKeyAlgorithm');
    algorithmOid = readOid(algorithm[0], 'privateKeyAlgorithm');
    parameters = algorithm[1];
    privateKey = expectPrimitive(fields[2], TAG.OCTET_STRING, 'privateKey').content;
  } catch (cause) {
    throw keyInvalid(what, `expected a PKCS#8 PrivateKeyInfo (${derMessage(cause)})`, cause);
  }
  if (algorithmOid === OID_RSA_ENCRYPTION) {
    const bits = rsaModulusBits(privateKey, what);
    return supported(what, 'RSA', bits, `RSA ${bits}-bit`);
  }
  if (algorithmOid === OID_EC_PUBLIC_KEY) {
    let curveOid: string;
    try {
      curveOid = readOid(parameters, 'namedCurve');
    } catch (cause) {
      throw new SignetError(
        'ERR_ALGORITHM_UNSUPPORTED',
        `${what} is an EC key without a named curve; Notary signatures need P-256, P-384 or P-521 keys encoded with the curve's name`,
        { cause }
      );
    }
    const curve = CURVE_BY_OID[curveOid];
    if (!curve) {
      throw new SignetError('ERR_ALGORITHM_UNSUPPORTED', `${what} is an EC key on curve ${curveOid}; Notary signatures need P-256, P-384 or P-521`);
    }
    return supported(what, 'EC', curve.bits, `EC ${curve.name}`);
  }
  if (algorithmOid === OID_RSASSA_PSS) {
    throw new SignetError(
      'ERR_ALGORITHM_UNSUPPORTED',
      `${what} is an RSA key restricted to RSASSA-PSS (OID ${OID_RSASSA_PSS}); certificates for such keys cannot be read by notation. Use a plain RSA key (rsaEncryption) instead`
    );
  }
  const name = OTHER_KEY_ALGORITHMS[algorithmOid];
  throw new SignetError(
    'ERR_ALGORITHM_UNSUPPORTED',
    `${what} is ${name ? `an ${name}` : `a key of algorithm ${algorithmOid}`} key; Notary signatures need RSA 2048/3072/4096 or EC P-256/P-384/P-521`
  );
}

function supported(what: string, keyType: 'RSA' | 'EC', keySize: number, label: string): SignatureAlgorithm {
  try {
    return algorithmForKey(keyType, keySize);
  } catch (cause) {
    throw new SignetError('ERR_ALGORITHM_UNSUPPORTED', `${what} is an ${label} key; Notary signatures need RSA 2048/3072/4096 or EC P-256/P-384/P-521`, { cause });
  }
}

// --- re-wrapping legacy encodings -----------------------------------------------------------------

/** PKCS#1 RSAPrivateKey → PKCS#8 PrivateKeyInfo (the key bytes are carried unchanged). */
export function pkcs8FromPkcs1(rsaPrivateKey: Uint8Array, what = 'RSA private key'): Uint8Array {
  rsaModulusBits(rsaPrivateKey, what); // validates the structure
  const algorithm = derTlv(DER_SEQUENCE, concatBytes(derOid(OID_RSA_ENCRYPTION), DER_NULL));
  return derTlv(DER_SEQUENCE, concatBytes(DER_INTEGER_ZERO, algorithm, derTlv(DER_OCTET_STRING, rsaPrivateKey)));
}

/**
 * SEC1 ECPrivateKey (RFC 5915) → PKCS#8. The curve comes from the key's own `parameters` field,
 * which OpenSSL and Go always write; a key without it cannot be placed on a curve.
 */
export function pkcs8FromSec1(ecPrivateKey: Uint8Array, what = 'EC private key'): Uint8Array {
  let curveOid: string;
  try {
    const fields = expectConstructed(decodeOne(ecPrivateKey), TAG.SEQUENCE, 'ECPrivateKey');
    if (readInteger(fields[0], 'version') !== 1n) throw new DerError('version is not 1');
    expectPrimitive(fields[1], TAG.OCTET_STRING, 'privateKey');
    const params = fields.slice(2).find((f) => isContext(f, 0));
    if (!params) {
      throw new SignetError('ERR_KEY_INVALID', `${what} does not name its curve; export it as PKCS#8 ("BEGIN PRIVATE KEY") instead`);
    }
    const inner = childrenOf(params);
    if (inner.length !== 1 || !isUniversal(inner[0], TAG.OID)) {
      throw new SignetError('ERR_ALGORITHM_UNSUPPORTED', `${what} uses explicit curve parameters; Notary signatures need the named curves P-256, P-384 or P-521`);
    }
    curveOid = readOid(inner[0], 'namedCurve');
  } catch (cause) {
    if (cause instanceof SignetError) throw cause;
    throw keyInvalid(what, `expected an ECPrivateKey (${derMessage(cause)})`, cause);
  }
  const algorithm = derTlv(DER_SEQUENCE, concatBytes(derOid(OID_EC_PUBLIC_KEY), derOid(curveOid)));
  return derTlv(DER_SEQUENCE, concatBytes(DER_INTEGER_ZERO, algorithm, derTlv(DER_OCTET_STRING, ecPrivateKey)));
}
