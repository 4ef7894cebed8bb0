/** The tree `notation inspect` prints (v1.3.2 layout), built from Signet's inspect model. */
import type { InspectCertificate, InspectSignature } from '../lib/notary/inspect';
import { MediaType } from '../lib/oci/media-types';
import { formatAnsic } from '../lib/notary/time';
import { TreeNode } from './tree';

function ansic(rfc3339: string): string {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : formatAnsic(d);
}

function addMap(node: TreeNode, map: Record<string, string> | null, times: readonly string[] = []): void {
  const entries = Object.entries(map ?? {});
  if (entries.length === 0) node.add('(empty)');
  for (const [k, v] of entries) node.addPair(k, times.includes(k) ? ansic(v) : v);
}

function addCertificates(node: TreeNode, certs: InspectCertificate[]): void {
  const list = node.add('certificates');
  for (const c of certs) {
    const n = list.addPair('SHA256 fingerprint', c.SHA256Fingerprint);
    n.addPair('issued to', c.issuedTo);
    n.addPair('issued by', c.issuedBy);
    n.addPair('expiry', ansic(c.expiry));
  }
}

export function renderInspectTree(reference: string, signatures: InspectSignature[]): string {
  if (signatures.length === 0) return `${reference} has no associated signature`;
  const root = new TreeNode(reference);
  const sigs = root.add(MediaType.notarySignature);
  for (const s of signatures) {
    const node = sigs.add(s.digest ?? '(signature file)');
    node.addPair('media type', s.mediaType);
    node.addPair('signature algorithm', s.signatureAlgorithm);
    addMap(node.add('signed attributes'), s.signedAttributes, ['signingTime', 'expiry']);
    addMap(node.add('user defined attributes'), s.userDefinedAttributes);
    const unsigned = node.add('unsigned attributes');
    if (s.unsignedAttributes.signingAgent) unsigned.addPair('signingAgent', s.unsignedAttributes.signingAgent);
    const ts = s.unsignedAttributes.timestampSignature;
    if (ts) {
      const tsNode = unsigned.add('timestamp signature');
      if (ts.error) tsNode.addPair('error', ts.error);
      else {
        tsNode.addPair('timestamp', ts.timestamp ?? '');
        addCertificates(tsNode, ts.certificates ?? []);
      }
    }
    addCertificates(node, s.certificates);
    const artifact = node.add('signed artifact');
    artifact.addPair('media type', s.signedArtifact.mediaType);
    artifact.addPair('digest', s.signedArtifact.digest);
    artifact.addPair('size', String(s.signedArtifact.size));
  }
  return `Inspecting all signatures for signed artifact\n${root.render()}`;
}
