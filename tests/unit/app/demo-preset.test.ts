import { describe, expect, it } from 'vitest';
import { parseDemoPreset } from '../../../src/lib/app/demo-preset';
import { loadTrustMaterial, storedSource } from '../../../src/lib/app/trust-material';
import { parseTrustMaterialData } from '../../../src/lib/app/trust-storage';
import { toPem } from '../../helpers/test-pki';
import { trustedSigner } from './helpers';

const REF = `127.0.0.1:5001/demo/hello-signet@sha256:${'ab'.repeat(32)}`;

describe('demo preset (signet-demo.json, as scripts/start.ts writes it)', () => {
  it('becomes a proxy for every registry and trust material the core accepts', async () => {
    const { signer } = await trustedSigner();
    const file = {
      reference: REF,
      proxy: 'http://127.0.0.1:41234',
      trustPolicy: {
        version: '1.0',
        trustPolicies: [
          {
            name: 'signet-demo',
            registryScopes: ['127.0.0.1:5001/demo/hello-signet'],
            signatureVerification: { level: 'strict' },
            trustStores: ['ca:signet-demo'],
            trustedIdentities: ['*']
          }
        ]
      },
      trustStores: [{ type: 'ca', name: 'signet-demo', files: [{ name: 'signet-demo.crt', pem: toPem(signer.pki.root.der) }] }],
      certificateBase64: 'ignored'
    };
    const preset = parseDemoPreset(JSON.parse(JSON.stringify(file)), new Date('2026-01-01T00:00:00Z'));
    expect(preset.reference).toBe(REF);
    expect(preset.proxy).toEqual({ url: 'http://127.0.0.1:41234', scope: 'all', registries: [] });
    expect(parseTrustMaterialData(preset.material)).toEqual(preset.material);
    expect(preset.material.label).toBe("preloaded from this deployment's demo (signet-demo.json)");
    const loaded = await loadTrustMaterial(preset.material, storedSource(preset.material));
    expect(loaded.source).toEqual({ kind: 'stored', updatedAt: '2026-01-01T00:00:00.000Z', label: "preloaded from this deployment's demo (signet-demo.json)" });
    expect(loaded.policy?.trustPolicies[0]?.name).toBe('signet-demo');
    expect(loaded.stores[0]?.certificates[0]?.der).toEqual(signer.pki.root.der);
    expect(loaded.storeErrors).toEqual([]);
  });

  it('names the field at fault', () => {
    const base = { trustPolicy: { version: '1.0', trustPolicies: [] }, trustStores: [] };
    expect(() => parseDemoPreset([])).toThrow('signet-demo.json: expected a JSON object');
    expect(() => parseDemoPreset({ ...base, proxy: 'ftp://x' })).toThrow(/proxy URL: expected http or https/);
    expect(() => parseDemoPreset({ ...base, reference: 'not a reference!' })).toThrow(/is not a valid image reference/);
    expect(() => parseDemoPreset({ ...base, trustPolicy: 'x' })).toThrow('"trustPolicy" must be a trust policy object');
    expect(() => parseDemoPreset({ ...base, trustStores: [{ type: 'ca', name: 'x', files: [{ name: 'a.crt' }] }] })).toThrow('trustStores[0].files[0].pem must be PEM text');
    expect(parseDemoPreset(base).proxy).toBeNull();
  });
});
