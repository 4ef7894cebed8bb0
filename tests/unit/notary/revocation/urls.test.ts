// Where certificates say revocation information lives: AIA OCSP URLs and CRL distribution points,
// on OpenSSL-made certificates and on extensions written by @peculiar/x509.
import { describe, expect, it } from 'vitest';
import { crlUrls, hasRevocationInfo, ocspUrls } from '../../../../src/lib/notary/revocation/urls';
import { parseCertificate } from '../../../../src/lib/notary/x509/certificate';
import { createTestChain, issueCertificate, x509 } from '../../../helpers/test-pki';
import { certs } from './fixtures';

describe('ocspUrls / crlUrls', () => {
  it('reads the OpenSSL leaves (authorityInfoAccess OCSP;URI, crlDistributionPoints URI)', () => {
    expect(ocspUrls(certs.leafGood)).toEqual(['http://127.0.0.1:9/ocsp']);
    expect(crlUrls(certs.leafGood)).toEqual(['http://127.0.0.1:9/ca.crl']);
    expect(hasRevocationInfo(certs.leafGood)).toBe(true);
    expect(ocspUrls(certs.ca)).toEqual([]);
    expect(crlUrls(certs.ca)).toEqual([]);
    expect(hasRevocationInfo(certs.responder)).toBe(false);
  });

  it('keeps order, skips caIssuers and non-URI names, and reads several distribution points', async () => {
    const pki = await createTestChain({ keySpec: 'EC-256' });
    const leaf = await issueCertificate(
      'leaf',
      {
        keySpec: 'EC-256',
        extraExtensions: [
          new x509.AuthorityInfoAccessExtension({ caIssuers: 'http://ca.test/ca.crt', ocsp: ['http://a.test/', 'http://b.test/x'] }),
          new x509.CRLDistributionPointsExtension(['http://c.test/1.crl', 'ldap://d.test/cn=x'])
        ]
      },
      pki.root
    );
    const cert = await parseCertificate(leaf.der);
    expect(ocspUrls(cert)).toEqual(['http://a.test/', 'http://b.test/x']);
    // notation lists every URI (the CRL fetcher later refuses the non-http one).
    expect(crlUrls(cert)).toEqual(['http://c.test/1.crl', 'ldap://d.test/cn=x']);
  });
});
