/**
 * Rewrites the URLs a registry hands to its client (`Location`, `Link`, the Bearer `realm` of
 * `WWW-Authenticate`) so the browser keeps talking through the proxy. Runtime-neutral.
 */

export type UrlRewriter = (absoluteUrl: URL) => string;

function resolveHttpUrl(value: string, base: URL): URL | null {
  try {
    const u = new URL(value, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/** `Location`: resolved against the upstream URL it came from, then rewritten. Others are kept. */
export function rewriteLocation(value: string, upstream: URL, rewrite: UrlRewriter): string {
  const u = resolveHttpUrl(value, upstream);
  return u ? rewrite(u) : value;
}

/** `Link: <uri>; rel="next", ...`: each URI reference is resolved and rewritten. */
export function rewriteLink(value: string, upstream: URL, rewrite: UrlRewriter): string {
  return value.replace(/<([^>]*)>/g, (whole, ref: string) => {
    const u = resolveHttpUrl(ref, upstream);
    return u ? `<${rewrite(u)}>` : whole;
  });
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
// Values are tokens or quoted strings; unquoted URLs (non-conforming, but seen) are accepted too.
const PARAM = new RegExp(`^(${TOKEN})[ \\t]*=[ \\t]*("(?:[^"\\\\]|\\\\.)*"|[^\\s,"]+)[ \\t]*$`, 'd');
const CHALLENGE_START = new RegExp(`^(${TOKEN})(?:[ \\t]+([^]*))?$`, 'd');
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*[ \t]*$/;

interface ParamSpan {
  scheme: string;
  name: string;
  value: string;
  /** Span of the raw value (including quotes when quoted) in the header text. */
  start: number;
  end: number;
}

/** Splits on commas outside quoted strings; null when a quoted string is not closed. */
function splitTopLevel(header: string): Array<{ text: string; start: number }> | null {
  const out: Array<{ text: string; start: number }> = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const ch = header[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      out.push({ text: header.slice(start, i), start });
      start = i + 1;
    }
  }
  if (quoted) return null;
  out.push({ text: header.slice(start), start });
  return out;
}

function unquote(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
}

/**
 * Parses `WWW-Authenticate` (RFC 9110 §11.6.1: one or more challenges, each a scheme followed by a
 * token68 or comma-separated auth-params) and returns every auth-param with its position.
 * Returns null on malformed input, which callers then pass through untouched.
 */
export function parseChallengeParams(header: string): ParamSpan[] | null {
  const elements = splitTopLevel(header);
  if (!elements) return null;
  const out: ParamSpan[] = [];
  let scheme: string | null = null;
  for (const el of elements) {
    const lead = el.text.length - el.text.trimStart().length;
    const text = el.text.trim();
    const offset = el.start + lead;
    if (text === '') continue;
    const param = PARAM.exec(text);
    if (param && scheme !== null) {
      const [vs, ve] = param.indices?.[2] ?? [0, 0];
      out.push({ scheme, name: param[1] ?? '', value: unquote(param[2] ?? ''), start: offset + vs, end: offset + ve });
      continue;
    }
    const ch = CHALLENGE_START.exec(text);
    if (!ch) return null;
    scheme = ch[1] ?? '';
    const rest = ch[2];
    if (rest === undefined || rest === '') continue;
    const restOffset = offset + (ch.indices?.[2]?.[0] ?? 0);
    const first = PARAM.exec(rest);
    if (first) {
      const [vs, ve] = first.indices?.[2] ?? [0, 0];
      out.push({ scheme, name: first[1] ?? '', value: unquote(first[2] ?? ''), start: restOffset + vs, end: restOffset + ve });
    } else if (!TOKEN68.test(rest)) {
      return null;
    }
  }
  return out;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Rewrites the `realm` of every Bearer challenge (the token endpoint) with `rewrite`, resolving a
 * relative realm against the upstream URL. Basic realms are names, not URLs, and stay as they are.
 */
export function rewriteBearerRealms(header: string, upstream: URL, rewrite: UrlRewriter): string {
  const params = parseChallengeParams(header);
  if (!params) return header;
  let out = header;
  // Splice from the end so earlier offsets stay valid.
  for (const p of [...params].reverse()) {
    if (p.scheme.toLowerCase() !== 'bearer' || p.name.toLowerCase() !== 'realm') continue;
    const u = resolveHttpUrl(p.value, upstream);
    if (!u) continue;
    out = out.slice(0, p.start) + quote(rewrite(u)) + out.slice(p.end);
  }
  return out;
}
