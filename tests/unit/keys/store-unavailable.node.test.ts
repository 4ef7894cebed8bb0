/** Without IndexedDB (Node here; a browser with site storage disabled) the key store fails with advice, not a crash. */
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../../../src/lib/keys/store';
import { expectCode } from './helpers';

describe('KeyStore without IndexedDB', () => {
  it('reports ERR_KEY_STORE with what to do', async () => {
    expect(typeof indexedDB).toBe('undefined');
    const store = new KeyStore();
    await expectCode(store.list(), 'ERR_KEY_STORE', /could not list the keys in the browser's key storage \(IndexedDB\).*allow site storage/);
    await expectCode(store.delete('x'), 'ERR_KEY_STORE', /could not delete the key/);
  });
});
