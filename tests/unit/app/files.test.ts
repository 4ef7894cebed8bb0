import { describe, expect, it } from 'vitest';
import { classifyFile, dropIntent } from '../../../src/lib/app/files';
import { encodeVerificationBundle } from '../../../src/lib/app/share';
import { MediaType } from '../../../src/lib/oci/media-types';
import { ARTIFACT, blobTarget, envelopeFor, trustedSigner } from './helpers';

const text = (s: string) => new TextEncoder().encode(s);

describe('dropped files', () => {
  it('recognises envelopes by content and name, manifests, bundles, and anything else', async () => {
    const { signer } = await trustedSigner();
    const cose = await envelopeFor(signer, ARTIFACT, 'cose');
    const jws = await envelopeFor(signer, ARTIFACT, 'jws');
    expect(classifyFile({ name: 'anything', bytes: cose.envelope })).toMatchObject({ kind: 'signature', mediaType: MediaType.cose });
    expect(classifyFile({ name: 'sig.json', bytes: jws.envelope })).toMatchObject({ kind: 'signature', mediaType: MediaType.jws });
    expect(classifyFile({ name: 'manifest.json', bytes: cose.signatureManifest.manifest }).kind).toBe('manifest');
    const bundle = encodeVerificationBundle({
      v: 1,
      reference: `r.example/a@${ARTIFACT.digest}`,
      policy: { version: '1.0', trustPolicies: [] },
      stores: [],
      createdAt: '2026-01-01T00:00:00Z'
    });
    expect(classifyFile({ name: 'b.json', bytes: text(bundle) }).kind).toBe('bundle');
    expect(classifyFile({ name: 'config.json', bytes: text('{"a":1}') }).kind).toBe('other');
    expect(classifyFile({ name: 'notes.txt', bytes: text('hello') }).kind).toBe('other');
  });

  it('turns one signature into an inspection and a file plus its signature into a verification', async () => {
    const { signer } = await trustedSigner();
    const blob = text('{"some":"json blob"}');
    const sig = await envelopeFor(signer, await blobTarget(blob), 'jws');
    expect(dropIntent([{ name: 'x.jws.sig', bytes: sig.envelope }]).kind).toBe('inspect-signature');
    const intent = dropIntent([
      { name: 'data.json.jws.sig', bytes: sig.envelope },
      { name: 'data.json', bytes: blob }
    ]);
    expect(intent).toMatchObject({ kind: 'verify-blob', blob: { name: 'data.json' }, signature: { name: 'data.json.jws.sig' }, mediaType: MediaType.jws });
    // A blob that is itself an envelope: the name tells which one is the signature.
    const inner = await envelopeFor(signer, ARTIFACT, 'cose');
    const outer = await envelopeFor(signer, await blobTarget(inner.envelope), 'cose');
    const pair = dropIntent([
      { name: 'a.sig', bytes: inner.envelope },
      { name: 'a.sig.cose.sig', bytes: outer.envelope }
    ]);
    expect(pair).toMatchObject({ kind: 'verify-blob', blob: { name: 'a.sig' }, signature: { name: 'a.sig.cose.sig' } });
  });

  it('says what is accepted when it cannot tell what to do', () => {
    expect(() => dropIntent([{ name: 'a.txt', bytes: text('a') }])).toThrow(
      'cannot tell what to do with a.txt: drop one signature file (.sig, COSE or JWS), one signature manifest (JSON), one verification bundle, or a file together with its .sig to verify it'
    );
    expect(() => dropIntent([])).toThrow('no file was dropped');
  });
});
