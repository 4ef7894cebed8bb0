import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';

const fixture = (p: string) => fileURLToPath(new URL(`../../fixtures/vectors/${p}`, import.meta.url));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('signet inspect', () => {
  it('prints the notation-style tree for a COSE signature file', async () => {
    const r = await run('inspect', fixture('notation-go/internal/testdata/cose_signature.sig'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Inspecting all signatures for signed artifact');
    expect(r.out).toContain('├── media type: application/cose');
    expect(r.out).toContain('signature algorithm: RSASSA-PSS-SHA-256');
    expect(r.out).toContain('signingTime: Tue Mar 14 04:45:22 2023');
    expect(r.out).toContain('SHA256 fingerprint: 9f5f5aecee24b5cfdc7a91f6d5ac5c3a5348feb17c934d403f59ac251549ea0d');
    expect(r.out).toContain('issued to: CN=alpine,O=Notary,L=Seattle,ST=WA,C=US');
    expect(r.out).toMatch(/└── size: 481$/);
  });

  it('prints notation v1.3.2 JSON with user metadata and the signer offset kept', async () => {
    const r = await run('inspect', '--output', 'json', fixture('notation-go/internal/mock/testdata/sig_env_with_metadata.json'), '--media-type', 'application/jose+json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(['mediaType', 'Signatures']);
    const [sig] = json.Signatures;
    expect(sig.signedAttributes.signingTime).toBe('2023-01-11T10:02:54-08:00');
    expect(sig.userDefinedAttributes).toEqual({ 'io.wabbit-networks.buildId': '123', 'io.wabbit-networks.buildTime': '1672944615' });
    expect(sig.signedArtifact).toEqual({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: 'sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b',
      size: 942
    });
    expect(r.out).toMatch(/^\{\n {4}"mediaType"/);
  });

  it('fails with a clear message for a file that is not an envelope', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signet-cli-'));
    const junk = join(dir, 'junk.cose.sig');
    await writeFile(junk, new Uint8Array([0xd2, 0x84, 0x40]));
    const r = await run('inspect', junk);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error: COSE envelope is not valid CBOR: .*truncated/);
    const unknown = await run('inspect', join(dir, 'nope.sig'));
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('cannot read');
    expect((await run('inspect', '--bogus', 'x')).err).toContain('unknown flag: --bogus');
    expect((await run('frobnicate')).code).toBe(2);
  });
});
