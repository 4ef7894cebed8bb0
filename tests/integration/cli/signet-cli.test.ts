// The `signet` command line as a user runs it (a real process via bin/signet.js): sign with a PEM
// key, verify with notation's own trust store folder and trustpolicy.json, and notation agrees.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../../../src/lib/registry/client';
import { NotationHome } from '../../helpers/notation';
import { chainSigner } from '../../helpers/pki-signer';
import { toPem } from '../../helpers/pem';
import { startDistribution, type RunningRegistry } from '../../helpers/registries';
import { repoRoot } from '../../helpers/tools';
import { buildImage, pushImage } from '../registry/images';

function signet(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'signet.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let registry: RunningRegistry;
let home: NotationHome;
beforeAll(async () => {
  registry = await startDistribution();
  home = await NotationHome.create();
}, 120_000);
afterAll(async () => {
  await registry?.stop();
  await home?.dispose();
});

describe('signet CLI', () => {
  it('signs by tag (resolving to the digest) and verifies with a notation trust store folder', async () => {
    const repo = createRegistryClient({ fetch }).repository(`${registry.host}/cli/app`);
    const target = await pushImage(repo, await buildImage(), 'v1');
    const signer = await chainSigner('EC-256');
    const key = join(home.root, 'signing.key');
    const cert = join(home.root, 'signing.crt');
    await writeFile(key, toPem(signer.pki.leaf.key.pkcs8, 'PRIVATE KEY'));
    await writeFile(cert, signer.pki.chain.map((c) => toPem(c, 'CERTIFICATE')).join(''));

    const sign = await signet(['sign', `${registry.host}/cli/app:v1`, '--key', key, '--cert', cert, '--expiry', '24h', '-m', 'env=prod']);
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stdout.trim()).toBe(`Successfully signed ${registry.host}/cli/app@${target.digest}`);
    expect(sign.stderr).toContain('Always sign the artifact using digest');

    await home.addTrustStoreCertificates('ca', 'cli', [{ name: 'root.crt', data: toPem(signer.pki.root.der, 'CERTIFICATE') }]);
    const policyFile = await home.writeTrustPolicy({
      version: '1.0',
      trustPolicies: [
        { name: 'cli', registryScopes: [`${registry.host}/cli/app`], signatureVerification: { level: 'strict' }, trustStores: ['ca:cli'], trustedIdentities: ['*'] }
      ]
    });
    const ref = `${registry.host}/cli/app@${target.digest}`;
    const notation = await home.run(['verify', '--insecure-registry', '-m', 'env=prod', ref]);
    expect(notation.code, notation.output).toBe(0);

    const store = join(home.notationDir, 'truststore');
    const ok = await signet(['verify', ref, '--trust-policy', policyFile, '--trust-store', store, '-m', 'env=prod']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Successfully verified signature for ${ref}`);
    expect(ok.stdout).toMatch(/env\s+prod/);

    const json = await signet(['verify', ref, '--trust-policy', policyFile, '--trust-store', store, '--output', 'json']);
    const result = JSON.parse(json.stdout);
    expect(result.verified).toBe(true);
    expect(result.signatures[0].checks.map((c: { type: string; outcome: string }) => `${c.type}:${c.outcome}`)).toEqual([
      'integrity:passed',
      'authenticity:passed',
      'expiry:passed',
      'authenticTimestamp:passed',
      'revocation:passed'
    ]);

    const wrong = await signet(['verify', ref, '--trust-policy', policyFile, '--trust-store', store, '-m', 'env=dev']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('signature verification failed');
    const missing = await signet(['verify', ref, '--trust-store', store]);
    expect(missing.code).toBe(2);
  });
});
