/** Real signatures and trust material for the app-layer tests (test PKI, real WebCrypto keys). */
import { computeDigest } from '../../../src/lib/oci/digest';
import type { Descriptor } from '../../../src/lib/oci/descriptor';
import { signArtifact } from '../../../src/lib/notary/sign/sign-artifact';
import type { KeySpec } from '../../../src/lib/notary/algorithms';
import { TRUST_MATERIAL_SCHEMA, type TrustMaterialData } from '../../../src/lib/app/trust-storage';
import { chainSigner } from '../../helpers/pki-signer';

export const ARTIFACT: Descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e',
  size: 528
};

export function policyJson(statements: Record<string, unknown>[]): string {
  return JSON.stringify({ version: '1.0', trustPolicies: statements });
}

export function statement(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    registryScopes: ['*'],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:app-test'],
    trustedIdentities: ['*'],
    ...extra
  };
}

/** A signer with its own test root, and trust material that trusts that root. */
export async function trustedSigner(keySpec: KeySpec = 'EC-256') {
  const signer = await chainSigner(keySpec);
  const material: TrustMaterialData = {
    schema: TRUST_MATERIAL_SCHEMA,
    policy: policyJson([statement('app-test')]),
    stores: [{ type: 'ca', name: 'app-test', files: [{ name: 'root.crt', bytes: signer.pki.root.der }] }],
    updatedAt: '2026-01-01T00:00:00.000Z'
  };
  return { signer, material };
}

/** A COSE or JWS envelope over `target`, as notation would push it. */
export async function envelopeFor(signer: Awaited<ReturnType<typeof chainSigner>>, target: Descriptor, format: 'cose' | 'jws' = 'cose') {
  return signArtifact(target, signer, { format });
}

/** A blob and its descriptor as notation blob sign describes it. */
export async function blobTarget(bytes: Uint8Array, algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Promise<Descriptor> {
  return { mediaType: 'application/octet-stream', digest: await computeDigest(bytes, algorithm), size: bytes.length };
}

/** A Map-backed stand-in for window.localStorage (the settings code only needs get/set/remove). */
export function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k)
  };
}
