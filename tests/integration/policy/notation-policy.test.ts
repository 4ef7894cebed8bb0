/**
 * Signet's trust policy reading, selection and identity matching against the REAL notation
 * v1.3.2 CLI, case by case:
 * 1. validation: every policy in policy-cases.ts through `notation policy import` (the command
 *    that runs notation's full JSON decoding + Validate) and through Signet: same verdict, and
 *    the same message (notation prints Signet's message verbatim after its prefix);
 * 2. where `notation verify` reads a policy differently from `import` (trailing data);
 * 3. selection: `notation verify --oci-layout … --scope <scope>` on policies with skip / `*` /
 *    exact statements, against selectTrustPolicy;
 * 4. identities: openssl-made certificates with awkward subjects sign an OCI layout with
 *    `notation sign`; `notation verify` with each trusted identity vs matchTrustedIdentities on the
 *    subject Signet's x509 module reads from the same certificate.
 * Each notation run gets its own temporary configuration directory; runs go 4 at a time.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSignetError } from '../../../src/lib/errors';
import { goSubjectString, matchTrustedIdentities } from '../../../src/lib/notary/policy/identity';
import { selectTrustPolicy } from '../../../src/lib/notary/policy/scope';
import { checkTrustPolicy, formatTrustPolicy, parseTrustPolicy } from '../../../src/lib/notary/policy/trust-policy';
import { parseCertificates } from '../../../src/lib/notary/x509/certificate';
import { mapLimit, NotationHome, notationBinary, runProcess, withNotationHome, writeMinimalOciLayout } from '../../helpers/notation';
import { POLICY_CASES, type PolicyCase, type Verdict } from './policy-cases';

const PARALLEL = 4;

/** The first `Error: …` line notation printed, without the prefix. */
function errorLine(stderr: string): string | undefined {
  return stderr
    .split('\n')
    .find((l) => l.startsWith('Error: '))
    ?.slice('Error: '.length);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

describe('trust policy validation: Signet vs `notation policy import`', () => {
  interface Row {
    readonly c: PolicyCase;
    readonly notation: Verdict;
    readonly notationError: string | undefined;
    readonly signet: Verdict;
    readonly signetExpectedLine: string | undefined;
    readonly path: string | undefined;
  }
  let rows: Row[] = [];

  beforeAll(async () => {
    notationBinary(); // fail loudly, with install advice, before anything else
    rows = await mapLimit(POLICY_CASES, PARALLEL, async (c) => {
      const result = await withNotationHome((home) => home.importTrustPolicy(c.text));
      expect(result.timedOut, `${c.id}: notation timed out`).toBe(false);
      const check = checkTrustPolicy(new TextEncoder().encode(c.text));
      const first = check.issues[0];
      const prefix = first?.stage === 'rule' ? 'failed to validate trust policy: ' : 'failed to parse trust policy configuration: ';
      return {
        c,
        notation: result.code === 0 ? 'accept' : 'reject',
        notationError: errorLine(result.stderr),
        signet: check.document ? 'accept' : 'reject',
        signetExpectedLine: first ? prefix + first.message : undefined,
        path: first?.path
      } satisfies Row;
    });
  });

  afterAll(() => {
    const printed = rows.map((r) => [
      r.c.id,
      r.c.expected,
      r.notation,
      r.signet,
      r.notation === 'reject' ? (r.notationError === r.signetExpectedLine ? 'same' : r.c.messageVaries ? 'varies' : 'DIFFERENT') : '',
      r.path ?? ''
    ]);
    console.log(
      `\nTrust policy validation, ${rows.length} cases (notation ${'v1.3.2'} policy import vs Signet):\n` +
        table(['case', 'expected', 'notation', 'signet', 'message', 'signet path'], printed)
    );
  });

  it('covers at least 30 cases', () => {
    expect(POLICY_CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(POLICY_CASES.map((c) => c.id)).size).toBe(POLICY_CASES.length);
  });

  it.each(POLICY_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const row = rows.find((r) => r.c === c)!;
    expect(row, 'case was run').toBeDefined();
    expect(row.notation, `notation verdict (stderr: ${row.notationError})`).toBe(c.expected);
    expect(row.signet, `Signet verdict (first issue: ${row.signetExpectedLine})`).toBe(row.notation);
    if (row.notation === 'reject' && !c.messageVaries) expect(row.signetExpectedLine).toBe(row.notationError);
    if (row.notation === 'reject' && c.messageVaries) expect(row.notationError).toBeDefined();
  });

  it('exports every accepted policy so that notation imports it and shows it back unchanged', async () => {
    const accepted = rows.filter((r) => r.signet === 'accept');
    expect(accepted.length).toBeGreaterThan(20);
    await mapLimit(accepted, PARALLEL, (r) =>
      withNotationHome(async (home) => {
        const exported = formatTrustPolicy(parseTrustPolicy(r.c.text));
        const imported = await home.importTrustPolicy(exported);
        expect(imported.code, `${r.c.id}: ${imported.stderr}`).toBe(0);
        const shown = await home.run(['policy', 'show']);
        expect(shown.stdout, r.c.id).toBe(exported);
        expect(shown.stderr, r.c.id).toBe('');
        expect(parseTrustPolicy(shown.stdout), r.c.id).toEqual(parseTrustPolicy(r.c.text));
      })
    );
  });

  it('throws TrustPolicyError with the same message from parseTrustPolicy', () => {
    for (const row of rows.filter((r) => r.notation === 'reject' && !r.c.messageVaries)) {
      let thrown: unknown;
      try {
        parseTrustPolicy(row.c.text);
      } catch (e) {
        thrown = e;
      }
      expect(isSignetError(thrown, 'ERR_TRUST_POLICY_INVALID'), row.c.id).toBe(true);
      expect(row.notationError!.endsWith((thrown as Error).message), row.c.id).toBe(true);
      expect((thrown as { path: string }).path, row.c.id).toMatch(/^\$/);
    }
  });
});

describe('where `notation verify` and `notation policy import` read a policy differently', () => {
  it('trailing data after the JSON: verify ignores it, import rejects it; Signet rejects like import', async () => {
    const text =
      JSON.stringify({
        version: '1.0',
        trustPolicies: [{ name: 'legacy', registryScopes: ['local/legacy'], signatureVerification: { level: 'skip' } }]
      }) + '\n# trailing notes';
    await withNotationHome(async (home) => {
      const layout = await writeMinimalOciLayout(join(home.root, 'layout'));
      await home.writeTrustPolicy(text);
      const verify = await home.run(['verify', '--oci-layout', `${layout.dir}@${layout.digest}`, '--scope', 'local/legacy'], {
        experimental: true
      });
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stdout).toContain('Trust policy is configured to skip signature verification');
      const imported = await home.importTrustPolicy(text);
      expect(imported.code).toBe(1);
      expect(errorLine(imported.stderr)).toBe("failed to parse trust policy configuration: invalid character '#' after top-level value");
    });
    expect(() => parseTrustPolicy(text)).toThrowError("invalid character '#' after top-level value");
  });
});

describe('policy selection: Signet vs `notation verify --oci-layout --scope`', () => {
  type Outcome = 'skip' | 'needs-signature' | 'no-policy' | 'bad-reference';
  const strictAll = { name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme'], trustedIdentities: ['*'] };
  const skip = (name: string, ...registryScopes: string[]) => ({ name, registryScopes, signatureVerification: { level: 'skip' } });
  const strict = (name: string, ...registryScopes: string[]) => ({ ...strictAll, name, registryScopes });
  const doc = (...trustPolicies: object[]) => JSON.stringify({ version: '1.0', trustPolicies });
  const CASES: { id: string; policy: string; scope: string }[] = [
    { id: 'exact-skip', policy: doc(skip('legacy', 'local/legacy'), strictAll), scope: 'local/legacy' },
    { id: 'falls-back-to-global', policy: doc(skip('legacy', 'local/legacy'), strictAll), scope: 'local/other' },
    { id: 'no-prefix-matching', policy: doc(skip('legacy', 'local/legacy'), strictAll), scope: 'local/legacy/sub' },
    { id: 'exact-beats-global', policy: doc(strict('app', 'local/app'), skip('rest', '*')), scope: 'local/app' },
    { id: 'exact-beats-earlier-global', policy: doc(skip('rest', '*'), strict('app', 'local/app')), scope: 'local/app' },
    { id: 'global-skip', policy: doc(strict('app', 'local/app'), skip('rest', '*')), scope: 'local/else' },
    { id: 'second-scope-of-statement', policy: doc(skip('two', 'local/a', 'local/b')), scope: 'local/b' },
    { id: 'no-applicable-policy', policy: doc(skip('two', 'local/a', 'local/b')), scope: 'local/c' },
    { id: 'case-sensitive-domain', policy: doc(skip('two', 'local/a')), scope: 'LOCAL/a' },
    { id: 'registry-with-port', policy: doc(skip('p', 'localhost:5000/net-monitor'), strictAll), scope: 'localhost:5000/net-monitor' },
    { id: 'bad-reference-uppercase-path', policy: doc(strictAll), scope: 'local/App' },
    { id: 'bad-reference-no-path', policy: doc(strictAll), scope: 'local' },
    { id: 'bad-reference-tag', policy: doc(strictAll), scope: 'local/app:v1' }
  ];

  interface Row {
    id: string;
    notation: Outcome | 'unknown';
    signet: Outcome;
    notationMessage: string | undefined;
    signetMessage: string | undefined;
  }
  let rows: Row[] = [];

  beforeAll(async () => {
    rows = await mapLimit(CASES, PARALLEL, (c) =>
      withNotationHome(async (home) => {
        const layout = await writeMinimalOciLayout(join(home.root, 'layout'));
        await home.writeTrustPolicy(c.policy);
        const r = await home.run(['verify', '--oci-layout', `${layout.dir}@${layout.digest}`, '--scope', c.scope], { experimental: true });
        const message = errorLine(r.stderr)?.replace(/^signature verification failed: /, '');
        const notation: Outcome | 'unknown' =
          r.code === 0 && r.stdout.includes('Trust policy is configured to skip signature verification')
            ? 'skip'
            : message?.startsWith('no signature is associated with')
              ? 'needs-signature'
              : message?.includes('has no applicable trust policy statement')
                ? 'no-policy'
                : message?.startsWith('registry scope')
                  ? 'bad-reference'
                  : 'unknown';
        let signet: Outcome;
        let signetMessage: string | undefined;
        try {
          const chosen = selectTrustPolicy(parseTrustPolicy(c.policy), `${c.scope}@${layout.digest}`);
          signet = chosen.signatureVerification.level === 'skip' ? 'skip' : 'needs-signature';
        } catch (e) {
          signetMessage = (e as Error).message;
          signet = isSignetError(e, 'ERR_TRUST_POLICY_NOT_APPLICABLE') ? 'no-policy' : 'bad-reference';
          if (!isSignetError(e, 'ERR_TRUST_POLICY_NOT_APPLICABLE') && !isSignetError(e, 'ERR_REFERENCE_INVALID')) throw e;
        }
        return { id: c.id, notation, signet, notationMessage: message, signetMessage };
      })
    );
  });

  afterAll(() => {
    console.log(
      '\nPolicy selection (notation verify --oci-layout --scope vs selectTrustPolicy):\n' +
        table(
          ['case', 'notation', 'signet'],
          rows.map((r) => [r.id, r.notation, r.signet])
        )
    );
  });

  it.each(CASES.map((c) => [c.id] as const))('%s', (id) => {
    const row = rows.find((r) => r.id === id)!;
    expect(row.notation, row.notationMessage).not.toBe('unknown');
    expect(row.signet).toBe(row.notation);
    if (row.signet === 'no-policy' || row.signet === 'bad-reference') expect(row.signetMessage).toBe(row.notationMessage);
  });
});

describe('trusted identities: Signet vs `notation verify` on certificates with awkward subjects', () => {
  function requireOpenssl(): void {
    const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('openssl not found: install it (scripts/install-tools needs it too)');
  }

  interface Subject {
    readonly id: string;
    readonly subj: string;
    readonly identities: readonly string[];
  }
  const COMMON = [
    '*',
    'x509.subject:C=US,ST=WA,O=Acme',
    'x509.subject: C=US, S=WA, O=Acme, CN=builder',
    'x509.subject:C=US,ST=WA,O=acme',
    'x509.san:builder.acme.example'
  ];
  const SUBJECTS: readonly Subject[] = [
    {
      id: 'plain',
      subj: '/C=US/ST=WA/L=Seattle/O=Acme/OU=Build/CN=builder',
      identities: [
        ...COMMON,
        'x509.subject:CN=builder,OU=Build,O=Acme,L=Seattle,ST=WA,C=US',
        'x509.subject:C=US,ST=WA,O=Acme,OU=Test',
        'x509.subject:C=US,ST=WA,O=Acme,CN=\\ff',
        'x509.subject:C=US,ST=WA,O=Acme,OU=',
        'x509.subject:C=US,ST=WA,O=Acme,OU=Build,L=',
        'x509.subject:C=US,ST=WA,O=Acme,CN=x"y',
        'other:a'
      ]
    },
    { id: 'two-OUs', subj: '/C=US/ST=WA/O=Acme/OU=a/OU=b/CN=builder', identities: COMMON },
    { id: 'emailAddress', subj: '/C=US/ST=WA/O=Acme/CN=builder/emailAddress=ci@acme.example', identities: COMMON },
    { id: 'no-ST', subj: '/C=US/O=Acme/CN=builder', identities: [...COMMON, 'x509.subject:C=US,ST=WA,O=Acme,CN=builder'] },
    {
      id: 'special-characters',
      subj: '/C=US/ST=WA/O=Acme, Inc. /CN=#1 builder\\+test;x',
      identities: [...COMMON, 'x509.subject:C=US,ST=WA,O=Acme\\, Inc.\\ ', 'x509.subject:C=US,ST=WA,O=Acme\\, Inc.\\ ,CN=\\#1 builder\\+test\\;x', 'x509.subject:C=US,ST=WA,O=Acme\\, Inc.']
    },
    { id: 'multi-valued-RDN', subj: '/C=US/ST=WA/O=Acme/CN=builder+OU=Build', identities: [...COMMON, 'x509.subject:C=US,ST=WA,O=Acme,OU=Build,CN=builder'] },
    { id: 'utf8', subj: '/C=DE/ST=Bayern/O=Müller & Söhne/CN=ビルダー', identities: ['*', 'x509.subject:C=DE,ST=Bayern,O=Müller & Söhne', 'x509.subject:C=DE,ST=Bayern,O=M\\c3\\bcller & S\\c3\\b6hne,CN=ビルダー', 'x509.subject:C=DE,ST=Bayern,O=Muller & Sohne'] },
    { id: 'two-CNs', subj: '/C=US/ST=WA/O=Acme/CN=first/CN=builder', identities: [...COMMON, 'x509.subject:C=US,ST=WA,O=Acme,CN=first'] },
    {
      id: 'street-postal-serial',
      subj: '/C=US/ST=WA/O=Acme/street=1 Main St/postalCode=98101/serialNumber=42/CN=builder',
      identities: [...COMMON, 'x509.subject:C=US,ST=WA,O=Acme,STREET=1 Main St,POSTALCODE=98101,SERIALNUMBER=42']
    }
  ];

  interface Row {
    subject: string;
    identity: string;
    notation: 'match' | 'no match';
    signet: 'match' | 'no match';
    notationReason: string | undefined;
    signetReason: string | undefined;
    goRendering: string;
    signetRendering: string;
  }
  let rows: Row[] = [];

  beforeAll(async () => {
    requireOpenssl();
    const perSubject = await mapLimit(SUBJECTS, PARALLEL, async (s) => {
      const home = await NotationHome.create();
      try {
        const keyPath = join(home.root, 'leaf.key');
        const certPath = join(home.root, 'leaf.crt');
        const gen = await runProcess(
          'openssl',
          [
            'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath,
            '-days', '2', '-utf8', '-subj', s.subj,
            '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=codeSigning', '-addext', 'basicConstraints=critical,CA:FALSE'
          ],
          { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }
        );
        expect(gen.code, gen.stderr).toBe(0);
        const keyPem = await readFile(keyPath, 'utf8');
        const certPem = await readFile(certPath, 'utf8');
        await home.addSigningKey('leaf', keyPem, certPem);
        await home.addTrustStoreCertificates('ca', 'acme', [{ name: 'leaf.crt', data: certPem }]);
        const layout = await writeMinimalOciLayout(join(home.root, 'layout'));
        const ref = `${layout.dir}@${layout.digest}`;
        const signed = await home.run(['sign', '--oci-layout', ref], { experimental: true });
        expect(signed.code, signed.stderr).toBe(0);

        const [cert] = await parseCertificates(new TextEncoder().encode(certPem));
        const attributes = cert!.subjectAttributes;
        const out: Row[] = [];
        // One policy file per home, so the identities of a subject run one after another.
        for (const identity of s.identities) {
          await home.writeTrustPolicy({
            version: '1.0',
            trustPolicies: [
              { name: 'p', registryScopes: ['local/app'], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme'], trustedIdentities: [identity] }
            ]
          });
          const r = await home.run(['verify', '-d', '--oci-layout', ref, '--scope', 'local/app'], { experimental: true });
          const reason = /authenticity validation failed\. Failure reason: (.*)$/m.exec(r.output)?.[1];
          const match = matchTrustedIdentities('p', [identity], attributes);
          out.push({
            subject: s.id,
            identity,
            notation: r.code === 0 ? 'match' : 'no match',
            signet: match.matched ? 'match' : 'no match',
            notationReason: r.code === 0 ? undefined : (reason ?? `(no authenticity reason) ${errorLine(r.stderr)}`),
            signetReason: match.matched ? undefined : match.message,
            goRendering: cert!.subject,
            signetRendering: goSubjectString(attributes)
          });
        }
        return out;
      } finally {
        await home.dispose();
      }
    });
    rows = perSubject.flat();
  });

  afterAll(() => {
    console.log(
      '\nTrusted identities (notation sign + verify vs matchTrustedIdentities):\n' +
        table(
          ['subject', 'identity', 'notation', 'signet'],
          rows.map((r) => [r.subject, r.identity, r.notation, r.signet])
        )
    );
  });

  it('renders every subject as Go does (same string as the x509 module)', () => {
    expect(rows.length).toBeGreaterThan(30);
    for (const r of rows) expect(r.signetRendering, r.subject).toBe(r.goRendering);
  });

  it.each(SUBJECTS.map((s) => [s.id] as const))('%s: same match and same reason as notation', (id) => {
    const mine = rows.filter((r) => r.subject === id);
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) {
      expect(r.signet, `${r.identity}: notation said ${r.notationReason ?? 'match'}`).toBe(r.notation);
      expect(r.signetReason, r.identity).toBe(r.notationReason);
    }
  });

  it('shows the consequence of Go rendering: some subjects can only be trusted with "*"', () => {
    for (const id of ['two-OUs', 'emailAddress', 'no-ST']) {
      const mine = rows.filter((r) => r.subject === id);
      expect(mine.filter((r) => r.notation === 'match').map((r) => r.identity)).toEqual(['*']);
    }
  });
});
