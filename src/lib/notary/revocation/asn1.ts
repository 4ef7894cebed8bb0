/**
 * DER reading shared by the OCSP and CRL parsers, on top of the strict reader in ../x509/der.ts:
 * a field cursor that names the structure in its errors, extensions, algorithm identifiers,
 * ENUMERATED values and times. Everything throws DerError; the parsers turn that into a
 * SignetError with their own code.
 */
import { TAG, DerError, DerReader, type DerNode, isContext, isUniversal, readBitString, readBoolean, readOid, readTime, readerOf } from '../x509/der';

const ENUMERATED = 10;

/**
 * Reads a SEQUENCE's fields in order, naming `what.field` in every error. `implicit` accepts any
 * constructed tag (for IMPLICIT-tagged SEQUENCEs such as OCSP's `revoked [1]`).
 */
export class Fields {
  private readonly reader: DerReader;

  constructor(
    node: DerNode,
    readonly what: string,
    implicit = false
  ) {
    if (!node.constructed) throw new DerError(`${what}: expected a constructed value`);
    if (!implicit && !isUniversal(node, TAG.SEQUENCE)) throw new DerError(`${what}: expected a SEQUENCE`);
    this.reader = readerOf(node);
  }

  /** The next field; it must exist and start with identifier octet `tagByte` when given. */
  next(field: string, tagByte?: number): DerNode {
    if (this.reader.empty) throw new DerError(`${this.what}.${field} is missing`);
    if (tagByte !== undefined && this.reader.peekByte() !== tagByte) {
      throw new DerError(`${this.what}.${field}: unexpected ASN.1 type (identifier 0x${hex2(this.reader.peekByte()!)}, expected 0x${hex2(tagByte)})`);
    }
    return this.reader.read(`${this.what}.${field}: malformed encoding`);
  }

  /** The next field only when it starts with identifier octet `tagByte`. */
  optional(field: string, tagByte: number): DerNode | undefined {
    return this.reader.readOptional(tagByte, `${this.what}.${field}: malformed encoding`);
  }

  /** Refuses anything after the last known field (DER structures here have no extension marker). */
  end(): void {
    if (!this.reader.empty) throw new DerError(`${this.what}: unexpected data after the last field`);
  }

  get empty(): boolean {
    return this.reader.empty;
  }

  /** The identifier octet of the next field, if any. */
  peekByte(): number | undefined {
    return this.reader.peekByte();
  }
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** Identifier octets used by the parsers. */
export const ID = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  ENUMERATED: 0x0a,
  SEQUENCE: 0x30,
  GENERALIZED_TIME: 0x18,
  /** [n] constructed, context-specific. */
  ctx: (n: number) => 0xa0 | n,
  /** [n] primitive, context-specific. */
  ctxPrimitive: (n: number) => 0x80 | n
} as const;

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** extnValue content: the DER of the extension's own value. */
  readonly value: Uint8Array;
}

/** `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` (RFC 5280 §4.1). */
export function readExtensions(node: DerNode, what: string): Extension[] {
  if (!isUniversal(node, TAG.SEQUENCE) || !node.constructed) throw new DerError(`${what}: expected a SEQUENCE of extensions`);
  const out: Extension[] = [];
  const list = readerOf(node);
  while (!list.empty) {
    const ext = new Fields(list.read(`${what}[${out.length}]: malformed encoding`), `${what}[${out.length}]`);
    const oid = readOid(ext.next('extnID', ID.OID), `${ext.what}.extnID`);
    const criticalNode = ext.optional('critical', ID.BOOLEAN);
    // DER: DEFAULT FALSE is never encoded; Go's parser accepts an explicit FALSE, and so do we.
    const critical = criticalNode ? readBoolean(criticalNode, `${ext.what}.critical`) : false;
    const value = ext.next('extnValue', ID.OCTET_STRING).content;
    ext.end();
    out.push({ oid, critical, value });
  }
  return out;
}

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** DER of the parameters, when present. */
  readonly parameters?: Uint8Array;
  /** The whole AlgorithmIdentifier encoding (CRLs compare the inner and outer ones byte for byte). */
  readonly raw: Uint8Array;
}

export function readAlgorithmIdentifier(node: DerNode, what: string): AlgorithmIdentifier {
  const f = new Fields(node, what);
  const oid = readOid(f.next('algorithm', ID.OID), `${what}.algorithm`);
  const params = f.empty ? undefined : f.next('parameters');
  f.end();
  return params ? { oid, parameters: params.raw, raw: node.raw } : { oid, raw: node.raw };
}

export function readEnumerated(node: DerNode | undefined, what: string): number {
  if (!node || node.tagClass !== 0 || node.tagNumber !== ENUMERATED || node.constructed) throw new DerError(`${what}: expected ENUMERATED`);
  const c = node.content;
  if (c.length === 0) throw new DerError(`${what}: empty ENUMERATED`);
  if (c.length > 1 && ((c[0] === 0 && (c[1]! & 0x80) === 0) || (c[0] === 0xff && (c[1]! & 0x80) !== 0))) {
    throw new DerError(`${what}: non-minimal ENUMERATED`);
  }
  if (c.length > 4) throw new DerError(`${what}: ENUMERATED out of range`);
  let v = 0;
  for (const b of c) v = v * 256 + b;
  if ((c[0]! & 0x80) !== 0) v -= 2 ** (8 * c.length);
  return v;
}

/** GeneralizedTime only (RFC 6960 uses nothing else); Go's format rules via readTime. */
export function readGeneralizedTime(node: DerNode | undefined, what: string): Date {
  if (!isUniversal(node, TAG.GENERALIZED_TIME)) throw new DerError(`${what}: expected GeneralizedTime`);
  return readTime(node, what);
}

/** UTCTime or GeneralizedTime (RFC 5280 `Time`). */
export function readAnyTime(node: DerNode | undefined, what: string): Date {
  if (!isUniversal(node, TAG.UTC_TIME) && !isUniversal(node, TAG.GENERALIZED_TIME)) throw new DerError(`${what}: expected UTCTime or GeneralizedTime`);
  return readTime(node, what);
}

/** True when the next node is a UTCTime or GeneralizedTime (for the optional CRL nextUpdate). */
export function isTimeIdentifier(byte: number | undefined): boolean {
  return byte === 0x17 || byte === 0x18;
}

/** The subjectPublicKey BIT STRING bytes of a SubjectPublicKeyInfo (what OCSP key hashes cover). */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const f = new Fields(new DerReader(spki).read('SubjectPublicKeyInfo: malformed encoding'), 'SubjectPublicKeyInfo');
  f.next('algorithm', ID.SEQUENCE);
  return readBitString(f.next('subjectPublicKey', ID.BIT_STRING), 'SubjectPublicKeyInfo.subjectPublicKey').bytes;
}

/** `[n] EXPLICIT` wrapper: exactly one value inside. */
export function explicitInner(node: DerNode, what: string): DerNode {
  if (!node.constructed) throw new DerError(`${what}: expected an explicitly tagged value`);
  const r = readerOf(node);
  const inner = r.read(`${what}: missing value`);
  if (!r.empty) throw new DerError(`${what}: unexpected data after the value`);
  return inner;
}

export { isContext, isUniversal };
