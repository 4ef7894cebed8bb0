/**
 * Signing: Signet's `signAndPush` (COSE) against `notation sign --signature-format cose` with the
 * same key and certificate chain, per key spec, each on a fresh image of the same kind, on both
 * registries through the counting proxy.
 *
 * Where each tool stores the signature: on olareg both use the Referrers API (notation needs
 * `--force-referrers-tag=false`, its default is the tag schema); on distribution both write the
 * referrers tag index. Signet's index writer waits for its settle window (2 s by default, see
 * src/lib/registry/referrers-index.ts) before it reports success, so it is timed with the default
 * and, to show what the rest costs, with the smallest window the writer accepts for one writer.
 */
import type { KeySpec } from '../../src/lib/notary/algorithms';
import { signAndPush } from '../../src/lib/app/signatures';
import { createRegistryClient } from '../../src/lib/registry/client';
import type { PushReferrerOptions } from '../../src/lib/registry/referrers-index';
import { NotationHome } from '../../tests/helpers/notation';
import { toPem } from '../../tests/helpers/pem';
import { chainSigner } from '../../tests/helpers/pki-signer';
import { buildImage, pushImage } from '../../tests/integration/registry/images';
import { startCountingProxy } from './counting-proxy';
import { startRegistry, type RegistryKind } from './fixtures';
import { median, sig, timed } from './measure';

export interface SigningConfig {
  reps: number;
  keySpecs: readonly KeySpec[];
}

export interface SigningRow {
  registry: RegistryKind;
  keySpec: KeySpec;
  signetMs: number;
  signetRequests: number;
  notationMs: number;
  notationRequests: number;
  /** notation / Signet (> 1: Signet is faster). */
  speedup: number;
  /** distribution only: Signet with a 60 ms settle window instead of the default 2 s. */
  signetShortSettleMs?: number;
}

const SHORT_SETTLE: PushReferrerOptions = { settleMs: 60, maxReadAgeMs: 30 };

export async function measureSigning(config: SigningConfig, log: (s: string) => void): Promise<SigningRow[]> {
  const rows: SigningRow[] = [];
  const home = await NotationHome.create();
  try {
    for (const spec of config.keySpecs) {
      const signer = await chainSigner(spec);
      await home.addSigningKey(spec, toPem(signer.pki.leaf.key.pkcs8, 'PRIVATE KEY'), signer.pki.chain.map((c) => toPem(c, 'CERTIFICATE')).join(''), false);
    }
    for (const kind of ['olareg', 'distribution'] as const) {
      const registry = await startRegistry(kind);
      const proxy = await startCountingProxy(registry.host);
      try {
        const setup = createRegistryClient({ fetch: globalThis.fetch });
        let counter = 0;
        const freshImage = async () => {
          const path = `bench/sign-${counter++}`;
          const image = await buildImage();
          const target = await pushImage(setup.repository(`${registry.host}/${path}`), image);
          return { repository: `${proxy.host}/${path}`, target };
        };
        for (const spec of config.keySpecs) {
          const signer = await chainSigner(spec);
          const signet: number[] = [];
          const short: number[] = [];
          const notation: number[] = [];
          let signetRequests = 0;
          let notationRequests = 0;
          for (let rep = 0; rep < config.reps; rep++) {
            const a = await freshImage();
            await proxy.reset();
            const client = createRegistryClient({ fetch: globalThis.fetch });
            const s = await timed(() => signAndPush(client.repository(a.repository), a.target, signer, { format: 'cose' }));
            signet.push(s.ms);
            signetRequests = (await proxy.counts()).total;
            if (kind === 'distribution' && s.value.pushed.indexedBy !== 'tag-index') throw new Error(`Signet indexed by ${s.value.pushed.indexedBy} on distribution`);
            if (kind === 'olareg' && s.value.pushed.indexedBy !== 'registry') throw new Error(`Signet indexed by ${s.value.pushed.indexedBy} on olareg`);

            if (kind === 'distribution') {
              const c = await freshImage();
              const quick = createRegistryClient({ fetch: globalThis.fetch });
              short.push((await timed(() => signAndPush(quick.repository(c.repository), c.target, signer, { format: 'cose', push: SHORT_SETTLE }))).ms);
            }

            const b = await freshImage();
            await proxy.reset();
            const args = ['sign', '--insecure-registry', '--signature-format', 'cose', '--key', spec];
            if (kind === 'olareg') args.push('--force-referrers-tag=false');
            const r = await home.run([...args, `${b.repository}@${b.target.digest}`], { timeoutMs: 120_000 });
            if (r.code !== 0) throw new Error(`notation sign (${spec}, ${kind}) failed:\n${r.output}`);
            notation.push(r.durationMs);
            notationRequests = (await proxy.counts()).total;
          }
          const row: SigningRow = {
            registry: kind,
            keySpec: spec,
            signetMs: sig(median(signet)),
            signetRequests,
            notationMs: sig(median(notation)),
            notationRequests,
            speedup: sig(median(notation) / median(signet))
          };
          if (short.length > 0) row.signetShortSettleMs = sig(median(short));
          rows.push(row);
          log(`sign ${kind} ${spec}: Signet ${row.signetMs} ms / ${signetRequests} req${row.signetShortSettleMs !== undefined ? ` (short settle ${row.signetShortSettleMs} ms)` : ''}, notation ${row.notationMs} ms / ${notationRequests} req`);
        }
      } finally {
        await proxy.close();
        await registry.stop();
      }
    }
  } finally {
    await home.dispose();
  }
  return rows;
}
