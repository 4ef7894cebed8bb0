/**
 * The app's shared state (Svelte 5 runes): settings and theme, credentials for this tab, the
 * deployment's preset proxy, files dropped anywhere and waiting for a page, the HTTP exchanges
 * made so far, and the registry client built from all of that. One instance per tab.
 */
import type { HttpExchange } from '../registry/http';
import type { DemoPreset } from './demo-preset';
import { CredentialVault } from './credentials';
import type { DropIntent } from './files';
import type { AppRegistryClient } from './registry-client';
import type { RegistryRoute } from './routing';
import type { TrustMaterialData } from './trust-storage';
import {
  DEFAULT_SETTINGS,
  effectiveProxy,
  loadSettings,
  saveSettings,
  type AppSettings,
  type DeploymentConfig,
  type KeyValueStorage,
  type ProxySettings,
  type ProxySource
} from './settings';

const MAX_TRACE = 2000;

function browserStorage(): KeyValueStorage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export class AppState {
  settings = $state.raw<AppSettings>(DEFAULT_SETTINGS);
  settingsProblems = $state.raw<string[]>([]);
  deployment = $state.raw<DeploymentConfig | null>(null);
  deploymentProblems = $state.raw<string[]>([]);
  /** The demo preset (signet-demo.json) of a deployment without signet.config.json, if it has one. */
  demo = $state.raw<DemoPreset | null>(null);
  prefersDark = $state(false);
  /** Bumped when credentials change, so views listing them refresh. */
  credentialsVersion = $state(0);
  /** Files dropped on some page, waiting for the page that handles them. */
  pendingDrop = $state.raw<DropIntent | null>(null);
  /** Every HTTP exchange of this tab, redacted (for progress and traces). */
  trace = $state.raw<HttpExchange[]>([]);
  /** The route each registry host took last (direct / proxy). */
  routes = $state.raw<Record<string, RegistryRoute['via']>>({});

  readonly vault: CredentialVault;
  private deploymentLoad: Promise<void> | undefined;
  private clientCache: { key: string; value: AppRegistryClient } | undefined;
  private readonly exchangeListeners = new Set<(e: HttpExchange) => void>();

  constructor() {
    const storage = browserStorage();
    const loaded = loadSettings(storage);
    this.settings = loaded.settings;
    this.settingsProblems = loaded.problems;
    this.vault = new CredentialVault(storage);
    if (typeof matchMedia !== 'undefined') {
      const query = matchMedia('(prefers-color-scheme: dark)');
      this.prefersDark = query.matches;
      query.addEventListener('change', (e) => (this.prefersDark = e.matches));
    }
  }

  /** The theme in force: the person's choice, else the system's. */
  get theme(): 'light' | 'dark' {
    return this.settings.theme === 'system' ? (this.prefersDark ? 'dark' : 'light') : this.settings.theme;
  }

  updateSettings(change: Partial<AppSettings>): void {
    this.settings = { ...this.settings, ...change };
    const storage = browserStorage();
    if (storage) {
      try {
        saveSettings(storage, this.settings);
      } catch {
        this.settingsProblems = [...this.settingsProblems, 'settings: this browser refused to save them; they last until the tab closes'];
      }
    }
    this.clientCache = undefined;
  }

  toggleTheme(): void {
    this.updateSettings({ theme: this.theme === 'dark' ? 'light' : 'dark' });
  }

  /**
   * Loads the deployment's presets once (lazily: only flows that reach registries or need trust
   * material ask): signet.config.json, else the demo preset that `npm start` serves.
   */
  loadDeployment(): Promise<void> {
    this.deploymentLoad ??= (async () => {
      const { fetchDemoPreset, fetchDeploymentConfig } = await import('./deployment');
      const { config, problems } = await fetchDeploymentConfig();
      let demo: DemoPreset | null = null;
      const all = [...problems];
      if (!config) {
        const found = await fetchDemoPreset();
        demo = found.preset;
        all.push(...found.problems);
      }
      this.deployment = config ?? (demo?.proxy ? { proxy: demo.proxy } : null);
      this.demo = demo;
      this.deploymentProblems = all;
      this.clientCache = undefined;
    })();
    return this.deploymentLoad;
  }

  /**
   * The trust material stored in this browser; when there is none and the deployment ships a demo
   * preset, that preset is stored first (what `npm start` promises a newcomer).
   */
  async storedTrustMaterial(): Promise<TrustMaterialData | null> {
    const { appTrustMaterialStore } = await import('./trust-storage');
    const store = appTrustMaterialStore();
    const data = await store.read();
    if (data) return data;
    await this.loadDeployment();
    if (!this.demo) return null;
    await store.write(this.demo.material);
    return this.demo.material;
  }

  get proxy(): { proxy: ProxySettings | null; source: ProxySource } {
    return effectiveProxy(this.settings, this.deployment);
  }

  setCredential(host: string, username: string, password: string, remember: boolean): void {
    this.vault.set(host, { username, password }, { remember });
    this.credentialsVersion++;
    this.clientCache = undefined;
  }

  forgetCredential(host: string): void {
    this.vault.forget(host);
    this.credentialsVersion++;
    this.clientCache = undefined;
  }

  /** Observes exchanges while `fn` runs (for a flow's progress). */
  async observe<T>(listener: (e: HttpExchange) => void, fn: () => Promise<T>): Promise<T> {
    this.exchangeListeners.add(listener);
    try {
      return await fn();
    } finally {
      this.exchangeListeners.delete(listener);
    }
  }

  /** The registry client for the current settings (rebuilt when they or the credentials change). */
  async registryClient(): Promise<AppRegistryClient> {
    await this.loadDeployment();
    const { proxy } = this.proxy;
    const key = JSON.stringify([proxy, this.settings.insecureRegistries, this.credentialsVersion]);
    if (this.clientCache?.key === key) return this.clientCache.value;
    // The registry layer loads with the first flow that needs it, not with the app shell.
    const { createAppRegistryClient } = await import('./registry-client');
    if (this.clientCache?.key === key) return this.clientCache.value;
    const value = createAppRegistryClient({
      proxy,
      appOrigin: location.origin,
      credentials: this.vault.provider(),
      insecureRegistries: this.settings.insecureRegistries,
      onExchange: (e) => {
        this.trace = this.trace.length >= MAX_TRACE ? [...this.trace.slice(1), e] : [...this.trace, e];
        for (const l of this.exchangeListeners) l(e);
      },
      onRoute: (url, route) => {
        try {
          const host = new URL(url).host;
          if (this.routes[host] !== route.via) this.routes = { ...this.routes, [host]: route.via };
        } catch {
          // not a URL: nothing to record
        }
      }
    });
    this.clientCache = { key, value };
    return value;
  }
}

export const appState = new AppState();
