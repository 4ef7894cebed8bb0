/**
 * Trust material as an input (never a global): the named stores a policy refers to, already
 * validated. `loadTrustCertificates` picks the stores of the type a signing scheme needs, with
 * notation-go's messages.
 */
import { SignetError } from '../../errors';
import type { SigningScheme } from '../envelope';
import { trustStoreNames } from '../policy/trust-policy';
import type { TrustStoreType } from '../policy/types';
import type { Certificate } from '../x509/certificate';

export interface TrustStoreSet {
  /** The certificates of store `type:name`; throws ERR_TRUST_STORE_INVALID when it does not exist or is invalid. */
  get(type: TrustStoreType, name: string): readonly Certificate[];
}

/**
 * A TrustStoreSet over a plain map keyed `type:name`. `failures` holds stores that exist but did
 * not validate: like notation, their error surfaces only when a policy uses them.
 */
export function trustStoreSet(
  stores: ReadonlyMap<string, readonly Certificate[]>,
  failures: ReadonlyMap<string, SignetError> = new Map()
): TrustStoreSet {
  return {
    get(type, name) {
      const failure = failures.get(`${type}:${name}`);
      if (failure) throw failure;
      const certs = stores.get(`${type}:${name}`);
      if (!certs) {
        throw new SignetError(
          'ERR_TRUST_STORE_INVALID',
          `the trust store "${name}" of type "${type}" does not exist; add its certificates to the trust store or fix the trust policy`
        );
      }
      return certs;
    }
  };
}

/** The store type whose certificates can vouch for a signature under `scheme`. */
export function storeTypeForScheme(scheme: SigningScheme): TrustStoreType {
  return scheme === 'notary.x509' ? 'ca' : 'signingAuthority';
}

/** Certificates of every `type` store the statement names (each store once, policy order). */
export function loadTrustCertificates(
  type: TrustStoreType,
  policyName: string,
  trustStores: readonly string[],
  set: TrustStoreSet
): Certificate[] {
  return trustStoreNames(policyName, trustStores, type).flatMap((name) => [...set.get(type, name)]);
}
