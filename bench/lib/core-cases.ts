/**
 * The core verification benchmark, runnable unchanged in Node and in Chromium (WebCrypto and
 * `performance` only): for each envelope format and algorithm, one real envelope signed through
 * `signArtifact` with a test-PKI chain (leaf + root), then four rates measured side by side:
 *
 *  - `raw`: one `crypto.subtle.verify` of the envelope's own signature over its own signing input
 *    with an already imported key — the cost of the cryptography alone;
 *  - `floor`: every WebCrypto call notation's integrity rules require, done directly (two SHA-256
 *    fingerprints; import + verify for the envelope, for root→leaf and for the root's
 *    self-signature) — what any implementation of the same checks on WebCrypto must pay;
 *  - `integrity`: Signet's `checkIntegrity` (decode, certificates, leaf key, signature, chain);
 *  - `full`: Signet's `verifySignature` with a trust store and a strict policy (integrity,
 *    authenticity, expiry, validity, offline revocation, target match).
 */
import { toArrayBuffer } from '../../src/lib/bytes';
import { algorithmByKeySpec, importParams, signParams, type KeySpec } from '../../src/lib/notary/algorithms';
import type { Signer } from '../../src/lib/notary/ports';
import type { TrustPolicyStatement } from '../../src/lib/notary/policy/types';
import { offlineRevocationChecker } from '../../src/lib/notary/revocation/offline';
import { signArtifact } from '../../src/lib/notary/sign/sign-artifact';
import { trustStoreSet, type TrustStoreSet } from '../../src/lib/notary/verify/trust-stores';
import { checkIntegrity, verifySignature } from '../../src/lib/notary/verify/verify-signature';
import { parseCertificate, type Certificate } from '../../src/lib/notary/x509/certificate';
import type { Descriptor } from '../../src/lib/oci/descriptor';
import { MediaType } from '../../src/lib/oci/media-types';
import { chainSigner } from '../../tests/helpers/pki-signer';
import { interleavedRates, sig, type RateBudget } from './measure';

export type CoreFormat = 'cose' | 'jws';
export const CORE_FORMATS: readonly CoreFormat[] = ['cose', 'jws'];
export const CORE_KEY_SPECS: readonly KeySpec[] = ['RSA-2048', 'RSA-3072', 'RSA-4096', 'EC-256', 'EC-384', 'EC-521'];

export interface CoreBudget extends RateBudget {
  rounds: number;
  warmupIterations: number;
}

export interface CoreRow {
  format: CoreFormat;
  /** PS256 … ES512 */
  algorithm: string;
  keySpec: KeySpec;
  /** What signs the leaf (the root's key and signature scheme). */
  chain: string;
  envelopeBytes: number;
  signingInputBytes: number;
  /** Verifications per second, one at a time. */
  raw: number;
  floor: number;
  integrity: number;
  full: number;
  /** raw / integrity: how many raw verifications fit in one checkIntegrity. */
  integrityOverRaw: number;
  fullOverRaw: number;
  /** floor / integrity: Signet's own overhead over the WebCrypto work the rules require. */
  integrityOverFloor: number;
  iterations: number;
}

/** A fixed target descriptor: core verification never fetches it, it only has to match. */
const TARGET: Descriptor = {
  mediaType: MediaType.ociManifest,
  digest: 'sha256:0b6a0b2b0f8a5c1e1d1c5b1d3f0c4e2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e',
  size: 527
};

const STATEMENT: TrustPolicyStatement = {
  name: 'bench',
  registryScopes: ['*'],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:bench'],
  trustedIdentities: ['*']
};

interface CoreCase {
  format: CoreFormat;
  keySpec: KeySpec;
  envelope: Uint8Array;
  mediaType: string;
  message: Uint8Array;
  signature: Uint8Array;
  leafKey: CryptoKey;
  leaf: Certificate;
  root: Certificate;
  chainDer: readonly Uint8Array[];
  stores: TrustStoreSet;
}

const signers = new Map<KeySpec, ReturnType<typeof chainSigner>>();

async function buildCase(format: CoreFormat, keySpec: KeySpec): Promise<CoreCase> {
  let p = signers.get(keySpec);
  if (!p) signers.set(keySpec, (p = chainSigner(keySpec)));
  const signer = await p;
  let captured: { message: Uint8Array; signature: Uint8Array } | undefined;
  // Record exactly what was signed, so the raw verification checks the same bytes.
  const recording: Signer = {
    algorithm: signer.algorithm,
    certificateChain: signer.certificateChain,
    async sign(data) {
      const signature = await signer.sign(data);
      captured = { message: data.slice(), signature };
      return signature;
    }
  };
  const signed = await signArtifact(TARGET, recording, { format });
  if (!captured) throw new Error('the signer was not called');
  const leaf = await parseCertificate(signer.pki.leaf.der);
  const root = await parseCertificate(signer.pki.root.der);
  const alg = algorithmByKeySpec(keySpec);
  const leafKey = await crypto.subtle.importKey('spki', toArrayBuffer(leaf.publicKey.spki), importParams(alg), false, ['verify']);
  return {
    format,
    keySpec,
    envelope: signed.envelope,
    mediaType: signed.envelopeMediaType,
    message: captured.message,
    signature: captured.signature,
    leafKey,
    leaf,
    root,
    chainDer: signer.certificateChain,
    stores: trustStoreSet(new Map([['ca:bench', [root]]]))
  };
}

/** ECDSA-Sig-Value (DER SEQUENCE of two INTEGERs) → fixed-length r‖s, as WebCrypto wants it. */
function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array {
  let i = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0);
  const out = new Uint8Array(size * 2);
  for (let part = 0; part < 2; part++) {
    if (der[i] !== 0x02) throw new Error('not an ECDSA signature');
    const len = der[i + 1]!;
    let value = der.subarray(i + 2, i + 2 + len);
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    out.set(value, part * size + (size - value.length));
    i += 2 + len;
  }
  return out;
}

/** How a certificate's signature is checked with raw WebCrypto: import params, verify params, signature bytes. */
function certCheck(child: Certificate, issuer: Certificate): { importAlg: RsaHashedImportParams | EcKeyImportParams; verifyAlg: Algorithm | EcdsaParams; signature: Uint8Array } {
  if (issuer.publicKey.keyType === 'EC') {
    const curve = issuer.publicKey.curve as 'P-256' | 'P-384' | 'P-521';
    const size = curve === 'P-256' ? 32 : curve === 'P-384' ? 48 : 66;
    return { importAlg: { name: 'ECDSA', namedCurve: curve }, verifyAlg: { name: 'ECDSA', hash: 'SHA-256' }, signature: ecdsaDerToRaw(child.signature, size) };
  }
  return { importAlg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verifyAlg: { name: 'RSASSA-PKCS1-v1_5' }, signature: child.signature };
}

/** The WebCrypto calls notation's integrity rules need for a leaf + root chain, made directly. */
function floorOf(c: CoreCase): () => Promise<void> {
  const alg = algorithmByKeySpec(c.keySpec);
  const leafDer = toArrayBuffer(c.chainDer[0]!);
  const rootDer = toArrayBuffer(c.chainDer[1]!);
  const leafSpki = toArrayBuffer(c.leaf.publicKey.spki);
  const rootSpki = toArrayBuffer(c.root.publicKey.spki);
  const message = toArrayBuffer(c.message);
  const signature = toArrayBuffer(c.signature);
  const leafByRoot = certCheck(c.leaf, c.root);
  const rootByRoot = certCheck(c.root, c.root);
  const leafTbs = toArrayBuffer(c.leaf.tbs);
  const rootTbs = toArrayBuffer(c.root.tbs);
  const leafSig = toArrayBuffer(leafByRoot.signature);
  const rootSig = toArrayBuffer(rootByRoot.signature);
  return async () => {
    await crypto.subtle.digest('SHA-256', leafDer);
    await crypto.subtle.digest('SHA-256', rootDer);
    const k = await crypto.subtle.importKey('spki', leafSpki, importParams(alg), false, ['verify']);
    const ok1 = await crypto.subtle.verify(signParams(alg), k, signature, message);
    const r1 = await crypto.subtle.importKey('spki', rootSpki, leafByRoot.importAlg, false, ['verify']);
    const ok2 = await crypto.subtle.verify(leafByRoot.verifyAlg, r1, leafSig, leafTbs);
    const r2 = await crypto.subtle.importKey('spki', rootSpki, rootByRoot.importAlg, false, ['verify']);
    const ok3 = await crypto.subtle.verify(rootByRoot.verifyAlg, r2, rootSig, rootTbs);
    if (!ok1 || !ok2 || !ok3) throw new Error('floor: a signature did not verify');
  };
}

/** Measures one (format, key spec) cell; throws if any path does not reach "verified". */
export async function measureCoreCase(format: CoreFormat, keySpec: KeySpec, budget: CoreBudget): Promise<CoreRow> {
  const c = await buildCase(format, keySpec);
  const alg = algorithmByKeySpec(keySpec);
  const params = signParams(alg);
  const message = toArrayBuffer(c.message);
  const signature = toArrayBuffer(c.signature);

  // Every path must succeed, or the rates would measure a failure path.
  if (!(await crypto.subtle.verify(params, c.leafKey, signature, message))) throw new Error(`${format} ${alg.jws}: raw verify failed`);
  const integrity = await checkIntegrity(c.envelope, c.mediaType);
  if ('error' in integrity) throw new Error(`${format} ${alg.jws}: checkIntegrity failed: ${integrity.error}`);
  const full = await verifySignature({
    envelope: c.envelope,
    envelopeMediaType: c.mediaType,
    policy: STATEMENT,
    trustStores: c.stores,
    target: TARGET,
    revocation: offlineRevocationChecker
  });
  if (!full.verified) throw new Error(`${format} ${alg.jws}: verifySignature failed: ${JSON.stringify(full.failure)}`);

  const rates = await interleavedRates(
    {
      raw: async () => {
        if (!(await crypto.subtle.verify(params, c.leafKey, signature, message))) throw new Error('raw verify failed');
      },
      floor: floorOf(c),
      integrity: async () => {
        const r = await checkIntegrity(c.envelope, c.mediaType);
        if ('error' in r) throw new Error(r.error);
      },
      full: async () => {
        const r = await verifySignature({
          envelope: c.envelope,
          envelopeMediaType: c.mediaType,
          policy: STATEMENT,
          trustStores: c.stores,
          target: TARGET,
          revocation: offlineRevocationChecker
        });
        if (!r.verified) throw new Error('verifySignature failed');
      }
    },
    budget.rounds,
    budget,
    budget.warmupIterations
  );
  const root = c.root.publicKey.keyType === 'EC' ? 'EC-256 root, ECDSA-SHA256' : 'RSA-2048 root, PKCS#1-SHA256';
  return {
    format,
    algorithm: alg.jws,
    keySpec,
    chain: `leaf ${keySpec} ← ${root}`,
    envelopeBytes: c.envelope.length,
    signingInputBytes: c.message.length,
    raw: sig(rates.raw.opsPerSecond),
    floor: sig(rates.floor.opsPerSecond),
    integrity: sig(rates.integrity.opsPerSecond),
    full: sig(rates.full.opsPerSecond),
    integrityOverRaw: sig(rates.raw.opsPerSecond / rates.integrity.opsPerSecond),
    fullOverRaw: sig(rates.raw.opsPerSecond / rates.full.opsPerSecond),
    integrityOverFloor: sig(rates.floor.opsPerSecond / rates.integrity.opsPerSecond),
    iterations: rates.raw.iterations + rates.floor.iterations + rates.integrity.iterations + rates.full.iterations
  };
}

/** Every cell, formats × key specs, in a stable order. */
export async function measureCore(budget: CoreBudget, keySpecs: readonly KeySpec[] = CORE_KEY_SPECS, onRow?: (row: CoreRow) => void): Promise<CoreRow[]> {
  const rows: CoreRow[] = [];
  for (const format of CORE_FORMATS) {
    for (const keySpec of keySpecs) {
      const row = await measureCoreCase(format, keySpec, budget);
      rows.push(row);
      onRow?.(row);
    }
  }
  return rows;
}
