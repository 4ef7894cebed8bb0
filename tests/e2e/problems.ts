/**
 * What the harness records as "problems" (console errors, page errors, CSP violations) includes
 * a few entries that are the expected behaviour of the real peers, not faults of the app. Tests of
 * registry flows drop exactly these and assert that nothing else happened:
 *  - Chromium logs every 4xx response as "Failed to load resource": registries answer 401 to
 *    ask for credentials, and 404 when they have no Referrers API or no referrers tag index yet
 *    (both are how the distribution protocol works; the app handles them);
 *  - cbor-x probes `new Function("")` once when it loads, inside a try/catch, and falls back when
 *    the strict CSP refuses it; the refusal is reported as a CSP violation (the core could import
 *    `cbor-x/index-no-eval` to avoid the probe).
 */
const EXPECTED: readonly RegExp[] = [
  /^console: Failed to load resource: the server responded with a status of (401 \(Unauthorized\)|404 \(Not Found\))$/,
  /^csp: script-src blocked eval$/
];

export function unexpectedProblems(problems: readonly string[], extra: readonly RegExp[] = []): string[] {
  return problems.filter((p) => ![...EXPECTED, ...extra].some((re) => re.test(p)));
}
