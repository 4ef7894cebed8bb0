/**
 * Trust material ready for verification: the stored (or shared) plain data validated by the core —
 * the policy with parseTrustPolicy, each named store with validateTrustStore, as notation does when
 * it loads its folders — plus the conversions share links need. Loads pkijs through the x509
 * layer, so pages import this module dynamically.
 */
import { isSignetError, SignetError } from '../errors';
import { selectTrustPolicy } from '../notary/policy/scope';
import { formatTrustPolicy, parseTrustPolicy } from '../notary/policy/trust-policy';
import type { TrustPolicyDocument, TrustPolicyStatement } from '../notary/policy/types';
import { validateTrustStore } from '../notary/trust-store';
import { trustStoreSet, type TrustStoreSet } from '../notary/verify/trust-stores';
import type { Certificate } from '../notary/x509/certificate';
import { certificateFromShare, certificateToShare, SHARE_VERSION, type SharePayload, type ShareTrustStore } from './share';
import { TRUST_MATERIAL_SCHEMA, type TrustMaterialData, type TrustStoreKind } from './trust-storage';

/** Whose trust material a verification used. */
export type TrustSource =
  | { readonly kind: 'stored'; readonly updatedAt: string; readonly label?: string }
  | { readonly kind: 'share'; readonly createdAt: string; readonly createdBy?: string }
  | { readonly kind: 'bundle'; readonly fileName: string; readonly createdAt: string; readonly createdBy?: string };

export interface LoadedTrustStore {
  readonly type: TrustStoreKind;
  readonly name: string;
  readonly certificates: readonly Certificate[];
}

export interface LoadedTrustMaterial {
  readonly source: TrustSource;
  readonly policy: TrustPolicyDocument | null;
  /** Why the policy could not be used (notation's message), when it could not. */
  readonly policyError?: SignetError;
  readonly stores: readonly LoadedTrustStore[];
  /** Stores that did not validate; like notation, their error surfaces when a policy uses them. */
  readonly storeErrors: readonly { readonly type: TrustStoreKind; readonly name: string; readonly error: SignetError }[];
  readonly trustStores: TrustStoreSet;
}

/** The source of material stored in this browser. */
export function storedSource(data: TrustMaterialData): TrustSource {
  return { kind: 'stored', updatedAt: data.updatedAt, ...(data.label ? { label: data.label } : {}) };
}

/** Validates plain trust material with the core. Never throws for bad material: problems are reported. */
export async function loadTrustMaterial(data: TrustMaterialData, source: TrustSource): Promise<LoadedTrustMaterial> {
  let policy: TrustPolicyDocument | null = null;
  let policyError: SignetError | undefined;
  if (data.policy !== null) {
    try {
      policy = parseTrustPolicy(data.policy);
    } catch (e) {
      if (!isSignetError(e)) throw e;
      policyError = e;
    }
  }
  const stores: LoadedTrustStore[] = [];
  const storeErrors: { type: TrustStoreKind; name: string; error: SignetError }[] = [];
  const byKey = new Map<string, Certificate[]>();
  const failures = new Map<string, SignetError>();
  for (const store of data.stores) {
    try {
      const validated = await validateTrustStore({ type: store.type, name: store.name, files: store.files });
      stores.push({ type: store.type, name: store.name, certificates: validated.certificates });
      byKey.set(`${store.type}:${store.name}`, [...validated.certificates]);
    } catch (e) {
      if (!isSignetError(e)) throw e;
      storeErrors.push({ type: store.type, name: store.name, error: e });
      failures.set(`${store.type}:${store.name}`, e);
    }
  }
  return { source, policy, ...(policyError ? { policyError } : {}), stores, storeErrors, trustStores: trustStoreSet(byKey, failures) };
}

/** The plain trust material a share link carries (certificates become one file each). */
export function shareToTrustMaterial(payload: SharePayload): TrustMaterialData {
  return {
    schema: TRUST_MATERIAL_SCHEMA,
    policy: JSON.stringify(payload.policy),
    stores: payload.stores.map((s) => ({
      type: s.type,
      name: s.name,
      files: s.certificates.map((c, i) => ({ name: `shared-${String(i + 1).padStart(2, '0')}.crt`, bytes: certificateFromShare(c) }))
    })),
    updatedAt: payload.createdAt
  };
}

/** The statement that applies to a pinned reference, or the error notation would give. */
export function applicableStatement(material: LoadedTrustMaterial, pinnedReference: string): TrustPolicyStatement {
  if (!material.policy) {
    throw material.policyError ?? new SignetError('ERR_TRUST_POLICY_INVALID', 'no trust policy has been imported yet: add one on the Trust page, or open a share link that carries one');
  }
  return selectTrustPolicy(material.policy, pinnedReference);
}

/**
 * Share content reproducing a verification of `pinnedReference`: only the statement that applies
 * to it and only the stores that statement names (a link must not leak unrelated trust material,
 * and must stay short).
 */
export function sharePayloadFor(
  material: LoadedTrustMaterial,
  pinnedReference: string,
  options: { tag?: string; createdBy?: string; now?: Date } = {}
): SharePayload {
  const statement = applicableStatement(material, pinnedReference);
  const policy = JSON.parse(formatTrustPolicy({ version: '1.0', trustPolicies: [statement] })) as unknown;
  const stores: ShareTrustStore[] = [];
  for (const entry of statement.trustStores) {
    const colon = entry.indexOf(':');
    const type = entry.slice(0, colon);
    const name = entry.slice(colon + 1);
    const store = material.stores.find((s) => s.type === type && s.name === name);
    if (!store || stores.some((s) => s.type === store.type && s.name === store.name)) continue;
    stores.push({ type: store.type, name: store.name, certificates: store.certificates.map((c) => certificateToShare(c.der)) });
  }
  return {
    v: SHARE_VERSION,
    reference: pinnedReference,
    ...(options.tag ? { tag: options.tag } : {}),
    policy,
    stores,
    createdAt: (options.now ?? new Date()).toISOString(),
    ...(options.createdBy ? { createdBy: options.createdBy } : {})
  };
}
