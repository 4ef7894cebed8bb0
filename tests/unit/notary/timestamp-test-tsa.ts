/**
 * A small RFC 3161 timestamp authority for tests, built with pkijs/asn1js and WebCrypto (so it is
 * independent of Signet's own DER writer and works unchanged in Node and Chromium). It issues a
 * root → CA → TSA certificate hierarchy and answers TimeStampReqs; every field that a verifier
 * checks can be bent through options to produce the broken tokens real TSAs occasionally send.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OIDS = {
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  baselinePolicy: '0.4.0.2023.1.1',
  testPolicy: '1.3.6.1.4.1.99999.1'
} as const;

export type KeyKind = 'P-256' | 'P-384' | 'RSA-PKCS1' | 'RSA-PSS';

export interface KeyPair {
  readonly kind: KeyKind;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

const keyCache = new Map<string, Promise<KeyPair>>();

/** Key pairs are cached by kind and index: RSA generation is slow, and tests only need distinct keys. */
export function keyPair(kind: KeyKind, index = 0): Promise<KeyPair> {
  const id = `${kind}/${index}`;
  let pending = keyCache.get(id);
  if (!pending) {
    const params =
      kind === 'P-256' || kind === 'P-384'
        ? { name: 'ECDSA', namedCurve: kind }
        : { name: kind === 'RSA-PSS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    pending = (crypto.subtle.generateKey(params, true, ['sign', 'verify']) as Promise<CryptoKeyPair>).then((pair) => ({
      kind,
      privateKey: pair.privateKey,
      publicKey: pair.publicKey
    }));
    keyCache.set(id, pending);
  }
  return pending;
}

function hashFor(kind: KeyKind): string {
  return kind === 'P-384' ? 'SHA-384' : 'SHA-256';
}

export interface CertOptions {
  readonly cn: string;
  readonly serial: number;
  readonly key: KeyPair;
  /** Issuer certificate and key; omitted = self-signed. */
  readonly issuer?: { readonly cert: pkijs.Certificate; readonly key: KeyPair };
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints: undefined = absent. */
  readonly ca?: boolean;
  readonly pathLen?: number;
  /** keyUsage bits as named; undefined = extension absent. */
  readonly keyUsage?: readonly ('digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign')[];
  readonly eku?: readonly string[];
  readonly ekuCritical?: boolean;
}

const KU_BITS = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

function name(cn: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({ type: '2.5.4.10', value: new asn1js.Utf8String({ value: 'Signet Test TSA' }) }),
      new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) })
    ]
  });
}

/** Issues one certificate. */
export async function issueCertificate(o: CertOptions): Promise<pkijs.Certificate> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: o.serial });
  cert.subject = name(o.cn);
  cert.issuer = o.issuer ? o.issuer.cert.subject : name(o.cn);
  cert.notBefore.value = o.notBefore;
  cert.notAfter.value = o.notAfter;
  await cert.subjectPublicKeyInfo.importKey(o.key.publicKey);
  const extensions: pkijs.Extension[] = [];
  if (o.ca !== undefined) {
    const bc = new pkijs.BasicConstraints({ cA: o.ca, ...(o.pathLen !== undefined ? { pathLenConstraint: o.pathLen } : {}) });
    extensions.push(new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: bc.toSchema().toBER(false) }));
  }
  if (o.keyUsage) {
    let bits = 0;
    for (const u of o.keyUsage) bits |= 1 << KU_BITS[u];
    // bit 0 is the most significant bit of the first byte
    let byte = 0;
    for (let i = 0; i < 8; i++) if (bits & (1 << i)) byte |= 0x80 >> i;
    let unused = 0;
    while (unused < 7 && (byte & (1 << unused)) === 0) unused++;
    const ku = new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits: unused });
    extensions.push(new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: ku.toBER(false) }));
  }
  if (o.eku) {
    const eku = new pkijs.ExtKeyUsage({ keyPurposes: [...o.eku] });
    extensions.push(new pkijs.Extension({ extnID: '2.5.29.37', critical: o.ekuCritical ?? true, extnValue: eku.toSchema().toBER(false) }));
  }
  if (extensions.length > 0) cert.extensions = extensions;
  const signer = o.issuer?.key ?? o.key;
  await cert.sign(signer.privateKey, hashFor(signer.kind));
  return cert;
}

export function certDer(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

export interface TestPki {
  readonly root: pkijs.Certificate;
  readonly rootKey: KeyPair;
  readonly ca: pkijs.Certificate;
  readonly caKey: KeyPair;
  readonly tsa: pkijs.Certificate;
  readonly tsaKey: KeyPair;
}

export interface PkiOptions {
  readonly tsaKind?: KeyKind;
  readonly caKind?: KeyKind;
  /** Overrides for the TSA (leaf) certificate. */
  readonly tsa?: Partial<Omit<CertOptions, 'key' | 'issuer'>>;
  readonly ca?: Partial<Omit<CertOptions, 'key' | 'issuer'>>;
  readonly root?: Partial<Omit<CertOptions, 'key' | 'issuer'>>;
  /** Distinguishes key sets (a second, unrelated hierarchy). */
  readonly keyIndex?: number;
}

export const VALID_FROM = new Date('2020-01-01T00:00:00Z');
export const VALID_TO = new Date('2040-01-01T00:00:00Z');

/** root → CA → TSA, all valid 2020–2040, TSA with EKU exactly timeStamping (critical). */
export async function createPki(o: PkiOptions = {}): Promise<TestPki> {
  const k = o.keyIndex ?? 0;
  const rootKey = await keyPair(o.caKind ?? 'P-256', k * 3);
  const caKey = await keyPair(o.caKind ?? 'P-256', k * 3 + 1);
  const tsaKey = await keyPair(o.tsaKind ?? 'P-256', k * 3 + 2);
  const suffix = k === 0 ? '' : ` ${k}`;
  const root = await issueCertificate({
    cn: `Test TSA Root${suffix}`,
    serial: 1,
    key: rootKey,
    notBefore: VALID_FROM,
    notAfter: VALID_TO,
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
    ...o.root
  });
  const ca = await issueCertificate({
    cn: `Test TSA CA${suffix}`,
    serial: 2,
    key: caKey,
    issuer: { cert: root, key: rootKey },
    notBefore: VALID_FROM,
    notAfter: VALID_TO,
    ca: true,
    pathLen: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
    ...o.ca
  });
  const tsa = await issueCertificate({
    cn: `Test TSA${suffix}`,
    serial: 3,
    key: tsaKey,
    issuer: { cert: ca, key: caKey },
    notBefore: VALID_FROM,
    notAfter: VALID_TO,
    ca: false,
    keyUsage: ['digitalSignature'],
    eku: [OIDS.ekuTimeStamping],
    ekuCritical: true,
    ...o.tsa
  });
  return { root, rootKey, ca, caKey, tsa, tsaKey };
}

export interface ParsedRequest {
  readonly version: number;
  readonly hashOid: string;
  readonly hashParams: 'NULL' | 'absent' | 'other';
  readonly hashedMessage: Uint8Array;
  readonly nonce?: bigint;
  readonly certReq: boolean;
  readonly reqPolicy?: string;
  readonly hasExtensions: boolean;
}

function integerToBigInt(i: asn1js.Integer): bigint {
  const bytes = new Uint8Array(i.valueBlock.valueHexView);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

function bigIntToInteger(v: bigint): asn1js.Integer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return new asn1js.Integer({ valueHex: bytes.buffer });
}

/** Decodes a TimeStampReq with pkijs (an independent reading of what Signet sends). */
export function parseRequest(der: Uint8Array): ParsedRequest {
  const req = pkijs.TimeStampReq.fromBER(der.slice().buffer);
  const params = req.messageImprint.hashAlgorithm.algorithmParams as asn1js.BaseBlock | undefined;
  const hashParams = params === undefined ? 'absent' : params instanceof asn1js.Null ? 'NULL' : 'other';
  return {
    version: req.version,
    hashOid: req.messageImprint.hashAlgorithm.algorithmId,
    hashParams,
    hashedMessage: new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView),
    ...(req.nonce ? { nonce: integerToBigInt(req.nonce) } : {}),
    certReq: req.certReq === true,
    ...(req.reqPolicy ? { reqPolicy: req.reqPolicy } : {}),
    hasExtensions: (req.extensions?.length ?? 0) > 0
  };
}

export interface TokenOptions {
  readonly tstVersion?: number;
  readonly policy?: string;
  readonly hashOid?: string;
  /** Imprint parameters: NULL (default) or absent. */
  readonly hashParams?: 'NULL' | 'absent';
  readonly hashedMessage?: Uint8Array;
  readonly serial?: number;
  /** GeneralizedTime text, e.g. "20240618062716Z" or "20240618062716.5Z". */
  readonly genTime?: string;
  /** undefined = { seconds: 1 }; null = no accuracy field. */
  readonly accuracy?: { seconds?: number; millis?: number; micros?: number } | null;
  /** undefined = echo the request's; null = omit. */
  readonly nonce?: bigint | null;
  /** Which certificates go into the token. */
  readonly certificates?: 'chain' | 'leaf' | 'none' | 'leaf-and-ca';
  /** Extra certificates appended after the chosen ones. */
  readonly extraCertificates?: readonly pkijs.Certificate[];
  /** Signing-certificate attribute: v2 (default), v1 only, or none. */
  readonly essCertId?: 'v2' | 'v1' | 'none';
  /** ESSCertIDv2 hash algorithm (default SHA-256, encoded by omission). */
  readonly essHashOid?: string;
  readonly essCertHash?: Uint8Array;
  readonly essIssuerSerial?: boolean;
  /** Serial number the ESSCertIDv2 issuerSerial names (default: the TSA certificate's). */
  readonly essSerial?: number;
  readonly contentTypeAttribute?: string;
  readonly messageDigest?: Uint8Array;
  /** UTCTime signing-time attribute. */
  readonly signingTime?: Date;
  /** No signed attributes at all (signature over the TSTInfo). */
  readonly noSignedAttributes?: boolean;
  /** Encode signed attributes in the given (non-DER) order instead of sorting them. */
  readonly unsortedAttributes?: boolean;
  readonly eContentType?: string;
  readonly signedDataVersion?: number;
  /** Corrupt the signature after signing. */
  readonly breakSignature?: boolean;
  /** Sign with another key than the TSA certificate's. */
  readonly signWith?: KeyPair;
  /** The TSA certificate the signer info names (default pki.tsa). */
  readonly signerCert?: pkijs.Certificate;
}

function sortBytes(list: Uint8Array[]): Uint8Array[] {
  return [...list].sort((a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  });
}

function attribute(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** Builds a TimeStampToken (ContentInfo DER) over `hashedMessage`. */
export async function createToken(pki: TestPki, imprint: { hashOid: string; hashedMessage: Uint8Array; nonce?: bigint }, o: TokenOptions = {}): Promise<Uint8Array> {
  const hashOid = o.hashOid ?? imprint.hashOid;
  const algorithmId = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: hashOid }), ...(o.hashParams === 'absent' ? [] : [new asn1js.Null()])] });
  const fields: asn1js.BaseBlock[] = [
    new asn1js.Integer({ value: o.tstVersion ?? 1 }),
    new asn1js.ObjectIdentifier({ value: o.policy ?? OIDS.testPolicy }),
    new asn1js.Sequence({ value: [algorithmId, new asn1js.OctetString({ valueHex: (o.hashedMessage ?? imprint.hashedMessage).slice().buffer })] }),
    new asn1js.Integer({ value: o.serial ?? 42 }),
    new asn1js.GeneralizedTime({ value: o.genTime ?? '20240618062716Z' })
  ];
  if (o.accuracy !== null) {
    const a = o.accuracy ?? { seconds: 1 };
    const parts: asn1js.BaseBlock[] = [];
    if (a.seconds !== undefined) parts.push(new asn1js.Integer({ value: a.seconds }));
    if (a.millis !== undefined) parts.push(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: new asn1js.Integer({ value: a.millis }).valueBlock.valueHexView.slice().buffer }));
    if (a.micros !== undefined) parts.push(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 1 }, valueHex: new asn1js.Integer({ value: a.micros }).valueBlock.valueHexView.slice().buffer }));
    fields.push(new asn1js.Sequence({ value: parts }));
  }
  const nonce = o.nonce === undefined ? imprint.nonce : o.nonce === null ? undefined : o.nonce;
  if (nonce !== undefined) fields.push(bigIntToInteger(nonce));
  const tstDer = new Uint8Array(new asn1js.Sequence({ value: fields }).toBER(false));

  const signerCert = o.signerCert ?? pki.tsa;
  const signingKey = o.signWith ?? pki.tsaKey;
  const signerDer = certDer(signerCert);
  const digest = async (alg: string, data: Uint8Array) => new Uint8Array(await crypto.subtle.digest(alg, data.slice().buffer));
  const attrs: pkijs.Attribute[] = [
    attribute(OIDS.contentType, new asn1js.ObjectIdentifier({ value: o.contentTypeAttribute ?? OIDS.tstInfo })),
    attribute(OIDS.messageDigest, new asn1js.OctetString({ valueHex: (o.messageDigest ?? (await digest(hashFor(signingKey.kind), tstDer))).slice().buffer }))
  ];
  if (o.signingTime) attrs.push(attribute(OIDS.signingTime, new asn1js.UTCTime({ valueDate: o.signingTime })));
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [signerCert.issuer.toSchema()] })] }),
      o.essSerial !== undefined ? new asn1js.Integer({ value: o.essSerial }) : signerCert.serialNumber
    ]
  });
  const essKind = o.essCertId ?? 'v2';
  if (essKind === 'v2') {
    const essHash = o.essHashOid === undefined || o.essHashOid === OIDS.sha256 ? 'SHA-256' : o.essHashOid === OIDS.sha384 ? 'SHA-384' : o.essHashOid === OIDS.sha512 ? 'SHA-512' : 'SHA-1';
    const certHash = o.essCertHash ?? (await digest(essHash, signerDer));
    const id: asn1js.BaseBlock[] = [];
    if (o.essHashOid !== undefined) id.push(new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: o.essHashOid })] }));
    id.push(new asn1js.OctetString({ valueHex: certHash.slice().buffer }));
    if (o.essIssuerSerial !== false) id.push(issuerSerial);
    attrs.push(attribute(OIDS.signingCertificateV2, new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: id })] })] })));
  } else if (essKind === 'v1') {
    const certHash = await digest('SHA-1', signerDer);
    const id = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash.slice().buffer }), issuerSerial] });
    attrs.push(attribute(OIDS.signingCertificate, new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [id] })] })));
  }
  // DER orders a SET OF by encoding; Go re-sorts before verifying, so a real TSA must sort too.
  let ordered = attrs;
  if (!o.unsortedAttributes) {
    const encoded = attrs.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }));
    const sorted = sortBytes(encoded.map((e) => e.der));
    ordered = sorted.map((der) => encoded.find((e) => e.der === der)!.a);
  } else {
    ordered = [...attrs].reverse();
  }

  const certs =
    o.certificates === 'none'
      ? []
      : o.certificates === 'leaf'
        ? [pki.tsa]
        : o.certificates === 'leaf-and-ca'
          ? [pki.tsa, pki.ca]
          : [pki.tsa, pki.ca, pki.root];
  const signed = new pkijs.SignedData({
    version: o.signedDataVersion ?? 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: o.eContentType ?? OIDS.tstInfo,
      eContent: new asn1js.OctetString({ valueHex: tstDer.slice().buffer })
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: signerCert.issuer, serialNumber: signerCert.serialNumber })
      })
    ],
    ...(certs.length + (o.extraCertificates?.length ?? 0) > 0 ? { certificates: [...certs, ...(o.extraCertificates ?? [])] } : {})
  });
  if (!o.noSignedAttributes) signed.signerInfos[0]!.signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: ordered });
  await signed.sign(signingKey.privateKey, 0, hashFor(signingKey.kind), tstDer.slice().buffer);
  if (o.breakSignature) {
    const sig = new Uint8Array(signed.signerInfos[0]!.signature.valueBlock.valueHexView);
    sig[sig.length - 5] = sig[sig.length - 5]! ^ 0x01;
    signed.signerInfos[0]!.signature = new asn1js.OctetString({ valueHex: sig.slice().buffer });
  }
  // pkijs writes eContent as a constructed (BER) OCTET STRING, which notation reads as "absent";
  // real TSAs send a primitive one, so put that in its place (the signature does not cover it).
  const schema = signed.toSchema(true) as asn1js.Sequence;
  // pkijs derives the version from the content type; a TSA token is always version 3 unless asked.
  schema.valueBlock.value[0] = new asn1js.Integer({ value: o.signedDataVersion ?? 3 });
  schema.valueBlock.value[2] = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: o.eContentType ?? OIDS.tstInfo }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: tstDer.slice().buffer })] })
    ]
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OIDS.signedData, content: schema });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

export interface ResponseOptions extends TokenOptions {
  /** PKIStatus (default 0 = granted). */
  readonly status?: number;
  /** failInfo bit numbers. */
  readonly failInfo?: readonly number[];
  readonly statusString?: string;
  /** Grant without a token. */
  readonly omitToken?: boolean;
}

/** Answers a DER TimeStampReq the way a TSA would, with the requested deviations. */
export async function respond(pki: TestPki, requestDer: Uint8Array, o: ResponseOptions = {}): Promise<Uint8Array> {
  const req = parseRequest(requestDer);
  const status: asn1js.BaseBlock[] = [new asn1js.Integer({ value: o.status ?? 0 })];
  if (o.statusString !== undefined) status.push(new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: o.statusString })] }));
  if (o.failInfo) {
    const max = Math.max(...o.failInfo);
    const bytes = new Uint8Array((max >> 3) + 1);
    for (const bit of o.failInfo) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
    status.push(new asn1js.BitString({ valueHex: bytes.buffer, unusedBits: 7 - (max & 7) }));
  }
  const parts: asn1js.BaseBlock[] = [new asn1js.Sequence({ value: status })];
  const granted = (o.status ?? 0) <= 1;
  if (granted && !o.omitToken) {
    const token = await createToken(pki, { hashOid: req.hashOid, hashedMessage: req.hashedMessage, ...(req.nonce !== undefined ? { nonce: req.nonce } : {}) }, o);
    parts.push(asn1js.fromBER(token.slice().buffer).result);
  }
  return new Uint8Array(new asn1js.Sequence({ value: parts }).toBER(false));
}
