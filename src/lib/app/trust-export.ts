/**
 * Trust material back in notation's layout: the policy as `trustpolicy.json` and the stores as a
 * zip of `truststore/x509/<type>/<name>/<file>` — unzip it into notation's configuration folder
 * (`~/.config/notation` on Linux) and notation reads the same certificates, byte for byte.
 */
import { SignetError } from '../errors';
import type { TrustMaterialData } from './trust-storage';
import { writeZip } from './zip';

export const TRUST_POLICY_FILE_NAME = 'trustpolicy.json';
export const TRUST_STORE_ZIP_NAME = 'notation-truststore.zip';

/** The zip of every stored trust store, in notation's folder layout. */
export function trustStoreZip(data: TrustMaterialData, now = new Date()): Uint8Array {
  if (data.stores.length === 0) throw new SignetError('ERR_INPUT_INVALID', 'there is no trust store to export; import or add certificates first');
  const files = data.stores.flatMap((s) => s.files.map((f) => ({ name: `truststore/x509/${s.type}/${s.name}/${f.name}`, bytes: f.bytes })));
  return writeZip(files, now);
}

/** The stored policy text, as `trustpolicy.json`. */
export function trustPolicyFile(data: TrustMaterialData | null): string {
  if (!data?.policy) throw new SignetError('ERR_INPUT_INVALID', 'there is no trust policy to export; import one or build it in the editor and save it');
  return data.policy;
}
