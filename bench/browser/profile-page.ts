/**
 * The browser side of `bench/profile-integrity.ts chromium …`: builds one envelope, then runs
 * `checkIntegrity` on it in a loop while the Node side records a CPU profile over CDP.
 */
import type { KeySpec } from '../../src/lib/notary/algorithms';
import { signArtifact } from '../../src/lib/notary/sign/sign-artifact';
import { checkIntegrity } from '../../src/lib/notary/verify/verify-signature';
import { MediaType } from '../../src/lib/oci/media-types';
import { chainSigner } from '../../tests/helpers/pki-signer';

declare global {
  interface Window {
    signetProfile: { prepare(format: 'cose' | 'jws', keySpec: KeySpec): Promise<void>; loop(iterations: number): Promise<number> };
  }
}

let envelope: { bytes: Uint8Array; mediaType: string } | undefined;

window.signetProfile = {
  async prepare(format, keySpec) {
    const signer = await chainSigner(keySpec);
    const signed = await signArtifact({ mediaType: MediaType.ociManifest, digest: `sha256:${'ab'.repeat(32)}`, size: 527 }, signer, { format });
    envelope = { bytes: signed.envelope, mediaType: signed.envelopeMediaType };
  },
  async loop(iterations) {
    if (!envelope) throw new Error('prepare first');
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const r = await checkIntegrity(envelope.bytes, envelope.mediaType);
      if ('error' in r) throw new Error(r.error);
    }
    return performance.now() - started;
  }
};
document.title = 'signet-profile-ready';
