/**
 * A real RFC 3161 time stamping authority for tests, on a free loopback port.
 *
 *   const tsa = await startTsaServer();           // keys and certificates made now, by openssl
 *   POST tsa.url  (Content-Type: application/timestamp-query, body: DER TimeStampReq)
 *     -> 200 application/timestamp-reply (DER TimeStampResp), produced by `openssl ts -reply`
 *   tsa.rootCertPem / tsa.tsaCertPem              // trust anchors for verification tests
 *   await tsa.stamp(queryDer)                     // the same, without HTTP
 *   await timestampQuery(data, 'sha256')          // a DER TimeStampReq (openssl ts -query)
 *   await verifyTimestampReply(tsa, reply, query) // openssl ts -verify, throws unless "Verification: OK"
 *   await tsa.stop()
 *
 * The TSA certificate is issued by a test root at start-up: CA:FALSE, digitalSignature, and a
 * critical extendedKeyUsage of timeStamping only (RFC 3161 §2.3), the profile Notary verifiers
 * expect. The time in each token is the machine's current time (openssl has no option to change
 * it). Everything lives in a temporary directory removed by stop().
 *
 * Also exports the small openssl runner that ocsp-server.ts shares.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// openssl runner (shared with ocsp-server.ts)

let opensslChecked: Promise<string> | null = null;

/** The openssl version line; throws with install instructions when openssl cannot be run. */
export function requireOpenssl(): Promise<string> {
  opensslChecked ??= new Promise<string>((resolve, reject) => {
    execFile('openssl', ['version'], { timeout: 10_000 }, (err, stdout) => {
      if (err) {
        reject(
          new Error(
            'openssl is required by the TSA/OCSP test helpers but could not be run ' +
              `(${(err as NodeJS.ErrnoException).code ?? err.message}). Install it (Debian/Ubuntu: "apt-get install openssl"), then re-run the tests.`
          )
        );
      } else {
        resolve(stdout.trim());
      }
    });
  });
  return opensslChecked;
}

/** Runs `openssl <args>` in `cwd`; resolves with stdout and stderr, rejects with stderr on failure. */
export async function opensslRun(args: readonly string[], cwd: string): Promise<{ stdout: Buffer; stderr: string }> {
  await requireOpenssl();
  return new Promise((resolve, reject) => {
    execFile('openssl', [...args], { cwd, timeout: 30_000, encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const errText = Buffer.from(stderr).toString('utf8');
      if (err) reject(new Error(`openssl ${args[0] ?? ''} failed: ${errText || err.message}`));
      else resolve({ stdout: Buffer.from(stdout), stderr: errText });
    });
  });
}

/** Runs `openssl <args>` in `cwd`; resolves with stdout. */
export async function openssl(args: readonly string[], cwd: string): Promise<Buffer> {
  return (await opensslRun(args, cwd)).stdout;
}

/** Runs tasks one at a time (openssl state files such as serial numbers must not race). */
export function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

export type TestKeyType = 'rsa-2048' | 'rsa-3072' | 'ec-p256' | 'ec-p384';

/** `openssl req` arguments that generate a new key of the given type. */
export function newKeyArgs(keyType: TestKeyType): string[] {
  switch (keyType) {
    case 'rsa-2048':
      return ['-newkey', 'rsa:2048'];
    case 'rsa-3072':
      return ['-newkey', 'rsa:3072'];
    case 'ec-p256':
      return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    case 'ec-p384':
      return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'];
  }
}

/** The first PEM block of `pem` as DER bytes. */
export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN [A-Z0-9 ]+-----([^-]+)-----END [A-Z0-9 ]+-----/.exec(pem);
  if (!m) throw new Error('no PEM block found');
  return new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

/** Creates a self-signed test root CA (`ca.key`, `ca.crt`) in `dir`. */
export async function createTestRoot(dir: string, commonName: string, keyType: TestKeyType, days: number): Promise<string> {
  await openssl(
    [
      'req', '-x509', ...newKeyArgs(keyType), '-nodes', '-sha256',
      '-keyout', 'ca.key', '-out', 'ca.crt', '-days', String(days), '-subj', `/CN=${commonName}/O=Signet Tests`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-addext', 'subjectKeyIdentifier=hash'
    ],
    dir
  );
  return readFile(path.join(dir, 'ca.crt'), 'utf8');
}

async function readRequestBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------
// TSA

export interface TsaServerOptions {
  /** Key type of the root and of the TSA certificate (default rsa-2048, as public TSAs use). */
  keyType?: TestKeyType;
  /** Digest the TSA signs with (default sha256). */
  signerDigest?: 'sha256' | 'sha384' | 'sha512';
  /** Policy OID put in tokens when the request names none (default 1.3.6.1.4.1.57264.99.1). */
  policy?: string;
  /** Validity of the certificates in days (default 30). */
  days?: number;
}

export interface TsaServer {
  /** POST endpoint, e.g. http://127.0.0.1:40123/ */
  url: string;
  rootCertPem: string;
  tsaCertPem: string;
  rootCertDer: Uint8Array;
  tsaCertDer: Uint8Array;
  /** Number of HTTP requests answered (any outcome). */
  readonly requests: number;
  /** Answers a DER TimeStampReq with a DER TimeStampResp, as the HTTP endpoint does. */
  stamp(query: Uint8Array): Promise<Uint8Array>;
  /** Working directory (keys, certificates); removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

const TIMESTAMP_QUERY = 'application/timestamp-query';
const TIMESTAMP_REPLY = 'application/timestamp-reply';

/** Starts a TSA on 127.0.0.1 with a fresh test root and TSA certificate. */
export async function startTsaServer(options: TsaServerOptions = {}): Promise<TsaServer> {
  await requireOpenssl();
  const keyType = options.keyType ?? 'rsa-2048';
  const days = options.days ?? 30;
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-tsa-'));
  let rootCertPem: string;
  try {
    rootCertPem = await createTestRoot(dir, 'Signet Test TSA Root', keyType, days);
    await openssl(['req', '-new', ...newKeyArgs(keyType), '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Signet Test TSA/O=Signet Tests'], dir);
    await writeFile(
      path.join(dir, 'tsa.ext'),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=critical,timeStamping',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid'
      ].join('\n') + '\n'
    );
    await openssl(
      ['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-sha256', '-days', String(days), '-extfile', 'tsa.ext', '-out', 'tsa.crt'],
      dir
    );
    await writeFile(path.join(dir, 'tsaserial'), '01\n');
    await writeFile(
      path.join(dir, 'tsa.cnf'),
      [
        '[ tsa ]',
        'default_tsa = signet_tsa',
        '[ signet_tsa ]',
        'serial = ./tsaserial',
        'crypto_device = builtin',
        'signer_cert = ./tsa.crt',
        'certs = ./ca.crt',
        'signer_key = ./tsa.key',
        `signer_digest = ${options.signerDigest ?? 'sha256'}`,
        `default_policy = ${options.policy ?? '1.3.6.1.4.1.57264.99.1'}`,
        'other_policies = 1.3.6.1.4.1.57264.99.2',
        'digests = sha256, sha384, sha512',
        'accuracy = secs:1',
        'clock_precision_digits = 0',
        'ordering = no',
        'tsa_name = yes',
        'ess_cert_id_chain = no',
        'ess_cert_id_alg = sha256'
      ].join('\n') + '\n'
    );
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const tsaCertPem = await readFile(path.join(dir, 'tsa.crt'), 'utf8');
  const queue = serialQueue();
  let counter = 0;

  const stamp = (query: Uint8Array) =>
    queue(async () => {
      const n = ++counter;
      const q = `q${n}.tsq`;
      const r = `r${n}.tsr`;
      await writeFile(path.join(dir, q), query);
      try {
        await openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', q, '-out', r], dir);
        return new Uint8Array(await readFile(path.join(dir, r)));
      } finally {
        await rm(path.join(dir, q), { force: true });
        await rm(path.join(dir, r), { force: true });
      }
    });

  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    void (async () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      if ((req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() !== TIMESTAMP_QUERY) {
        res.writeHead(415, { 'Content-Type': 'text/plain' }).end(`expected Content-Type: ${TIMESTAMP_QUERY}`);
        return;
      }
      const body = await readRequestBody(req, 64 * 1024);
      if (!body || body.length === 0) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('empty or oversized TimeStampReq');
        return;
      }
      try {
        const reply = await stamp(body);
        res.writeHead(200, { 'Content-Type': TIMESTAMP_REPLY, 'Content-Length': reply.length }).end(reply);
      } catch (e) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`not a valid TimeStampReq: ${(e as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    rootCertPem,
    tsaCertPem,
    rootCertDer: pemToDer(rootCertPem),
    tsaCertDer: pemToDer(tsaCertPem),
    get requests() {
      return requests;
    },
    stamp,
    dir,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** A DER TimeStampReq for `data` (openssl ts -query), asking for the TSA certificate, with a nonce. */
export async function timestampQuery(data: Uint8Array, digest: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-tsq-'));
  try {
    await writeFile(path.join(dir, 'data'), data);
    return new Uint8Array(await openssl(['ts', '-query', '-data', 'data', `-${digest}`, '-cert'], dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Verifies a TimeStampResp against its query and the TSA's root with `openssl ts -verify`;
 * resolves with openssl's output, throws unless it says "Verification: OK".
 */
export async function verifyTimestampReply(tsa: Pick<TsaServer, 'rootCertPem' | 'tsaCertPem'>, reply: Uint8Array, query: Uint8Array): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-tsv-'));
  try {
    await writeFile(path.join(dir, 'reply.tsr'), reply);
    await writeFile(path.join(dir, 'query.tsq'), query);
    await writeFile(path.join(dir, 'root.pem'), tsa.rootCertPem);
    await writeFile(path.join(dir, 'tsa.pem'), tsa.tsaCertPem);
    const out = (await openssl(['ts', '-verify', '-in', 'reply.tsr', '-queryfile', 'query.tsq', '-CAfile', 'root.pem', '-untrusted', 'tsa.pem'], dir)).toString('utf8');
    if (!out.includes('Verification: OK')) throw new Error(`timestamp did not verify: ${out}`);
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
