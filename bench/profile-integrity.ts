/**
 * Profiles `checkIntegrity` on one envelope (default COSE / RSA-2048) for docs/benchmarks.md:
 *
 *   npx tsx bench/profile-integrity.ts [cose|jws] [KeySpec] [iterations]
 *
 * Prints the self time per function (top 25) from a V8 CPU profile taken with node:inspector,
 * and writes the profile to bench/integrity.cpuprofile (open it in Chrome DevTools).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeySpec } from '../src/lib/notary/algorithms';
import { signArtifact } from '../src/lib/notary/sign/sign-artifact';
import { checkIntegrity } from '../src/lib/notary/verify/verify-signature';
import { MediaType } from '../src/lib/oci/media-types';
import { chainSigner } from '../tests/helpers/pki-signer';

const format = (process.argv[2] ?? 'cose') as 'cose' | 'jws';
const keySpec = (process.argv[3] ?? 'RSA-2048') as KeySpec;
const iterations = Number(process.argv[4] ?? 2000);

const signer = await chainSigner(keySpec);
const target = { mediaType: MediaType.ociManifest, digest: `sha256:${'ab'.repeat(32)}`, size: 527 };
const signed = await signArtifact(target, signer, { format });
for (let i = 0; i < 200; i++) await checkIntegrity(signed.envelope, signed.envelopeMediaType); // warm up the JIT

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const started = performance.now();
for (let i = 0; i < iterations; i++) {
  const r = await checkIntegrity(signed.envelope, signed.envelopeMediaType);
  if ('error' in r) throw new Error(r.error);
}
const elapsed = performance.now() - started;
const { profile } = await session.post('Profiler.stop');
session.disconnect();

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
const nodes = profile.nodes as Node[];
const total = nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
const self = new Map<string, number>();
for (const n of nodes) {
  const file = n.callFrame.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '');
  const key = `${n.callFrame.functionName || '(anonymous)'} ${file ? `${file}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
}
// Self time by where the code lives: Signet's own modules, its npm dependencies, Node's JS
// glue, native code without a script (WebCrypto key import/verify jobs), and the rest.
const byPlace = new Map<string, number>();
for (const n of nodes) {
  const url = n.callFrame.url;
  const name = n.callFrame.functionName;
  const place = ['(idle)', '(garbage collector)', '(program)', '(root)'].includes(name)
    ? name
    : url.includes('/src/')
      ? 'Signet (src/)'
      : url.includes('node_modules')
        ? 'npm dependencies'
        : url.startsWith('node:')
          ? 'Node.js JS internals'
          : url === ''
            ? 'native (OpenSSL key import / verify, digests)'
            : 'other JS (bench, tests/helpers)';
  byPlace.set(place, (byPlace.get(place) ?? 0) + (n.hitCount ?? 0));
}
console.log(`${format} ${keySpec}: ${iterations} checkIntegrity in ${elapsed.toFixed(0)} ms = ${((elapsed / iterations) * 1000).toFixed(0)} µs each; ${total} samples`);
for (const [k, v] of [...byPlace].sort((a, b) => b[1] - a[1])) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
console.log('top functions (self time):');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'integrity.cpuprofile');
await writeFile(out, JSON.stringify(profile));
console.log(`profile: ${out}`);
