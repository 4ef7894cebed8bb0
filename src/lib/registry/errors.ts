/**
 * Registry error bodies (`{"errors":[{"code","message","detail"}]}`, OCI distribution-spec
 * §"Error Codes") turned into SignetErrors whose message says what happened and what to do.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#error-codes
 */
import { utf8Decode } from '../bytes';
import { SignetError, type SignetErrorCode } from '../errors';
import { ERROR_BODY_LIMIT, type HttpResponse } from './http';

export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

/**
 * Parses a registry error body. Lenient on purpose: registries send text/plain bodies, HTML pages
 * and truncated JSON, and none of that may hide the HTTP status, so anything unreadable gives [].
 */
export function parseRegistryErrorBody(body: Uint8Array): RegistryErrorEntry[] {
  if (body.length === 0 || body.length > ERROR_BODY_LIMIT) return [];
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(body, 'registry error body'));
  } catch {
    return [];
  }
  if (typeof json !== 'object' || json === null) return [];
  const errors = (json as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorEntry[] = [];
  for (const e of errors.slice(0, 20)) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message, detail } = e as Record<string, unknown>;
    if (typeof code !== 'string' || code === '') continue;
    const entry: RegistryErrorEntry = { code: code.toUpperCase(), message: typeof message === 'string' ? message : '' };
    if (detail !== undefined && detail !== null) entry.detail = detail;
    out.push(entry);
  }
  return out;
}

/** Context that makes an error message useful: what was attempted, where. */
export interface RegistryErrorContext {
  /** "fetch manifest latest", "push blob sha256:…", "list tags" */
  operation: string;
  /** registry host and repository, e.g. "localhost:5000/app" */
  location: string;
  /** The code a bare 404 (no registry error body) means for this operation. */
  notFound?: SignetErrorCode;
}

const REJECTED_CODES = new Set([
  'BLOB_UPLOAD_INVALID',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNVERIFIED',
  'NAME_INVALID',
  'SIZE_INVALID',
  'TAG_INVALID',
  'PAGINATION_NUMBER_INVALID',
  'RANGE_INVALID',
  'UNKNOWN_MANIFEST_MEDIA_TYPE'
]);

// Registry-supplied text is shown to people: one line, printable, bounded.
function clean(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function describeEntries(entries: RegistryErrorEntry[]): string {
  return entries
    .slice(0, 3)
    .map((e) => {
      const detail =
        e.detail === undefined ? '' : typeof e.detail === 'string' ? `: ${clean(e.detail, 120)}` : `: ${clean(safeJson(e.detail), 120)}`;
      return `${e.code}${e.message ? ` "${clean(e.message)}"` : ''}${detail}`;
    })
    .join('; ');
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function pick(entries: RegistryErrorEntry[], status: number, notFound: SignetErrorCode): SignetErrorCode {
  const codes = entries.map((e) => e.code);
  if (codes.includes('TOOMANYREQUESTS') || status === 429) return 'ERR_REGISTRY_RATE_LIMITED';
  if (codes.includes('NAME_UNKNOWN')) return 'ERR_REGISTRY_NAME_UNKNOWN';
  if (codes.includes('MANIFEST_UNKNOWN')) return 'ERR_REGISTRY_MANIFEST_UNKNOWN';
  if (codes.includes('BLOB_UNKNOWN') || codes.includes('BLOB_UPLOAD_UNKNOWN')) return 'ERR_REGISTRY_BLOB_UNKNOWN';
  if (codes.includes('DENIED')) return 'ERR_REGISTRY_DENIED';
  if (codes.includes('UNAUTHORIZED')) return 'ERR_REGISTRY_AUTH';
  if (codes.includes('UNSUPPORTED')) return 'ERR_REGISTRY_UNSUPPORTED';
  if (codes.some((c) => REJECTED_CODES.has(c))) return 'ERR_REGISTRY_REJECTED';
  switch (status) {
    case 401:
      return 'ERR_REGISTRY_AUTH';
    case 403:
      return 'ERR_REGISTRY_DENIED';
    case 404:
      return notFound;
    case 405:
    case 501:
      return 'ERR_REGISTRY_UNSUPPORTED';
    case 409:
      return 'ERR_REGISTRY_CONFLICT';
    case 400:
    case 413:
    case 415:
    case 416:
      return 'ERR_REGISTRY_REJECTED';
    default:
      return 'ERR_REGISTRY_HTTP';
  }
}

const ADVICE: Partial<Record<SignetErrorCode, string>> = {
  ERR_REGISTRY_NAME_UNKNOWN: 'Check the repository name (Docker Hub official images live under "library/"), or sign in if the repository is private.',
  ERR_REGISTRY_MANIFEST_UNKNOWN: 'Check the tag or digest; some registries also answer this way for a repository that does not exist or that you may not see.',
  ERR_REGISTRY_BLOB_UNKNOWN: 'The registry does not have this content; the manifest that points at it may be incomplete.',
  ERR_REGISTRY_DENIED: 'Your credentials do not allow this; ask for the needed permission (pull to read, push to sign) or sign in as another user.',
  ERR_REGISTRY_AUTH: 'Sign in to this registry (username and password or access token) and try again.',
  ERR_REGISTRY_RATE_LIMITED: 'The registry is rate limiting requests; wait a while, or sign in (signed-in users usually get higher limits).',
  ERR_REGISTRY_UNSUPPORTED: 'This registry does not support the operation.',
  ERR_REGISTRY_REJECTED: 'The registry rejected the request as invalid.',
  ERR_REGISTRY_CONFLICT: 'The registry reported a conflict; try again.',
  ERR_REGISTRY_HTTP: 'The registry failed to answer; try again later.'
};

/**
 * Turns a non-success response into a typed SignetError. The message names the operation, the
 * registry and repository, the HTTP status, what the registry said, and what to do next.
 */
export function registryError(response: Pick<HttpResponse, 'status' | 'headers' | 'body'>, context: RegistryErrorContext): SignetError {
  const entries = parseRegistryErrorBody(response.body);
  const code = pick(entries, response.status, context.notFound ?? 'ERR_REGISTRY_HTTP');
  const said = entries.length > 0 ? ` The registry said: ${describeEntries(entries)}.` : '';
  let advice = ADVICE[code] ?? '';
  if (code === 'ERR_REGISTRY_RATE_LIMITED') {
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter && /^\d{1,6}$/.test(retryAfter)) advice += ` It asks to retry after ${retryAfter} s.`;
  }
  const error = new SignetError(
    code,
    `Could not ${context.operation} in ${context.location}: HTTP ${response.status}.${said}${advice ? ` ${advice}` : ''}`
  );
  return Object.assign(error, { status: response.status, registryErrors: entries });
}

/** The registry error entries attached to a SignetError by `registryError`, if any. */
export function registryErrorEntries(error: unknown): RegistryErrorEntry[] {
  const entries = (error as { registryErrors?: RegistryErrorEntry[] } | null)?.registryErrors;
  return Array.isArray(entries) ? entries : [];
}

/** The registry error codes in a SignetError produced by `registryError`, if any. */
export function registryErrorCodes(error: unknown): string[] {
  return registryErrorEntries(error).map((e) => e.code);
}

/** The HTTP status attached by `registryError`, if any. */
export function registryErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
