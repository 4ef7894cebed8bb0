/**
 * Reads notation's trust store folder (`<dir>/x509/<type>/<name>/<files>`, or the folder that holds
 * `truststore/`) into a TrustStoreSet, validating each store as notation does. Node only.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSignetError, SignetError } from '../lib/errors';
import { TRUST_STORE_TYPES, validateTrustStore, type TrustStoreFile } from '../lib/notary/trust-store';
import { trustStoreSet, type TrustStoreSet } from '../lib/notary/verify/trust-stores';
import type { Certificate } from '../lib/notary/x509/certificate';

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export async function loadTrustStoreDir(dir: string): Promise<TrustStoreSet> {
  let x509 = join(dir, 'x509');
  if (!(await exists(x509)) && (await exists(join(dir, 'truststore', 'x509')))) x509 = join(dir, 'truststore', 'x509');
  if (!(await exists(x509))) {
    throw new SignetError('ERR_TRUST_STORE_INVALID', `${dir} is not a notation trust store folder: expected ${join(dir, 'x509')}/<ca|signingAuthority|tsa>/<store>/`);
  }
  const stores = new Map<string, Certificate[]>();
  const failures = new Map<string, SignetError>();
  for (const type of TRUST_STORE_TYPES) {
    const typeDir = join(x509, type);
    if (!(await exists(typeDir))) continue;
    for (const name of await readdir(typeDir)) {
      const storeDir = join(typeDir, name);
      const files: TrustStoreFile[] = [];
      const stat = await lstat(storeDir);
      if (!stat.isDirectory()) continue;
      for (const entry of (await readdir(storeDir)).sort()) {
        const s = await lstat(join(storeDir, entry));
        if (s.isSymbolicLink()) files.push({ name: entry, kind: 'symlink' });
        else if (s.isDirectory()) files.push({ name: entry, kind: 'directory' });
        else files.push({ name: entry, bytes: new Uint8Array(await readFile(join(storeDir, entry))) });
      }
      try {
        const validated = await validateTrustStore({ type, name, files });
        stores.set(`${type}:${name}`, [...validated.certificates]);
      } catch (e) {
        if (!isSignetError(e)) throw e;
        failures.set(`${type}:${name}`, e);
      }
    }
  }
  return trustStoreSet(stores, failures);
}
