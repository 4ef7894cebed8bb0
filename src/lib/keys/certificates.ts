/**
 * Certificates for browser keys: a self-signed test certificate like `notation cert
 * generate-test`, a PKCS#10 request for an enterprise CA, and import of the chain the CA issues —
 * each checked against the Notary certificate profile (spec digest §7, §8) before it is used,
 * because notation refuses signatures whose chain breaks it. Only certificates are ever exported;
 * the private key signs inside WebCrypto.
 */
import { base64Encode, utf8Encode } from '../bytes';
import { SignetError, isSignetError } from '../errors';
import { algorithmByKeySpec, importParams, signParams, type SignatureAlgorithm } from '../notary/algorithms';
import { parseCertificate, parseCertificates, signatureAlgorithmForCertificate, validateCertificateChain, type Certificate } from '../notary/x509';
import type { SigningKeyPair } from './generate';
import type { KeyStore, StoredKey } from './store';
import { loadX509 } from './x509-library';

const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/** Subject of a certificate or request. Only the common name is required. */
export interface SubjectFields {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  locality?: string;
  state?: string;
  /** Two-letter ISO 3166 code, e.g. `US`. */
  country?: string;
}

/** The subject `notation cert generate-test <name>` writes: `CN=<name>,O=Notary,L=Seattle,ST=WA,C=US`. */
export function notationTestSubject(commonName: string): SubjectFields {
  return { commonName, organization: 'Notary', locality: 'Seattle', state: 'WA', country: 'US' };
}

/** RFC 5280 upper bounds (ub-common-name 64, ub-organization-name 64, …). */
const SUBJECT_LIMITS: readonly [keyof SubjectFields, string, string, number][] = [
  ['country', 'C', 'country', 2],
  ['state', 'ST', 'state or province', 128],
  ['locality', 'L', 'locality', 128],
  ['organization', 'O', 'organization', 64],
  ['organizationalUnit', 'OU', 'organizational unit', 64],
  ['commonName', 'CN', 'common name', 64]
];

/**
 * The subject as @peculiar/x509 JSON, in the RDN order Go's `pkix.Name` writes (C, ST, L, O, OU,
 * CN), so notation prints it as `CN=…,O=…,L=…,ST=…,C=…` exactly as for its own certificates.
 */
function subjectJson(subject: SubjectFields): Record<string, string[]>[] {
  if (typeof subject !== 'object' || subject === null) throw new SignetError('ERR_INPUT_INVALID', 'subject: expected at least a common name');
  const out: Record<string, string[]>[] = [];
  for (const [field, type, label, max] of SUBJECT_LIMITS) {
    const raw = subject[field];
    if (raw === undefined || (field !== 'commonName' && raw.trim() === '')) continue;
    if (typeof raw !== 'string') throw new SignetError('ERR_INPUT_INVALID', `subject ${label}: expected text`);
    const value = raw.trim();
    if (value === '') throw new SignetError('ERR_INPUT_INVALID', 'subject common name is empty; enter a name such as "wabbit-networks.io"');
    if (field === 'country' && !/^[A-Za-z]{2}$/.test(value)) {
      throw new SignetError('ERR_INPUT_INVALID', `subject country ${JSON.stringify(value)} must be a two-letter code such as "US"`);
    }
    if ([...value].length > max) throw new SignetError('ERR_INPUT_INVALID', `subject ${label} is longer than ${max} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new SignetError('ERR_INPUT_INVALID', `subject ${label} contains control characters`);
    out.push({ [type]: [field === 'country' ? value.toUpperCase() : value] });
  }
  return out;
}

/** WebCrypto parameters with which @peculiar/x509 signs a certificate or request with a Notary key. */
function certificateSigningAlgorithm(alg: SignatureAlgorithm): Algorithm {
  // RSA keys are RSA-PSS keys bound to the spec hash, so certificates they sign are SHA*-RSAPSS
  // (which Go and notation verify); EC keys sign with their spec hash, as Go does.
  const params: Algorithm & Record<string, unknown> = { ...signParams(alg), hash: alg.hash };
  return params;
}

/** 16 random bytes, positive and without a leading zero byte (RFC 5280 §4.1.2.2: ≤ 20 octets). */
function randomSerialHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Keys as certificates need them: the public key and a private key that can sign. */
export type CertificateKeys = Pick<SigningKeyPair, 'keySpec' | 'privateKey' | 'publicKey'>;

export interface SelfSignedCertificateOptions {
  subject: SubjectFields;
  /** Days of validity from `notBefore` (default 365; 1 to 3650). notation's generate-test uses 1. */
  validityDays?: number;
  /** Start of validity (default: one minute before `now`, so a verifier whose clock lags slightly still accepts it). */
  notBefore?: Date;
  /** The time the certificate must be valid at when checked (default: now). */
  now?: Date;
}

export const MAX_VALIDITY_DAYS = 3650;

/**
 * Creates a self-signed code-signing certificate for a key, like `notation cert generate-test`:
 * keyUsage digitalSignature (critical), extendedKeyUsage codeSigning, no basicConstraints, the
 * chosen subject and validity. The result is parsed back and checked against the Notary leaf
 * profile (spec digest §8) and the key's algorithm (§7) before it is returned.
 * @returns the certificate, DER
 */
export async function createSelfSignedCertificate(keys: CertificateKeys, options: SelfSignedCertificateOptions): Promise<Uint8Array> {
  const alg = algorithmByKeySpec(keys.keySpec);
  const name = subjectJson(options.subject);
  const now = options.now ?? new Date();
  const validityDays = options.validityDays ?? 365;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    throw new SignetError('ERR_INPUT_INVALID', `validity is ${String(validityDays)} days; expected a whole number from 1 to ${MAX_VALIDITY_DAYS}`);
  }
  // Certificates carry whole seconds; truncate so the checks below see what is encoded.
  const notBefore = new Date(Math.floor((options.notBefore ?? new Date(now.getTime() - 60_000)).getTime() / 1000) * 1000);
  if (Number.isNaN(notBefore.getTime())) throw new SignetError('ERR_INPUT_INVALID', 'notBefore is not a valid date');
  const notAfter = new Date(notBefore.getTime() + validityDays * 86_400_000);
  const x509 = await loadX509();
  let der: Uint8Array;
  try {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerialHex(),
      name,
      notBefore,
      notAfter,
      keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
      signingAlgorithm: certificateSigningAlgorithm(alg),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([OID_CODE_SIGNING], false)
      ]
    });
    der = new Uint8Array(cert.rawData);
  } catch (cause) {
    if (isSignetError(cause)) throw cause;
    throw new SignetError('ERR_SIGN_FAILED', `could not create the certificate: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  await checkSigningChain([der], keys, now, 'the new certificate');
  return der;
}

/**
 * Creates a PKCS#10 certificate signing request (RFC 2986) for a key, signed by the key itself,
 * asking for what a Notary signing certificate needs: keyUsage digitalSignature (critical) and
 * extendedKeyUsage codeSigning. Hand it to an enterprise CA, then import the issued chain.
 * @returns the request, DER
 */
export async function createCertificateSigningRequest(keys: CertificateKeys, subject: SubjectFields): Promise<Uint8Array> {
  const alg = algorithmByKeySpec(keys.keySpec);
  const name = subjectJson(subject);
  const x509 = await loadX509();
  try {
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name,
      keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
      signingAlgorithm: certificateSigningAlgorithm(alg),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([OID_CODE_SIGNING], false)
      ]
    });
    return new Uint8Array(csr.rawData);
  } catch (cause) {
    throw new SignetError('ERR_SIGN_FAILED', `could not create the certificate signing request: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Public key fields that identify a key regardless of how its SPKI is encoded. */
async function publicKeyIdentity(key: CryptoKey): Promise<string> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  return jwk.kty === 'RSA' ? `RSA:${jwk.n}:${jwk.e}` : `EC:${jwk.crv}:${jwk.x}:${jwk.y}`;
}

async function certificateKeyIdentity(cert: Certificate, alg: SignatureAlgorithm): Promise<string | undefined> {
  try {
    const key = await crypto.subtle.importKey('spki', cert.publicKey.spki.slice(), importParams(alg), true, ['verify']);
    return await publicKeyIdentity(key);
  } catch {
    return undefined;
  }
}

/**
 * Checks that `chain` (leaf → root) is a Notary code-signing chain for `keys`: the leaf's public
 * key is the key's (compared as key values, not encodings), its algorithm is the key's (§7), and
 * the chain passes notation's chain and profile rules with every certificate valid at `now` (§8),
 * refusing anyExtendedKeyUsage as the spec asks of signers.
 */
async function checkSigningChain(ders: readonly Uint8Array[], keys: Pick<CertificateKeys, 'keySpec' | 'publicKey'>, now: Date, what: string): Promise<void> {
  const chain: Certificate[] = [];
  for (const der of ders) chain.push(await parseCertificate(der, what));
  await checkParsedChain(chain, keys, now, what);
}

async function checkParsedChain(chain: readonly Certificate[], keys: Pick<CertificateKeys, 'keySpec' | 'publicKey'>, now: Date, what: string): Promise<void> {
  const alg = algorithmByKeySpec(keys.keySpec);
  const keyIdentity = await publicKeyIdentity(keys.publicKey);
  const leaf = chain[0];
  if (!leaf) throw new SignetError('ERR_CERT_CHAIN_INVALID', `${what} holds no certificate`);
  const leafMatches = signatureAlgorithmMatches(leaf, alg) && (await certificateKeyIdentity(leaf, alg)) === keyIdentity;
  if (!leafMatches) {
    for (let i = 1; i < chain.length; i++) {
      if (signatureAlgorithmMatches(chain[i]!, alg) && (await certificateKeyIdentity(chain[i]!, alg)) === keyIdentity) {
        throw new SignetError(
          'ERR_CERT_CHAIN_INVALID',
          `${what}: the certificate for this key ("${chain[i]!.subject}") is number ${i + 1}; put it first and order the chain leaf → intermediates → root`
        );
      }
    }
    throw new SignetError(
      'ERR_CERT_KEY_MISMATCH',
      `${what}: the leaf certificate "${leaf.subject}" is for a different key (${describeKey(leaf)}), not this ${keys.keySpec} key; import the chain the CA issued for this key's request`
    );
  }
  await validateCertificateChain(chain, 'codeSigning', { signingTime: now, rejectAnyExtendedKeyUsage: true });
}

function signatureAlgorithmMatches(cert: Certificate, alg: SignatureAlgorithm): boolean {
  try {
    return signatureAlgorithmForCertificate(cert).keySpec === alg.keySpec;
  } catch {
    return false;
  }
}

function describeKey(cert: Certificate): string {
  const { keyType, keySize, curve } = cert.publicKey;
  return keyType === 'EC' ? `EC ${curve ?? keySize}` : keyType === 'RSA' ? `RSA ${keySize}-bit` : `${keyType} key`;
}

/**
 * Parses a certificate chain (PEM, or concatenated DER) issued for `keys` and checks it before use:
 * it must belong to the key (ERR_CERT_KEY_MISMATCH otherwise), be ordered leaf → root and end in
 * its self-signed root (ERR_CERT_CHAIN_INVALID), meet the Notary profile (ERR_CERT_PROFILE, §8),
 * and be valid now (ERR_CERT_EXPIRED / ERR_CERT_NOT_YET_VALID).
 * @returns the chain as DER, leaf → root
 */
export async function validateChainForKey(
  input: string | Uint8Array,
  keys: Pick<CertificateKeys, 'keySpec' | 'publicKey'>,
  options: { now?: Date; what?: string } = {}
): Promise<Uint8Array[]> {
  const what = options.what ?? 'the certificate chain';
  const bytes = typeof input === 'string' ? utf8Encode(input) : input;
  const chain = await parseCertificates(bytes, what);
  await checkParsedChain(chain, keys, options.now ?? new Date(), what);
  return chain.map((c) => c.der.slice());
}

/** Validates a chain for a stored key (validateChainForKey) and keeps it with the key. */
export async function importCertificateChain(store: KeyStore, key: StoredKey, input: string | Uint8Array, now: Date = new Date()): Promise<StoredKey> {
  const chain = await validateChainForKey(input, key, { now });
  return store.setCertificateChain(key.id, chain);
}

/** Creates a self-signed certificate for a stored key and keeps it with the key. */
export async function createSelfSignedCertificateForKey(store: KeyStore, key: StoredKey, options: SelfSignedCertificateOptions): Promise<StoredKey> {
  const der = await createSelfSignedCertificate(key, options);
  return store.setCertificateChain(key.id, [der]);
}

function pem(type: string, der: Uint8Array): string {
  const body = base64Encode(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`;
}

/** Certificates as PEM (leaf first), e.g. to add the root to notation's trust store. Never a key. */
export function certificatesToPem(ders: readonly Uint8Array[]): string {
  return ders.map((der) => pem('CERTIFICATE', der)).join('');
}

/** A PKCS#10 request as PEM ("CERTIFICATE REQUEST", what CAs and `openssl req` read). */
export function certificateRequestToPem(der: Uint8Array): string {
  return pem('CERTIFICATE REQUEST', der);
}
