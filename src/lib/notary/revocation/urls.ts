/**
 * Where a certificate says its revocation status can be found: OCSP responders from the Authority
 * Information Access extension and CRL distribution points (RFC 5280 §4.2.2.1, §4.2.1.13).
 * Malformed extensions yield no URLs (Go's parser would have rejected the certificate already).
 */
import { utf8Decode } from '../../bytes';
import type { Certificate } from '../x509/certificate';
import { childrenOf, decodeOne, isContext, readOid, type DerNode } from '../x509/der';

const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CDP = '2.5.29.31';
const OID_OCSP = '1.3.6.1.5.5.7.48.1';
const GENERAL_NAME_URI = 6;

function uri(node: DerNode | undefined): string | undefined {
  if (!isContext(node, GENERAL_NAME_URI) || node.constructed) return undefined;
  try {
    return utf8Decode(node.content, 'URI');
  } catch {
    return undefined;
  }
}

function extension(cert: Certificate, oid: string): Uint8Array | undefined {
  return cert.extensions.find((e) => e.oid === oid)?.value;
}

export function ocspUrls(cert: Certificate): string[] {
  const value = extension(cert, OID_AIA);
  if (!value) return [];
  try {
    const out: string[] = [];
    for (const description of childrenOf(decodeOne(value))) {
      const [method, location] = childrenOf(description);
      if (readOid(method, 'accessMethod') !== OID_OCSP) continue;
      const u = uri(location);
      if (u) out.push(u);
    }
    return out;
  } catch {
    return [];
  }
}

export function crlUrls(cert: Certificate): string[] {
  const value = extension(cert, OID_CDP);
  if (!value) return [];
  try {
    const out: string[] = [];
    for (const point of childrenOf(decodeOne(value))) {
      const name = childrenOf(point).find((n) => isContext(n, 0));
      if (!name) continue;
      const fullName = childrenOf(name).find((n) => isContext(n, 0));
      if (!fullName) continue;
      for (const general of childrenOf(fullName)) {
        const u = uri(general);
        if (u) out.push(u);
      }
    }
    return out;
  } catch {
    return [];
  }
}

/** True when the certificate names any OCSP responder or CRL distribution point. */
export function hasRevocationInfo(cert: Certificate): boolean {
  return ocspUrls(cert).length > 0 || crlUrls(cert).length > 0;
}
