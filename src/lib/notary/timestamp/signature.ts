/**
 * The CMS signer's signature over a timestamp token's signed attributes (RFC 5652 §5.6), checked
 * with WebCrypto the way tspclient-go does it (algorithm from the signer info's digest and
 * signature algorithm OIDs, Go's Certificate.CheckSignature, Go's error texts). Certificate
 * signatures are x509/signature.ts's job; this one signs arbitrary bytes, not a certificate.
 */
import { toArrayBuffer } from '../../bytes';
import type { Certificate } from '../x509/certificate';
import { TAG, decodeOne, childrenOf, readInteger } from '../x509/der';
import { TSP_OID } from './oids';

/** A CMS signature algorithm as Go's x509.SignatureAlgorithm sees it. */
export interface GoSignatureAlgorithm {
  /** Go's name, e.g. "SHA256-RSA", "SHA384-RSAPSS", "ECDSA-SHA256". */
  readonly name: string;
  readonly keyType: 'RSA' | 'EC';
  readonly scheme: 'PKCS1' | 'PSS' | 'ECDSA';
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
}

const BY_SIGNATURE_OID: Readonly<Record<string, GoSignatureAlgorithm>> = {
  '1.2.840.113549.1.1.11': { name: 'SHA256-RSA', keyType: 'RSA', scheme: 'PKCS1', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { name: 'SHA384-RSA', keyType: 'RSA', scheme: 'PKCS1', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { name: 'SHA512-RSA', keyType: 'RSA', scheme: 'PKCS1', hash: 'SHA-512' },
  '1.2.840.10045.4.3.2': { name: 'ECDSA-SHA256', keyType: 'EC', scheme: 'ECDSA', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { name: 'ECDSA-SHA384', keyType: 'EC', scheme: 'ECDSA', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { name: 'ECDSA-SHA512', keyType: 'EC', scheme: 'ECDSA', hash: 'SHA-512' }
};

const HASH_OF_DIGEST_OID: Readonly<Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'>> = {
  [TSP_OID.sha256]: 'SHA-256',
  [TSP_OID.sha384]: 'SHA-384',
  [TSP_OID.sha512]: 'SHA-512'
};

/** tspclient-go's ToSignatureAlgorithm: the CMS signer's digest + signature algorithm OIDs. */
export function cmsSignatureAlgorithm(digestOid: string, signatureOid: string): GoSignatureAlgorithm | undefined {
  const hash = HASH_OF_DIGEST_OID[digestOid];
  const bits = hash?.slice(4);
  switch (signatureOid) {
    case TSP_OID.rsaEncryption:
      return hash ? { name: `SHA${bits}-RSA`, keyType: 'RSA', scheme: 'PKCS1', hash } : undefined;
    case TSP_OID.rsassaPss:
      return hash ? { name: `SHA${bits}-RSAPSS`, keyType: 'RSA', scheme: 'PSS', hash } : undefined;
    case TSP_OID.sha256WithRsa:
    case TSP_OID.sha384WithRsa:
    case TSP_OID.sha512WithRsa:
    case TSP_OID.ecdsaWithSha256:
    case TSP_OID.ecdsaWithSha384:
    case TSP_OID.ecdsaWithSha512:
      return BY_SIGNATURE_OID[signatureOid];
    default:
      return undefined;
  }
}

/** Thrown (and caught by callers) with Go's error text. */
export class SignatureCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureCheckError';
  }
}

const UNSUPPORTED = 'x509: cannot verify signature: algorithm unimplemented';

/** ECDSA-Sig-Value DER → r‖s of fixed width, or undefined when malformed (Go: verification failure). */
function ecdsaDerToRaw(der: Uint8Array, width: number): Uint8Array | undefined {
  try {
    const root = decodeOne(der);
    if (root.tagClass !== 0 || root.tagNumber !== TAG.SEQUENCE || !root.constructed) return undefined;
    const parts = childrenOf(root);
    if (parts.length !== 2) return undefined;
    const out = new Uint8Array(2 * width);
    for (let i = 0; i < 2; i++) {
      const v = readInteger(parts[i], 'ecdsa');
      if (v <= 0n) return undefined;
      const hex = v.toString(16);
      if (hex.length > 2 * width) return undefined;
      const padded = hex.padStart(2 * width, '0');
      for (let j = 0; j < width; j++) out[i * width + j] = parseInt(padded.slice(2 * j, 2 * j + 2), 16);
    }
    return out;
  } catch {
    return undefined;
  }
}

const EC_WIDTH: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/**
 * Go's Certificate.CheckSignature for the CMS signer: verifies `signature` over `signed` with the
 * signer certificate's key. Throws SignatureCheckError with Go's message on any failure.
 */
export async function checkCmsSignature(algorithm: GoSignatureAlgorithm, signed: Uint8Array, signature: Uint8Array, signer: Certificate): Promise<void> {
  const pk = signer.publicKey;
  if (pk.keyType !== 'RSA' && pk.keyType !== 'EC') throw new SignatureCheckError(UNSUPPORTED);
  if (pk.keyType !== algorithm.keyType) {
    const goType = pk.keyType === 'RSA' ? '*rsa.PublicKey' : '*ecdsa.PublicKey';
    throw new SignatureCheckError(`x509: signature algorithm specifies an ${algorithm.keyType === 'EC' ? 'ECDSA' : 'RSA'} public key, but have public key of type ${goType}`);
  }
  let importParams: RsaHashedImportParams | EcKeyImportParams;
  let verifyParams: RsaPssParams | EcdsaParams | Algorithm;
  let sig = signature;
  if (algorithm.scheme === 'ECDSA') {
    const width = pk.curve ? EC_WIDTH[pk.curve] : undefined;
    if (!width) throw new SignatureCheckError(UNSUPPORTED);
    const raw = ecdsaDerToRaw(signature, width);
    if (!raw) throw new SignatureCheckError('x509: ECDSA verification failure');
    sig = raw;
    importParams = { name: 'ECDSA', namedCurve: pk.curve! };
    verifyParams = { name: 'ECDSA', hash: algorithm.hash };
  } else {
    // crypto/rsa refuses keys under 1024 bits and signatures that are not exactly modulus-sized.
    if (pk.keySize < 1024) throw new SignatureCheckError(`crypto/rsa: ${pk.keySize}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)`);
    if (signature.length !== pk.keySize / 8) throw new SignatureCheckError('crypto/rsa: verification error');
    const name = algorithm.scheme === 'PSS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
    importParams = { name, hash: algorithm.hash };
    // Go verifies PSS with salt length = hash length (rsa.PSSSaltLengthEqualsHash).
    verifyParams = algorithm.scheme === 'PSS' ? { name, saltLength: HASH_LENGTH[algorithm.hash] } : { name };
  }
  let ok: boolean;
  try {
    const key = await crypto.subtle.importKey('spki', toArrayBuffer(pk.spki), importParams, false, ['verify']);
    ok = await crypto.subtle.verify(verifyParams, key, toArrayBuffer(sig), toArrayBuffer(signed));
  } catch (cause) {
    // WebCrypto refused the key (e.g. an EC point off the curve).
    throw new SignatureCheckError(`x509: cannot verify signature: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (!ok) throw new SignatureCheckError(algorithm.scheme === 'ECDSA' ? 'x509: ECDSA verification failure' : 'crypto/rsa: verification error');
}

const HASH_LENGTH = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 } as const;
