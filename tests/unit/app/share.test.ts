import { describe, expect, it } from 'vitest';
import {
  BUNDLE_MEDIA_TYPE,
  createShare,
  decodeShareFragment,
  decodeVerificationBundle,
  encodeShareFragment,
  isShareFragment,
  MAX_SHARE_JSON_BYTES,
  validateSharePayload,
  type SharePayload
} from '../../../src/lib/app/share';
import { base64Encode, base64UrlEncode, utf8Encode } from '../../../src/lib/bytes';
import { isSignetError } from '../../../src/lib/errors';

const DIGEST = 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e';

function randomCert(size: number): string {
  const cert = new Uint8Array(size);
  crypto.getRandomValues(cert); // certificates compress about as badly as random bytes
  return base64Encode(cert);
}

function payload(certs = 1, certBytes = 900): SharePayload {
  return {
    v: 1,
    reference: `registry.example:5000/team/app@${DIGEST}`,
    tag: 'v1',
    policy: { version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:s'], trustedIdentities: ['*'] }] },
    stores: [{ type: 'ca', name: 's', certificates: Array.from({ length: certs }, () => randomCert(certBytes)) }],
    createdAt: '2026-02-03T04:05:06.000Z',
    createdBy: 'https://signet.example'
  };
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('share links', () => {
  it('round-trip through a URL-safe fragment', async () => {
    const p = payload(2);
    const fragment = await encodeShareFragment(p);
    expect(fragment).toMatch(/^share=1\.[A-Za-z0-9_-]+$/);
    expect(isShareFragment(`#${fragment}`)).toBe(true);
    expect(isShareFragment('#other=1')).toBe(false);
    expect(await decodeShareFragment(`#${fragment}`)).toEqual(p);
  });

  it('put the content in the fragment only, never in the path or query', async () => {
    const out = await createShare(payload(), 'https://signet.example/app/?ref=x#old');
    expect(out.kind).toBe('link');
    if (out.kind !== 'link') return;
    const url = new URL(out.url);
    expect(url.origin + url.pathname).toBe('https://signet.example/app/');
    expect(url.search).toBe('');
    expect((await decodeShareFragment(url.hash)).reference).toBe(`registry.example:5000/team/app@${DIGEST}`);
  });

  it('fall back to a verification bundle when the link would be too long, and the bundle opens', async () => {
    const big = payload(40, 1500); // ~60 KB of certificates
    const out = await createShare(big, 'https://signet.example/');
    expect(out.kind).toBe('bundle');
    if (out.kind !== 'bundle') return;
    expect(out.linkLength).toBeGreaterThan(32 * 1024);
    expect(out.reason).toContain(`would be ${out.linkLength} characters long (the limit is 32768)`);
    expect(out.fileName).toBe('signet-verification-60043cf45eae.json');
    expect(JSON.parse(out.json).mediaType).toBe(BUNDLE_MEDIA_TYPE);
    expect(decodeVerificationBundle(utf8Encode(out.json))).toEqual(big);
    // The same payload fits when the limit allows it.
    expect((await createShare(big, 'https://signet.example/', 1_000_000)).kind).toBe('link');
  });

  it('refuse damaged, foreign and oversized fragments with typed errors', async () => {
    const good = await encodeShareFragment(payload());
    // Cut anywhere: either the base64url or the deflate stream is incomplete.
    const messages = new Set<string>();
    for (let cut = 1; cut < 40; cut++) {
      const e = await rejection(decodeShareFragment(good.slice(0, good.length - cut)));
      expect(isSignetError(e, 'ERR_INPUT_INVALID'), e.message).toBe(true);
      messages.add(e.message);
    }
    expect([...messages].sort()).toEqual([
      'share link: the link is damaged: its data does not decompress (was it cut off when copied?)',
      'share link: the link is damaged: its data is not base64url (was it cut off when copied?)'
    ]);

    const e2 = await rejection(decodeShareFragment('share=2.AAAA'));
    expect(e2.message).toBe('share link: version 2 is not supported; this Signet reads version 1');
    const e3 = await rejection(decodeShareFragment('share=1.not base64!'));
    expect(e3.message).toBe('share link: the link is damaged: expected #share=<version>.<data> (was it cut off when copied?)');

    // A decompression bomb stops at the cap instead of filling memory.
    const bomb = await deflate(new Uint8Array(MAX_SHARE_JSON_BYTES + 1024).fill(0x20));
    const e4 = await rejection(decodeShareFragment(`share=1.${base64UrlEncode(bomb)}`));
    expect(isSignetError(e4, 'ERR_INPUT_TOO_LARGE')).toBe(true);

    const notJson = await deflate(utf8Encode('not json'));
    const e5 = await rejection(decodeShareFragment(`share=1.${base64UrlEncode(notJson)}`));
    expect(isSignetError(e5, 'ERR_JSON_INVALID')).toBe(true);
  });

  it('accept only references pinned to a digest and well-formed trust material', () => {
    const p = payload();
    expect(() => validateSharePayload({ ...p, reference: 'registry.example/team/app:v1' })).toThrow(
      'share link: "reference" must be pinned to a digest (…@sha256:…), got "registry.example/team/app:v1"'
    );
    expect(() => validateSharePayload({ ...p, stores: [{ type: 'root', name: 's', certificates: ['AA=='] }] })).toThrow('stores[0].type must be ca, signingAuthority or tsa');
    expect(() => validateSharePayload({ ...p, stores: [{ type: 'ca', name: '../x', certificates: ['AA=='] }] })).toThrow('stores[0].name must match');
    expect(() => validateSharePayload({ ...p, stores: [{ type: 'ca', name: 's', certificates: ['***'] }] })).toThrow(/base64/);
    expect(() => validateSharePayload({ ...p, policy: 'x' })).toThrow('"policy" must be a trust policy object');
    expect(() => validateSharePayload({ ...p, createdAt: 'yesterday' })).toThrow('"createdAt" must be a date');
    expect(() => decodeVerificationBundle(utf8Encode('{"share":{}}'))).toThrow(/verification bundle: expected/);
  });
});
