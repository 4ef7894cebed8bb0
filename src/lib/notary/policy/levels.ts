/**
 * Verification levels and `override`: which action (enforce, log, skip) each of the five checks
 * gets. Spec digest §12.3.
 */
import { SignetError } from '../../errors';
import { goQuote, goQuoteList } from '../go-text';
import {
  CHECK_ACTIONS,
  CHECK_TYPES,
  VERIFICATION_LEVELS,
  type CheckAction,
  type CheckType,
  type SignatureVerification,
  type VerificationLevelName
} from './types';

/** The resolved level: notation reports `custom` whenever a non-empty override is present. */
export interface ResolvedVerificationLevel {
  readonly name: VerificationLevelName | 'custom';
  /** The level the document names (what `custom` was derived from). */
  readonly base: VerificationLevelName;
  readonly actions: Readonly<Record<CheckType, CheckAction>>;
}

const BASE_ACTIONS: Readonly<Record<VerificationLevelName, Readonly<Record<CheckType, CheckAction>>>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' }
};

/** The actions of a predefined level (the table in spec digest §12.3). */
export function levelActions(level: VerificationLevelName): Readonly<Record<CheckType, CheckAction>> {
  return BASE_ACTIONS[level];
}

/** A signatureVerification as read from JSON, before its values are known to be valid. */
export interface RawSignatureVerification {
  readonly level: string;
  /** Document order; null when absent or null. */
  readonly override: ReadonlyMap<string, string> | null;
  readonly verifyTimestamp: string;
}

/** One problem with a level or override, with the key it concerns (for locating it). */
export interface LevelProblem {
  readonly message: string;
  /** `level`, `override`, or the override key at fault. */
  readonly at: { readonly field: 'level' | 'override' } | { readonly field: 'overrideKey'; readonly key: string };
}

/**
 * Every problem notation's GetVerificationLevel would report, in the order it checks them (the
 * first is the one notation reports; with several bad override keys notation's pick depends on Go
 * map order, Signet reports them in document order).
 */
export function levelProblems(sv: RawSignatureVerification): LevelProblem[] {
  if (sv.level === '') {
    return [{ message: 'signature verification level is empty or missing in the trust policy statement', at: { field: 'level' } }];
  }
  if (!(VERIFICATION_LEVELS as readonly string[]).includes(sv.level)) {
    return [{ message: `invalid signature verification level ${goQuote(sv.level)}`, at: { field: 'level' } }];
  }
  if (sv.override === null || sv.override.size === 0) return [];
  if (sv.level === 'skip') {
    return [{ message: `signature verification level ${goQuote(sv.level)} can't be used to customize signature verification`, at: { field: 'override' } }];
  }
  const problems: LevelProblem[] = [];
  for (const [key, value] of sv.override) {
    const at = { field: 'overrideKey', key } as const;
    if (!(CHECK_TYPES as readonly string[]).includes(key)) {
      problems.push({
        message: `verification type ${goQuote(key)} in custom signature verification is not supported, supported values are ${goQuoteList(CHECK_TYPES)}`,
        at
      });
    } else if (!(CHECK_ACTIONS as readonly string[]).includes(value)) {
      problems.push({
        message: `verification action ${goQuote(value)} in custom signature verification is not supported, supported values are ${goQuoteList(CHECK_ACTIONS)}`,
        at
      });
    } else if (key === 'integrity') {
      problems.push({ message: `${goQuote(key)} verification can not be overridden in custom signature verification`, at });
    } else if (key !== 'revocation' && value === 'skip') {
      problems.push({ message: `${goQuote(key)} verification can not be skipped in custom signature verification`, at });
    }
  }
  return problems;
}

/**
 * Resolves level + override into the action of each check, as notation's GetVerificationLevel.
 * Throws ERR_TRUST_POLICY_INVALID with notation's message for a level or override notation
 * rejects. Spec digest §12.3.
 */
export function resolveVerificationLevel(sv: SignatureVerification | RawSignatureVerification): ResolvedVerificationLevel {
  const raw: RawSignatureVerification =
    sv.override instanceof Map
      ? (sv as RawSignatureVerification)
      : {
          level: sv.level,
          override: sv.override ? new Map(Object.entries(sv.override as Record<string, string>)) : null,
          verifyTimestamp: sv.verifyTimestamp ?? ''
        };
  const problem = levelProblems(raw)[0];
  if (problem) throw new SignetError('ERR_TRUST_POLICY_INVALID', problem.message);
  const base = raw.level as VerificationLevelName;
  if (raw.override === null || raw.override.size === 0) return { name: base, base, actions: BASE_ACTIONS[base] };
  const actions: Record<CheckType, CheckAction> = { ...BASE_ACTIONS[base] };
  for (const [key, value] of raw.override) actions[key as CheckType] = value as CheckAction;
  return { name: 'custom', base, actions };
}
