/**
 * Test PKI: generates real X.509 CAs and leaves at test time with WebCrypto and
 * @peculiar/x509, in Node and in Chromium alike. Reuse it wherever a test needs certificates:
 *
 *   const pki = await createTestChain({ keySpec: 'EC-256' });
 *   pki.chain          // DER, leaf → root
 *   pki.leaf.keys      // the leaf's key pair, importable for Notary signing (see signingKey)
 *
 * Keys are cached per (key spec, slot) so a test file generates each RSA size at most a few times.
 */
import type * as X509 from '@peculiar/x509';
import { algorithmByKeySpec, generateParams, importParams, type KeySpec } from '../../src/lib/notary/algorithms';

// @peculiar/x509 (through tsyringe) needs the Reflect metadata API. The project has no polyfill
// dependency, so install the three functions it calls before loading it.
function installReflectMetadata(): void {
  const R = Reflect as unknown as Record<string, unknown>;
  if (typeof R.getMetadata === 'function') return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const table = (target: object, create: boolean): Map<unknown, unknown> | undefined => {
    let m = store.get(target);
    if (!m && create) store.set(target, (m = new Map()));
    return m;
  };
  R.defineMetadata = (key: unknown, value: unknown, target: object) => void table(target, true)!.set(key, value);
  R.getOwnMetadata = (key: unknown, target: object) => table(target, false)?.get(key);
  R.getMetadata = (key: unknown, target: object): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const m = table(t, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
}
installReflectMetadata();
/** The @peculiar/x509 module, loaded after the Reflect shim. */
export const x509: typeof X509 = await import('@peculiar/x509');

export const OIDS = {
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0'
} as const;

export type TestKeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** Key types the helper can make: the six Notary specs plus a few "wrong" ones for negative tests. */
export type TestKeySpec = KeySpec | 'RSA-1024' | 'RSA-1536';

/** An exportable key pair plus its encodings, so it can be re-imported under any algorithm. */
export interface TestKey {
  readonly spec: TestKeySpec;
  readonly pkcs8: ArrayBuffer;
  readonly spki: ArrayBuffer;
  readonly keyType: 'RSA' | 'EC';
}

const keyCache = new Map<string, Promise<TestKey>>();

function keyGenParams(spec: TestKeySpec): RsaHashedKeyGenParams | EcKeyGenParams {
  if (spec === 'RSA-1024' || spec === 'RSA-1536') {
    return { name: 'RSA-PSS', modulusLength: Number(spec.slice(4)), publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  }
  return generateParams(algorithmByKeySpec(spec));
}

/** A key of `spec`; the same (spec, slot) returns the same key within one test run. */
export function testKey(spec: TestKeySpec, slot = 0): Promise<TestKey> {
  const id = `${spec}#${slot}`;
  let p = keyCache.get(id);
  if (!p) {
    p = (async () => {
      const pair = (await crypto.subtle.generateKey(keyGenParams(spec), true, ['sign', 'verify'])) as CryptoKeyPair;
      return {
        spec,
        pkcs8: await crypto.subtle.exportKey('pkcs8', pair.privateKey),
        spki: await crypto.subtle.exportKey('spki', pair.publicKey),
        keyType: spec.startsWith('RSA') ? 'RSA' : 'EC'
      } satisfies TestKey;
    })();
    keyCache.set(id, p);
  }
  return p;
}

/** The private key as a Notary signing key (RSA-PSS / ECDSA with the spec's hash). */
export async function signingKey(key: TestKey): Promise<CryptoKey> {
  if (key.spec === 'RSA-1024' || key.spec === 'RSA-1536') throw new Error(`${key.spec} is not a Notary key spec`);
  return crypto.subtle.importKey('pkcs8', key.pkcs8, importParams(algorithmByKeySpec(key.spec)), false, ['sign']);
}

/** How a certificate is signed by its issuer. */
export type CertSignatureScheme = 'pkcs1' | 'pss' | 'ecdsa';
export type CertSignatureHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

function curveOf(spec: TestKeySpec): string {
  return spec === 'EC-256' ? 'P-256' : spec === 'EC-384' ? 'P-384' : 'P-521';
}

async function certSigningMaterial(
  issuerKey: TestKey,
  scheme: CertSignatureScheme | undefined,
  hash: CertSignatureHash
): Promise<{ signingKey: CryptoKey; signingAlgorithm: Algorithm | EcdsaParams | RsaPssParams }> {
  if (issuerKey.keyType === 'EC') {
    const k = await crypto.subtle.importKey('pkcs8', issuerKey.pkcs8, { name: 'ECDSA', namedCurve: curveOf(issuerKey.spec) }, false, ['sign']);
    return { signingKey: k, signingAlgorithm: { name: 'ECDSA', hash } as EcdsaParams };
  }
  if ((scheme ?? 'pkcs1') === 'pss') {
    const k = await crypto.subtle.importKey('pkcs8', issuerKey.pkcs8, { name: 'RSA-PSS', hash }, false, ['sign']);
    const saltLength = hash === 'SHA-256' ? 32 : hash === 'SHA-384' ? 48 : hash === 'SHA-512' ? 64 : 20;
    return { signingKey: k, signingAlgorithm: { name: 'RSA-PSS', hash, saltLength } as RsaPssParams };
  }
  const k = await crypto.subtle.importKey('pkcs8', issuerKey.pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
  return { signingKey: k, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash } as Algorithm };
}

async function publicKeyFor(key: TestKey): Promise<CryptoKey> {
  const params =
    key.keyType === 'EC' ? { name: 'ECDSA', namedCurve: curveOf(key.spec) } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return crypto.subtle.importKey('spki', key.spki, params, true, ['verify']);
}

/** Options for one certificate. `null` omits an extension; `undefined` takes the default. */
export interface TestCertOptions {
  /** DN in RFC 4514 order as @peculiar/x509 reads it, e.g. `CN=leaf, O=Notary, L=Seattle, ST=WA, C=US`. */
  subject?: string;
  /** Issuer DN written into the certificate; defaults to the issuer's subject (override for wrong-issuer tests). */
  issuerName?: string;
  keySpec?: TestKeySpec;
  /** Key cache slot; use different slots for distinct keys of the same spec. */
  keySlot?: number;
  notBefore?: Date;
  notAfter?: Date;
  serialNumber?: string;
  basicConstraints?: { cA: boolean; pathLength?: number; critical?: boolean } | null;
  keyUsage?: { usages: TestKeyUsage[]; critical?: boolean } | null;
  extendedKeyUsage?: { oids: string[]; critical?: boolean } | null;
  /** Issuer's signature over this certificate: scheme (RSA issuers) and hash. Default pkcs1/ecdsa with SHA-256. */
  signatureScheme?: CertSignatureScheme;
  signatureHash?: CertSignatureHash;
  /** Further extensions appended after the profile ones (e.g. AIA, CRL distribution points). */
  extraExtensions?: X509.Extension[];
}

export interface TestCert {
  readonly der: Uint8Array;
  readonly key: TestKey;
  readonly subject: string;
}

const DEFAULT_NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
const DEFAULT_NOT_AFTER = new Date('2120-01-01T00:00:00Z');

function buildExtensions(o: TestCertOptions, defaults: Required<Pick<TestCertOptions, 'basicConstraints' | 'keyUsage' | 'extendedKeyUsage'>>): X509.Extension[] {
  const out: X509.Extension[] = [];
  const bc = o.basicConstraints === undefined ? defaults.basicConstraints : o.basicConstraints;
  if (bc) out.push(new x509.BasicConstraintsExtension(bc.cA, bc.pathLength, bc.critical ?? true));
  const ku = o.keyUsage === undefined ? defaults.keyUsage : o.keyUsage;
  if (ku) {
    const flags = ku.usages.reduce((acc, u) => acc | x509.KeyUsageFlags[u], 0);
    out.push(new x509.KeyUsagesExtension(flags, ku.critical ?? true));
  }
  const eku = o.extendedKeyUsage === undefined ? defaults.extendedKeyUsage : o.extendedKeyUsage;
  if (eku) out.push(new x509.ExtendedKeyUsageExtension(eku.oids, eku.critical ?? false));
  if (o.extraExtensions) out.push(...o.extraExtensions);
  return out;
}

let serialCounter = 1;
function nextSerial(): string {
  return (serialCounter++).toString(16).padStart(4, '0');
}

/**
 * Issues one certificate. `issuer` undefined = self-signed with the certificate's own key.
 * Profile defaults depend on `role`: 'ca' → critical BC cA=true + critical KU keyCertSign;
 * 'leaf' → critical KU digitalSignature + EKU codeSigning; 'tsa' → leaf with critical EKU timeStamping.
 */
export async function issueCertificate(
  role: 'ca' | 'leaf' | 'tsa',
  options: TestCertOptions,
  issuer?: TestCert
): Promise<TestCert> {
  const spec = options.keySpec ?? 'RSA-2048';
  const key = await testKey(spec, options.keySlot ?? 0);
  const subject = options.subject ?? (role === 'ca' ? 'CN=Test CA, O=Notary, L=Seattle, ST=WA, C=US' : 'CN=Test Leaf, O=Notary, L=Seattle, ST=WA, C=US');
  const defaults =
    role === 'ca'
      ? { basicConstraints: { cA: true }, keyUsage: { usages: ['keyCertSign' as const, 'cRLSign' as const] }, extendedKeyUsage: null }
      : role === 'tsa'
        ? { basicConstraints: null, keyUsage: { usages: ['digitalSignature' as const] }, extendedKeyUsage: { oids: [OIDS.timeStamping], critical: true } }
        : { basicConstraints: null, keyUsage: { usages: ['digitalSignature' as const] }, extendedKeyUsage: { oids: [OIDS.codeSigning] } };
  const issuerKey = issuer ? issuer.key : key;
  const { signingKey: sk, signingAlgorithm } = await certSigningMaterial(issuerKey, options.signatureScheme, options.signatureHash ?? 'SHA-256');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? nextSerial(),
    subject,
    issuer: options.issuerName ?? (issuer ? issuer.subject : subject),
    notBefore: options.notBefore ?? DEFAULT_NOT_BEFORE,
    notAfter: options.notAfter ?? DEFAULT_NOT_AFTER,
    publicKey: await publicKeyFor(key),
    signingKey: sk,
    signingAlgorithm,
    extensions: buildExtensions(options, defaults)
  });
  return { der: new Uint8Array(cert.rawData), key, subject };
}

export interface TestChainOptions {
  /** Leaf key spec (default RSA-2048). */
  keySpec?: TestKeySpec;
  /** Root/intermediate key spec (default: same family, RSA-2048 or EC-256). */
  caKeySpec?: TestKeySpec;
  /** Number of intermediate CAs between leaf and root (default 0). */
  intermediates?: number;
  /** 'codeSigning' (default) or 'timestamping' leaf defaults. */
  purpose?: 'codeSigning' | 'timestamping';
  leaf?: TestCertOptions;
  root?: TestCertOptions;
  /** Options per intermediate, index 0 = the one that issues the leaf. */
  intermediate?: TestCertOptions[];
}

export interface TestChain {
  readonly leaf: TestCert;
  /** Index 0 issues the leaf. */
  readonly intermediates: readonly TestCert[];
  readonly root: TestCert;
  /** DER certificates leaf → root, as envelopes carry them. */
  readonly chain: readonly Uint8Array[];
}

/** A root CA (+ optional intermediates) and a leaf for `keySpec`, profile-conformant by default. */
export async function createTestChain(options: TestChainOptions = {}): Promise<TestChain> {
  const leafSpec = options.keySpec ?? 'RSA-2048';
  const caSpec = options.caKeySpec ?? (leafSpec.startsWith('EC') ? 'EC-256' : 'RSA-2048');
  const n = options.intermediates ?? 0;
  const root = await issueCertificate('ca', {
    subject: 'CN=Test Root, O=Notary, L=Seattle, ST=WA, C=US',
    keySpec: caSpec,
    keySlot: 1,
    ...options.root
  });
  const intermediates: TestCert[] = [];
  let issuer = root;
  for (let i = n - 1; i >= 0; i--) {
    const cert = await issueCertificate(
      'ca',
      { subject: `CN=Test Intermediate ${i + 1}, O=Notary, L=Seattle, ST=WA, C=US`, keySpec: caSpec, keySlot: 2 + i, ...options.intermediate?.[i] },
      issuer
    );
    intermediates.unshift(cert);
    issuer = cert;
  }
  const leaf = await issueCertificate(
    options.purpose === 'timestamping' ? 'tsa' : 'leaf',
    { subject: 'CN=Test Leaf, O=Notary, L=Seattle, ST=WA, C=US', keySpec: leafSpec, keySlot: 0, ...options.leaf },
    issuer
  );
  return { leaf, intermediates, root, chain: [leaf.der, ...intermediates.map((c) => c.der), root.der] };
}

/** A self-signed leaf (no CA), the kind notation accepts as a one-certificate chain. */
export async function createSelfSignedLeaf(options: TestCertOptions & { purpose?: 'codeSigning' | 'timestamping' } = {}): Promise<TestCert> {
  return issueCertificate(options.purpose === 'timestamping' ? 'tsa' : 'leaf', { subject: 'CN=Self Signed, O=Notary, L=Seattle, ST=WA, C=US', ...options });
}

/** PEM text for a DER certificate (64-column base64, as openssl writes it). */
export function toPem(der: Uint8Array): string {
  let bin = '';
  for (const b of der) bin += String.fromCharCode(b);
  const b64 = btoa(bin).replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
