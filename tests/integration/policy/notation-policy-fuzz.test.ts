/**
 * Differential test: seeded random trust policies (awkward building blocks, and raw-text
 * mutations of a valid file) through the real `notation policy import` and through Signet; the
 * verdicts and the messages must agree on every sample. The seed is fixed so a failure
 * reproduces; POLICY_FUZZ_RUNS / POLICY_FUZZ_SEED widen the search locally.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTrustPolicy } from '../../../src/lib/notary/policy/trust-policy';
import type { PolicyIssue } from '../../../src/lib/notary/policy/types';
import { mapLimit, notationBinary, withNotationHome } from '../../helpers/notation';
import { mutatedText, policyDocument } from './policy-fuzz';

const RUNS = Number(process.env['POLICY_FUZZ_RUNS'] ?? 250);
const SEED = Number(process.env['POLICY_FUZZ_SEED'] ?? 20260218);

/** notation picks among several override or duplicate-scope errors in Go map order. */
function messageMayVary(issues: readonly PolicyIssue[]): boolean {
  const first = issues[0];
  if (!first) return false;
  if (first.message.includes('in custom signature verification')) {
    const statement = first.path.slice(0, first.path.indexOf('.signatureVerification'));
    return issues.filter((i) => i.path.startsWith(statement + '.signatureVerification.override')).length > 1;
  }
  if (first.message.includes('is present in multiple trust policy statements')) {
    return issues.filter((i) => i.message.includes('is present in multiple trust policy statements')).length > 1;
  }
  return false;
}

async function compare(texts: readonly string[]): Promise<string[]> {
  notationBinary();
  const mismatches: string[] = [];
  await mapLimit(texts, 4, async (text) => {
    const r = await withNotationHome((home) => home.importTrustPolicy(text));
    const notationError = r.stderr
      .split('\n')
      .find((l) => l.startsWith('Error: '))
      ?.slice('Error: '.length);
    const check = checkTrustPolicy(new TextEncoder().encode(text));
    const first = check.issues[0];
    const signetError = first
      ? (first.stage === 'rule' ? 'failed to validate trust policy: ' : 'failed to parse trust policy configuration: ') + first.message
      : undefined;
    const sameVerdict = (r.code === 0) === (check.document !== null);
    const sameMessage = r.code === 0 || messageMayVary(check.issues) || notationError === signetError;
    if (!sameVerdict || !sameMessage) {
      mismatches.push(`${JSON.stringify(text)}\n  notation: ${r.code === 0 ? 'accept' : notationError}\n  signet:   ${signetError ?? 'accept'}`);
    }
  });
  return mismatches;
}

describe('random trust policies: Signet agrees with `notation policy import`', () => {
  it(`documents from awkward building blocks (${RUNS}, seed ${SEED})`, async () => {
    const texts = fc.sample(policyDocument, { seed: SEED, numRuns: RUNS });
    const mismatches = await compare(texts);
    const accepted = texts.filter((t) => checkTrustPolicy(t).document !== null).length;
    console.log(`building-block documents: ${texts.length} compared, ${accepted} accepted, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
    // The generator must exercise both verdicts, or the comparison says little.
    expect(accepted).toBeGreaterThan(5);
    expect(accepted).toBeLessThan(texts.length);
  });

  it(`raw-text mutations of a valid file (${RUNS}, seed ${SEED})`, async () => {
    const texts = fc.sample(mutatedText, { seed: SEED, numRuns: RUNS });
    const mismatches = await compare(texts);
    const accepted = texts.filter((t) => checkTrustPolicy(t).document !== null).length;
    console.log(`mutated texts: ${texts.length} compared, ${accepted} accepted, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });
});
