/**
 * `WWW-Authenticate` parsing (RFC 7235 §4.1, RFC 6750 §3): one or more challenges, each a scheme
 * followed by either a token68 or comma-separated `name=value` parameters, values possibly quoted.
 * Registries send `Bearer realm="…",service="…",scope="…"[,error="insufficient_scope"]` or
 * `Basic realm="…"`. https://distribution.github.io/distribution/spec/auth/token/
 */

export interface AuthChallenge {
  /** Lowercased scheme: "bearer", "basic", … */
  scheme: string;
  /** Parameters with lowercased names. */
  params: Record<string, string>;
  token68?: string;
}

/** Header values longer than this are not parsed (no registry needs more). */
const MAX_HEADER = 16 * 1024;
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Parses every challenge in a WWW-Authenticate value; malformed trailing input is ignored. */
export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header || header.length > MAX_HEADER) return [];
  const s = header;
  let i = 0;
  const out: AuthChallenge[] = [];

  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string | undefined => {
    // s[i] === '"'
    i++;
    let value = '';
    while (i < s.length) {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length) {
        value += s[i + 1];
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        return value;
      }
      value += c;
      i++;
    }
    return undefined; // unterminated
  };
  // Looks ahead: does a `name =` parameter start at the current position?
  const paramAhead = (): boolean => {
    const save = i;
    skipWs();
    const name = readToken();
    skipWs();
    let isParam = name !== '' && s[i] === '=';
    if (isParam) {
      // "abc==" or "abc=" at the end is token68 padding, not a parameter (a value is never empty).
      i++;
      skipWs();
      isParam = i < s.length && s[i] !== '=' && s[i] !== ',';
    }
    i = save;
    return isParam;
  };

  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    const scheme = readToken();
    if (scheme === '') break; // garbage: stop rather than guess
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skipWs();
    // token68 form: a single opaque value that is not followed by "=" as a parameter would be.
    if (i < s.length && s[i] !== ',' && !paramAhead()) {
      const start = i;
      while (i < s.length && s[i] !== ',' && s[i] !== ' ') i++;
      const t = s.slice(start, i);
      if (TOKEN68.test(t)) challenge.token68 = t;
      continue;
    }
    for (;;) {
      skipWs();
      if (!paramAhead()) break;
      const name = readToken().toLowerCase();
      skipWs();
      i++; // '='
      skipWs();
      let value: string | undefined;
      if (s[i] === '"') value = readQuoted();
      else value = readToken();
      if (value === undefined) return out; // unterminated quote: keep what was complete
      if (!(name in challenge.params)) challenge.params[name] = value;
      skipWs();
      if (s[i] === ',') {
        const save = i;
        i++;
        if (paramAhead()) continue;
        i = save; // next item is a new challenge
      }
      break;
    }
  }
  return out;
}

/** The first challenge with the given scheme (case-insensitive), if any. */
export function findChallenge(challenges: AuthChallenge[], scheme: string): AuthChallenge | undefined {
  const wanted = scheme.toLowerCase();
  return challenges.find((c) => c.scheme === wanted);
}
