/**
 * App settings: the CORS proxy (for every registry, or only for listed ones), registries reached
 * over plain HTTP, the colour theme, and whether registry credentials may be remembered. Plain
 * data, validated whenever it is read (from localStorage, from the deployment's config file, from
 * a form), so a damaged or hostile stored value can never break the app: bad fields fall back to
 * their defaults and are reported.
 *
 * Settings never hold secrets; credentials live in credentials.ts.
 */
import { SignetError } from '../errors';

export type ThemePreference = 'system' | 'light' | 'dark';
export const THEME_PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];

/** `off`: never use the proxy; `all`: every registry; `listed`: only the registries named. */
export type ProxyScope = 'off' | 'all' | 'listed';
export const PROXY_SCOPES: readonly ProxyScope[] = ['off', 'all', 'listed'];

export interface ProxySettings {
  /** Base URL of the Signet CORS proxy, e.g. https://proxy.example or https://signet.example/proxy. */
  readonly url: string | null;
  readonly scope: ProxyScope;
  /** Registry hosts (`host[:port]`, lowercase) routed through the proxy when scope is `listed`. */
  readonly registries: readonly string[];
}

export interface AppSettings {
  /** null: use the deployment's default (signet.config.json), if any. */
  readonly proxy: ProxySettings | null;
  readonly theme: ThemePreference;
  /** Registry hosts reached over plain http, like `notation --insecure-registry` (loopback always is). */
  readonly insecureRegistries: readonly string[];
  /** Opt-in: keep registry credentials in this browser's storage across reloads. */
  readonly rememberCredentials: boolean;
}

export const DEFAULT_SETTINGS: AppSettings = Object.freeze({
  proxy: null,
  theme: 'system',
  insecureRegistries: Object.freeze([]) as readonly string[],
  rememberCredentials: false
});

/** localStorage key of the user's settings. */
export const SETTINGS_STORAGE_KEY = 'signet.settings.v1';
/** Same-origin file a deployment may serve to preset the proxy for every visitor. */
export const DEPLOYMENT_CONFIG_PATH = '/signet.config.json';

const MAX_LIST = 200;
const MAX_TEXT = 2048;
// host[:port], a bracketed IPv6 literal allowed; what references use as their registry part.
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

/** A registry host as references write it (`ghcr.io`, `localhost:5000`), lowercased; throws ERR_INPUT_INVALID. */
export function normalizeRegistryHost(value: string, what = 'registry'): string {
  const host = value.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!HOST.test(host) || host.length > 255) {
    throw new SignetError('ERR_INPUT_INVALID', `${what}: "${value.slice(0, 100)}" is not a registry host; expected host[:port], e.g. ghcr.io or localhost:5000`);
  }
  return host;
}

/**
 * A proxy base URL as the proxy's URL scheme needs it: absolute http(s), no credentials, query or
 * fragment, no trailing slash. Throws ERR_INPUT_INVALID naming what is wrong.
 */
export function normalizeProxyUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new SignetError('ERR_INPUT_INVALID', `proxy URL: "${value.slice(0, 200)}" is not an absolute URL; expected e.g. https://proxy.example`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SignetError('ERR_INPUT_INVALID', `proxy URL: expected http or https, got "${url.protocol}"`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new SignetError('ERR_INPUT_INVALID', 'proxy URL: must not contain credentials, a query or a fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hostList(value: unknown, field: string, problems: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${field}: expected a list of registry hosts`);
    return [];
  }
  const out: string[] = [];
  for (const [i, item] of value.slice(0, MAX_LIST).entries()) {
    if (typeof item !== 'string') {
      problems.push(`${field}[${i}]: expected text`);
      continue;
    }
    try {
      const host = normalizeRegistryHost(item, `${field}[${i}]`);
      if (!out.includes(host)) out.push(host);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (value.length > MAX_LIST) problems.push(`${field}: only the first ${MAX_LIST} entries are used`);
  return out;
}

/** Reads a proxy block; null when absent or unusable (with the reason in `problems`). */
export function parseProxySettings(value: unknown, field: string, problems: string[]): ProxySettings | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    problems.push(`${field}: expected an object with url, scope and registries`);
    return null;
  }
  let url: string | null = null;
  if (value.url !== undefined && value.url !== null) {
    if (typeof value.url !== 'string' || value.url.length > MAX_TEXT) problems.push(`${field}.url: expected a URL`);
    else {
      try {
        url = normalizeProxyUrl(value.url);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  }
  let scope: ProxyScope = url ? 'all' : 'off';
  if (value.scope !== undefined) {
    if (typeof value.scope === 'string' && (PROXY_SCOPES as readonly string[]).includes(value.scope)) scope = value.scope as ProxyScope;
    else problems.push(`${field}.scope: expected one of ${PROXY_SCOPES.join(', ')}`);
  }
  if (scope !== 'off' && url === null) {
    if (value.url === undefined || value.url === null) problems.push(`${field}: scope "${scope}" needs a proxy url`);
    scope = 'off';
  }
  return { url, scope, registries: hostList(value.registries, `${field}.registries`, problems) };
}

/**
 * Validates stored settings. Never throws: every unusable field falls back to its default and
 * is described in `problems`, so the app can say what it ignored.
 */
export function parseSettings(value: unknown): { settings: AppSettings; problems: string[] } {
  const problems: string[] = [];
  if (value === undefined || value === null) return { settings: DEFAULT_SETTINGS, problems };
  if (!isRecord(value)) return { settings: DEFAULT_SETTINGS, problems: ['settings: expected an object; using the defaults'] };
  let theme: ThemePreference = DEFAULT_SETTINGS.theme;
  if (value.theme !== undefined) {
    if (typeof value.theme === 'string' && (THEME_PREFERENCES as readonly string[]).includes(value.theme)) theme = value.theme as ThemePreference;
    else problems.push(`theme: expected one of ${THEME_PREFERENCES.join(', ')}`);
  }
  let rememberCredentials = false;
  if (value.rememberCredentials !== undefined) {
    if (typeof value.rememberCredentials === 'boolean') rememberCredentials = value.rememberCredentials;
    else problems.push('rememberCredentials: expected true or false');
  }
  return {
    settings: {
      proxy: parseProxySettings(value.proxy, 'proxy', problems),
      theme,
      insecureRegistries: hostList(value.insecureRegistries, 'insecureRegistries', problems),
      rememberCredentials
    },
    problems
  };
}

/** Minimal storage interface (window.localStorage satisfies it). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Reads the user's settings; unreadable storage or JSON gives the defaults with a problem. */
export function loadSettings(storage: KeyValueStorage | undefined): { settings: AppSettings; problems: string[] } {
  if (!storage) return { settings: DEFAULT_SETTINGS, problems: [] };
  let text: string | null;
  try {
    text = storage.getItem(SETTINGS_STORAGE_KEY);
  } catch {
    return { settings: DEFAULT_SETTINGS, problems: ['settings: this browser refused access to local storage; using the defaults'] };
  }
  if (text === null) return { settings: DEFAULT_SETTINGS, problems: [] };
  if (text.length > 256 * 1024) return { settings: DEFAULT_SETTINGS, problems: ['settings: the stored value is too large; using the defaults'] };
  try {
    return parseSettings(JSON.parse(text));
  } catch {
    return { settings: DEFAULT_SETTINGS, problems: ['settings: the stored value is not JSON; using the defaults'] };
  }
}

export function saveSettings(storage: KeyValueStorage, settings: AppSettings): void {
  // Round-trip through the validator so only what it accepts is ever written.
  const { settings: clean } = parseSettings(JSON.parse(JSON.stringify(settings)) as unknown);
  storage.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(clean));
}

/** What a deployment presets (signet.config.json): today, the proxy. */
export interface DeploymentConfig {
  readonly proxy: ProxySettings | null;
}

export function parseDeploymentConfig(value: unknown): { config: DeploymentConfig; problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(value)) return { config: { proxy: null }, problems: ['signet.config.json: expected a JSON object'] };
  return { config: { proxy: parseProxySettings(value.proxy, 'signet.config.json proxy', problems) }, problems };
}

export type ProxySource = 'settings' | 'deployment' | 'none';

/** The proxy in force: the user's own choice when made, else the deployment's, else none. */
export function effectiveProxy(settings: AppSettings, deployment: DeploymentConfig | null): { proxy: ProxySettings | null; source: ProxySource } {
  if (settings.proxy) return { proxy: settings.proxy.scope === 'off' ? null : settings.proxy, source: 'settings' };
  if (deployment?.proxy && deployment.proxy.scope !== 'off') return { proxy: deployment.proxy, source: 'deployment' };
  return { proxy: null, source: 'none' };
}
