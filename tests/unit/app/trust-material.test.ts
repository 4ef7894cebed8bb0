import { describe, expect, it } from 'vitest';
import { decodeShareFragment, encodeShareFragment } from '../../../src/lib/app/share';
import { applicableStatement, loadTrustMaterial, sharePayloadFor, shareToTrustMaterial } from '../../../src/lib/app/trust-material';
import { parseTrustMaterialData, TRUST_MATERIAL_SCHEMA } from '../../../src/lib/app/trust-storage';
import { isSignetError } from '../../../src/lib/errors';
import { ARTIFACT, policyJson, statement, trustedSigner } from './helpers';

const REF = `registry.example/team/app@${ARTIFACT.digest}`;

describe('trust material', () => {
  it('validates stored material with the core and reports bad parts without throwing', async () => {
    const { material, signer } = await trustedSigner();
    const leafOnly = { type: 'ca' as const, name: 'leaf-only', files: [{ name: 'leaf.crt', bytes: signer.pki.leaf.der }] };
    const junk = { type: 'tsa' as const, name: 'junk', files: [{ name: 'junk.crt', bytes: new TextEncoder().encode('not a certificate') }] };
    const loaded = await loadTrustMaterial({ ...material, stores: [...material.stores, leafOnly, junk] }, { kind: 'stored', updatedAt: material.updatedAt });
    expect(loaded.policy?.trustPolicies.map((s) => s.name)).toEqual(['app-test']);
    expect(loaded.stores.map((s) => `${s.type}:${s.name}:${s.certificates.length}`)).toEqual(['ca:app-test:1']);
    expect(loaded.storeErrors.map((f) => [f.type, f.name, f.error.code, f.error.message])).toEqual([
      ['ca', 'leaf-only', 'ERR_TRUST_STORE_INVALID', 'failed to validate the trusted certificate leaf.crt in trust store leaf-only of type ca'],
      ['tsa', 'junk', 'ERR_TRUST_STORE_INVALID', 'failed to read the trusted certificate junk.crt in trust store junk of type tsa']
    ]);
    // Like notation, a broken store fails only when a policy uses it.
    expect(loaded.trustStores.get('ca', 'app-test')[0]!.sha256Fingerprint).toBe(loaded.stores[0]!.certificates[0]!.sha256Fingerprint);
    expect(() => loaded.trustStores.get('ca', 'leaf-only')).toThrow('failed to validate the trusted certificate leaf.crt');

    const badPolicy = await loadTrustMaterial({ ...material, policy: '{"version":"1.0","trustPolicies":[]}' }, { kind: 'stored', updatedAt: '' });
    expect(badPolicy.policy).toBeNull();
    expect(badPolicy.policyError?.code).toBe('ERR_TRUST_POLICY_INVALID');
    expect(() => applicableStatement(badPolicy, REF)).toThrow(badPolicy.policyError!.message);
    const none = await loadTrustMaterial({ ...material, policy: null }, { kind: 'stored', updatedAt: '' });
    expect(() => applicableStatement(none, REF)).toThrow(/no trust policy has been imported yet/);
  });

  it('shares only the statement that applies and the stores it names, and the shared copy loads the same', async () => {
    const { material, signer } = await trustedSigner();
    const other = await trustedSigner('RSA-2048');
    const data = {
      ...material,
      policy: policyJson([
        statement('wildcard', { trustStores: ['ca:unrelated'] }),
        statement('team-app', { registryScopes: ['registry.example/team/app'], trustStores: ['ca:app-test', 'tsa:missing'] })
      ]),
      stores: [...material.stores, { type: 'ca' as const, name: 'unrelated', files: [{ name: 'other.crt', bytes: other.signer.pki.root.der }] }]
    };
    const loaded = await loadTrustMaterial(data, { kind: 'stored', updatedAt: data.updatedAt });
    const payload = sharePayloadFor(loaded, REF, { tag: 'v1', createdBy: 'https://signet.example', now: new Date('2026-03-01T00:00:00Z') });
    expect(payload.policy).toEqual({
      version: '1.0',
      trustPolicies: [
        {
          name: 'team-app',
          registryScopes: ['registry.example/team/app'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:app-test', 'tsa:missing'],
          trustedIdentities: ['*']
        }
      ]
    });
    expect(payload.stores.map((s) => `${s.type}:${s.name}`)).toEqual(['ca:app-test']);
    expect(payload).toMatchObject({ reference: REF, tag: 'v1', createdAt: '2026-03-01T00:00:00.000Z', createdBy: 'https://signet.example' });

    const opened = await decodeShareFragment(await encodeShareFragment(payload));
    const shared = await loadTrustMaterial(shareToTrustMaterial(opened), { kind: 'share', createdAt: opened.createdAt });
    expect(applicableStatement(shared, REF).name).toBe('team-app');
    expect(shared.trustStores.get('ca', 'app-test').map((c) => c.sha256Fingerprint)).toEqual(loaded.trustStores.get('ca', 'app-test').map((c) => c.sha256Fingerprint));
    expect(shared.stores[0]!.certificates[0]!.subject).toBe('CN=Test Root,O=Notary,L=Seattle,ST=WA,C=US');
    expect(shared.stores[0]!.certificates[0]!.der).toEqual(signer.pki.root.der);
    expect(() => shared.trustStores.get('ca', 'unrelated')).toThrow(/does not exist/);
  });

  it('checks the structure of stored records', () => {
    const ok = { schema: TRUST_MATERIAL_SCHEMA, policy: null, stores: [], updatedAt: 'x' };
    expect(parseTrustMaterialData(ok)).toEqual(ok);
    for (const [bad, says] of [
      [{ ...ok, schema: 2 }, 'schema 2 is not known'],
      [{ ...ok, policy: 5 }, 'policy must be trustpolicy.json text'],
      [{ ...ok, stores: [{ type: 'root', name: 'x', files: [] }] }, 'stores[0].type must be ca, signingAuthority or tsa'],
      [{ ...ok, stores: [{ type: 'ca', name: 'x', files: [{ name: 'a', bytes: 'AA==' }] }] }, 'stores[0].files[0].bytes must be at most'],
      [null, 'expected an object']
    ] as const) {
      let error: unknown;
      try {
        parseTrustMaterialData(bad);
      } catch (e) {
        error = e;
      }
      expect(isSignetError(error, 'ERR_INPUT_INVALID')).toBe(true);
      expect((error as Error).message).toContain(says);
    }
  });
});
