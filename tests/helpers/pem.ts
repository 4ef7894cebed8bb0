/** PEM text for DER bytes (for handing keys and certificates to the notation CLI). */
import { base64Encode } from '../../src/lib/bytes';

export function toPem(der: Uint8Array | ArrayBuffer, label: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const b64 = base64Encode(der instanceof Uint8Array ? der : new Uint8Array(der));
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}
