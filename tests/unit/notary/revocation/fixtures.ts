/**
 * The OpenSSL-made fixtures of tests/fixtures/revocation (see its README) as parsed certificates
 * and raw DER, plus the clock they were made at.
 */
import { parseCertificate, type Certificate } from '../../../../src/lib/notary/x509/certificate';
import { readFixture, readFixtureJson } from '../../../helpers/fixtures';

export interface FixtureInfo {
  generatedAt: number;
  ocspNextUpdateDays: number;
  crlThisUpdate: string;
  crlNextUpdate: string;
  expiredCrlNextUpdate: string;
  revokedInvalidityDate: string;
}

export const info = await readFixtureJson<FixtureInfo>('revocation/fixtures.json');
/** When the fixtures were made. */
export const generated = new Date(info.generatedAt * 1000);
/** A minute after generation: every fixture response and certificate is current then. */
export const fixtureNow = new Date(generated.getTime() + 60_000);

export function der(name: string): Promise<Uint8Array> {
  return readFixture(`revocation/${name}`);
}

export async function cert(name: string): Promise<Certificate> {
  return parseCertificate(await der(name), name);
}

export const certs = {
  ca: await cert('ca.der'),
  responder: await cert('responder.der'),
  responderNoCheck: await cert('responder-nocheck.der'),
  responderNoEku: await cert('responder-noeku.der'),
  leafGood: await cert('leaf-good.der'),
  leafRevoked: await cert('leaf-revoked.der'),
  leafHold: await cert('leaf-hold.der'),
  leafDelta: await cert('leaf-delta.der'),
  leafUnknown: await cert('leaf-unknown.der'),
  otherCa: await cert('other-ca.der'),
  rsaCa: await cert('rsa-ca.der'),
  rsaLeaf: await cert('rsa-leaf-good.der')
};
