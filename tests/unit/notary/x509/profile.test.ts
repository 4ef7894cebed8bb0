import { beforeAll, describe, expect, it } from 'vitest';
import { isSignetError } from '../../../../src/lib/errors';
import { parseCertificate, type Certificate } from '../../../../src/lib/notary/x509/certificate';
import { validateCertificateChain } from '../../../../src/lib/notary/x509/chain';
import { validateCAProfile, validateLeafProfile } from '../../../../src/lib/notary/x509/profile';
import { OIDS, createTestChain, issueCertificate, type TestCertOptions } from '../../../helpers/test-pki';

const LEAF = '"CN=Test Leaf,O=Notary,L=Seattle,ST=WA,C=US"';
const CA = '"CN=Test CA,O=Notary,L=Seattle,ST=WA,C=US"';

async function leaf(options: TestCertOptions, role: 'leaf' | 'tsa' = 'leaf'): Promise<Certificate> {
  return parseCertificate((await issueCertificate(role, options)).der);
}
async function ca(options: TestCertOptions): Promise<Certificate> {
  return parseCertificate((await issueCertificate('ca', { keySlot: 1, ...options })).der);
}

/** A thunk running the leaf profile check on an awaited certificate. */
async function leafCheck(cert: Promise<Certificate>, purpose: 'codeSigning' | 'timestamping'): Promise<() => void> {
  const c = await cert;
  return () => validateLeafProfile(c, purpose);
}

function expectProfileError(fn: () => void, message: string): void {
  try {
    fn();
  } catch (e) {
    expect(isSignetError(e, 'ERR_CERT_PROFILE'), String(e)).toBe(true);
    expect((e as Error).message).toBe(message);
    return;
  }
  throw new Error(`expected ERR_CERT_PROFILE: ${message}`);
}

describe('CA profile (root and intermediates)', () => {
  it('accepts a conformant CA for both purposes', async () => {
    const c = await ca({});
    expect(() => validateCAProfile(c, 0, 'codeSigning')).not.toThrow();
    expect(() => validateCAProfile(c, 3, 'timestamping')).not.toThrow();
  });

  it('requires basicConstraints with cA=true', async () => {
    const message = `certificate with subject ${CA}: ca field in basic constraints must be present, critical, and set to true`;
    const noBc = await ca({ basicConstraints: null });
    expectProfileError(() => validateCAProfile(noBc, 0, 'codeSigning'), message);
    expectProfileError(() => validateCAProfile(noBc, 0, 'timestamping'), message);
    const notCa = await ca({ basicConstraints: { cA: false } });
    expectProfileError(() => validateCAProfile(notCa, 0, 'codeSigning'), message);
  });

  it('follows notation in accepting a non-critical CA basicConstraints (GAP: the spec says critical)', async () => {
    const c = await ca({ basicConstraints: { cA: true, critical: false } });
    expect(c.basicConstraints).toEqual({ critical: false, cA: true });
    expect(() => validateCAProfile(c, 0, 'codeSigning')).not.toThrow();
  });

  it('checks pathLenConstraint against the number of CAs below', async () => {
    const zero = await ca({ basicConstraints: { cA: true, pathLength: 0 } });
    expect(() => validateCAProfile(zero, 0, 'codeSigning')).not.toThrow();
    expectProfileError(
      () => validateCAProfile(zero, 1, 'codeSigning'),
      `certificate with subject ${CA}: expected path length of 1 but certificate has path length 0 instead`
    );
    const two = await ca({ basicConstraints: { cA: true, pathLength: 2 } });
    expect(() => validateCAProfile(two, 2, 'timestamping')).not.toThrow();
    expectProfileError(() => validateCAProfile(two, 3, 'timestamping'), `certificate with subject ${CA}: expected path length of 3 but certificate has path length 2 instead`);
  });

  it('applies pathLenConstraint inside a chain: a root with pathLen 0 cannot have an intermediate', async () => {
    const ok = await createTestChain({ root: { basicConstraints: { cA: true, pathLength: 0 } } });
    await validateCertificateChain(await Promise.all(ok.chain.map((d) => parseCertificate(d))), 'codeSigning');
    const bad = await createTestChain({ intermediates: 1, root: { basicConstraints: { cA: true, pathLength: 0 } } });
    await expect(validateCertificateChain(await Promise.all(bad.chain.map((d) => parseCertificate(d))), 'codeSigning')).rejects.toThrowError(
      'certificate with subject "CN=Test Root,O=Notary,L=Seattle,ST=WA,C=US": expected path length of 1 but certificate has path length 0 instead'
    );
  });

  it('requires keyUsage with keyCertSign; critical for code signing only', async () => {
    const noKu = await ca({ keyUsage: null });
    expectProfileError(() => validateCAProfile(noKu, 0, 'codeSigning'), `certificate with subject ${CA}: key usage extension must be present`);
    expectProfileError(() => validateCAProfile(noKu, 0, 'timestamping'), `certificate with subject ${CA}: key usage extension must be present`);
    const nonCritical = await ca({ keyUsage: { usages: ['keyCertSign'], critical: false } });
    expectProfileError(() => validateCAProfile(nonCritical, 0, 'codeSigning'), `certificate with subject ${CA}: key usage extension must be marked critical`);
    expect(() => validateCAProfile(nonCritical, 0, 'timestamping')).not.toThrow();
    const noCertSign = await ca({ keyUsage: { usages: ['cRLSign', 'digitalSignature'] } });
    expectProfileError(() => validateCAProfile(noCertSign, 0, 'codeSigning'), `certificate with subject ${CA}: key usage must have the bit positions for key cert sign set`);
  });
});

describe('leaf profile', () => {
  let leafCa: Certificate;
  let all: Certificate;
  let twoEkus: Certificate;
  let nonCriticalTsa: Certificate;
  const leafOf: Partial<Record<string, Certificate>> = {};
  beforeAll(async () => {
    leafCa = await leaf({ basicConstraints: { cA: true } });
    all = await leaf({
      keyUsage: {
        usages: ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly']
      }
    });
    twoEkus = await leaf({ extendedKeyUsage: { oids: [OIDS.timeStamping, OIDS.timeStamping], critical: true } }, 'tsa');
    nonCriticalTsa = await leaf({ extendedKeyUsage: { oids: [OIDS.timeStamping], critical: false } }, 'tsa');
    for (const keySpec of ['EC-256', 'EC-384', 'EC-521', 'RSA-3072'] as const) leafOf[keySpec] = await leaf({ keySpec });
  });

  it('accepts conformant code-signing and timestamping leaves', async () => {
    expect(await leafCheck(leaf({}), 'codeSigning')).not.toThrow();
    expect(await leafCheck(leaf({}, 'tsa'), 'timestamping')).not.toThrow();
    // basicConstraints cA=false (critical or not), no EKU, nonRepudiation, codeSigning EKU critical: all fine.
    const relaxed = await leaf({
      basicConstraints: { cA: false, critical: false },
      keyUsage: { usages: ['digitalSignature', 'nonRepudiation'] },
      extendedKeyUsage: { oids: [OIDS.codeSigning], critical: true }
    });
    expect(() => validateLeafProfile(relaxed, 'codeSigning')).not.toThrow();
    expect(await leafCheck(leaf({ extendedKeyUsage: null }), 'codeSigning')).not.toThrow();
  });

  it('refuses cA=true', async () => {
    expectProfileError(
      () => validateLeafProfile(leafCa, 'codeSigning'),
      `certificate with subject ${LEAF}: if the basic constraints extension is present, the ca field must be set to false`
    );
  });
  it('requires keyUsage (critical for code signing) with digitalSignature', async () => {
    expectProfileError(await leafCheck(leaf({ keyUsage: null }), 'codeSigning'), `certificate with subject ${LEAF}: key usage extension must be present`);
    expectProfileError(await leafCheck(leaf({ keyUsage: null }, 'tsa'), 'timestamping'), `certificate with subject ${LEAF}: key usage extension must be present`);
    const nonCritical = { keyUsage: { usages: ['digitalSignature' as const], critical: false } };
    expectProfileError(await leafCheck(leaf(nonCritical), 'codeSigning'), `certificate with subject ${LEAF}: key usage extension must be marked critical`);
    expect(await leafCheck(leaf(nonCritical, 'tsa'), 'timestamping')).not.toThrow();
    expectProfileError(
      await leafCheck(leaf({ keyUsage: { usages: ['nonRepudiation'] } }), 'codeSigning'),
      `the certificate with subject ${LEAF} is invalid. The key usage must have the bit positions for "Digital Signature" set`
    );
  });

  it('lists every forbidden key usage bit, in notation order', async () => {
    expectProfileError(
      () => validateLeafProfile(all, 'codeSigning'),
      `the certificate with subject ${LEAF} is invalid. The key usage must be "Digital Signature" only, but found "KeyEncipherment", "DataEncipherment", "KeyAgreement", "CertSign", "CRLSign", "EncipherOnly", "DecipherOnly"`
    );
    for (const [bit, name] of [
      ['keyEncipherment', 'KeyEncipherment'],
      ['dataEncipherment', 'DataEncipherment'],
      ['keyAgreement', 'KeyAgreement'],
      ['keyCertSign', 'CertSign'],
      ['cRLSign', 'CRLSign']
    ] as const) {
      const c = await leaf({ keyUsage: { usages: ['digitalSignature', bit] } }, 'tsa');
      expectProfileError(
        () => validateLeafProfile(c, 'timestamping'),
        `the certificate with subject ${LEAF} is invalid. The key usage must be "Digital Signature" only, but found "${name}"`
      );
    }
  });
  it('refuses the code-signing EKUs notation refuses, and accepts anyExtendedKeyUsage unless asked not to (GAP)', async () => {
    for (const [oid, name] of [
      [OIDS.serverAuth, 'ServerAuth'],
      [OIDS.clientAuth, 'ClientAuth'],
      [OIDS.emailProtection, 'EmailProtection'],
      [OIDS.timeStamping, 'Timestamping'],
      [OIDS.ocspSigning, 'OCSPSigning']
    ] as const) {
      const c = await leaf({ extendedKeyUsage: { oids: [OIDS.codeSigning, oid] } });
      expectProfileError(() => validateLeafProfile(c, 'codeSigning'), `certificate with subject ${LEAF}: extended key usage must not contain ${name} eku`);
    }
    const any = await leaf({ extendedKeyUsage: { oids: [OIDS.anyExtendedKeyUsage] } });
    expect(() => validateLeafProfile(any, 'codeSigning')).not.toThrow();
    expectProfileError(
      () => validateLeafProfile(any, 'codeSigning', { rejectAnyExtendedKeyUsage: true }),
      `certificate with subject ${LEAF}: extended key usage must not contain Any eku`
    );
    // An unknown purpose is not refused.
    expect(await leafCheck(leaf({ extendedKeyUsage: { oids: ['1.3.6.1.4.1.311.10.3.6'] } }), 'codeSigning')).not.toThrow();
  });

  it('requires exactly one critical timeStamping EKU in a TSA leaf', async () => {
    const only = `timestamp signing certificate with subject ${LEAF} must have and only have Timestamping as extended key usage`;
    expectProfileError(await leafCheck(leaf({ extendedKeyUsage: null }, 'tsa'), 'timestamping'), only);
    expectProfileError(await leafCheck(leaf({}), 'timestamping'), only); // codeSigning EKU
    expectProfileError(() => validateLeafProfile(twoEkus, 'timestamping'), only);
    expectProfileError(
      () => validateLeafProfile(nonCriticalTsa, 'timestamping'),
      `timestamp signing certificate with subject ${LEAF} must have extended key usage extension marked as critical`
    );
  });
  it('requires one of the six Notary key specs', async () => {
    expectProfileError(await leafCheck(leaf({ keySpec: 'RSA-1024' }), 'codeSigning'), `certificate with subject ${LEAF}: rsa key size 1024 bits is not supported`);
    expectProfileError(await leafCheck(leaf({ keySpec: 'RSA-1536' }, 'tsa'), 'timestamping'), `certificate with subject ${LEAF}: rsa key size 1536 bits is not supported`);
    for (const keySpec of ['EC-256', 'EC-384', 'EC-521', 'RSA-3072'] as const) {
      expect(() => validateLeafProfile(leafOf[keySpec]!, 'codeSigning')).not.toThrow();
    }
  });
});
