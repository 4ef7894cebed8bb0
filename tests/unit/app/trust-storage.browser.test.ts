/**
 * The trust material record in Chromium's real IndexedDB (browser project only: Node has none).
 * Each test uses its own database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, set } from 'idb-keyval';
import { loadTrustMaterial } from '../../../src/lib/app/trust-material';
import { TRUST_RECORD_KEY, TrustMaterialStore } from '../../../src/lib/app/trust-storage';
import { isSignetError } from '../../../src/lib/errors';
import { trustedSigner } from './helpers';

const databases: string[] = [];
function fresh() {
  const db = `signet-trust-test-${crypto.randomUUID()}`;
  databases.push(db);
  const idb = createStore(db, 'material');
  return { idb, store: new TrustMaterialStore(idb), reopen: () => new TrustMaterialStore(createStore(db, 'material')) };
}

afterEach(() => {
  for (const db of databases.splice(0)) indexedDB.deleteDatabase(db);
});

describe('TrustMaterialStore in Chromium IndexedDB', () => {
  it('keeps certificates as bytes and the policy as text, and they validate after a reopen', async () => {
    const { material, signer } = await trustedSigner();
    const { store, reopen } = fresh();
    expect(await store.read()).toBeNull();
    await store.write(material);
    const back = await reopen().read();
    expect(back).toEqual(material);
    expect(back!.stores[0]!.files[0]!.bytes).toBeInstanceOf(Uint8Array);
    const loaded = await loadTrustMaterial(back!, { kind: 'stored', updatedAt: back!.updatedAt });
    expect(loaded.stores[0]!.certificates[0]!.der).toEqual(signer.pki.root.der);
    await store.clear();
    expect(await reopen().read()).toBeNull();
  });

  it('refuses a damaged record with a typed error instead of using it', async () => {
    const { idb, store } = fresh();
    await set(TRUST_RECORD_KEY, { schema: 1, policy: null, stores: [{ type: 'ca', name: 'x', files: [{ name: 'a.crt', bytes: 'not bytes' }] }], updatedAt: 'x' }, idb);
    let error: unknown;
    try {
      await store.read();
    } catch (e) {
      error = e;
    }
    expect(isSignetError(error, 'ERR_INPUT_INVALID')).toBe(true);
    expect((error as Error).message).toBe('stored trust material: stores[0].files[0].bytes must be at most 4194304 bytes');
    await expect(store.write({ schema: 1, policy: 7 } as never)).rejects.toThrow('stored trust material: policy must be trustpolicy.json text');
  });
});
