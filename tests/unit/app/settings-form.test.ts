/** The Settings page's proxy and host-list forms, mapped to AppSettings with per-field errors. */
import { describe, expect, it } from 'vitest';
import { parseHostList, proxyFormFrom, proxyFormToSettings } from '../../../src/lib/app/settings-form';
import { DEFAULT_SETTINGS, effectiveProxy, parseSettings } from '../../../src/lib/app/settings';

describe('settings forms', () => {
  it('reads host lists one per line, normalised, with the line of each unusable entry', () => {
    expect(parseHostList('GHCR.io\n\n https://localhost:5000/ \nghcr.io\nnot a host\n')).toEqual({
      hosts: ['ghcr.io', 'localhost:5000'],
      errors: [{ line: 5, message: 'registry on line 5: "not a host" is not a registry host; expected host[:port], e.g. ghcr.io or localhost:5000' }]
    });
  });

  it('maps each proxy mode to settings, and the settings back to the form', () => {
    const all = proxyFormToSettings({ mode: 'all', url: 'http://127.0.0.1:8080/', registries: 'ignored' });
    expect(all).toEqual({ proxy: { url: 'http://127.0.0.1:8080', scope: 'all', registries: [] }, registryErrors: [] });
    const listed = proxyFormToSettings({ mode: 'listed', url: 'https://proxy.example', registries: 'ghcr.io\n127.0.0.1:5000' });
    expect(listed.proxy).toEqual({ url: 'https://proxy.example', scope: 'listed', registries: ['ghcr.io', '127.0.0.1:5000'] });
    expect(proxyFormToSettings({ mode: 'off', url: '', registries: '' }).proxy).toEqual({ url: null, scope: 'off', registries: [] });
    expect(proxyFormToSettings({ mode: 'deployment', url: 'anything', registries: '' }).proxy).toBeNull();

    // What the form saves is what settings.ts keeps, and it reads back into the same form.
    const settings = parseSettings({ ...DEFAULT_SETTINGS, proxy: listed.proxy }).settings;
    expect(settings.proxy).toEqual(listed.proxy);
    expect(proxyFormFrom(settings)).toEqual({ mode: 'listed', url: 'https://proxy.example', registries: 'ghcr.io\n127.0.0.1:5000' });
    expect(proxyFormFrom(DEFAULT_SETTINGS).mode).toBe('deployment');
    // "No proxy" overrides a deployment's proxy; the deployment default does not.
    const deployment = { proxy: { url: 'https://d.example', scope: 'all' as const, registries: [] } };
    expect(effectiveProxy({ ...DEFAULT_SETTINGS, proxy: { url: null, scope: 'off', registries: [] } }, deployment).proxy).toBeNull();
    expect(effectiveProxy(DEFAULT_SETTINGS, deployment).proxy?.url).toBe('https://d.example');
  });

  it('says what keeps a proxy form from being saved', () => {
    expect(proxyFormToSettings({ mode: 'all', url: '', registries: '' })).toEqual({
      proxy: undefined,
      urlError: 'proxy URL: enter the address of your Signet CORS proxy, e.g. https://proxy.example',
      registryErrors: []
    });
    expect(proxyFormToSettings({ mode: 'all', url: 'ftp://x', registries: '' }).urlError).toBe('proxy URL: expected http or https, got "ftp:"');
    expect(proxyFormToSettings({ mode: 'listed', url: 'https://p.example', registries: '' }).registryErrors).toEqual([
      { line: 1, message: 'registries: list at least one registry host (e.g. ghcr.io or localhost:5000), or choose "every registry"' }
    ]);
    expect(proxyFormToSettings({ mode: 'listed', url: 'https://p.example', registries: 'ok.io\nb a d' }).registryErrors).toHaveLength(1);
  });
});
