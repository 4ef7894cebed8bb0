import { describe, expect, it } from 'vitest';
import { CREDENTIALS_STORAGE_KEY, CredentialVault } from '../../../src/lib/app/credentials';
import { memoryStorage } from './helpers';

describe('CredentialVault', () => {
  it('keeps credentials in memory only unless remembering is asked for', async () => {
    const storage = memoryStorage();
    const vault = new CredentialVault(storage);
    vault.set('Registry.Example:5000', { username: 'alice', password: 's3cret' });
    expect(vault.get('registry.example:5000')).toEqual({ username: 'alice', password: 's3cret' });
    expect(await vault.provider()('registry.example:5000')).toEqual({ username: 'alice', password: 's3cret' });
    expect(storage.map.has(CREDENTIALS_STORAGE_KEY)).toBe(false);
    expect(new CredentialVault(storage).get('registry.example:5000')).toBeUndefined();

    vault.set('ghcr.io', { username: 'bob', password: 'token' }, { remember: true });
    expect(JSON.parse(storage.map.get(CREDENTIALS_STORAGE_KEY)!)).toEqual({ 'ghcr.io': { username: 'bob', password: 'token' } });
    const reloaded = new CredentialVault(storage);
    expect(reloaded.get('ghcr.io')).toEqual({ username: 'bob', password: 'token' });
    expect(reloaded.list()).toEqual([{ host: 'ghcr.io', username: 'bob', remembered: true }]);

    // Setting it again without remember takes it out of storage.
    reloaded.set('ghcr.io', { username: 'bob', password: 'token2' });
    expect(storage.map.has(CREDENTIALS_STORAGE_KEY)).toBe(false);
    reloaded.forget('ghcr.io');
    expect(reloaded.get('ghcr.io')).toBeUndefined();
  });

  it('refuses unusable credentials and ignores damaged stored entries', () => {
    const vault = new CredentialVault();
    expect(() => vault.set('ghcr.io', { username: 'a' })).toThrow('credential for ghcr.io: enter a password or access token');
    expect(() => vault.set('ghcr.io', { username: 'a', password: 'x'.repeat(5000) })).toThrow(/password must be text of at most 4096/);
    expect(() => vault.set('bad host', { password: 'x' })).toThrow(/not a registry host/);
    const storage = memoryStorage({ [CREDENTIALS_STORAGE_KEY]: JSON.stringify({ 'ok.example': { username: 'u', password: 'p' }, 'bad host': { password: 'p' }, 'x.example': 'nope', 'y.example': { username: 'u' } }) });
    expect(new CredentialVault(storage).list()).toEqual([{ host: 'ok.example', username: 'u', remembered: true }]);
    expect(new CredentialVault(memoryStorage({ [CREDENTIALS_STORAGE_KEY]: '{oops' })).list()).toEqual([]);
  });
});
