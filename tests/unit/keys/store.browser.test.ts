/**
 * The key store against Chromium's real IndexedDB (this file runs only in the browser project:
 * Node has no IndexedDB). Each test uses its own database, deleted afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, set } from 'idb-keyval';
import { certificatesToPem, createSelfSignedCertificateForKey, importCertificateChain } from '../../../src/lib/keys/certificates';
import { generateSigningKeyPair } from '../../../src/lib/keys/generate';
import { importPrivateKeyPem } from '../../../src/lib/keys/import';
import { KeyStore, MAX_KEY_NAME_LENGTH } from '../../../src/lib/keys/store';
import { createWebCryptoSigner } from '../../../src/lib/keys/webcrypto-signer';
import { KEY_SPECS } from '../../../src/lib/notary/algorithms';
import { decodeEnvelope, verifyEnvelopeSignature } from '../../../src/lib/notary/envelope';
import { signArtifact } from '../../../src/lib/notary/sign/sign-artifact';
import { importVerificationKey, parseCertificate } from '../../../src/lib/notary/x509';
import { MediaType } from '../../../src/lib/oci/media-types';
import { createTestChain } from '../../helpers/test-pki';
import { OPENSSL_KEYS } from './fixtures/openssl-keys';
import { expectCode, expectExportRefused, publicKeyFromPem, signAndVerify } from './helpers';

const databases: string[] = [];

/** A store on a fresh database; `reopen` gives a second, independent connection to the same database. */
function freshStore(): { store: KeyStore; reopen: () => KeyStore; db: string } {
  const db = `signet-keys-test-${crypto.randomUUID()}`;
  databases.push(db);
  return { db, store: new KeyStore(createStore(db, 'keys')), reopen: () => new KeyStore(createStore(db, 'keys')) };
}

afterEach(async () => {
  // idb-keyval keeps its connections open; deletion completes once they close with the page, so
  // do not wait for it (a blocked delete would stall the test).
  for (const db of databases.splice(0)) indexedDB.deleteDatabase(db);
});

describe('KeyStore in Chromium IndexedDB', () => {
  it('keeps generated keys of all six specs non-extractable and usable across connections', async () => {
    const { store, reopen } = freshStore();
    for (const keySpec of KEY_SPECS) {
      const pair = await generateSigningKeyPair(keySpec);
      await store.add({ name: `gen ${keySpec}`, origin: 'generated', ...pair });
    }
    const listed = await reopen().list();
    expect(listed.map((k) => k.keySpec)).toEqual([...KEY_SPECS]);
    for (const key of listed) {
      await expectExportRefused(key.privateKey);
      expect(await signAndVerify(key.keySpec, key.privateKey, key.publicKey)).toBe(true);
      expect(key.origin).toBe('generated');
    }
  });

  it('keeps imported keys of all six specs non-extractable; they are still the file\'s keys', async () => {
    const { store, reopen } = freshStore();
    const files = OPENSSL_KEYS.filter((k) => k.name.startsWith('pkcs8-'));
    expect(files).toHaveLength(6);
    for (const f of files) {
      const pair = await importPrivateKeyPem(f.pem);
      await store.add({ name: f.name, origin: 'imported', ...pair });
    }
    for (const f of files) {
      const key = (await reopen().list()).find((k) => k.name === f.name)!;
      expect(key.origin).toBe('imported');
      await expectExportRefused(key.privateKey);
      expect(await signAndVerify(key.keySpec, key.privateKey, await publicKeyFromPem(f.publicKeyPem!, f.keySpec!))).toBe(true);
    }
  });

  it('lists, renames, sets the default atomically and deletes', async () => {
    const { store, reopen } = freshStore();
    const t0 = new Date('2026-01-01T00:00:00Z');
    const a = await store.add({ name: 'alpha', origin: 'generated', ...(await generateSigningKeyPair('EC-256')) }, t0);
    const b = await store.add({ name: 'beta', origin: 'generated', ...(await generateSigningKeyPair('EC-384')) }, new Date(t0.getTime() + 1000));
    expect(a.isDefault).toBe(true); // the first key becomes the default
    expect(b.isDefault).toBe(false);
    expect((await store.getDefault())?.id).toBe(a.id);

    await store.setDefault(b.id);
    const afterSwitch = await reopen().list();
    expect(afterSwitch.map((k) => [k.name, k.isDefault])).toEqual([['alpha', false], ['beta', true]]);

    const c = await store.add({ name: 'gamma', origin: 'generated', makeDefault: true, ...(await generateSigningKeyPair('EC-256')) });
    expect((await store.list()).filter((k) => k.isDefault).map((k) => k.id)).toEqual([c.id]);

    const renamed = await store.rename(a.id, '  release  ');
    expect(renamed.name).toBe('release');
    expect((await reopen().get(a.id)).name).toBe('release');
    expect((await store.get(a.id)).createdAt.toISOString()).toBe(t0.toISOString());

    await store.delete(c.id);
    await expectCode(store.get(c.id), 'ERR_KEY_NOT_FOUND', /no stored key has id/);
    expect(await store.getDefault()).toBeUndefined(); // deleting the default leaves none, like notation
    await expectCode(store.delete(c.id), 'ERR_KEY_NOT_FOUND');
    await expectCode(store.rename('nope', 'x'), 'ERR_KEY_NOT_FOUND');
    await expectCode(store.setDefault('nope'), 'ERR_KEY_NOT_FOUND');
    expect((await store.list()).map((k) => k.name)).toEqual(['release', 'beta']);
  });

  it('refuses duplicate or unusable names and an extractable private key, changing nothing', async () => {
    const { store } = freshStore();
    const pair = await generateSigningKeyPair('EC-256');
    const a = await store.add({ name: 'one', origin: 'generated', ...pair });
    await store.add({ name: 'two', origin: 'generated', ...(await generateSigningKeyPair('EC-256')) });
    await expectCode(store.add({ name: ' one ', origin: 'generated', ...pair }), 'ERR_INPUT_INVALID', /a key named "one" already exists/);
    await expectCode(store.rename(a.id, 'two'), 'ERR_INPUT_INVALID', /already exists/);
    await expectCode(store.add({ name: '   ', origin: 'generated', ...pair }), 'ERR_INPUT_INVALID', /key name is empty/);
    await expectCode(store.add({ name: 'x'.repeat(MAX_KEY_NAME_LENGTH + 1), origin: 'generated', ...pair }), 'ERR_INPUT_INVALID', /at most 100/);
    await expectCode(store.add({ name: 'a\u0007b', origin: 'generated', ...pair }), 'ERR_INPUT_INVALID', /control characters/);
    const exportable = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    await expectCode(store.add({ name: 'leaky', origin: 'generated', keySpec: 'EC-256', ...exportable }), 'ERR_KEY_INVALID', /its private key is extractable/);
    await expectCode(store.add({ name: 'swapped', origin: 'generated', keySpec: 'EC-256', privateKey: pair.publicKey, publicKey: pair.privateKey }), 'ERR_KEY_INVALID');
    await expectCode(store.add({ name: 'odd', origin: 'generated', ...pair, keySpec: 'EC-999' as never }), 'ERR_INPUT_INVALID');
    expect((await store.list()).map((k) => k.name)).toEqual(['one', 'two']);
  });

  it('keeps certificate chains with keys; a signer over a stored key makes envelopes its certificate verifies', async () => {
    const { store, reopen } = freshStore();
    const key = await store.add({ name: 'signing', origin: 'generated', ...(await generateSigningKeyPair('RSA-2048')) });
    expect(key.certificateChain).toBeUndefined();
    const withCert = await createSelfSignedCertificateForKey(store, key, { subject: { commonName: 'signing' }, validityDays: 7 });
    expect(withCert.certificateChain).toHaveLength(1);

    const stored = await reopen().get(key.id);
    expect(stored.certificateChain).toEqual(withCert.certificateChain);
    const signer = createWebCryptoSigner(stored);
    const signed = await signArtifact({ mediaType: MediaType.ociManifest, digest: `sha256:${'cd'.repeat(32)}`, size: 99 }, signer, { format: 'jws' });
    const envelope = decodeEnvelope(signed.envelope, signed.envelopeMediaType);
    const leaf = await parseCertificate(envelope.certificateChain[0]!);
    expect(await verifyEnvelopeSignature(envelope, await importVerificationKey(leaf, envelope.algorithm))).toBe(true);

    // A chain for another key is refused and the stored chain stays as it was.
    const other = await createTestChain({ keySpec: 'RSA-2048' });
    await expectCode(importCertificateChain(store, stored, certificatesToPem(other.chain)), 'ERR_CERT_KEY_MISMATCH');
    expect((await store.get(key.id)).certificateChain).toEqual(withCert.certificateChain);

    const cleared = await store.setCertificateChain(key.id, undefined);
    expect(cleared.certificateChain).toBeUndefined();
    await expectCode(store.setCertificateChain(key.id, []), 'ERR_CERT_CHAIN_INVALID');
  });

  it('leaves damaged records out of the list and lets them be deleted', async () => {
    const db = `signet-keys-test-${crypto.randomUUID()}`;
    databases.push(db);
    const raw = createStore(db, 'keys');
    const store = new KeyStore(raw);
    const good = await store.add({ name: 'good', origin: 'generated', ...(await generateSigningKeyPair('EC-256')) });
    const exportable = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    // Written behind the store's back: an extractable key and a record from an unknown version.
    await set('leaky', { schema: 1, id: 'leaky', name: 'leaky', keySpec: 'EC-256', createdAt: 0, origin: 'generated', isDefault: false, ...exportable }, raw);
    await set('future', { schema: 2, id: 'future' }, raw);
    expect((await store.list()).map((k) => k.id)).toEqual([good.id]);
    expect((await store.listDamaged()).sort()).toEqual(['future', 'leaky']);
    await expectCode(store.get('leaky'), 'ERR_KEY_STORE', /damaged/);
    await store.delete('leaky');
    await store.delete('future');
    expect(await store.listDamaged()).toEqual([]);
  });

  it('concurrent setDefault calls leave exactly one default', async () => {
    const { store } = freshStore();
    const keys = [];
    for (let i = 0; i < 5; i++) keys.push(await store.add({ name: `k${i}`, origin: 'generated', ...(await generateSigningKeyPair('EC-256')) }));
    await Promise.all(keys.map((k) => store.setDefault(k.id)));
    expect((await store.list()).filter((k) => k.isDefault)).toHaveLength(1);
  });
});
