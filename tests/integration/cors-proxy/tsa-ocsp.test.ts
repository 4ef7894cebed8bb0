/**
 * The REAL proxy CLI in front of a real RFC 3161 TSA (openssl ts) and a real OCSP responder / CRL
 * distribution point (openssl ocsp / openssl ca) on loopback: the plain-http services an https
 * Signet page cannot call directly (mixed content), reached the way the page would reach them.
 * Every answer is verified with openssl, not just passed through.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOcspResponse, ocspRequest, startOcspServer, type IssuedCert, type OcspServer } from '../../helpers/ocsp-server';
import { startProxyProcess, type ProxyProcess } from '../../helpers/proxy-peers';
import { startTsaServer, timestampQuery, verifyTimestampReply, type TsaServer } from '../../helpers/tsa-server';

const ORIGIN = 'https://signet.example';

let tsa: TsaServer;
let ocsp: OcspServer;
let proxy: ProxyProcess;
let good: IssuedCert;
let revoked: IssuedCert;

beforeAll(async () => {
  [tsa, ocsp] = await Promise.all([startTsaServer(), startOcspServer()]);
  good = await ocsp.issue('Signet Test Signer');
  revoked = await ocsp.issue('Signet Test Revoked Signer');
  await ocsp.revoke(revoked, 'keyCompromise');
  const ocspOrigin = new URL(ocsp.url).origin;
  proxy = await startProxyProcess({
    allowedOrigins: [ORIGIN],
    timestampAuthorities: [tsa.url],
    ocspResponders: [`${ocspOrigin}/ocsp/`],
    crlDistributionPoints: [`${ocspOrigin}/crl/`],
    allowAddressRanges: ['127.0.0.0/8']
  });
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([tsa?.stop(), ocsp?.stop()]);
});

async function post(url: string, contentType: string, body: Uint8Array): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': contentType }, body: new Uint8Array(body) });
}

describe('time stamping through the proxy', () => {
  it('answers the preflight a timestamp POST needs', async () => {
    const res = await fetch(proxy.to(tsa.url), {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' }
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
  });

  it('returns a token that verifies against the TSA root for the stamped data', async () => {
    const data = new TextEncoder().encode(`signature bytes ${Date.now()}`);
    const query = await timestampQuery(data, 'sha256');
    const before = tsa.requests;
    const res = await post(proxy.to(tsa.url), 'application/timestamp-query', query);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    const reply = new Uint8Array(await res.arrayBuffer());
    expect(tsa.requests).toBe(before + 1);
    expect(await verifyTimestampReply(tsa, reply, query)).toContain('Verification: OK');
    // The same reply does not verify for other data: the check above is not vacuous.
    await expect(verifyTimestampReply(tsa, reply, await timestampQuery(new TextEncoder().encode('other'), 'sha256'))).rejects.toThrow();
  });

  it('opens the TSA for POST only', async () => {
    const res = await fetch(proxy.to(tsa.url), { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });
});

describe('revocation checks through the proxy', () => {
  it('relays OCSP POST answers for good and revoked certificates', async () => {
    for (const [cert, expected] of [
      [good, 'good'],
      [revoked, 'revoked']
    ] as const) {
      const request = await ocspRequest(ocsp, cert);
      const res = await post(proxy.to(ocsp.url), 'application/ocsp-request', request);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/ocsp-response');
      expect(await checkOcspResponse(ocsp, cert, request, new Uint8Array(await res.arrayBuffer()))).toBe(expected);
    }
  });

  it('relays the OCSP GET form, whose path carries URL-encoded base64 ("%2F")', async () => {
    const request = await ocspRequest(ocsp, revoked);
    const encoded = encodeURIComponent(Buffer.from(request).toString('base64'));
    const res = await fetch(proxy.to(`${ocsp.url}${encoded}`), { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await checkOcspResponse(ocsp, revoked, request, new Uint8Array(await res.arrayBuffer()))).toBe('revoked');
    expect(ocsp.requests.at(-1)).toMatchObject({ method: 'GET', kind: 'ocsp', status: 200 });
  });

  it('relays the CRL, which lists the revoked serial', async () => {
    const res = await fetch(proxy.to(ocsp.crlUrl), { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    const der = new Uint8Array(await res.arrayBuffer());
    const dir = await mkdtemp(path.join(tmpdir(), 'signet-crl-'));
    try {
      await writeFile(path.join(dir, 'crl.der'), der);
      const text = await new Promise<string>((resolve, reject) =>
        execFile('openssl', ['crl', '-inform', 'DER', '-in', 'crl.der', '-noout', '-text'], { cwd: dir }, (err, stdout) => (err ? reject(err) : resolve(stdout)))
      );
      expect(text).toContain(`Serial Number: ${revoked.serial}`);
      expect(text).not.toContain(`Serial Number: ${good.serial}`);
      expect(text).toContain('Key Compromise');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps each entry to its paths and methods', async () => {
    const origin = new URL(ocsp.url).origin;
    const elsewhere = await fetch(proxy.to(`${origin}/admin`), { headers: { Origin: ORIGIN } });
    expect(elsewhere.status).toBe(403);
    const postCrl = await post(proxy.to(ocsp.crlUrl), 'application/octet-stream', new Uint8Array([1]));
    expect(postCrl.status).toBe(403);
    expect(((await postCrl.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    const climb = await fetch(proxy.to(`${origin}/crl/..%2F..%2Fadmin`), { headers: { Origin: ORIGIN } });
    expect(climb.status).toBe(403);
    expect(ocsp.requests.some((r) => r.path.includes('admin'))).toBe(false);
  });
});
