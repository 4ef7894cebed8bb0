// Every envelope made by the reference implementation decodes, its fields match what was decoded
// independently (vectors.json), and its cryptographic signature checks out exactly when the
// vector says it does (the two deliberately corrupted envelopes must fail).
import { describe, expect, it } from 'vitest';
import { isSignetError } from '../../../../src/lib/errors';
import { decodeEnvelope, verifyEnvelopeSignature } from '../../../../src/lib/notary/envelope';
import { parsePayload } from '../../../../src/lib/notary/payload';
import { importVerificationKey, parseCertificate } from '../../../../src/lib/notary/x509/certificate';
import { MediaType } from '../../../../src/lib/oci/media-types';
import { readFixture, readFixtureJson } from '../../../helpers/fixtures';

interface Vector {
  id: string;
  format: 'cose' | 'jws';
  files: string[];
  decoded: {
    alg?: string;
    crit?: string[];
    signingScheme?: string;
    signingTime?: string;
    expiry?: string | null;
    payload?: { targetArtifact: { digest: string; mediaType: string; size: number } };
    certChain?: { sha256: string }[];
    cryptoSignatureValid_checkedByNode?: boolean | null;
    signingAgent?: string | null;
  };
}

const { vectors } = await readFixtureJson<{ vectors: Vector[] }>('vectors/vectors.json');
const envelopes = vectors.filter((v) => typeof v.decoded?.cryptoSignatureValid_checkedByNode === "boolean");

describe('reference envelopes (vectors.json)', () => {
  it('covers every verifiable envelope', () => {
    expect(envelopes.length).toBe(26);
  });

  it.each(envelopes.map((v) => [v.id, v] as const))('%s', async (_id, v) => {
    const bytes = await readFixture(`vectors/${v.files[0]}`);
    const mediaType = v.format === 'cose' ? MediaType.cose : MediaType.jws;
    const expectValid = v.decoded.cryptoSignatureValid_checkedByNode === true;
    let envelope;
    try {
      envelope = decodeEnvelope(bytes, mediaType);
    } catch (e) {
      // The corrupted vectors carry a padded base64url payload: notation rejects those at decode time.
      expect(isSignetError(e, 'ERR_ENVELOPE_INVALID')).toBe(true);
      expect(expectValid).toBe(false);
      expect((e as Error).message).toMatch(/base64/);
      return;
    }
    expect(envelope.algorithm.jws).toBe(v.decoded.alg!.split(' ')[0]);
    expect(new Set(envelope.signedAttributes.extendedAttributes.filter((a) => a.critical).map((a) => a.key))).toEqual(
      new Set(v.decoded.crit!.filter((c) => !c.startsWith('io.cncf.notary.') || c.includes('verificationPlugin')))
    );
    expect(envelope.signedAttributes.signingScheme).toBe(v.decoded.signingScheme);
    if (v.format === 'jws' && v.decoded.signingTime) expect(envelope.signedAttributes.signingTimeText).toBe(v.decoded.signingTime);
    if (v.decoded.expiry) expect(envelope.signedAttributes.expiry!.getTime()).toBe(new Date(v.decoded.expiry).getTime());
    expect(parsePayload(envelope.payload.content).targetArtifact).toMatchObject(v.decoded.payload!.targetArtifact);
    const chain = await Promise.all(envelope.certificateChain.map((c) => parseCertificate(c)));
    expect(chain.map((c) => c.sha256Fingerprint)).toEqual(v.decoded.certChain!.map((c) => c.sha256));
    const key = await importVerificationKey(chain[0]!, envelope.algorithm);
    expect(await verifyEnvelopeSignature(envelope, key)).toBe(expectValid);
  });
});
