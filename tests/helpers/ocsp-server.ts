/**
 * A real OCSP responder (RFC 6960) and CRL distribution point for tests, on a free loopback port,
 * backed by an `openssl ca` test CA created at start-up.
 *
 *   const ocsp = await startOcspServer();
 *   const leaf = await ocsp.issue('Signet Test Signer');   // AIA OCSP URL and CRL DP point here
 *   await ocsp.revoke(leaf, 'keyCompromise');
 *   POST ocsp.url  (application/ocsp-request, DER)          -> application/ocsp-response
 *   GET  ocsp.url + <base64 request, URL-encoded>           -> same (RFC 6960 appendix A.1)
 *   GET  ocsp.crlUrl                                        -> DER CRL, regenerated on each request
 *   await ocspRequest(ocsp, leaf)                           // a DER OCSPRequest (openssl ocsp -reqout)
 *   await checkOcspResponse(ocsp, leaf, request, response)  // 'good' | 'revoked' | 'unknown' (verified by openssl)
 *
 * Responses are signed by a delegated responder certificate (extendedKeyUsage OCSPSigning) issued
 * by the same CA, and produced by `openssl ocsp -index … -reqin … -respout …` per request, so the
 * CA database (index.txt) is always read fresh. Everything lives in a temporary directory that
 * stop() removes.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestRoot, newKeyArgs, openssl, opensslRun, pemToDer, requireOpenssl, serialQueue, type TestKeyType } from './tsa-server';

export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'CACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold';

export interface IssuedCert {
  commonName: string;
  /** Serial number as uppercase hex (openssl's form). */
  serial: string;
  certPem: string;
  certDer: Uint8Array;
  keyPem: string;
  /** Path of the certificate file inside the server's directory. */
  certPath: string;
}

export interface IssueOptions {
  /** extendedKeyUsage value (default codeSigning, as Notary signing certificates have). */
  extendedKeyUsage?: string;
  /** Include the AIA OCSP URL (default true) and the CRL distribution point (default true). */
  ocsp?: boolean;
  crl?: boolean;
  days?: number;
}

export interface OcspServer {
  /** OCSP endpoint, e.g. http://127.0.0.1:40123/ocsp/ */
  url: string;
  /** CRL endpoint, e.g. http://127.0.0.1:40123/crl/ca.crl */
  crlUrl: string;
  caCertPem: string;
  caCertDer: Uint8Array;
  responderCertPem: string;
  /** Every HTTP request answered, in order. */
  requests: Array<{ method: string; path: string; kind: 'ocsp' | 'crl' | 'other'; status: number }>;
  issue(commonName: string, options?: IssueOptions): Promise<IssuedCert>;
  revoke(cert: IssuedCert, reason?: RevocationReason): Promise<void>;
  dir: string;
  stop(): Promise<void>;
}

export interface OcspServerOptions {
  keyType?: TestKeyType;
  /** Validity of the CA and responder certificates in days (default 30). */
  days?: number;
  /** nextUpdate of responses, in minutes (default 60). */
  nextUpdateMinutes?: number;
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const CA_CONFIG = (days: number) =>
  [
    '[ ca ]',
    'default_ca = signet_ca',
    '[ signet_ca ]',
    'dir = .',
    'database = ./index.txt',
    'new_certs_dir = ./newcerts',
    'serial = ./serial',
    'crlnumber = ./crlnumber',
    'certificate = ./ca.crt',
    'private_key = ./ca.key',
    'default_md = sha256',
    `default_days = ${days}`,
    'default_crl_days = 1',
    'policy = signet_policy',
    'unique_subject = no',
    'copy_extensions = none',
    '[ signet_policy ]',
    'commonName = supplied',
    'organizationName = optional'
  ].join('\n') + '\n';

/** Starts the responder with a fresh test CA. */
export async function startOcspServer(options: OcspServerOptions = {}): Promise<OcspServer> {
  await requireOpenssl();
  const keyType = options.keyType ?? 'ec-p256';
  const days = options.days ?? 30;
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-ocsp-'));
  const queue = serialQueue();
  let issued = 0;
  const requests: OcspServer['requests'] = [];

  // The server listens first: issued certificates carry its URLs.
  let respond: (req: IncomingMessage) => Promise<{ status: number; type: string; body: Uint8Array; kind: 'ocsp' | 'crl' | 'other' }> = async () => ({
    status: 503,
    type: 'text/plain',
    body: Buffer.from('starting'),
    kind: 'other'
  });
  const server: Server = createServer((req, res) => {
    void respond(req).then(
      (r) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', kind: r.kind, status: r.status });
        res.writeHead(r.status, { 'Content-Type': r.type, 'Content-Length': r.body.length, 'Cache-Control': 'no-store' }).end(r.body);
      },
      (e: Error) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', kind: 'other', status: 500 });
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(e.message);
      }
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${origin}/ocsp/`;
  const crlUrl = `${origin}/crl/ca.crl`;
  const stopServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const issueNow = async (commonName: string, o: IssueOptions, extraExt: string[] = []): Promise<IssuedCert> => {
    const n = ++issued;
    const base = `cert${n}`;
    const ext = [
      `[ ext${n} ]`,
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature',
      `extendedKeyUsage = ${o.extendedKeyUsage ?? 'codeSigning'}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      ...(o.ocsp === false ? [] : [`authorityInfoAccess = OCSP;URI:${url}`]),
      ...(o.crl === false ? [] : [`crlDistributionPoints = URI:${crlUrl}`]),
      ...extraExt
    ];
    await writeFile(path.join(dir, `${base}.ext`), ext.join('\n') + '\n');
    await openssl(['req', '-new', ...newKeyArgs(keyType), '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}/O=Signet Tests`], dir);
    await openssl(
      ['ca', '-batch', '-config', 'ca.cnf', '-notext', '-days', String(o.days ?? days), '-extfile', `${base}.ext`, '-extensions', `ext${n}`, '-in', `${base}.csr`, '-out', `${base}.crt`],
      dir
    );
    const certPem = await readFile(path.join(dir, `${base}.crt`), 'utf8');
    const serial = (await openssl(['x509', '-in', `${base}.crt`, '-noout', '-serial'], dir)).toString('utf8').trim().replace(/^serial=/, '');
    return { commonName, serial, certPem, certDer: pemToDer(certPem), keyPem: await readFile(path.join(dir, `${base}.key`), 'utf8'), certPath: path.join(dir, `${base}.crt`) };
  };

  let caCertPem: string;
  let responder: IssuedCert;
  try {
    caCertPem = await createTestRoot(dir, 'Signet Test OCSP CA', keyType, days);
    await writeFile(path.join(dir, 'ca.cnf'), CA_CONFIG(days));
    await writeFile(path.join(dir, 'index.txt'), '');
    await writeFile(path.join(dir, 'index.txt.attr'), 'unique_subject = no\n');
    await writeFile(path.join(dir, 'serial'), '1000\n');
    await writeFile(path.join(dir, 'crlnumber'), '1000\n');
    await mkdir(path.join(dir, 'newcerts'));
    responder = await queue(() => issueNow('Signet Test OCSP Responder', { extendedKeyUsage: 'critical,OCSPSigning', ocsp: false, crl: false }));
  } catch (e) {
    await stopServer();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const nmin = String(options.nextUpdateMinutes ?? 60);
  let counter = 0;

  const answerOcsp = (request: Uint8Array) =>
    queue(async () => {
      const n = ++counter;
      await writeFile(path.join(dir, `req${n}.der`), request);
      try {
        await openssl(
          ['ocsp', '-index', 'index.txt', '-CA', 'ca.crt', '-rsigner', responder.certPath, '-rkey', responder.certPath.replace(/\.crt$/, '.key'), '-reqin', `req${n}.der`, '-respout', `resp${n}.der`, '-nmin', nmin],
          dir
        );
        return new Uint8Array(await readFile(path.join(dir, `resp${n}.der`)));
      } finally {
        await rm(path.join(dir, `req${n}.der`), { force: true });
        await rm(path.join(dir, `resp${n}.der`), { force: true });
      }
    });

  const currentCrl = () =>
    queue(async () => {
      await openssl(['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem'], dir);
      return new Uint8Array(await openssl(['crl', '-in', 'crl.pem', '-outform', 'DER'], dir));
    });

  respond = async (req) => {
    const u = new URL(req.url ?? '/', origin);
    if (u.pathname === '/crl/ca.crl' && (req.method === 'GET' || req.method === 'HEAD')) {
      return { status: 200, type: 'application/pkix-crl', body: await currentCrl(), kind: 'crl' };
    }
    if (u.pathname.startsWith('/ocsp/')) {
      let request: Uint8Array | null = null;
      if (req.method === 'POST') {
        if ((req.headers['content-type'] ?? '').toLowerCase() !== 'application/ocsp-request') {
          return { status: 415, type: 'text/plain', body: Buffer.from('expected application/ocsp-request'), kind: 'ocsp' };
        }
        request = await readBody(req, 64 * 1024);
      } else if (req.method === 'GET') {
        // Everything after /ocsp/ is the URL-encoded base64 of the DER request.
        const encoded = decodeURIComponent(u.pathname.slice('/ocsp/'.length));
        request = encoded ? Buffer.from(encoded, 'base64') : null;
      }
      if (!request || request.length === 0) {
        return { status: 400, type: 'text/plain', body: Buffer.from('missing OCSP request'), kind: 'ocsp' };
      }
      try {
        return { status: 200, type: 'application/ocsp-response', body: await answerOcsp(request), kind: 'ocsp' };
      } catch (e) {
        return { status: 400, type: 'text/plain', body: Buffer.from(`bad OCSP request: ${(e as Error).message}`), kind: 'ocsp' };
      }
    }
    return { status: 404, type: 'text/plain', body: Buffer.from('not found'), kind: 'other' };
  };

  return {
    url,
    crlUrl,
    caCertPem,
    caCertDer: pemToDer(caCertPem),
    responderCertPem: responder.certPem,
    requests,
    issue: (commonName, o = {}) => queue(() => issueNow(commonName, o)),
    revoke: (cert, reason = 'unspecified') =>
      queue(async () => {
        await openssl(['ca', '-config', 'ca.cnf', '-revoke', cert.certPath, '-crl_reason', reason], dir);
      }),
    dir,
    stop: async () => {
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** A DER OCSPRequest for `cert` (no nonce, so GET and POST forms are interchangeable). */
export async function ocspRequest(server: Pick<OcspServer, 'dir'>, cert: IssuedCert): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-ocspq-'));
  try {
    await openssl(['ocsp', '-issuer', path.join(server.dir, 'ca.crt'), '-cert', cert.certPath, '-no_nonce', '-reqout', 'req.der'], dir);
    return new Uint8Array(await readFile(path.join(dir, 'req.der')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Verifies `response` (signature chain to the test CA, matching the request) with openssl and
 * returns the status it reports for `cert`.
 */
export async function checkOcspResponse(
  server: Pick<OcspServer, 'dir'>,
  cert: IssuedCert,
  request: Uint8Array,
  response: Uint8Array
): Promise<'good' | 'revoked' | 'unknown'> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-ocspv-'));
  try {
    await writeFile(path.join(dir, 'req.der'), request);
    await writeFile(path.join(dir, 'resp.der'), response);
    const { stdout, stderr } = await opensslRun(
      ['ocsp', '-reqin', 'req.der', '-respin', 'resp.der', '-CAfile', path.join(server.dir, 'ca.crt'), '-issuer', path.join(server.dir, 'ca.crt'), '-cert', cert.certPath],
      dir
    );
    if (!stderr.includes('Response verify OK')) throw new Error(`OCSP response did not verify: ${stderr}`);
    const out = stdout.toString('utf8');
    const m = new RegExp(`${cert.certPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (good|revoked|unknown)`).exec(out);
    if (!m) throw new Error(`unexpected openssl ocsp output: ${out}`);
    return m[1] as 'good' | 'revoked' | 'unknown';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
