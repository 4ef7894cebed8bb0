import { describe, expect, it } from 'vitest';
import { artifactAdvice, checkAdvice, checkStatus, describeError, ERROR_ADVICE, failureAdvice } from '../../../src/lib/app/messages';
import { SignetError } from '../../../src/lib/errors';
import type { CheckResult } from '../../../src/lib/notary/verify/result';

describe('messages', () => {
  // Completeness is the type checker's job (ERROR_ADVICE is a Record over SignetErrorCode).
  it('has a title and an actionable sentence for every error code', () => {
    const entries = Object.entries(ERROR_ADVICE);
    for (const [code, a] of entries) {
      expect(code).toMatch(/^ERR_[A-Z0-9_]+$/);
      expect(a.title.length, code).toBeGreaterThan(3);
      expect(a.advice, code).toMatch(/^[A-Z].*[.)]$/);
    }
  });

  it('describes SignetErrors with their advice, and a CORS refusal under the registry wrapper', () => {
    const d = describeError(new SignetError('ERR_REGISTRY_NAME_UNKNOWN', 'repository team/app not found'));
    expect(d).toEqual({
      code: 'ERR_REGISTRY_NAME_UNKNOWN',
      title: 'Repository not found',
      message: 'repository team/app not found',
      advice: 'Check the registry and repository names (they are case-sensitive) and that you are signed in to private repositories.'
    });
    const cors = new SignetError('ERR_REGISTRY_CORS', '127.0.0.1:5000 answered, but …');
    const wrapped = describeError(new SignetError('ERR_REGISTRY_UNREACHABLE', 'Could not reach http://127.0.0.1:5000', { cause: cors }));
    expect(wrapped.code).toBe('ERR_REGISTRY_CORS');
    expect(wrapped.advice).toContain('This registry sends no CORS headers: enable the proxy in Settings');
    expect(describeError(new RangeError('boom'))).toMatchObject({ code: 'ERR_UNEXPECTED', message: 'RangeError: boom' });
    expect(describeError('text')).toMatchObject({ code: 'ERR_UNEXPECTED', message: 'text' });
  });

  const failed = (type: CheckResult['type'], message: string, action: CheckResult['action'] = 'enforce'): CheckResult => ({ type, action, outcome: 'failed', message });

  it("gives each failed check a fix that fits notation's message", () => {
    expect(checkAdvice(failed('authenticity', "the signature's certificate chain does not contain any trusted certificate"), { trustStores: ['ca:acme'] })).toBe(
      "None of the signer's certificates is in the trust stores your policy names (ca:acme). If you trust the signer's CA, add its root certificate to one of those stores on the Trust page (inspect the signature to see the chain)."
    );
    expect(
      checkAdvice(failed('authenticity', 'signing certificate from the digital signature does not match the X.509 trusted identities [map[CN:x]] defined in the trust policy "p"'))
    ).toMatch(/not among the policy's trustedIdentities/);
    expect(checkAdvice(failed('authenticity', 'the trust store "x" of type "ca" does not exist; add its certificates'))).toMatch(/does not exist: create it/);
    expect(checkAdvice(failed('expiry', 'digital signature has expired on "Mon, 02 Jan 2006 15:04:05 +0000"'))).toMatch(/notation sign --expiry/);
    expect(checkAdvice(failed('revocation', 'signing certificate with subject "CN=x" is revoked'))).toMatch(/^A certificate in the signer's chain is revoked/);
    expect(checkAdvice(failed('revocation', 'signing certificate with subject "CN=x" revocation status is unknown'))).toMatch(/enable the CORS proxy in Settings/);
    expect(checkAdvice(failed('authenticTimestamp', 'verification time is after certificate "CN=x" validity period, it was expired at …'))).toMatch(/--timestamp-url/);
    expect(checkAdvice(failed('integrity', 'signature is invalid'))).toMatch(/do not trust it/);
    expect(checkAdvice({ type: 'expiry', action: 'enforce', outcome: 'passed' })).toBeUndefined();
  });

  it('tells enforced failures from logged warnings', () => {
    expect(checkStatus(failed('expiry', 'x'))).toBe('failed');
    expect(checkStatus(failed('expiry', 'x', 'log'))).toBe('warning');
    expect(checkStatus({ type: 'revocation', action: 'skip', outcome: 'skipped' })).toBe('skipped');
  });

  it('advises on failures that are not checks and on artifact-level verdicts', () => {
    const base = { verified: false, level: 'strict', checks: [] };
    expect(failureAdvice({ ...base, failure: { message: 'content descriptor mismatch', code: 'ERR_DESCRIPTOR_MISMATCH' } })).toMatch(/names another artifact/);
    expect(failureAdvice({ ...base, failure: { message: 'x', code: 'ERR_VERIFICATION_INCONCLUSIVE' } })).toMatch(/plugin/);
    expect(failureAdvice({ ...base, failure: { check: 'expiry', message: 'expired' } })).toMatch(/later expiry/);
    expect(artifactAdvice('no signature is associated with "r@d", make sure the artifact was signed successfully', false)).toMatch(/^Sign the artifact/);
    expect(artifactAdvice('Successfully verified signature for r@d', true)).toBeUndefined();
  });
});
