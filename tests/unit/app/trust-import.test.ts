/**
 * Importing notation's trust material from folders, zips and loose files; the edits the Trust
 * page makes; the export in notation's layout coming back unchanged; and notation's validation
 * of each store (real certificates from the test PKI).
 */
import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../../../src/lib/bytes';
import { isSignetError } from '../../../src/lib/errors';
import {
  addTrustStoreFiles,
  collectTrustImport,
  mergeTrustImport,
  removeTrustStore,
  removeTrustStoreFile,
  withTrustPolicy,
  type SourceFile
} from '../../../src/lib/app/trust-import';
import { trustPolicyFile, trustStoreZip } from '../../../src/lib/app/trust-export';
import { addCertificates, describeTrustStore, describeTrustStores } from '../../../src/lib/app/trust-view';
import { emptyTrustMaterial, parseTrustMaterialData, type TrustMaterialData } from '../../../src/lib/app/trust-storage';
import { readZip, writeZip } from '../../../src/lib/app/zip';
import { createTestChain, toPem } from '../../helpers/test-pki';
import { policyJson, statement } from './helpers';

const NOW = new Date('2026-03-01T00:00:00Z');

function file(path: string, content: string | Uint8Array, kind: SourceFile['kind'] = 'file'): SourceFile {
  const bytes = typeof content === 'string' ? utf8Encode(content) : content;
  return { path, kind, size: bytes.length, read: async () => bytes };
}

const chain = await createTestChain({ keySpec: 'EC-256' });
const rootPem = toPem(chain.root.der);
const leafPem = toPem(chain.leaf.der);
const POLICY = policyJson([statement('acme', { trustStores: ['ca:acme'] })]);

describe('collectTrustImport', () => {
  it("finds stores and the policy in a picked notation folder, wherever the layout starts", async () => {
    const plan = await collectTrustImport([
      file('notation/trustpolicy.json', POLICY),
      file('notation/truststore/x509/ca/acme/root.pem', rootPem),
      file('notation/truststore/x509/tsa/stamps/tsa-root.crt', chain.root.der),
      file('notation/truststore/x509/signingAuthority/sa/leaf.pem', leafPem),
      file('notation/signingkeys.json', '{"default":"k","keys":[]}'),
      file('notation/localkeys/k.crt', leafPem)
    ]);
    expect(plan.policy).toEqual({ from: 'notation/trustpolicy.json', text: POLICY });
    expect(plan.stores.map((s) => [s.type, s.name, s.files.map((f) => f.name), s.from])).toEqual([
      ['ca', 'acme', ['root.pem'], 'notation/truststore/x509/ca/acme'],
      ['signingAuthority', 'sa', ['leaf.pem'], 'notation/truststore/x509/signingAuthority/sa'],
      ['tsa', 'stamps', ['tsa-root.crt'], 'notation/truststore/x509/tsa/stamps']
    ]);
    expect(plan.stores[2]!.files[0]!.bytes).toEqual(chain.root.der);
    expect(plan.ignored).toEqual([
      { path: 'notation/signingkeys.json', reason: "not part of notation's trust policy or trust store layout" },
      { path: 'notation/localkeys/k.crt', reason: 'a certificate outside truststore/x509/<type>/<name>/: add it to a named store with "Add certificates"' }
    ]);
    // The x509 folder itself, picked.
    const x509 = await collectTrustImport([file('x509/ca/acme/root.pem', rootPem)]);
    expect(x509.stores.map((s) => `${s.type}:${s.name}`)).toEqual(['ca:acme']);
  });

  it('prefers trustpolicy.oci.json, takes a renamed download by content, and says what it left out', async () => {
    const plan = await collectTrustImport([
      file('n/trustpolicy.json', POLICY),
      file('n/trustpolicy.oci.json', policyJson([statement('oci')])),
      file('n/trustpolicy.blob.json', '{}')
    ]);
    expect(plan.policy?.from).toBe('n/trustpolicy.oci.json');
    expect(plan.ignored).toEqual([
      { path: 'n/trustpolicy.blob.json', reason: 'the blob trust policy is not imported; Signet verifies files with the OCI policy' },
      { path: 'n/trustpolicy.json', reason: 'another trust policy is used: n/trustpolicy.oci.json' }
    ]);
    const renamed = await collectTrustImport([file('trustpolicy (1).json', POLICY), file('notes.json', '{"a":1}')]);
    expect(renamed.policy?.from).toBe('trustpolicy (1).json');
    expect(renamed.ignored.map((i) => i.path)).toEqual(['notes.json']);
  });

  it('marks sub-folders and links inside a store (notation refuses such a store) and unknown store types', async () => {
    const plan = await collectTrustImport([
      file('truststore/x509/ca/acme/root.pem', rootPem),
      file('truststore/x509/ca/acme/old/root.pem', rootPem),
      file('truststore/x509/ca/acme/link.pem', new Uint8Array(0), 'symlink'),
      file('truststore/x509/custom/x/a.pem', rootPem)
    ]);
    expect(plan.stores[0]).toMatchObject({ type: 'ca', name: 'acme', nonRegular: ['link.pem', 'old'] });
    expect(plan.ignored).toEqual([{ path: 'truststore/x509/custom/x/a.pem', reason: 'x509/custom is not a trust store type notation reads (ca, signingAuthority, tsa)' }]);
    const view = await describeTrustStore(plan.stores[0]!, NOW);
    expect(view.error?.message).toBe('trusted certificate link.pem in trust store acme of type ca is not a regular file (directories or symlinks are not supported)');
    const merged = mergeTrustImport(null, plan, NOW);
    expect(merged.refused.map((s) => s.name)).toEqual(['acme']);
    expect(merged.data.stores).toEqual([]);
  });

  it('opens zips (reading only the layout and policies) and merges them with loose files', async () => {
    const zip = writeZip([
      { name: 'truststore/x509/ca/acme/root.pem', bytes: utf8Encode(rootPem) },
      { name: 'plugins/big/plugin.bin', bytes: new Uint8Array(5000) },
      { name: 'trustpolicy.json', bytes: utf8Encode(POLICY) }
    ]);
    const plan = await collectTrustImport([file('backup.zip', zip), file('extra/truststore/x509/ca/other/root.pem', rootPem)]);
    expect(plan.stores.map((s) => s.from)).toEqual(['backup.zip: truststore/x509/ca/acme', 'extra/truststore/x509/ca/other']);
    expect(plan.policy?.from).toBe('backup.zip: trustpolicy.json');
    expect(plan.ignored).toEqual([{ path: 'backup.zip: plugins/big/plugin.bin', reason: "not part of notation's trust policy or trust store layout" }]);
    await expect(collectTrustImport([file('broken.zip', utf8Encode('not a zip at all, really'))])).rejects.toThrow('broken.zip is not a readable zip archive');
  });

  it('refuses oversized files before reading them', async () => {
    const big: SourceFile = { path: 'truststore/x509/ca/a/huge.pem', kind: 'file', size: 5 * 1024 * 1024, read: () => Promise.reject(new Error('must not be read')) };
    await expect(collectTrustImport([big])).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' });
  });
});

describe('editing and exporting the stored record', () => {
  it('merges an import (same-named stores replaced, others kept), then exports in notation layout and reads back the same', async () => {
    const before: TrustMaterialData = {
      ...emptyTrustMaterial(NOW),
      policy: policyJson([statement('old')]),
      stores: [
        { type: 'ca', name: 'acme', files: [{ name: 'stale.pem', bytes: utf8Encode(leafPem) }] },
        { type: 'tsa', name: 'kept', files: [{ name: 'tsa.crt', bytes: chain.root.der }] }
      ]
    };
    const plan = await collectTrustImport([file('n/trustpolicy.json', POLICY), file('n/truststore/x509/ca/acme/root.pem', rootPem)]);
    const { data, imported } = mergeTrustImport(before, plan, NOW);
    expect(imported.map((s) => s.name)).toEqual(['acme']);
    expect(data.policy).toBe(POLICY);
    expect(data.stores.map((s) => `${s.type}:${s.name}:${s.files.map((f) => f.name).join(',')}`)).toEqual(['ca:acme:root.pem', 'tsa:kept:tsa.crt']);
    expect(parseTrustMaterialData(data)).toEqual(data);

    const zip = trustStoreZip(data, NOW);
    const entries = await readZip(zip);
    expect(entries.filter((e) => e.kind === 'file').map((e) => e.name)).toEqual(['truststore/x509/ca/acme/root.pem', 'truststore/x509/tsa/kept/tsa.crt']);
    expect(utf8Decode(trustPolicyFile(data) === POLICY ? utf8Encode(POLICY) : new Uint8Array(0))).toBe(POLICY);
    // Re-import of what was exported gives the same record.
    const again = await collectTrustImport([file('notation-truststore.zip', zip), file('trustpolicy.json', trustPolicyFile(data))]);
    const back = mergeTrustImport(null, again, NOW).data;
    expect({ ...back, label: undefined }).toEqual({ ...data, label: undefined });
    expect(data.label).toBe('imported on the Trust page from n');
    expect(back.label).toBe('imported on the Trust page from trustpolicy.json, notation-truststore.zip');
    // An edit makes the material the person's own: the import label goes.
    expect(removeTrustStore(back, 'tsa', 'kept', NOW).label).toBeUndefined();
  });

  it('adds certificate files like notation cert add, removes files and stores, replaces the policy', async () => {
    let data = addTrustStoreFiles(null, 'ca', 'acme', [{ name: 'root.pem', bytes: utf8Encode(rootPem) }], NOW);
    expect(() => addTrustStoreFiles(data, 'ca', 'acme', [{ name: 'root.pem', bytes: utf8Encode(rootPem) }], NOW)).toThrow(
      'root.pem: certificate already exists in the Trust Store (ca:acme); remove it first or rename the file'
    );
    expect(() => addTrustStoreFiles(data, 'ca', 'bad name', [{ name: 'a.pem', bytes: utf8Encode(rootPem) }], NOW)).toThrow('named store name needs to follow [a-zA-Z0-9_.-]+ format');
    expect(() => addTrustStoreFiles(data, 'x' as 'ca', 'n', [{ name: 'a.pem', bytes: utf8Encode(rootPem) }], NOW)).toThrow('unsupported store type: x');
    data = addTrustStoreFiles(data, 'ca', 'acme', [{ name: 'second.pem', bytes: utf8Encode(rootPem) }], NOW);
    expect(data.stores[0]!.files.map((f) => f.name)).toEqual(['root.pem', 'second.pem']);
    data = removeTrustStoreFile(data, 'ca', 'acme', 'root.pem', NOW);
    expect(data.stores[0]!.files.map((f) => f.name)).toEqual(['second.pem']);
    expect(removeTrustStoreFile(data, 'ca', 'acme', 'second.pem', NOW).stores).toEqual([]);
    expect(removeTrustStore(data, 'ca', 'acme', NOW).stores).toEqual([]);
    expect(withTrustPolicy(data, POLICY, NOW).policy).toBe(POLICY);
    expect(() => trustPolicyFile(data)).toThrow('there is no trust policy to export');
    expect(() => trustStoreZip(emptyTrustMaterial(NOW))).toThrow('there is no trust store to export');
  });
});

describe('trust-view: stores as notation judges them', () => {
  it('lists the certificates of a valid store, and gives notation\'s message and detail for an invalid one', async () => {
    const views = await describeTrustStores(
      [
        { type: 'ca', name: 'good', files: [{ name: 'root.pem', bytes: utf8Encode(rootPem) }] },
        { type: 'ca', name: 'leafy', files: [{ name: 'a-root.pem', bytes: utf8Encode(rootPem) }, { name: 'leaf.pem', bytes: utf8Encode(leafPem) }] },
        { type: 'tsa', name: 'bad.name!', files: [{ name: 'r.pem', bytes: utf8Encode(rootPem) }] }
      ],
      NOW
    );
    expect(views[0]).toMatchObject({ key: 'ca:good', error: null, files: [{ name: 'root.pem', certificates: [{ subject: 'CN=Test Root,O=Notary,L=Seattle,ST=WA,C=US', isCA: true, validity: 'valid' }] }] });
    expect(views[1]!.error).toEqual({
      message: 'failed to validate the trusted certificate leaf.pem in trust store leafy of type ca',
      detail: 'certificate with subject "CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US" is not a CA certificate or self-signed signing certificate'
    });
    expect(views[1]!.files.map((f) => f.certificates.length)).toEqual([1, 1]);
    expect(views[2]!.error?.message).toBe('trust store name needs to follow [a-zA-Z0-9_.-]+ format, bad.name! is invalid');
  });

  it('addCertificates refuses files without certificates and warns (does not refuse) what notation only rejects at verification', async () => {
    const notCert = await addCertificates(null, 'ca', 'acme', [{ name: 'notes.txt', bytes: utf8Encode('hello') }], NOW).catch((e: unknown) => e);
    expect(isSignetError(notCert, 'ERR_CERT_INVALID')).toBe(true);
    expect((notCert as Error).message).toMatch(/^notes\.txt: /);
    const { data, store } = await addCertificates(null, 'ca', 'acme', [{ name: 'leaf.pem', bytes: utf8Encode(leafPem) }], NOW);
    expect(data.stores[0]!.files[0]!.name).toBe('leaf.pem');
    expect(store.error?.message).toBe('failed to validate the trusted certificate leaf.pem in trust store acme of type ca');
    const ok = await addCertificates(null, 'ca', 'acme', [{ name: 'root.der', bytes: chain.root.der }], NOW);
    expect(ok.store.error).toBeNull();
  });
});
