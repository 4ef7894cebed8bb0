/**
 * Image references (`[registry[:port]/]repository[:tag][@digest]`), parsed with the grammar of
 * docker/distribution's `reference` package and normalised the way `docker pull` does:
 * `alpine` → `docker.io/library/alpine:latest`.
 * https://github.com/distribution/reference (grammar), OCI distribution-spec §"Pulling manifests" (names)
 */
import { SignetError } from '../errors';
import { parseDigest } from './digest';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** docker.io is a name, not a host: its API lives here. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const LEGACY_DOCKER_HOSTS = new Set(['index.docker.io', 'registry-1.docker.io']);
const OFFICIAL_PREFIX = 'library/';
/** distribution caps the whole name (registry + "/" + repository) at 255 characters. */
const MAX_NAME_LENGTH = 255;

export interface Reference {
  /** Registry as written in the reference (`docker.io`, `localhost:5000`, `[::1]:5000`). */
  registry: string;
  /** Repository path inside the registry (`library/alpine`, `org/team/app`). */
  repository: string;
  /** Tag, when given or defaulted (`latest` when neither tag nor digest was given). */
  tag?: string;
  /** Digest, when given. It wins over the tag for every lookup. */
  digest?: string;
}

// Pieces of the grammar (kept as separate patterns so error messages can say which part is wrong).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN_RE = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

function invalid(input: string, why: string): SignetError {
  const shown = input.length > 120 ? `${input.slice(0, 117)}...` : input;
  return new SignetError(
    'ERR_REFERENCE_INVALID',
    `"${shown}" is not a valid image reference: ${why}. Expected [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. "ghcr.io/org/app:v1" or "localhost:5000/app@sha256:…"`
  );
}

/** True when `tag` is a valid tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** True when `repository` is a valid repository path (lowercase components separated by `/`). */
export function isValidRepository(repository: string): boolean {
  return REPOSITORY_RE.test(repository);
}

/**
 * Splits the registry off a name the way docker does: the first path component is a registry
 * when it contains "." or ":", is "localhost", or has uppercase letters; otherwise the name lives
 * on Docker Hub, where single-component names get the "library/" prefix.
 */
function splitRegistry(name: string): { registry: string; repository: string; explicit: boolean } {
  const slash = name.indexOf('/');
  if (slash < 0) return { registry: DEFAULT_REGISTRY, repository: OFFICIAL_PREFIX + name, explicit: false };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let registry = DEFAULT_REGISTRY;
  let repository = name;
  let explicit = false;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    registry = LEGACY_DOCKER_HOSTS.has(first) ? DEFAULT_REGISTRY : first;
    repository = rest;
    explicit = true;
  }
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = OFFICIAL_PREFIX + repository;
  return { registry, repository, explicit };
}

/**
 * Parses and normalises an image reference. `alpine` becomes `docker.io/library/alpine:latest`;
 * a reference with neither tag nor digest gets the tag `latest`; `repo:tag@digest` keeps both
 * (the digest is what gets fetched). Throws ERR_REFERENCE_INVALID naming the offending part.
 */
export function parseReference(input: string): Reference {
  if (typeof input !== 'string') throw invalid(String(input), 'it must be a string');
  const text = input.trim();
  if (text === '') throw invalid(input, 'it is empty');
  if (/\s/.test(text)) throw invalid(input, 'it contains whitespace');
  if (text.includes('://')) throw invalid(input, 'leave out the scheme (no "https://"), write just host/repository');
  if (IDENTIFIER_RE.test(text)) {
    throw invalid(input, 'a bare 64-character hex string is ambiguous; write "repository@sha256:<hex>"');
  }

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(d, 'digest');
    } catch (cause) {
      throw invalid(input, `the digest after "@" ${cause instanceof SignetError ? cause.message.replace(/^digest /, '') : 'is malformed'}`);
    }
    digest = d;
  }

  // A ':' after the last '/' separates the tag; earlier ones belong to host:port.
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  // "[::1]:5000" without a path has no tag; the bracket check keeps IPv6 colons out of the tag.
  if (colon >= 0 && !(lastSlash < 0 && rest.startsWith('['))) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      throw invalid(input, `the tag "${tag}" must be 1–128 characters of letters, digits, "_", "." or "-", not starting with "." or "-"`);
    }
  }
  if (rest === '') throw invalid(input, 'the repository name is missing');

  const { registry, repository, explicit } = splitRegistry(rest);
  if (explicit && !DOMAIN_RE.test(registry)) {
    throw invalid(input, `the registry "${registry}" is not a host name with an optional :port`);
  }
  if (repository === '' || repository.endsWith('/')) throw invalid(input, 'the repository name is missing');
  if (repository.toLowerCase() !== repository) {
    throw invalid(input, `the repository "${repository}" must be lowercase`);
  }
  if (!REPOSITORY_RE.test(repository)) {
    throw invalid(
      input,
      `the repository "${repository}" must be lowercase letters and digits, separated by "/", and inside a component by ".", "_", "__" or "-"`
    );
  }
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw invalid(input, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  const out: Reference = { registry, repository };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  if (tag === undefined && digest === undefined) out.tag = DEFAULT_TAG;
  return out;
}

/** The canonical string: `registry/repository[:tag][@digest]`. */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form people type: Docker Hub names lose `docker.io/` and `library/`. */
export function familiarReference(ref: Reference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DEFAULT_REGISTRY) {
    name = ref.repository;
    if (name.startsWith(OFFICIAL_PREFIX) && !name.slice(OFFICIAL_PREFIX.length).includes('/')) {
      name = name.slice(OFFICIAL_PREFIX.length);
    }
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** What to ask the registry for: the digest when there is one, else the tag. */
export function referenceTarget(ref: Reference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}

/** The host that serves the registry API for `registry` (Docker Hub's name differs from its host). */
export function registryApiHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}
