/**
 * A two-level OpenSSL test PKI that publishes CRLs over loopback HTTP, for CRL scenarios the
 * single-CA responder of ocsp-server.ts cannot show: revoked intermediates, base + delta CRLs
 * (`openssl crl -gendelta`, Freshest CRL extension), expired CRLs, and CRLs made by hand.
 *
 *   const pki = await startCrlPki();        // root → intermediates "inter" and "inter2"
 *   const leaf = await pki.issueLeaf('inter', 'Leaf A');    // CDP → <origin>/inter.crl
 *   await pki.revoke('inter', leaf, 'superseded');
 *   await pki.publishCrl('inter', 'inter.crl', { freshest: `${pki.origin}/inter-delta.crl` });
 *   pki.publish('inter-delta.crl', der)      // any bytes at any path
 *   await pki.stop();
 *
 * Intermediates carry CDP <origin>/root.crl; leaves <origin>/<ca>.crl. Everything lives in a
 * temporary directory that stop() removes.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newKeyArgs, openssl, pemToDer, requireOpenssl } from './tsa-server';

export type CaName = 'root' | 'inter' | 'inter2';

export interface PkiCert {
  name: string;
  certPem: string;
  certDer: Uint8Array;
  keyPem: string;
  certPath: string;
  ca: CaName;
}

export interface CrlPki {
  origin: string;
  root: PkiCert;
  inter: PkiCert;
  inter2: PkiCert;
  /** Requests answered: path and status. */
  requests: Array<{ path: string; status: number }>;
  issueLeaf(ca: Exclude<CaName, 'root'>, commonName: string, o?: { freshest?: string }): Promise<PkiCert>;
  revoke(ca: CaName, cert: PkiCert, reason: string): Promise<void>;
  /** `openssl ca -gencrl` for `ca`, published at /<file>; returns the DER and keeps the PEM for deltas. */
  publishCrl(ca: CaName, file: string, o?: { freshest?: string; lastUpdate?: string; nextUpdate?: string }): Promise<Uint8Array>;
  /** `openssl crl -in <base> -gendelta <newer> -key <ca key>`, published at /<file>. */
  publishDelta(ca: CaName, baseFile: string, newerFile: string, file: string): Promise<Uint8Array>;
  publish(file: string, der: Uint8Array | null): void;
  stop(): Promise<void>;
}

const config = (crlExt: string) =>
  [
    '[ ca ]',
    'default_ca = c',
    '[ c ]',
    'dir = .',
    'database = ./index.txt',
    'new_certs_dir = ./newcerts',
    'serial = ./serial',
    'crlnumber = ./crlnumber',
    'certificate = ./ca.crt',
    'private_key = ./ca.key',
    'default_md = sha256',
    'default_days = 30',
    'default_crl_days = 1',
    'policy = p',
    'unique_subject = no',
    'copy_extensions = none',
    '[ p ]',
    'commonName = supplied',
    'organizationName = optional',
    '[ crlext ]',
    'authorityKeyIdentifier = keyid',
    crlExt
  ].join('\n') + '\n';

export async function startCrlPki(): Promise<CrlPki> {
  await requireOpenssl();
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-crlpki-'));
  const files = new Map<string, Uint8Array>();
  const requests: CrlPki['requests'] = [];
  const server: Server = createServer((req, res) => {
    const body = files.get((req.url ?? '/').replace(/^\//, ''));
    const status = body ? 200 : 404;
    requests.push({ path: req.url ?? '', status });
    res.writeHead(status, { 'Content-Type': body ? 'application/pkix-crl' : 'text/plain', 'Cache-Control': 'no-store' }).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const caDir = (ca: CaName) => path.join(dir, ca);
  let n = 0;

  const initCa = async (ca: CaName) => {
    await mkdir(path.join(caDir(ca), 'newcerts'), { recursive: true });
    await writeFile(path.join(caDir(ca), 'index.txt'), '');
    await writeFile(path.join(caDir(ca), 'index.txt.attr'), 'unique_subject = no\n');
    await writeFile(path.join(caDir(ca), 'serial'), ca === 'root' ? '1000\n' : ca === 'inter' ? '2000\n' : '3000\n');
    await writeFile(path.join(caDir(ca), 'crlnumber'), '1000\n');
    await writeFile(path.join(caDir(ca), 'ca.cnf'), config(''));
  };

  const sign = async (issuer: CaName, name: string, commonName: string, ext: string[]): Promise<PkiCert> => {
    const base = `c${++n}`;
    const d = caDir(issuer);
    await writeFile(path.join(d, `${base}.ext`), ['[ e ]', ...ext].join('\n') + '\n');
    await openssl(['req', '-new', ...newKeyArgs('ec-p256'), '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}/O=Signet Tests`], d);
    await openssl(['ca', '-batch', '-config', 'ca.cnf', '-notext', '-extfile', `${base}.ext`, '-extensions', 'e', '-in', `${base}.csr`, '-out', `${base}.crt`], d);
    const certPem = await readFile(path.join(d, `${base}.crt`), 'utf8');
    return { name, certPem, certDer: pemToDer(certPem), keyPem: await readFile(path.join(d, `${base}.key`), 'utf8'), certPath: path.join(d, `${base}.crt`), ca: issuer };
  };

  try {
    for (const ca of ['root', 'inter', 'inter2'] as const) await initCa(ca);
    await openssl(
      [
        'req', '-x509', ...newKeyArgs('ec-p256'), '-nodes', '-sha256', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30',
        '-subj', '/CN=Signet CRL Test Root/O=Signet Tests',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash'
      ],
      caDir('root')
    );
    const rootPem = await readFile(path.join(caDir('root'), 'ca.crt'), 'utf8');
    const root: PkiCert = { name: 'root', certPem: rootPem, certDer: pemToDer(rootPem), keyPem: await readFile(path.join(caDir('root'), 'ca.key'), 'utf8'), certPath: path.join(caDir('root'), 'ca.crt'), ca: 'root' };
    const caExt = ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid', `crlDistributionPoints = URI:${origin}/root.crl`];
    const inter = await sign('root', 'inter', 'Signet CRL Test Intermediate', caExt);
    const inter2 = await sign('root', 'inter2', 'Signet CRL Test Intermediate 2', caExt);
    for (const [ca, c] of [['inter', inter], ['inter2', inter2]] as const) {
      await writeFile(path.join(caDir(ca), 'ca.crt'), c.certPem);
      await writeFile(path.join(caDir(ca), 'ca.key'), c.keyPem);
    }
    return {
      origin,
      root,
      inter,
      inter2,
      requests,
      issueLeaf: (ca, commonName, o = {}) =>
        sign(ca, commonName, commonName, [
          'basicConstraints = critical,CA:FALSE',
          'keyUsage = critical,digitalSignature',
          'extendedKeyUsage = codeSigning',
          'subjectKeyIdentifier = hash',
          'authorityKeyIdentifier = keyid',
          `crlDistributionPoints = URI:${origin}/${ca}.crl`,
          ...(o.freshest ? [`freshestCRL = URI:${o.freshest}`] : [])
        ]),
      revoke: async (ca, cert, reason) => {
        await openssl(['ca', '-config', 'ca.cnf', '-revoke', cert.certPath, '-crl_reason', reason], caDir(ca));
      },
      publishCrl: async (ca, file, o = {}) => {
        await writeFile(path.join(caDir(ca), 'ca.cnf'), config(o.freshest ? `freshestCRL = URI:${o.freshest}` : ''));
        await openssl(
          ['ca', '-config', 'ca.cnf', '-gencrl', '-crlexts', 'crlext', ...(o.lastUpdate ? ['-crl_lastupdate', o.lastUpdate] : []), ...(o.nextUpdate ? ['-crl_nextupdate', o.nextUpdate] : []), '-out', `${file}.pem`],
          caDir(ca)
        );
        const der = new Uint8Array(await openssl(['crl', '-in', `${file}.pem`, '-outform', 'DER'], caDir(ca)));
        files.set(file, der);
        return der;
      },
      publishDelta: async (ca, baseFile, newerFile, file) => {
        await openssl(['crl', '-in', `${baseFile}.pem`, '-gendelta', `${newerFile}.pem`, '-key', 'ca.key', '-out', `${file}.pem`], caDir(ca));
        const der = new Uint8Array(await openssl(['crl', '-in', `${file}.pem`, '-outform', 'DER'], caDir(ca)));
        files.set(file, der);
        return der;
      },
      publish: (file, der) => {
        if (der) files.set(file, der);
        else files.delete(file);
      },
      stop: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await rm(dir, { recursive: true, force: true });
      }
    };
  } catch (e) {
    server.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
