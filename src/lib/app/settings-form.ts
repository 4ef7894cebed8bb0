/**
 * The Settings page's forms as plain data: the proxy choice (the deployment's default, none, every
 * registry, or only listed registries) and host lists (one per line), turned into AppSettings
 * values with a message per field and line for what cannot be used. Validation is settings.ts's
 * (normalizeProxyUrl, normalizeRegistryHost); this only maps it onto the form.
 */
import { isSignetError } from '../errors';
import { normalizeProxyUrl, normalizeRegistryHost, type AppSettings, type ProxySettings } from './settings';

/** `deployment`: no choice of one's own (settings.proxy = null), so signet.config.json applies. */
export type ProxyMode = 'deployment' | 'off' | 'all' | 'listed';

export interface ProxyForm {
  mode: ProxyMode;
  url: string;
  /** Registry hosts, one per line (for `listed`). */
  registries: string;
}

export interface HostListResult {
  readonly hosts: string[];
  /** Unusable lines, 1-based. */
  readonly errors: { readonly line: number; readonly message: string }[];
}

/** Registry hosts typed one per line (blank lines skipped, duplicates dropped). */
export function parseHostList(text: string, what = 'registry'): HostListResult {
  const hosts: string[] = [];
  const errors: { line: number; message: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const host = normalizeRegistryHost(raw, `${what} on line ${i + 1}`);
      if (!hosts.includes(host)) hosts.push(host);
    } catch (e) {
      errors.push({ line: i + 1, message: isSignetError(e) ? e.message : String(e) });
    }
  });
  return { hosts, errors };
}

export function proxyFormFrom(settings: AppSettings): ProxyForm {
  const p = settings.proxy;
  if (!p) return { mode: 'deployment', url: '', registries: '' };
  return { mode: p.scope === 'off' ? 'off' : p.scope, url: p.url ?? '', registries: p.registries.join('\n') };
}

export interface ProxyFormResult {
  /** The value for AppSettings.proxy; undefined while the form has errors. */
  readonly proxy: ProxySettings | null | undefined;
  readonly urlError?: string;
  readonly registryErrors: HostListResult['errors'];
}

/** The proxy settings a form stands for, or the errors that keep it from being saved. */
export function proxyFormToSettings(form: ProxyForm): ProxyFormResult {
  if (form.mode === 'deployment') return { proxy: null, registryErrors: [] };
  const registries = parseHostList(form.registries);
  let url: string | null = null;
  let urlError: string | undefined;
  if (form.url.trim() !== '') {
    try {
      url = normalizeProxyUrl(form.url);
    } catch (e) {
      urlError = isSignetError(e) ? e.message : String(e);
    }
  } else if (form.mode !== 'off') {
    urlError = 'proxy URL: enter the address of your Signet CORS proxy, e.g. https://proxy.example';
  }
  const registryErrors = form.mode === 'listed' ? registries.errors : [];
  if (form.mode === 'listed' && registries.hosts.length === 0 && registryErrors.length === 0) {
    registryErrors.push({ line: 1, message: 'registries: list at least one registry host (e.g. ghcr.io or localhost:5000), or choose "every registry"' });
  }
  if (urlError || registryErrors.length > 0) return { proxy: undefined, ...(urlError ? { urlError } : {}), registryErrors };
  return { proxy: { url, scope: form.mode, registries: form.mode === 'listed' ? registries.hosts : [] }, registryErrors: [] };
}
