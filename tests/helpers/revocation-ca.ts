/**
 * Extra certificates from the test CA of tests/helpers/ocsp-server.ts with AIA / CRL DP URLs of
 * our choosing (an unreachable OCSP responder next to a live CRL, several responders…), made
 * with `openssl ca` in the server's own CA directory so the live responder and CRL know them.
 * Call it while no OCSP/CRL request is in flight (the server serializes its own openssl runs,
 * not ours), e.g. in beforeAll before any checks.
 *
 * Also: loopback endpoints that refuse connections, and one that accepts and never answers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import type { IssuedCert, OcspServer } from './ocsp-server';
import { newKeyArgs, openssl, pemToDer, type TestKeyType } from './tsa-server';

let counter = 0;

export interface UrlOptions {
  ocspUrls?: string[];
  crlUrls?: string[];
  keyType?: TestKeyType;
  extendedKeyUsage?: string;
}

export async function issueWithUrls(server: OcspServer, commonName: string, o: UrlOptions = {}): Promise<IssuedCert> {
  const base = `rv${process.pid}-${++counter}`;
  const dir = server.dir;
  const ext = [
    `[ ${base} ]`,
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature',
    `extendedKeyUsage = ${o.extendedKeyUsage ?? 'codeSigning'}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    ...(o.ocspUrls?.length ? [`authorityInfoAccess = ${o.ocspUrls.map((u) => `OCSP;URI:${u}`).join(',')}`] : []),
    ...(o.crlUrls?.length ? [`crlDistributionPoints = ${o.crlUrls.map((u) => `URI:${u}`).join(',')}`] : [])
  ];
  await writeFile(path.join(dir, `${base}.ext`), ext.join('\n') + '\n');
  await openssl(['req', '-new', ...newKeyArgs(o.keyType ?? 'ec-p256'), '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}/O=Signet Tests`], dir);
  await openssl(['ca', '-batch', '-config', 'ca.cnf', '-notext', '-extfile', `${base}.ext`, '-extensions', base, '-in', `${base}.csr`, '-out', `${base}.crt`], dir);
  const certPem = await readFile(path.join(dir, `${base}.crt`), 'utf8');
  const serial = (await openssl(['x509', '-in', `${base}.crt`, '-noout', '-serial'], dir)).toString('utf8').trim().replace(/^serial=/, '');
  return {
    commonName,
    serial,
    certPem,
    certDer: pemToDer(certPem),
    keyPem: await readFile(path.join(dir, `${base}.key`), 'utf8'),
    certPath: path.join(dir, `${base}.crt`)
  };
}

/** An http URL on a loopback port nobody listens on (connections are refused). */
export async function refusedUrl(pathname = '/ocsp/'): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}${pathname}`;
}

/** A loopback TCP server that accepts connections and never answers (a hung responder). */
export async function hangingServer(): Promise<{ url: string; connections: () => number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let total = 0;
  const s = createServer((socket) => {
    total++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/ocsp/`,
    connections: () => total,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  };
}
