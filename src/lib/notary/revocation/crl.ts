/**
 * CRLs (RFC 5280 §5) for the revocation step (spec digest §12.4 step 6, "CRL"): parsing with
 * Go's `x509.ParseRevocationList` acceptance rules, validation of base and delta CRLs as
 * notation-core-go does, and the lookup of a certificate's serial number with its
 * certificateHold / removeFromCRL and invalidity-date rules.
 *
 * Entries are validated once when the CRL is parsed but not kept: a 32 MiB CRL holds about a
 * million of them, so lookups walk the encoded list again and compare serial-number bytes.
 *
 * Stricter than notation (which would accept these): a "base" CRL that is itself a delta CRL,
 * and a CRL whose issuer DN is not the issuing CA's subject DN, are refused.
 */
import { bytesEqual } from '../../bytes';
import { SignetError, isSignetError } from '../../errors';
import { derInteger } from '../timestamp/asn1';
import type { Certificate } from '../x509/certificate';
import { DerError, DerReader, decodeOne, readBitString, readBoolean, readInteger, readTlv, type DerNode } from '../x509/der';
import {
  Fields,
  ID,
  explicitInner,
  isTimeIdentifier,
  readAlgorithmIdentifier,
  readAnyTime,
  readEnumerated,
  readExtensions,
  type Extension
} from './asn1';
import { OID_INVALIDITY_DATE, invalidityDateOf, reasonName, serialOf } from './ocsp';
import { checkSignedData, type SignedData } from './signed-data';

/** notation-core-go's CRL download limit (`maxCRLSize`); a body of this size or more is refused. */
export const CRL_MAX_BYTES = 32 * 1024 * 1024;

export const OID_CRL_NUMBER = '2.5.29.20';
export const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
export const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
export const OID_FRESHEST_CRL = '2.5.29.46';
export const OID_REASON_CODE = '2.5.29.21';

export const REASON_CERTIFICATE_HOLD = 6;
export const REASON_REMOVE_FROM_CRL = 8;

export interface Crl {
  readonly signed: SignedData;
  /** DER of the issuer Name. */
  readonly rawIssuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** cRLNumber, when present. */
  readonly number?: bigint;
  /** BaseCRLNumber of the delta CRL indicator: present only on delta CRLs. */
  readonly deltaBaseNumber?: bigint;
  readonly extensions: readonly Extension[];
  /** How many revoked certificates are listed. */
  readonly entryCount: number;
  /** Content of revokedCertificates (empty when absent); walked again by findCrlEntries. */
  readonly revokedList: Uint8Array;
}

export interface CrlEntry {
  /** Content octets of userCertificate (minimal two's complement). */
  readonly serial: Uint8Array;
  readonly revocationDate: Date;
  /** CRLReason code; 0 (unspecified) when the entry has none, as Go reports it. */
  readonly reasonCode: number;
  readonly invalidityDate?: Date;
  /** Set when an invalidityDate extension is not a valid GeneralizedTime (notation then fails the lookup). */
  readonly invalidityDateError?: string;
  readonly extensions: readonly Extension[];
}

function crlInvalid(what: string, detail: string, cause?: unknown): SignetError {
  return new SignetError('ERR_CRL_INVALID', `${what} is not a valid CRL: ${detail}`, cause === undefined ? undefined : { cause });
}

function crlRejected(detail: string, cause?: unknown): SignetError {
  return new SignetError('ERR_CRL_REJECTED', detail, cause === undefined ? undefined : { cause });
}

/** Checks the INTEGER encoding without building a bigint (the entry loop runs up to a million times). */
function checkIntegerContent(node: DerNode, what: string): void {
  if (node.tagClass !== 0 || node.tagNumber !== 2 || node.constructed) throw new DerError(`${what}: expected INTEGER`);
  const c = node.content;
  if (c.length === 0) throw new DerError(`${what}: empty integer`);
  if (c.length > 1 && ((c[0] === 0 && (c[1]! & 0x80) === 0) || (c[0] === 0xff && (c[1]! & 0x80) !== 0))) throw new DerError(`${what}: non-minimal integer`);
}

function digits(c: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = c[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The common shapes `YYMMDDhhmmssZ` (UTCTime) and `YYYYMMDDhhmmssZ` (GeneralizedTime) checked
 * without building a Date; returns false when the full reader must decide.
 */
function quickTimeOk(node: DerNode): boolean {
  const c = node.content;
  let year: number;
  let at: number;
  if (node.tagNumber === 23 && c.length === 13) {
    year = digits(c, 0, 2);
    if (year < 0) return false;
    year += year >= 50 ? 1900 : 2000;
    at = 2;
  } else if (node.tagNumber === 24 && c.length === 15) {
    year = digits(c, 0, 4);
    at = 4;
  } else {
    return false;
  }
  if (year < 0 || c[c.length - 1] !== 0x5a || node.constructed || node.tagClass !== 0) return false;
  const month = digits(c, at, 2);
  const day = digits(c, at + 2, 2);
  const hour = digits(c, at + 4, 2);
  const minute = digits(c, at + 6, 2);
  const second = digits(c, at + 8, 2);
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const monthDays = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= monthDays;
}

/** An OBJECT IDENTIFIER encoding as Go's ReadASN1ObjectIdentifier accepts it (no decoding). */
function oidBytesOk(node: DerNode): boolean {
  const c = node.content;
  if (node.tagClass !== 0 || node.tagNumber !== 6 || node.constructed || c.length === 0 || (c[c.length - 1]! & 0x80) !== 0) return false;
  for (let i = 0; i < c.length; i++) if (c[i] === 0x80 && (i === 0 || (c[i - 1]! & 0x80) === 0)) return false;
  return true;
}

const REASON_CODE_OID_BYTES = [0x55, 0x1d, 0x15];

/**
 * Validates one revokedCertificates entry as cheaply as possible (a 32 MiB CRL has about 750 000
 * of them): the same acceptance as readEntry, falling back to it for anything unusual.
 */
export function checkEntry(node: DerNode, what: string): void {
  if (node.tagClass !== 0 || node.tagNumber !== 16 || !node.constructed) throw new DerError(`${what}: expected a SEQUENCE`);
  const c = node.content;
  const serial = readTlv(c, 0);
  checkIntegerContent(serial.node, `${what}.userCertificate`);
  const time = readTlv(c, serial.next);
  if (!quickTimeOk(time.node)) readAnyTime(time.node, `${what}.revocationDate`);
  if (time.next === c.length) return;
  const ext = readTlv(c, time.next);
  if (ext.next !== c.length || ext.node.tagClass !== 0 || ext.node.tagNumber !== 16 || !ext.node.constructed) {
    readEntry(node, what);
    return;
  }
  // Extensions: each a SEQUENCE { OID, [BOOLEAN], OCTET STRING }; only reasonCode is decoded.
  const list = ext.node.content;
  if (list.length === 0) {
    readEntry(node, what);
    return;
  }
  for (let pos = 0; pos < list.length; ) {
    const e = readTlv(list, pos);
    pos = e.next;
    const body = e.node.content;
    if (e.node.tagClass !== 0 || e.node.tagNumber !== 16 || !e.node.constructed) throw new DerError(`${what}.crlEntryExtensions: expected a SEQUENCE`);
    const oid = readTlv(body, 0);
    if (!oidBytesOk(oid.node)) {
      readEntry(node, what);
      return;
    }
    let at = oid.next;
    const maybeBool = readTlv(body, at);
    if (maybeBool.node.tagClass === 0 && maybeBool.node.tagNumber === 1) {
      readBoolean(maybeBool.node, `${what}.critical`);
      at = maybeBool.next;
    }
    const value = readTlv(body, at);
    if (value.next !== body.length || value.node.tagClass !== 0 || value.node.tagNumber !== 4 || value.node.constructed) {
      readEntry(node, what);
      return;
    }
    const o = oid.node.content;
    if (o.length === 3 && o[0] === REASON_CODE_OID_BYTES[0] && o[1] === REASON_CODE_OID_BYTES[1] && o[2] === REASON_CODE_OID_BYTES[2]) {
      readEnumerated(decodeOne(value.node.content), `${what}.reasonCode`);
    }
  }
}

/** The full reader of one entry (checkEntry must accept exactly what this accepts; tests compare them). */
export function readEntry(node: DerNode, what: string): CrlEntry {
  if (node.tagClass !== 0 || node.tagNumber !== 16 || !node.constructed) throw new DerError(`${what}: expected a SEQUENCE`);
  const f = new Fields(node, what);
  const serialNode = f.next('userCertificate');
  checkIntegerContent(serialNode, `${what}.userCertificate`);
  const revocationDate = readAnyTime(f.next('revocationDate'), `${what}.revocationDate`);
  const extNode = f.optional('crlEntryExtensions', ID.SEQUENCE);
  f.end();
  const extensions = extNode ? readExtensions(extNode, `${what}.crlEntryExtensions`) : [];
  // Go decodes every reasonCode extension; the last one wins.
  let reasonCode = 0;
  for (const reason of extensions) {
    if (reason.oid !== OID_REASON_CODE) continue;
    try {
      reasonCode = readEnumerated(decodeOne(reason.value), `${what}.reasonCode`);
    } catch (e) {
      throw new DerError(`${what}: malformed reasonCode extension (${(e as Error).message})`);
    }
  }
  // Like notation's parseEntryExtensions: every invalidityDate must be a GeneralizedTime; the last wins.
  let invalidityDate: Date | undefined;
  let invalidityDateError: string | undefined;
  for (const e of extensions) {
    if (e.oid !== OID_INVALIDITY_DATE) continue;
    const d = invalidityDateOf([e]);
    if (d) invalidityDate = d;
    else invalidityDateError = 'malformed invalidityDate extension';
  }
  return {
    serial: serialNode.content,
    revocationDate,
    reasonCode,
    ...(invalidityDate ? { invalidityDate } : {}),
    ...(invalidityDateError ? { invalidityDateError } : {}),
    extensions
  };
}

/**
 * Parses a DER CertificateList as Go's `x509.ParseRevocationList` does: v2 only, matching inner
 * and outer signature algorithms, every entry well-formed (a malformed reasonCode is an error),
 * CRL number read from its extension. Throws ERR_CRL_INVALID naming `what` (e.g. the URL).
 */
export function parseCrl(bytes: Uint8Array, what = 'CRL'): Crl {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw crlInvalid(what, 'it is empty');
  if (bytes.length >= CRL_MAX_BYTES) throw crlInvalid(what, `it is ${bytes.length} bytes; CRLs must be smaller than ${CRL_MAX_BYTES} bytes (as in notation)`);
  try {
    const outer = new Fields(decodeOne(bytes), 'CertificateList');
    const tbsNode = outer.next('tbsCertList', ID.SEQUENCE);
    const outerAlg = readAlgorithmIdentifier(outer.next('signatureAlgorithm', ID.SEQUENCE), 'CertificateList.signatureAlgorithm');
    const sig = readBitString(outer.next('signatureValue', ID.BIT_STRING), 'CertificateList.signatureValue');
    if (sig.unusedBits !== 0) throw new DerError('CertificateList.signatureValue: not a whole number of bytes');

    const tbs = new Fields(tbsNode, 'TBSCertList');
    // Go refuses v1 CRLs (no version field) and any version but v2.
    const versionNode = tbs.optional('version', ID.INTEGER);
    if (!versionNode) throw new DerError('TBSCertList.version is missing; only v2 CRLs are supported');
    if (readInteger(versionNode, 'TBSCertList.version') !== 1n) throw new DerError('TBSCertList.version: only v2 (1) is supported');
    const innerAlgNode = tbs.next('signature', ID.SEQUENCE);
    if (!bytesEqual(innerAlgNode.raw, outerAlg.raw)) throw new DerError('inner and outer signature algorithm identifiers do not match');
    const rawIssuer = tbs.next('issuer', ID.SEQUENCE).raw;
    const thisUpdate = readAnyTime(tbs.next('thisUpdate'), 'TBSCertList.thisUpdate');
    const nextUpdate = isTimeIdentifier(tbs.peekByte()) ? readAnyTime(tbs.next('nextUpdate'), 'TBSCertList.nextUpdate') : undefined;
    const revokedNode = tbs.optional('revokedCertificates', ID.SEQUENCE);
    let entryCount = 0;
    if (revokedNode) {
      for (const entry of walkEntries(revokedNode.content)) {
        checkEntry(entry, `TBSCertList.revokedCertificates[${entryCount}]`);
        entryCount++;
      }
    }
    const extNode = tbs.optional('crlExtensions', ID.ctx(0));
    const extensions = extNode ? readExtensions(explicitInner(extNode, 'TBSCertList.crlExtensions'), 'TBSCertList.crlExtensions') : [];
    tbs.end();
    outer.end();
    let number: bigint | undefined;
    let deltaBaseNumber: bigint | undefined;
    for (const e of extensions) {
      if (e.oid === OID_CRL_NUMBER) number = readInteger(decodeOne(e.value), 'cRLNumber');
      if (e.oid === OID_DELTA_CRL_INDICATOR) deltaBaseNumber = readInteger(decodeOne(e.value), 'deltaCRLIndicator');
    }
    return {
      signed: { algorithm: outerAlg, tbs: tbsNode.raw, signature: sig.bytes },
      rawIssuer,
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      ...(number !== undefined ? { number } : {}),
      ...(deltaBaseNumber !== undefined ? { deltaBaseNumber } : {}),
      extensions,
      entryCount,
      revokedList: revokedNode ? revokedNode.content : new Uint8Array(0)
    };
  } catch (e) {
    if (isSignetError(e)) throw e;
    if (e instanceof DerError) throw crlInvalid(what, e.message, e);
    throw crlInvalid(what, 'malformed encoding', e);
  }
}

function* walkEntries(list: Uint8Array): Generator<DerNode> {
  let pos = 0;
  let i = 0;
  while (pos < list.length) {
    let next: { node: DerNode; next: number };
    try {
      next = readTlv(list, pos);
    } catch (e) {
      throw new DerError(`TBSCertList.revokedCertificates[${i}]: ${(e as Error).message}`);
    }
    pos = next.next;
    i++;
    yield next.node;
  }
}

/** Entries listing `cert`'s serial number, in CRL order. */
export function findCrlEntries(crl: Crl, cert: Certificate): CrlEntry[] {
  const serialBytes = readTlv(derInteger(serialOf(cert)), 0).node.content;
  const out: CrlEntry[] = [];
  let i = 0;
  try {
    for (const node of walkEntries(crl.revokedList)) {
      // userCertificate is the first TLV inside the entry: compare its content without a full parse.
      const serial = readTlv(node.content, 0).node.content;
      if (bytesEqual(serial, serialBytes)) out.push(readEntry(node, `revokedCertificates[${i}]`));
      i++;
    }
  } catch (e) {
    // parseCrl validated every entry; only a hand-made Crl value can get here.
    if (e instanceof DerError) throw crlInvalid('CRL', e.message, e);
    throw e;
  }
  return out;
}

/** Certificate extension value as DistributionPoint URIs (notation's parseCRLDistributionPoint). */
export function distributionPointUris(value: Uint8Array, what: string): string[] {
  try {
    const urls: string[] = [];
    const points = decodeOne(value);
    if (points.tagClass !== 0 || points.tagNumber !== 16 || !points.constructed) throw new DerError('expected a SEQUENCE');
    const list = new DerReader(points.content);
    while (!list.empty) {
      const dp = list.readTag(ID.SEQUENCE, 'invalid distribution point');
      const f = new DerReader(dp.content);
      const name = f.readOptional(ID.ctx(0), 'invalid distribution point');
      if (!name) continue;
      const inner = new DerReader(name.content);
      const fullName = inner.readTag(ID.ctx(0), 'invalid distribution point');
      const names = new DerReader(fullName.content);
      while (!names.empty && names.peekByte() === ID.ctxPrimitive(6)) {
        urls.push(new TextDecoder('utf-8', { fatal: false }).decode(names.read('invalid distribution point').content));
      }
    }
    return urls;
  } catch (e) {
    throw crlRejected(`${what}: the distribution point extension is malformed (${(e as Error).message})`, e);
  }
}

/** URLs of the Freshest CRL extension (where delta CRLs are published), if any. */
export function freshestCrlUrls(extensions: readonly Extension[], what: string): string[] | undefined {
  const ext = extensions.find((e) => e.oid === OID_FRESHEST_CRL);
  return ext ? distributionPointUris(ext.value, `${what} Freshest CRL`) : undefined;
}

/**
 * notation-core-go's `validateCRL` plus the issuer-name check: signed by `issuer` (which must be
 * allowed to sign CRLs: a CA, with cRLSign when it has a keyUsage), nextUpdate present and not
 * past, and no critical CRL extension other than issuingDistributionPoint and deltaCRLIndicator.
 * Throws ERR_CRL_REJECTED.
 */
export async function validateCrl(crl: Crl, issuer: Certificate, now: Date, what = 'CRL'): Promise<void> {
  const ca = JSON.stringify(issuer.subject);
  if (!bytesEqual(crl.rawIssuer, issuer.rawSubject)) throw crlRejected(`${what} is issued by a different name than the certificate's issuer ${ca}`);
  const v3NoBc = issuer.version === 3 && issuer.basicConstraints === undefined;
  if (v3NoBc || (issuer.basicConstraints !== undefined && !issuer.isCA)) throw crlRejected(`${what}: the issuer ${ca} is not a CA, so it cannot sign CRLs`);
  if (issuer.keyUsage && issuer.keyUsage.usages.length > 0 && !issuer.keyUsage.usages.includes('cRLSign')) {
    throw crlRejected(`${what}: the issuer ${ca} has no cRLSign key usage`);
  }
  const sigError = await checkSignedData(crl.signed, issuer, { ocsp: false });
  if (sigError !== undefined) throw crlRejected(`${what} is not signed by CA ${ca}: ${sigError}`);
  if (!crl.nextUpdate) throw crlRejected(`${what} has no nextUpdate`);
  if (now > crl.nextUpdate) throw crlRejected(`expired ${what}: nextUpdate ${crl.nextUpdate.toISOString()} is before now (${now.toISOString()})`);
  for (const e of crl.extensions) {
    if (e.critical && e.oid !== OID_ISSUING_DISTRIBUTION_POINT && e.oid !== OID_DELTA_CRL_INDICATOR) {
      throw crlRejected(`${what} has an unsupported critical extension ${e.oid}`);
    }
  }
}

/** A base CRL and, when its Freshest CRL extension points at one, the delta CRL. */
export interface CrlBundle {
  readonly base: Crl;
  readonly delta?: Crl;
}

/**
 * Validates a base CRL and its delta as notation-core-go does: each by `validateCrl`, the delta's
 * cRLNumber above the base's, and its deltaCRLIndicator (BaseCRLNumber) not above the base's
 * number. A base CRL that is itself a delta is refused. Throws ERR_CRL_REJECTED.
 */
export async function validateCrlBundle(bundle: CrlBundle, issuer: Certificate, now: Date, what = 'CRL'): Promise<void> {
  if (bundle.base.deltaBaseNumber !== undefined) throw crlRejected(`${what} is a delta CRL; a complete (base) CRL was expected`);
  await validateCrl(bundle.base, issuer, now, `base ${what}`);
  const delta = bundle.delta;
  if (!delta) return;
  await validateCrl(delta, issuer, now, `delta ${what}`);
  const base = bundle.base;
  if (base.number === undefined) throw crlRejected(`base ${what} has no CRL number, so its delta CRL cannot be matched to it`);
  if (delta.number === undefined || delta.number <= base.number) {
    throw crlRejected(`delta CRL number ${delta.number ?? '(none)'} is not greater than the base CRL number ${base.number}`);
  }
  if (delta.deltaBaseNumber === undefined) throw crlRejected('delta CRL indicator extension is not found in the delta CRL');
  if (delta.deltaBaseNumber > base.number) {
    throw crlRejected(`delta CRL indicator ${delta.deltaBaseNumber} is not less than or equal to the base CRL number ${base.number}`);
  }
}

export interface CrlLookup {
  readonly status: 'ok' | 'revoked';
  /** The entry that decided, if any. */
  readonly entry?: CrlEntry;
  /** Why the status is what it is, for people. */
  readonly detail: string;
}

/**
 * notation-core-go's `checkRevocation` over base then delta entries for `cert`:
 * - an entry whose invalidityDate is later than the authentic signing time makes the
 *   certificate good (signing-authority scheme only);
 * - any reason other than certificateHold/removeFromCRL revokes;
 * - otherwise the latest (by revocation date) hold/remove entry decides: a hold revokes, a
 *   removeFromCRL (from a delta CRL) lifts it.
 * Throws ERR_CRL_REJECTED for an unsupported critical entry extension.
 */
export function lookupCrl(cert: Certificate, bundle: CrlBundle, authenticSigningTime?: Date): CrlLookup {
  const entries = [...findCrlEntries(bundle.base, cert), ...(bundle.delta ? findCrlEntries(bundle.delta, cert) : [])];
  let latestTemporary: CrlEntry | undefined;
  for (const entry of entries) {
    if (entry.invalidityDateError) throw crlRejected(`the CRL entry for serial ${cert.serialNumber} has a ${entry.invalidityDateError}`);
    const critical = entry.extensions.find((e) => e.critical && e.oid !== OID_INVALIDITY_DATE);
    if (critical) throw crlRejected(`unsupported critical extension ${critical.oid} in the CRL entry for serial ${cert.serialNumber}`);
    if (authenticSigningTime && entry.invalidityDate && authenticSigningTime < entry.invalidityDate) {
      return {
        status: 'ok',
        entry,
        detail: `listed (${reasonName(entry.reasonCode)}) with invalidity date ${entry.invalidityDate.toISOString()}, after the authentic signing time ${authenticSigningTime.toISOString()}`
      };
    }
    if (entry.reasonCode === REASON_CERTIFICATE_HOLD || entry.reasonCode === REASON_REMOVE_FROM_CRL) {
      if (!latestTemporary || latestTemporary.revocationDate < entry.revocationDate) latestTemporary = entry;
      continue;
    }
    return { status: 'revoked', entry, detail: `revoked at ${entry.revocationDate.toISOString()} (${reasonName(entry.reasonCode)})` };
  }
  if (latestTemporary?.reasonCode === REASON_CERTIFICATE_HOLD) {
    return { status: 'revoked', entry: latestTemporary, detail: `on hold since ${latestTemporary.revocationDate.toISOString()} (certificateHold)` };
  }
  if (latestTemporary) {
    return { status: 'ok', entry: latestTemporary, detail: `a hold was lifted (removeFromCRL at ${latestTemporary.revocationDate.toISOString()})` };
  }
  return { status: 'ok', detail: `serial ${cert.serialNumber} is not listed` };
}

/** Used by the checker to tell whether a certificate asks for a delta CRL. */
export function hasFreshestCrl(cert: Certificate): boolean {
  return cert.extensions.some((e) => e.oid === OID_FRESHEST_CRL);
}
