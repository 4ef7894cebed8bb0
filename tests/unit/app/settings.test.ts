import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  effectiveProxy,
  loadSettings,
  normalizeProxyUrl,
  normalizeRegistryHost,
  parseDeploymentConfig,
  parseSettings,
  saveSettings,
  SETTINGS_STORAGE_KEY
} from '../../../src/lib/app/settings';
import { isSignetError } from '../../../src/lib/errors';
import { memoryStorage } from './helpers';

describe('settings', () => {
  it('normalises proxy URLs and refuses ones the proxy scheme cannot use', () => {
    expect(normalizeProxyUrl(' https://proxy.example/signet/ ')).toBe('https://proxy.example/signet');
    expect(normalizeProxyUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    for (const [bad, says] of [
      ['proxy.example', 'not an absolute URL'],
      ['ftp://proxy.example', 'expected http or https'],
      ['https://user:pw@proxy.example', 'credentials'],
      ['https://proxy.example/?x=1', 'query']
    ] as const) {
      let error: unknown;
      try {
        normalizeProxyUrl(bad);
      } catch (e) {
        error = e;
      }
      expect(isSignetError(error, 'ERR_INPUT_INVALID'), bad).toBe(true);
      expect((error as Error).message).toContain(says);
    }
  });

  it('normalises registry hosts as references write them', () => {
    expect(normalizeRegistryHost('GHCR.io')).toBe('ghcr.io');
    expect(normalizeRegistryHost('https://localhost:5000/')).toBe('localhost:5000');
    expect(normalizeRegistryHost('[::1]:5000')).toBe('[::1]:5000');
    expect(() => normalizeRegistryHost('not a host')).toThrow(/is not a registry host; expected host\[:port\]/);
    expect(() => normalizeRegistryHost('a/b')).toThrow(/not a registry host/);
  });

  it('keeps valid fields, drops bad ones with a reason for each', () => {
    const { settings, problems } = parseSettings({
      theme: 'purple',
      rememberCredentials: 'yes',
      insecureRegistries: ['Registry.Local:5000', 'bad host', 42],
      proxy: { url: 'https://proxy.example', scope: 'listed', registries: ['ghcr.io', 'ghcr.io', 'x y'] }
    });
    expect(settings.theme).toBe('system');
    expect(settings.rememberCredentials).toBe(false);
    expect(settings.insecureRegistries).toEqual(['registry.local:5000']);
    expect(settings.proxy).toEqual({ url: 'https://proxy.example', scope: 'listed', registries: ['ghcr.io'] });
    expect(problems).toEqual([
      'theme: expected one of system, light, dark',
      'rememberCredentials: expected true or false',
      'proxy.registries[2]: "x y" is not a registry host; expected host[:port], e.g. ghcr.io or localhost:5000',
      'insecureRegistries[1]: "bad host" is not a registry host; expected host[:port], e.g. ghcr.io or localhost:5000',
      'insecureRegistries[2]: expected text'
    ]);
  });

  it('turns a proxy scope without a usable URL off, and says why', () => {
    const a = parseSettings({ proxy: { scope: 'all' } });
    expect(a.settings.proxy).toEqual({ url: null, scope: 'off', registries: [] });
    expect(a.problems).toEqual(['proxy: scope "all" needs a proxy url']);
    const b = parseSettings({ proxy: { url: 'javascript:alert(1)', scope: 'all' } });
    expect(b.settings.proxy?.scope).toBe('off');
    expect(b.problems[0]).toMatch(/expected http or https/);
    // A URL alone means "all registries".
    expect(parseSettings({ proxy: { url: 'https://p.example' } }).settings.proxy).toEqual({ url: 'https://p.example', scope: 'all', registries: [] });
  });

  it('round-trips through storage and survives damaged storage', () => {
    const storage = memoryStorage();
    expect(loadSettings(storage)).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
    const mine = { ...DEFAULT_SETTINGS, theme: 'dark' as const, proxy: { url: 'https://p.example', scope: 'listed' as const, registries: ['ghcr.io'] } };
    saveSettings(storage, mine);
    expect(JSON.parse(storage.map.get(SETTINGS_STORAGE_KEY)!)).toEqual(mine);
    expect(loadSettings(storage)).toEqual({ settings: mine, problems: [] });

    storage.setItem(SETTINGS_STORAGE_KEY, '{not json');
    expect(loadSettings(storage)).toEqual({ settings: DEFAULT_SETTINGS, problems: ['settings: the stored value is not JSON; using the defaults'] });
    storage.setItem(SETTINGS_STORAGE_KEY, '[1,2]');
    expect(loadSettings(storage).problems).toEqual(['settings: expected an object; using the defaults']);
    const refusing = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => undefined, removeItem: () => undefined };
    expect(loadSettings(refusing).problems).toEqual(['settings: this browser refused access to local storage; using the defaults']);
  });

  it("uses the person's proxy choice over the deployment's, including an explicit off", () => {
    const deployment = parseDeploymentConfig({ proxy: { url: 'https://deploy.example/proxy', scope: 'all' } });
    expect(deployment.problems).toEqual([]);
    expect(effectiveProxy(DEFAULT_SETTINGS, null)).toEqual({ proxy: null, source: 'none' });
    expect(effectiveProxy(DEFAULT_SETTINGS, deployment.config)).toEqual({ proxy: deployment.config.proxy, source: 'deployment' });
    const own = { ...DEFAULT_SETTINGS, proxy: { url: 'https://mine.example', scope: 'all' as const, registries: [] } };
    expect(effectiveProxy(own, deployment.config)).toEqual({ proxy: own.proxy, source: 'settings' });
    const off = { ...DEFAULT_SETTINGS, proxy: { url: 'https://mine.example', scope: 'off' as const, registries: [] } };
    expect(effectiveProxy(off, deployment.config)).toEqual({ proxy: null, source: 'settings' });
    expect(parseDeploymentConfig('nope').problems).toEqual(['signet.config.json: expected a JSON object']);
  });
});
