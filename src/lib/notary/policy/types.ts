/**
 * The OCI trust policy (`trustpolicy.json`, version "1.0") as Signet holds it after validation.
 * Field names and order are notation's, so a document can be written back unchanged in meaning.
 * Spec digest §12.1, §12.3.
 */
import { SignetError, type SignetErrorCode } from '../../errors';

export type VerificationLevelName = 'strict' | 'permissive' | 'audit' | 'skip';
/** The five checks, in the order notation lists them. */
export type CheckType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type CheckAction = 'enforce' | 'log' | 'skip';
export type OverridableCheck = Exclude<CheckType, 'integrity'>;
export type VerifyTimestampOption = 'always' | 'afterCertExpiry';
export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

export const VERIFICATION_LEVELS: readonly VerificationLevelName[] = ['strict', 'permissive', 'audit', 'skip'];
export const CHECK_TYPES: readonly CheckType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
export const CHECK_ACTIONS: readonly CheckAction[] = ['enforce', 'log', 'skip'];
export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];
export const VERIFY_TIMESTAMP_OPTIONS: readonly VerifyTimestampOption[] = ['always', 'afterCertExpiry'];
export const WILDCARD = '*';
export const X509_SUBJECT_PREFIX = 'x509.subject';
/** The only OCI trust policy version notation v1.x knows. */
export const TRUST_POLICY_VERSION = '1.0';

export interface SignatureVerification {
  readonly level: VerificationLevelName;
  /** Present only when the document had a non-empty `override`. Insertion order = document order. */
  readonly override?: Readonly<Partial<Record<OverridableCheck, CheckAction>>>;
  readonly verifyTimestamp?: VerifyTimestampOption;
}

export interface TrustPolicyStatement {
  readonly name: string;
  readonly registryScopes: readonly string[];
  readonly signatureVerification: SignatureVerification;
  /** `type:name` entries, as written. Empty for `skip`. */
  readonly trustStores: readonly string[];
  /** `*` or `prefix:value` entries, as written. Empty for `skip`. */
  readonly trustedIdentities: readonly string[];
}

export interface TrustPolicyDocument {
  readonly version: typeof TRUST_POLICY_VERSION;
  readonly trustPolicies: readonly TrustPolicyStatement[];
}

/** Which reading step found a problem: JSON syntax, JSON-to-field types, or a notation rule. */
export type PolicyIssueStage = 'syntax' | 'type' | 'rule';

/** One problem in a trust policy, located by JSON path and, for text input, byte offset. */
export interface PolicyIssue {
  /** JSON path of the offending value as written, e.g. `$.trustPolicies[1].registryScopes[0]`. */
  readonly path: string;
  /** notation's wording of the problem. */
  readonly message: string;
  readonly stage: PolicyIssueStage;
  /** Byte offset of the offending value (or of where it should be) in the source, when known. */
  readonly offset?: number;
}

/**
 * A trust policy problem. `path` names the JSON value at fault (`$` for the whole document);
 * `offset` is its byte position when the policy was read from text.
 */
export class TrustPolicyError extends SignetError {
  readonly path: string;
  readonly stage: PolicyIssueStage;
  readonly offset?: number;

  constructor(
    issue: PolicyIssue,
    options?: { cause?: unknown; code?: Extract<SignetErrorCode, `ERR_TRUST_POLICY_${string}`> }
  ) {
    super(options?.code ?? 'ERR_TRUST_POLICY_INVALID', issue.message, options);
    this.name = 'TrustPolicyError';
    this.path = issue.path;
    this.stage = issue.stage;
    if (issue.offset !== undefined) this.offset = issue.offset;
  }
}
