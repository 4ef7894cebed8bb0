// Differential test against the reference implementation itself: go-oracle/main.go runs the code
// path of notation v1.3.2's authentic-timestamp step (tspclient-go ParseSignedToken → Info →
// Validate → Verify at genTime → notation-core-go ValidateTimestampingCertChain), built here from
// the exact module versions notation v1.3.2 pins, offline from the Go module cache that
// scripts/install-tools filled when it built notation. Every case goes through both; the stage
// must agree, and past decoding the message must agree word for word.
//
// Corpus: notation-go's GlobalSign tokens and standalone tokens (right and wrong roots), tokens
// from a real openssl TSA, test-TSA tokens covering each rule, and ~3,000 seeded mutations.
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toArrayBuffer, toHex, utf8Encode } from '../../../src/lib/bytes';
import { algorithmByKeySpec } from '../../../src/lib/notary/algorithms';
import { decodeEnvelope } from '../../../src/lib/notary/envelope';
import { TimestampError, buildTimestampRequest, parseTimestampResponse, parseTimestampToken, verifyTimestampToken } from '../../../src/lib/notary/timestamp';
import { parseCertificate, parseCertificates, type Certificate } from '../../../src/lib/notary/x509/certificate';
import { MediaType } from '../../../src/lib/oci/media-types';
import { readFixture } from '../../helpers/fixtures';
import { startTsaServer, type TsaServer } from '../../helpers/tsa-server';
import { OIDS, certDer, createPki, createToken, keyPair, type PkiOptions, type TestPki, type TokenOptions } from '../../unit/notary/timestamp-test-tsa';

/** The modules whose versions are taken from notation v1.3.2's own go.mod. */
const GO_MODULES = ['github.com/notaryproject/notation-core-go', 'github.com/notaryproject/tspclient-go'];
const NOTATION_MODULE = 'github.com/notaryproject/notation@v1.3.2';

interface Case {
  readonly name: string;
  readonly token: Uint8Array;
  readonly signature: Uint8Array;
  readonly roots: readonly Certificate[];
}

interface Outcome {
  readonly stage: string;
  readonly message: string;
}

let workDir: string;
let oracle: string;
let tsa: TsaServer;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

async function findGo(): Promise<string> {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    try {
      await run(candidate, ['version'], tmpdir(), process.env);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'The Go toolchain is needed to build the notation reference oracle for this test but was not found (tried "go" on PATH and /usr/local/go/bin/go). ' +
      'Install Go ≥ 1.25 and run scripts/install-tools (it builds notation v1.3.2 and fills the module cache this test builds from offline), then re-run the tests.'
  );
}

beforeAll(async () => {
  const go = await findGo();
  workDir = await mkdtemp(path.join(tmpdir(), 'signet-go-oracle-'));
  await copyFile(fileURLToPath(new URL('./go-oracle/main.go', import.meta.url)), path.join(workDir, 'main.go'));
  // Offline: only the local module cache, no proxy, no checksum database.
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOSUMDB: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  // Pin exactly what notation v1.3.2 links, read from its go.mod in the module cache.
  const modCache = (await run(go, ['env', 'GOMODCACHE'], workDir, env)).trim();
  let notationGoMod: string;
  try {
    notationGoMod = await readFile(path.join(modCache, NOTATION_MODULE, 'go.mod'), 'utf8');
  } catch {
    throw new Error(`${NOTATION_MODULE} is not in the Go module cache (${modCache}); run scripts/install-tools notation, then re-run the tests.`);
  }
  const requires = GO_MODULES.map((m) => {
    const version = new RegExp(`^\\s*${m.replace(/[.]/g, '\\.')}\\s+(\\S+)`, 'm').exec(notationGoMod)?.[1];
    if (!version) throw new Error(`notation's go.mod does not name ${m}`);
    return `\t${m} ${version}\n`;
  });
  await writeFile(path.join(workDir, 'go.mod'), `module signet.local/timestamp-oracle\n\ngo 1.23.0\n\nrequire (\n${requires.join('')})\n`);
  try {
    await run(go, ['build', '-o', 'oracle', '.'], workDir, env);
  } catch (e) {
    throw new Error(
      `Building the notation reference oracle failed; the modules notation v1.3.2 uses must be in the Go module cache (run scripts/install-tools notation): ${(e as Error).message}`
    );
  }
  oracle = path.join(workDir, 'oracle');
  tsa = await startTsaServer();
}, 600_000);

afterAll(async () => {
  await tsa?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs every case through the Go oracle in one process. */
async function goOutcomes(cases: readonly Case[]): Promise<Outcome[]> {
  const child = spawn(oracle, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`oracle exited with ${code}`))));
  });
  for (const c of cases) {
    const line = `${toHex(c.token) || '00'} ${toHex(c.signature) || '00'} ${c.roots.map((r) => toHex(r.der)).join(',')}\n`;
    if (!child.stdin.write(line)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  await done;
  const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(cases.length);
  return lines.map((l) => {
    const tab = l.indexOf('\t');
    return { stage: l.slice(0, tab), message: l.slice(tab + 1) };
  });
}

async function signetOutcome(c: Case): Promise<Outcome> {
  try {
    const verified = await verifyTimestampToken(await parseTimestampToken(c.token), { tsaRoots: c.roots, signatureBytes: c.signature });
    return { stage: 'ok', message: `${verified.range.earliestPrecise.ns}` };
  } catch (e) {
    if (e instanceof TimestampError) return { stage: e.stage, message: e.message };
    return { stage: 'untyped', message: String(e) };
  }
}

/**
 * The one place Signet is knowingly more lenient than Go: the x509 module's certificate parser
 * accepts some malformed certificates Go's x509.ParseCertificate rejects (EC points off the
 * curve, malformed policy/key-identifier/basic-constraints extensions). Go then refuses the whole
 * token while Signet may still reach a verdict.
 */
const X509_PARSE_LENIENCY = /^cms: syntax error: failed to parse X\.509 certificates from signed data\. Only X\.509 certificates are supported: /;

/**
 * Wording that legitimately differs: Go's encoding/asn1 error texts (Signet names the field
 * instead), and why a candidate issuer's signature failed (Go's crypto vs WebCrypto). The rest of
 * the message must be identical.
 */
function normalise(message: string): string {
  return message
    .replace(/: asn1: .*$/, ': asn1: …')
    .replace(/\(possibly because of ".*" while trying to verify candidate authority certificate/, '(possibly because of … while trying to verify candidate authority certificate');
}

interface Comparison {
  total: number;
  agree: number;
  x509Leniency: string[];
  mismatches: string[];
}

async function compare(cases: readonly Case[]): Promise<Comparison> {
  const go = await goOutcomes(cases);
  const result: Comparison = { total: cases.length, agree: 0, x509Leniency: [], mismatches: [] };
  for (let i = 0; i < cases.length; i++) {
    const theirs = go[i]!;
    const ours = await signetOutcome(cases[i]!);
    const decoding = theirs.stage === 'parse' || theirs.stage === 'tstinfo';
    const same =
      theirs.stage === ours.stage &&
      (decoding || theirs.stage === 'ok' || normalise(theirs.message) === normalise(ours.message));
    if (same) result.agree++;
    else if (theirs.stage === 'parse' && X509_PARSE_LENIENCY.test(theirs.message)) result.x509Leniency.push(`${cases[i]!.name}: ${theirs.message}`);
    else result.mismatches.push(`${cases[i]!.name}\n    notation: ${theirs.stage}: ${theirs.message}\n    signet:   ${ours.stage}: ${ours.message}`);
  }
  return result;
}

/** Seeded mutations (same positions each run; test-TSA keys are fresh each run): byte flips, truncation, insertion, deletion, length bytes. */
function mutations(seed: Uint8Array, count: number, rngSeed: number): Uint8Array[] {
  const arb = fc.oneof(
    fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }).map((flips) => {
      const b = seed.slice();
      for (const [i, x] of flips) b[i] = b[i]! ^ x;
      return b;
    }),
    fc.nat(seed.length - 1).map((n) => seed.slice(0, n)),
    fc.tuple(fc.nat(seed.length), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([i, ins]) => new Uint8Array([...seed.subarray(0, i), ...ins, ...seed.subarray(i)])),
    fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 1, max: 16 })).map(([i, n]) => new Uint8Array([...seed.subarray(0, i), ...seed.subarray(i + n)])),
    fc.tuple(fc.nat(seed.length - 1), fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff)).map(([i, v]) => {
      const b = seed.slice();
      b[i] = v;
      return b;
    })
  );
  return fc.sample(arb, { numRuns: count, seed: rngSeed });
}

function report(label: string, r: Comparison): void {
  console.log(`${label}: ${r.agree}/${r.total} agree, ${r.x509Leniency.length} x509-parser leniency, ${r.mismatches.length} mismatches`);
  for (const l of r.x509Leniency.slice(0, 5)) console.log(`  x509 leniency: ${l}`);
}

const V = 'vectors/notation-go/verifier/testdata';

/** Re-encodes every length of a DER value in 4-byte long form (valid BER); empty values too when asked. */
function inflateLengths(der: Uint8Array, inflateEmpty: boolean): Uint8Array {
  const out: number[] = [];
  const walk = (bytes: Uint8Array): void => {
    let pos = 0;
    while (pos < bytes.length) {
      const id = bytes[pos++]!;
      let len = bytes[pos++]!;
      if (len & 0x80) {
        const n = len & 0x7f;
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + bytes[pos++]!;
      }
      const content = bytes.subarray(pos, pos + len);
      pos += len;
      const inner: number[] = [];
      if (id & 0x20) {
        const mark = out.length;
        walk(content);
        inner.push(...out.splice(mark));
      } else {
        inner.push(...content);
      }
      if (inner.length === 0 && !inflateEmpty) out.push(id, 0);
      else out.push(id, 0x84, (inner.length >>> 24) & 0xff, (inner.length >>> 16) & 0xff, (inner.length >>> 8) & 0xff, inner.length & 0xff, ...inner);
    }
  };
  walk(der);
  return new Uint8Array(out);
}

describe('Signet and notation v1.3.2 reach the same timestamp verdicts', () => {
  it('notation-go vectors: GlobalSign envelope tokens and standalone tokens, right and wrong roots', async () => {
    const globalSign = await parseCertificates(await readFixture(`${V}/truststore/x509/tsa/test-timestamp/globalsignRoot.cer`));
    const digiCert = await parseCertificates(await readFixture(`${V}/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer`));
    const cases: Case[] = [];
    for (const [file, mediaType] of [
      ['coseWithTimestamp.sig', MediaType.cose],
      ['jwsWithTimestamp.sig', MediaType.jws],
      ['coseExpiredWithTimestamp.sig', MediaType.cose],
      ['jwsExpiredWithTimestamp.sig', MediaType.jws],
      ['timestampAfterNotAfter.sig', MediaType.cose],
      ['timestampBeforeNotBefore.sig', MediaType.jws]
    ] as const) {
      const env = decodeEnvelope(await readFixture(`${V}/timestamp/sigEnv/${file}`), mediaType);
      const token = env.unsignedAttributes.timestampSignature!;
      cases.push({ name: `${file} / GlobalSign`, token, signature: env.signature, roots: globalSign });
      cases.push({ name: `${file} / DigiCert`, token, signature: env.signature, roots: digiCert });
      cases.push({ name: `${file} / both roots`, token, signature: env.signature, roots: [...digiCert, ...globalSign] });
      cases.push({ name: `${file} / other signature`, token, signature: utf8Encode('other'), roots: globalSign });
      cases.push({ name: `${file} / BER lengths`, token: inflateLengths(token, false), signature: env.signature, roots: globalSign });
      cases.push({ name: `${file} / BER lengths incl. empty values`, token: inflateLengths(token, true), signature: env.signature, roots: globalSign });
    }
    for (const file of ['TimeStampToken.p7s', 'TimeStampTokenWithoutCertificate.p7s', 'TimeStampTokenWithInvalideContentType.p7s', 'TimeStampTokenWithInvalidTSTInfo.p7s']) {
      const token = await readFixture(`${V}/timestamp/countersignature/${file}`);
      for (const sig of ['notation', 'mismatch']) cases.push({ name: `${file} / "${sig}"`, token, signature: utf8Encode(sig), roots: globalSign });
    }
    const r = await compare(cases);
    report('vectors', r);
    expect(r.mismatches).toEqual([]);
    expect(r.agree).toBe(cases.length);
  });

  it('test-TSA tokens, one per rule (signer, attributes, chain, EKU, profile, TSTInfo)', async () => {
    const signature = utf8Encode('primitive signature bytes');
    const imprint = { hashOid: OIDS.sha256, hashedMessage: new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBuffer(signature))), nonce: 3n };
    const cases: Case[] = [];
    const add = async (name: string, pkiOptions: PkiOptions, tokenOptions: TokenOptions, rootOf?: (p: TestPki) => Promise<Certificate[]>) => {
      const p = await createPki({ keyIndex: 10 + cases.length, ...pkiOptions });
      const roots = rootOf ? await rootOf(p) : [await parseCertificate(certDer(p.root))];
      cases.push({ name, token: await createToken(p, imprint, tokenOptions), signature, roots });
    };
    const stranger = await keyPair('P-256', 99);
    await add('valid', {}, {});
    await add('valid, RSA PKCS#1 TSA', { tsaKind: 'RSA-PKCS1' }, {});
    await add('valid, RSA-PSS TSA', { tsaKind: 'RSA-PSS' }, {});
    await add('valid, P-384 hierarchy', { tsaKind: 'P-384', caKind: 'P-384' }, {});
    await add('no ESS attribute', {}, { essCertId: 'none' });
    await add('ESS v1 only', {}, { essCertId: 'v1' });
    await add('ESS hash mismatch', {}, { essCertHash: new Uint8Array(32).fill(1) });
    await add('ESS SHA-1', {}, { essHashOid: OIDS.sha1 });
    await add('ESS SHA-384', {}, { essHashOid: OIDS.sha384 });
    await add('ESS without issuerSerial', {}, { essIssuerSerial: false });
    await add('ESS unknown serial', {}, { essSerial: 999 });
    await add('no certificates', {}, { certificates: 'none' });
    await add('leaf only', {}, { certificates: 'leaf' });
    await add('leaf and CA', {}, { certificates: 'leaf-and-ca' });
    await add('broken signature', {}, { breakSignature: true });
    await add('signed by a stranger', {}, { signWith: stranger });
    await add('wrong message digest', {}, { messageDigest: new Uint8Array(32) });
    await add('content-type attribute id-data', {}, { contentTypeAttribute: OIDS.data });
    await add('no signed attributes', {}, { noSignedAttributes: true });
    await add('signing time inside', {}, { signingTime: new Date('2024-06-18T06:27:16Z') });
    await add('signing time outside', {}, { signingTime: new Date('2045-01-01T00:00:00Z') });
    await add('unsorted signed attributes', {}, { unsortedAttributes: true });
    await add('TSTInfo v2', {}, { tstVersion: 2 });
    await add('SHA-1 imprint', {}, { hashOid: OIDS.sha1 });
    await add('SignedData v1', {}, { signedDataVersion: 1 });
    await add('eContentType id-data', {}, { eContentType: OIDS.data });
    await add('genTime after chain', {}, { genTime: '20410101000000Z' });
    await add('genTime before chain', {}, { genTime: '20191231235959.5Z' });
    await add('genTime fractional', {}, { genTime: '20240618062716.125Z', accuracy: { millis: 250 } });
    await add('genTime with offset', {}, { genTime: '20240618082716+0200' });
    await add('genTime trailing zero', {}, { genTime: '20240618062716.50Z' });
    await add('baseline policy, no accuracy', {}, { policy: OIDS.baselinePolicy, accuracy: null });
    await add('expired CA', { ca: { notAfter: new Date('2024-01-01T00:00:00Z') } }, {});
    await add('EKU not critical', { tsa: { ekuCritical: false } }, {});
    await add('EKU plus codeSigning', { tsa: { eku: [OIDS.ekuTimeStamping, OIDS.ekuCodeSigning] } }, {});
    await add('no EKU', { tsa: { eku: undefined } }, {});
    await add('codeSigning EKU', { tsa: { eku: [OIDS.ekuCodeSigning] } }, {});
    await add('CA restricted to serverAuth', { ca: { eku: [OIDS.ekuServerAuth], ekuCritical: false } }, {});
    await add('CA not a CA', { ca: { ca: false } }, {});
    await add('CA without basicConstraints', { ca: { ca: undefined } }, {});
    await add('CA without keyCertSign', { ca: { keyUsage: ['digitalSignature'] } }, {});
    await add('CA pathLen 0 under root pathLen 0', { root: { pathLen: 0 } }, {});
    await add('TSA keyEncipherment', { tsa: { keyUsage: ['digitalSignature', 'keyEncipherment'] } }, {});
    await add('TSA without key usage', { tsa: { keyUsage: undefined } }, {});
    await add('TSA is a CA', { tsa: { ca: true } }, {});
    await add('root without key usage', { root: { keyUsage: undefined } }, {});
    await add('trusting the CA instead of the root', {}, { certificates: 'leaf' }, async (p) => [await parseCertificate(certDer(p.ca))]);
    await add('trusting the TSA certificate itself', {}, {}, async (p) => [await parseCertificate(certDer(p.tsa))]);
    await add('trusting an unrelated root', {}, {}, async () => [await parseCertificate(certDer((await createPki({ keyIndex: 98 })).root))]);
    const r = await compare(cases);
    report('test TSA rules', r);
    expect(r.mismatches).toEqual([]);
    expect(r.agree).toBe(cases.length);
  }, 300_000);

  it('tokens from a real openssl TSA, as issued and mutated (500)', async () => {
    const root = await parseCertificate(tsa.rootCertDer);
    const signature = crypto.getRandomValues(new Uint8Array(256));
    const request = await buildTimestampRequest(signature, algorithmByKeySpec('RSA-2048'));
    const { token } = await parseTimestampResponse(await tsa.stamp(request.der), request);
    const cases: Case[] = [{ name: 'openssl token', token, signature, roots: [root] }];
    mutations(token, 500, 3161).forEach((m, i) => cases.push({ name: `openssl mutation ${i}`, token: m, signature, roots: [root] }));
    const r = await compare(cases);
    report('openssl', r);
    expect(r.mismatches).toEqual([]);
  }, 300_000);

  it('seeded mutations of a GlobalSign token (1,500) and of a test-TSA token (1,500)', async () => {
    const env = decodeEnvelope(await readFixture(`${V}/timestamp/sigEnv/coseWithTimestamp.sig`), MediaType.cose);
    const globalSign = await parseCertificates(await readFixture(`${V}/truststore/x509/tsa/test-timestamp/globalsignRoot.cer`));
    const p = await createPki({ keyIndex: 97 });
    const signature = utf8Encode('primitive signature bytes');
    const hashedMessage = new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBuffer(signature)));
    const testToken = await createToken(p, { hashOid: OIDS.sha256, hashedMessage, nonce: 9n }, { signingTime: new Date('2024-06-18T06:27:16Z'), accuracy: { seconds: 1, millis: 5 } });
    const testRoot = await parseCertificate(certDer(p.root));
    const cases: Case[] = [
      ...mutations(env.unsignedAttributes.timestampSignature!, 1_500, 2023).map((m, i) => ({ name: `GlobalSign mutation ${i}`, token: m, signature: env.signature, roots: globalSign })),
      ...mutations(testToken, 1_500, 5035).map((m, i) => ({ name: `test-TSA mutation ${i}`, token: m, signature, roots: [testRoot] }))
    ];
    const r = await compare(cases);
    report('mutations', r);
    expect(r.mismatches).toEqual([]);
    // Leniency of the certificate parser is the only tolerated difference, and it must stay rare.
    expect(r.x509Leniency.length).toBeLessThan(cases.length / 20);
  }, 600_000);
});
