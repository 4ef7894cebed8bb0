// Blob (detached) signatures: Signet signs a file like `notation blob sign` and verifies it like
// `notation blob verify`. (notation v1.3.2 has no blob commands and v2 cannot be installed here,
// so these run against Signet's own verifier.)
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../../src/lib/bytes';
import type { TrustPolicyStatement } from '../../../../src/lib/notary/policy/types';
import { offlineRevocationChecker } from '../../../../src/lib/notary/revocation/offline';
import { blobSignatureFileName, formatFromSignatureFileName, signBlob } from '../../../../src/lib/notary/sign/sign-blob';
import { trustStoreSet } from '../../../../src/lib/notary/verify/trust-stores';
import { verifyBlob } from '../../../../src/lib/notary/verify/verify-blob';
import { parseCertificate } from '../../../../src/lib/notary/x509/certificate';
import { decodeEnvelope } from '../../../../src/lib/notary/envelope';
import { parsePayload } from '../../../../src/lib/notary/payload';
import { chainSigner } from '../../../helpers/pki-signer';

const blob = utf8Encode('release-1.2.3.tar.gz contents');
const policy: TrustPolicyStatement = {
  name: 'blobs',
  registryScopes: [],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:blob-root'],
  trustedIdentities: ['*']
};

describe('blob signatures', () => {
  it.each([
    ['cose', 'RSA-3072', 'sha384'],
    ['jws', 'EC-521', 'sha512'],
    ['cose', 'EC-256', 'sha256']
  ] as const)('%s with %s: digest uses the key hash (%s), verifies, and rejects another blob', async (format, keySpec, digestAlg) => {
    const signer = await chainSigner(keySpec);
    const signed = await signBlob(blob, signer, { format, mediaType: 'application/gzip', userMetadata: { release: '1.2.3' } });
    const payload = parsePayload(decodeEnvelope(signed.envelope, signed.envelopeMediaType).payload.content).targetArtifact;
    expect(payload.digest.startsWith(`${digestAlg}:`)).toBe(true);
    expect(payload).toMatchObject({ mediaType: 'application/gzip', size: blob.length, annotations: { release: '1.2.3' } });
    const stores = trustStoreSet(new Map([['ca:blob-root', [await parseCertificate(signer.pki.root.der)]]]));
    const base = { envelope: signed.envelope, envelopeMediaType: signed.envelopeMediaType, policy, trustStores: stores, revocation: offlineRevocationChecker };
    expect((await verifyBlob({ ...base, blob })).verified).toBe(true);
    expect((await verifyBlob({ ...base, blob, mediaType: 'application/gzip', userMetadata: { release: '1.2.3' } })).verified).toBe(true);
    for (const bad of [
      await verifyBlob({ ...base, blob: utf8Encode('release-1.2.3.tar.gz contentz') }),
      await verifyBlob({ ...base, blob, mediaType: 'application/octet-stream' }),
      await verifyBlob({ ...base, blob: blob.subarray(1) })
    ]) {
      expect(bad.verified).toBe(false);
      expect(bad.failure?.message).toBe('integrity check failed. signature does not match the given blob');
    }
    expect((await verifyBlob({ ...base, blob, userMetadata: { release: '9' } })).failure?.message).toBe('unable to find specified metadata in the signature');
  });

  it('names signature files as notation does and reads the format back', () => {
    expect(blobSignatureFileName('dist/app.tar.gz', 'cose')).toBe('app.tar.gz.cose.sig');
    expect(blobSignatureFileName('C:\\\\out\\\\app.bin', 'jws')).toBe('app.bin.jws.sig');
    expect(formatFromSignatureFileName('app.tar.gz.COSE.SIG')).toBe('cose');
    expect(formatFromSignatureFileName('app.sig')).toBeUndefined();
  });
});
