/**
 * Certificate signature checks with WebCrypto, with Go's `CheckSignature` / `CheckSignatureFrom`
 * semantics (which notation's chain and trust-store rules are written in terms of):
 * RSA PKCS#1 v1.5 and RSASSA-PSS (SHA-256/384/512, salt = hash length, MGF1 with the same hash),
 * ECDSA with SHA-256/384/512, Ed25519. SHA-1 and MD5 signatures are insecure (spec digest §7).
 * Results are Go-worded error strings (or undefined on success), because callers embed them in
 * notation-style messages; they never throw for bad signatures.
 */
import { bytesEqual, toArrayBuffer } from '../../bytes';
import { DerError, TAG, decodeOne, expectConstructed, readInteger } from './der';
import { OID, rsaPssHash, type Certificate } from './certificate';

type Hash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
type Scheme = { kind: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa'; hash: Hash } | { kind: 'ed25519' } | { kind: 'insecure' } | { kind: 'unsupported' };

const PKCS1: Readonly<Record<string, Hash>> = {
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.3.14.3.2.29': 'SHA-1',
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512'
};
const ECDSA: Readonly<Record<string, Hash>> = {
  '1.2.840.10045.4.1': 'SHA-1',
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512'
};
const INSECURE = new Set(['1.2.840.113549.1.1.2', '1.2.840.113549.1.1.4']); // MD2, MD5 with RSA

export const ERR_UNSUPPORTED_ALGORITHM = 'x509: cannot verify signature: algorithm unimplemented';
export const ERR_CONSTRAINT_VIOLATION = 'x509: invalid signature: parent certificate cannot sign this kind of certificate';

function schemeOf(cert: Certificate): Scheme {
  const { oid, parameters } = cert.signatureAlgorithm;
  const pkcs1 = PKCS1[oid];
  if (pkcs1) return { kind: 'rsa-pkcs1', hash: pkcs1 };
  const ecdsa = ECDSA[oid];
  if (ecdsa) return { kind: 'ecdsa', hash: ecdsa };
  if (oid === OID.rsassaPss) {
    const hash = rsaPssHash(parameters);
    return hash ? { kind: 'rsa-pss', hash } : { kind: 'unsupported' };
  }
  if (oid === OID.ed25519) return parameters ? { kind: 'unsupported' } : { kind: 'ed25519' };
  if (INSECURE.has(oid)) return { kind: 'insecure' };
  return { kind: 'unsupported' };
}

/** ECDSA-Sig-Value (DER) → the fixed-length r‖s WebCrypto verifies, or undefined when malformed. */
function ecdsaRaw(der: Uint8Array, coordinateBytes: number): Uint8Array | undefined {
  try {
    const parts = expectConstructed(decodeOne(der), TAG.SEQUENCE, 'ECDSA signature');
    if (parts.length !== 2) return undefined;
    const out = new Uint8Array(coordinateBytes * 2);
    for (let i = 0; i < 2; i++) {
      const v = readInteger(parts[i], 'ECDSA signature value');
      if (v <= 0n) return undefined;
      const hex = v.toString(16).padStart(coordinateBytes * 2, '0');
      if (hex.length > coordinateBytes * 2) return undefined;
      for (let j = 0; j < coordinateBytes; j++) out[i * coordinateBytes + j] = parseInt(hex.slice(j * 2, j * 2 + 2), 16);
    }
    return out;
  } catch (e) {
    if (e instanceof DerError) return undefined;
    throw e;
  }
}

const COORDINATE_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/**
 * Verifies `child`'s signature with `signer`'s public key, without any CA constraint check
 * (Go's `Certificate.CheckSignature`). Returns undefined when valid, else Go's error text.
 * `allowSha1` mirrors Go: CheckSignature on a certificate's own signature accepts SHA-1, while
 * CheckSignatureFrom (issuer checks) refuses it.
 */
export async function checkSignatureWithKey(child: Certificate, signer: Certificate, allowSha1: boolean): Promise<string | undefined> {
  const scheme = schemeOf(child);
  const key = signer.publicKey;
  if (scheme.kind === 'unsupported') return ERR_UNSUPPORTED_ALGORITHM;
  if (scheme.kind === 'insecure' || (scheme.kind !== 'ed25519' && scheme.hash === 'SHA-1' && !allowSha1)) {
    return `x509: cannot verify signature: insecure algorithm ${child.signatureAlgorithm.name}`;
  }
  const expectedKey = scheme.kind === 'ecdsa' ? 'EC' : scheme.kind === 'ed25519' ? 'Ed25519' : 'RSA';
  if (key.keyType !== expectedKey) {
    if (key.keyType === 'unknown' || key.keyType === 'X25519' || key.keyType === 'DSA') return ERR_UNSUPPORTED_ALGORITHM;
    const goAlgo = expectedKey === 'EC' ? 'ECDSA' : expectedKey;
    return `x509: signature algorithm specifies an ${goAlgo} public key, but have public key of type ${goKeyType(key.keyType)}`;
  }
  const tbs = toArrayBuffer(child.tbs);
  try {
    switch (scheme.kind) {
      case 'rsa-pkcs1':
      case 'rsa-pss': {
        // Go (crypto/rsa) refuses keys under 1024 bits and signatures whose length is not the modulus length.
        if (key.keySize < 1024) return `crypto/rsa: ${key.keySize}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)`;
        if (child.signature.length !== key.keySize / 8) return 'crypto/rsa: verification error';
        const name = scheme.kind === 'rsa-pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
        const k = await crypto.subtle.importKey('spki', toArrayBuffer(key.spki), { name, hash: scheme.hash }, false, ['verify']);
        const params = scheme.kind === 'rsa-pss' ? { name, saltLength: hashLength(scheme.hash) } : { name };
        const ok = await crypto.subtle.verify(params, k, toArrayBuffer(child.signature), tbs);
        return ok ? undefined : 'crypto/rsa: verification error';
      }
      case 'ecdsa': {
        const coordinateBytes = key.curve ? COORDINATE_BYTES[key.curve] : undefined;
        if (!coordinateBytes) return ERR_UNSUPPORTED_ALGORITHM; // P-224: Go verifies it, WebCrypto cannot
        const raw = ecdsaRaw(child.signature, coordinateBytes);
        if (!raw) return 'x509: ECDSA verification failure';
        const k = await crypto.subtle.importKey('spki', toArrayBuffer(key.spki), { name: 'ECDSA', namedCurve: key.curve! }, false, ['verify']);
        const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: scheme.hash }, k, toArrayBuffer(raw), tbs);
        return ok ? undefined : 'x509: ECDSA verification failure';
      }
      case 'ed25519': {
        const k = await crypto.subtle.importKey('spki', toArrayBuffer(key.spki), { name: 'Ed25519' }, false, ['verify']);
        const ok = await crypto.subtle.verify({ name: 'Ed25519' }, k, toArrayBuffer(child.signature), tbs);
        return ok ? undefined : 'x509: Ed25519 verification failure';
      }
    }
  } catch (e) {
    // WebCrypto refused the key (off-curve point, unsupported algorithm in this browser…).
    return `x509: cannot verify signature: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function hashLength(hash: Hash): number {
  return hash === 'SHA-256' ? 32 : hash === 'SHA-384' ? 48 : hash === 'SHA-512' ? 64 : 20;
}

function goKeyType(keyType: string): string {
  switch (keyType) {
    case 'RSA':
      return '*rsa.PublicKey';
    case 'EC':
      return '*ecdsa.PublicKey';
    case 'Ed25519':
      return 'ed25519.PublicKey';
    default:
      return keyType;
  }
}

/**
 * Go's `child.CheckSignatureFrom(parent)`: the parent must be allowed to sign certificates
 * (a v3 parent needs basicConstraints cA=true; a keyUsage, when it has any bit, must include
 * keyCertSign), SHA-1 is refused, then the signature must verify. Undefined when valid.
 */
export async function checkSignatureFrom(child: Certificate, parent: Certificate): Promise<string | undefined> {
  const bcValid = parent.basicConstraints !== undefined;
  if ((parent.version === 3 && !bcValid) || (bcValid && !parent.isCA)) return ERR_CONSTRAINT_VIOLATION;
  if (parent.keyUsage && parent.keyUsage.usages.length > 0 && !parent.keyUsage.usages.includes('keyCertSign')) {
    return ERR_CONSTRAINT_VIOLATION;
  }
  if (parent.publicKey.keyType === 'unknown') return ERR_UNSUPPORTED_ALGORITHM;
  return checkSignatureWithKey(child, parent, false);
}

/**
 * notation-core-go `isIssuedBy`: `CheckSignatureFrom(parent)` passes and the child's issuer DN
 * bytes equal the parent's subject DN bytes. `error` is set when the signature check failed.
 */
export async function isIssuedBy(child: Certificate, parent: Certificate): Promise<{ issued: boolean; error?: string }> {
  const error = await checkSignatureFrom(child, parent);
  if (error !== undefined) return { issued: false, error };
  return { issued: bytesEqual(child.rawIssuer, parent.rawSubject) };
}

/**
 * Self-signed in notation's sense: issued by itself (CheckSignatureFrom itself, so it must be
 * allowed to sign certificates, AND issuer DN == subject DN). Never by DN comparison alone
 * (INDEX §5.8: the mock leaves have subject == issuer but are signed by their root).
 */
export async function isSelfSigned(cert: Certificate): Promise<{ selfSigned: boolean; error?: string }> {
  const r = await isIssuedBy(cert, cert);
  return r.error === undefined ? { selfSigned: r.issued } : { selfSigned: false, error: r.error };
}

