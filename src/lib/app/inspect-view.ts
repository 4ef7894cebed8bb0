/**
 * Everything the Inspect page and the referrer tree show about a signature: notation's inspect
 * model (tree and JSON, spec digest §14.1), the certificate chain in detail, the timestamp, the
 * signature manifest, and a one-line signer summary for the tree. Loads the envelope codecs and
 * the x509 layer, so it is imported dynamically.
 */
import { SignetError, isSignetError } from '../errors';
import { decodeEnvelope, sniffEnvelopeMediaType, type EnvelopeMediaType } from '../notary/envelope';
import { formatInspectJson, inspectEnvelope, type InspectSignature } from '../notary/inspect';
import { parseSignatureManifest } from '../notary/signature-manifest';
import { formatAnsic, formatRfc3339 } from '../notary/time';
import { describeTimestamp } from '../notary/timestamp/describe';
import { MediaType } from '../oci/media-types';
import { Annotation } from '../oci/media-types';
import type { Descriptor } from '../oci/descriptor';
import type { Repository } from '../registry/repository';
import { parseCertificate, OID, type Certificate } from '../notary/x509/certificate';
import { fetchSignatureEnvelope } from './signatures';
import type { SignerSummary } from './discover';
import type { TreeItem } from './tree';

export { renderTreeText, type TreeItem } from './tree';

export interface CertificateDetails {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256Fingerprint: string;
  /** `RSA 3072`, `EC P-256`. */
  readonly publicKey: string;
  readonly signatureAlgorithm: string;
  readonly isCA: boolean;
  readonly selfIssued: boolean;
  readonly keyUsage: readonly string[];
  readonly extendedKeyUsage: readonly string[];
  /** Where it sits in the chain: `leaf`, `intermediate`, `root`. */
  readonly role: 'leaf' | 'intermediate' | 'root';
  /** Valid now, expired, or not yet valid. */
  readonly validity: 'valid' | 'expired' | 'not yet valid';
}

export interface InspectedSignature {
  readonly mediaType: EnvelopeMediaType;
  readonly inspect: InspectSignature;
  /** notation inspect -o json for this one signature of `reference`. */
  readonly json: string;
  readonly tree: TreeItem;
  readonly chain: readonly CertificateDetails[];
}

const EKU_NAMES: Readonly<Record<string, string>> = {
  [OID.ekuServerAuth]: 'serverAuth',
  [OID.ekuClientAuth]: 'clientAuth',
  [OID.ekuCodeSigning]: 'codeSigning',
  [OID.ekuEmailProtection]: 'emailProtection',
  [OID.ekuTimeStamping]: 'timeStamping',
  [OID.ekuOcspSigning]: 'OCSPSigning'
};

export function certificateDetails(cert: Certificate, index: number, length: number, now = new Date()): CertificateDetails {
  const key = cert.publicKey;
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: formatRfc3339(cert.notBefore),
    notAfter: formatRfc3339(cert.notAfter),
    sha256Fingerprint: cert.sha256Fingerprint,
    publicKey: key.keyType === 'EC' ? `EC ${key.curve ?? key.keySize}` : `${key.keyType} ${key.keySize}`,
    signatureAlgorithm: cert.signatureAlgorithm.name,
    isCA: cert.isCA,
    selfIssued: cert.isSelfIssued,
    keyUsage: cert.keyUsage?.usages ?? [],
    extendedKeyUsage: (cert.extendedKeyUsage?.oids ?? []).map((o) => EKU_NAMES[o] ?? o),
    role: index === 0 ? 'leaf' : index === length - 1 && cert.isSelfIssued ? 'root' : 'intermediate',
    validity: now < cert.notBefore ? 'not yet valid' : now > cert.notAfter ? 'expired' : 'valid'
  };
}

function ansic(rfc3339: string): string {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : formatAnsic(d);
}

function mapItems(map: Record<string, string> | null, times: readonly string[] = []): TreeItem[] {
  const entries = Object.entries(map ?? {});
  if (entries.length === 0) return [{ label: '(empty)' }];
  return entries.map(([k, v]) => ({ label: k, value: times.includes(k) ? ansic(v) : v }));
}

function certItems(certs: InspectSignature['certificates']): TreeItem {
  return {
    label: 'certificates',
    children: certs.map((c) => ({
      label: 'SHA256 fingerprint',
      value: c.SHA256Fingerprint,
      children: [
        { label: 'issued to', value: c.issuedTo },
        { label: 'issued by', value: c.issuedBy },
        { label: 'expiry', value: ansic(c.expiry) }
      ]
    }))
  };
}

/** The tree `notation inspect` prints for one signature (v1.3.2 layout). */
export function inspectTree(s: InspectSignature): TreeItem {
  const unsigned: TreeItem[] = [];
  if (s.unsignedAttributes.signingAgent) unsigned.push({ label: 'signingAgent', value: s.unsignedAttributes.signingAgent });
  const ts = s.unsignedAttributes.timestampSignature;
  if (ts) {
    unsigned.push({
      label: 'timestamp signature',
      children: ts.error ? [{ label: 'error', value: ts.error }] : [{ label: 'timestamp', value: ts.timestamp ?? '' }, certItems(ts.certificates ?? [])]
    });
  }
  return {
    label: s.digest ?? '(signature file)',
    children: [
      { label: 'media type', value: s.mediaType },
      { label: 'signature algorithm', value: s.signatureAlgorithm },
      { label: 'signed attributes', children: mapItems(s.signedAttributes, ['signingTime', 'expiry']) },
      { label: 'user defined attributes', children: mapItems(s.userDefinedAttributes) },
      { label: 'unsigned attributes', children: unsigned.length > 0 ? unsigned : [{ label: '(empty)' }] },
      certItems(s.certificates),
      {
        label: 'signed artifact',
        children: [
          { label: 'media type', value: s.signedArtifact.mediaType },
          { label: 'digest', value: s.signedArtifact.digest },
          { label: 'size', value: String(s.signedArtifact.size) }
        ]
      }
    ]
  };
}

/**
 * Decodes and describes an envelope: notation's inspect model (with the timestamp), its tree and
 * JSON, and the certificate chain in detail. `reference` titles the JSON (notation prints the
 * artifact's media type there; for a file it is the envelope's).
 */
export async function inspectSignature(
  bytes: Uint8Array,
  mediaType: string,
  options: { digest?: string; artifactMediaType?: string; now?: Date } = {}
): Promise<InspectedSignature> {
  const inspect = await inspectEnvelope(bytes, mediaType, {
    ...(options.digest ? { digest: options.digest } : {}),
    describeTimestamp: (token, signature) => describeTimestamp(token, signature, 'json')
  });
  const envelope = decodeEnvelope(bytes, mediaType);
  const chain: CertificateDetails[] = [];
  for (let i = 0; i < envelope.certificateChain.length; i++) {
    const cert = await parseCertificate(envelope.certificateChain[i]!, `certificate chain [${i}]`);
    chain.push(certificateDetails(cert, i, envelope.certificateChain.length, options.now));
  }
  const json = formatInspectJson({ mediaType: options.artifactMediaType ?? inspect.signedArtifact.mediaType, Signatures: [inspect] });
  return { mediaType: envelope.mediaType, inspect, json, tree: inspectTree(inspect), chain };
}

/** The envelope media type of a signature file: from its name (.jws.sig/.cose.sig), else by sniffing. */
export function signatureFileMediaType(bytes: Uint8Array, fileName: string): EnvelopeMediaType {
  const mediaType = sniffEnvelopeMediaType(bytes, fileName);
  if (!mediaType) {
    throw new SignetError(
      'ERR_ENVELOPE_UNSUPPORTED',
      `${fileName} is neither a COSE (CBOR tag 18) nor a JWS (JSON) signature envelope; name signature files <name>.cose.sig or <name>.jws.sig`
    );
  }
  return mediaType;
}

export interface ManifestView {
  readonly shape: 'artifactType' | 'legacy config media type';
  readonly mediaType: string;
  readonly subject?: Descriptor;
  readonly envelope: Descriptor;
  readonly annotations: Readonly<Record<string, string>>;
  /** SHA-256 thumbprints of the signing chain, from the manifest annotation. */
  readonly thumbprints: readonly string[];
  readonly created?: string;
  readonly json: string;
}

/** A signature manifest read with notation's rules, for display. */
export function describeSignatureManifest(bytes: Uint8Array): ManifestView {
  const { manifest, envelope } = parseSignatureManifest(bytes);
  const annotations = manifest.annotations ?? {};
  let thumbprints: string[] = [];
  const raw = annotations[Annotation.thumbprintS256];
  if (raw !== undefined) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (Array.isArray(parsed)) thumbprints = parsed.filter((t): t is string => typeof t === 'string');
    } catch {
      thumbprints = [];
    }
  }
  let json: string;
  try {
    json = JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 2);
  } catch {
    json = new TextDecoder().decode(bytes);
  }
  return {
    shape: manifest.artifactType === MediaType.notarySignature ? 'artifactType' : 'legacy config media type',
    mediaType: manifest.mediaType,
    ...(manifest.subject ? { subject: manifest.subject } : {}),
    envelope,
    annotations,
    thumbprints,
    ...(annotations[Annotation.created] ? { created: annotations[Annotation.created] } : {}),
    json
  };
}

/** The signer line of a referrer-tree signature node; never throws for a bad signature. */
export async function summarizeRegistrySignature(repo: Repository, manifest: Descriptor): Promise<SignerSummary> {
  try {
    const { envelope, mediaType } = await fetchSignatureEnvelope(repo, manifest);
    const decoded = decodeEnvelope(envelope, mediaType);
    const leafDer = decoded.certificateChain[0];
    if (!leafDer) return { envelopeMediaType: mediaType, error: 'the envelope carries no certificate' };
    const leaf = await parseCertificate(leafDer, 'signing certificate');
    return {
      subject: leaf.subject,
      issuer: leaf.issuer,
      signingTime: decoded.signedAttributes.signingTimeText ?? formatRfc3339(decoded.signedAttributes.signingTime),
      envelopeMediaType: mediaType
    };
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return { error: e.message };
  }
}

/** Fetches a registry signature and inspects it (for the Inspect page's ?ref=…&signature=…). */
export async function inspectRegistrySignature(repo: Repository, manifest: Descriptor, artifactMediaType?: string): Promise<InspectedSignature & { manifest: ManifestView }> {
  const { envelope, mediaType, manifestBytes } = await fetchSignatureEnvelope(repo, manifest);
  const inspected = await inspectSignature(envelope, mediaType, { digest: manifest.digest, ...(artifactMediaType ? { artifactMediaType } : {}) });
  return { ...inspected, manifest: describeSignatureManifest(manifestBytes) };
}
