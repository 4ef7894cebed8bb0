import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, ProxyConfigError, parseProxyConfig } from '../../../cors-proxy/src/config';
import { matchTarget } from '../../../cors-proxy/src/policy';
import exampleFile from '../../../cors-proxy/cors-proxy.example.json';

function configError(raw: unknown, env: Record<string, string> = {}): ProxyConfigError {
  try {
    parseProxyConfig(raw, env);
  } catch (e) {
    if (e instanceof ProxyConfigError) return e;
    throw e;
  }
  throw new Error('expected a ProxyConfigError');
}

const example = {
  allowedOrigins: ['https://signet.example'],
  registries: [
    { host: 'ghcr.io', authHosts: ['ghcr.io'], storageHosts: ['pkg-containers.githubusercontent.com'] },
    { host: 'registry-1.docker.io', authHosts: ['auth.docker.io'], storageHosts: ['*.cloudflare.docker.com'] },
    'http://127.0.0.1:5000'
  ],
  timestampAuthorities: ['http://timestamp.digicert.com'],
  ocspResponders: ['http://ocsp.digicert.com'],
  crlDistributionPoints: ['http://crl3.digicert.com/ca/']
};

describe('parseProxyConfig', () => {
  it('applies defaults', () => {
    const c = parseProxyConfig({});
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(c.rules).toEqual([]);
    expect(c.allowedOrigins).toEqual([]);
    expect(c.requireOrigin).toBe(false);
    expect(c.publicUrl).toBeNull();
  });

  it('normalises the allowlist into rules', () => {
    const c = parseProxyConfig(example);
    const summary = c.rules.map((r) => `${r.kind} ${r.protocol}//${r.host}${r.port ? `:${r.port}` : ''}${r.pathPrefix}`);
    expect(summary).toEqual([
      'registry https://ghcr.io/v2',
      'auth https://ghcr.io/',
      'storage https://pkg-containers.githubusercontent.com/',
      'registry https://registry-1.docker.io/v2',
      'auth https://auth.docker.io/',
      'storage https://*.cloudflare.docker.com/',
      'registry http://127.0.0.1:5000/v2',
      'tsa http://timestamp.digicert.com/',
      'ocsp http://ocsp.digicert.com/',
      'crl http://crl3.digicert.com/ca/'
    ]);
  });

  it('lets environment variables override the file', () => {
    const c = parseProxyConfig(example, {
      SIGNET_PROXY_PORT: '9000',
      SIGNET_PROXY_HOST: '0.0.0.0',
      SIGNET_PROXY_ALLOWED_ORIGINS: 'http://localhost:5173, https://signet.example',
      SIGNET_PROXY_ALLOW_ADDRESS_RANGES: '127.0.0.0/8,::1',
      SIGNET_PROXY_PUBLIC_URL: 'https://proxy.example/signet/',
      SIGNET_PROXY_TSA: 'http://127.0.0.1:7000',
      SIGNET_PROXY_MAX_REQUEST_BODY_BYTES: '1024',
      SIGNET_PROXY_REQUIRE_ORIGIN: 'true',
      SIGNET_PROXY_REGISTRIES: '[{"host":"http://localhost:5000"}]'
    });
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(c.allowedOrigins).toEqual(['http://localhost:5173', 'https://signet.example']);
    expect(c.allowAddressRanges.map((r) => r.text)).toEqual(['127.0.0.0/8', '::1']);
    expect(c.publicUrl).toBe('https://proxy.example/signet');
    expect(c.limits.maxRequestBodyBytes).toBe(1024);
    expect(c.requireOrigin).toBe(true);
    expect(c.rules.filter((r) => r.kind === 'tsa').map((r) => r.host)).toEqual(['127.0.0.1']);
    expect(c.rules.filter((r) => r.kind === 'registry').map((r) => r.host)).toEqual(['localhost']);
  });

  it('accepts the example configuration shipped in cors-proxy/', () => {
    const c = parseProxyConfig(exampleFile);
    expect(c.limits).toEqual(DEFAULT_LIMITS); // the example spells out the defaults
    expect(c.rules.filter((r) => r.kind === 'registry').map((r) => `${r.protocol}//${r.host}`)).toEqual([
      'http://127.0.0.1',
      'https://ghcr.io',
      'https://registry-1.docker.io'
    ]);
  });

  it('takes a whole configuration from SIGNET_PROXY_CONFIG_JSON', () => {
    const c = parseProxyConfig({}, { SIGNET_PROXY_CONFIG_JSON: JSON.stringify(example) });
    expect(c.rules).toHaveLength(10);
  });

  it('names the field and the expectation in every error', () => {
    const cases: Array<[unknown, Record<string, string>, string, RegExp]> = [
      [[], {}, '(root)', /JSON object/],
      [{ allowedOrigin: [] }, {}, 'allowedOrigin', /unknown field/],
      [{ allowedOrigins: ['https://signet.example/app'] }, {}, 'allowedOrigins[0]', /exactly an origin/],
      [{ allowedOrigins: 'https://a' }, {}, 'allowedOrigins', /array of strings/],
      [{ registries: [{ host: 'ftp://x' }] }, {}, 'registries[0].host', /http or https/],
      [{ registries: [{ host: 'https://x.example/v3' }] }, {}, 'registries[0].host', /origin/],
      [{ registries: [{ host: 'x.example', storage: [] }] }, {}, 'registries[0].storage', /unknown field/],
      [{ registries: [{ host: 'x', storageHosts: ['*.com'] }] }, {}, 'registries[0].storageHosts[0]', /two labels/],
      [{ registries: [{ host: 'https://u:p@x.example' }] }, {}, 'registries[0].host', /credentials/],
      [{ allowAddressRanges: ['10.0.0.0/40'] }, {}, 'allowAddressRanges[0]', /address range/],
      [{ limits: { maxBody: 1 } }, {}, 'limits.maxBody', /unknown limit/],
      [{ limits: { totalTimeoutMs: -1 } }, {}, 'limits.totalTimeoutMs', /integer/],
      [{ listen: { port: 70000 } }, {}, 'listen.port', /integer from 0 to 65535/],
      [{ publicUrl: 'https://p.example/?a' }, {}, 'publicUrl', /no query/],
      [{}, { SIGNET_PROXY_CONFIG_JSON: '{nope' }, 'SIGNET_PROXY_CONFIG_JSON', /not valid JSON/],
      [{}, { SIGNET_PROXY_MAX_REDIRECTS: 'ten' }, 'SIGNET_PROXY_MAX_REDIRECTS', /integer/],
      [{ requireOrigin: 'yes' }, {}, 'requireOrigin', /true or false/]
    ];
    for (const [raw, env, field, message] of cases) {
      const e = configError(raw, env);
      expect(e.field, JSON.stringify(raw)).toBe(field);
      expect(e.message).toMatch(message);
      expect(e.code).toBe('ERR_PROXY_CONFIG_INVALID');
    }
  });
});

describe('matchTarget', () => {
  const rules = parseProxyConfig(example).rules;
  const allowed = (url: string, method: string) => matchTarget(rules, new URL(url), method);

  it('opens /v2/ on registries with registry methods', () => {
    for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(allowed('https://ghcr.io/v2/org/app/manifests/v1', m).ok, m).toBe(true);
    }
    expect(allowed('https://ghcr.io/v2', 'GET').ok).toBe(true);
    expect(allowed('http://127.0.0.1:5000/v2/', 'PUT').ok).toBe(true);
  });

  it('opens the token realm for GET and POST only', () => {
    expect(allowed('https://auth.docker.io/token?service=x', 'GET').ok).toBe(true);
    expect(allowed('https://auth.docker.io/token', 'POST').ok).toBe(true);
    const put = allowed('https://auth.docker.io/token', 'PUT');
    expect(put).toMatchObject({ ok: false, code: 'method_not_allowed' });
  });

  it('uses the union of rules on a host that is both registry and token realm', () => {
    expect(allowed('https://ghcr.io/token', 'GET').ok).toBe(true);
    expect(allowed('https://ghcr.io/token', 'DELETE')).toMatchObject({ ok: false, code: 'method_not_allowed' });
  });

  it('matches wildcard storage hosts on subdomains only', () => {
    expect(allowed('https://production.cloudflare.docker.com/registry-v2/x', 'GET').ok).toBe(true);
    expect(allowed('https://cloudflare.docker.com/x', 'GET').ok).toBe(false);
    expect(allowed('https://evilcloudflare.docker.com/x', 'GET').ok).toBe(false);
    expect(allowed('https://production.cloudflare.docker.com/x', 'PUT').ok).toBe(false);
  });

  it('restricts TSA, OCSP and CRL entries to their methods and path prefixes', () => {
    expect(allowed('http://timestamp.digicert.com/', 'POST').ok).toBe(true);
    expect(allowed('http://timestamp.digicert.com/', 'GET').ok).toBe(false);
    expect(allowed('http://ocsp.digicert.com/MFEwTzBN%2FBAg', 'GET').ok).toBe(true);
    expect(allowed('http://crl3.digicert.com/ca/root.crl', 'GET').ok).toBe(true);
    expect(allowed('http://crl3.digicert.com/cab/root.crl', 'GET').ok).toBe(false);
    expect(allowed('http://crl3.digicert.com/ca/..%2f..%2fadmin', 'GET').ok).toBe(false);
    expect(allowed('http://crl3.digicert.com/ca/x%2F%2e%2e%2Fadmin', 'GET').ok).toBe(false);
    expect(allowed('http://crl3.digicert.com/ca/x%5c..%5cadmin', 'GET').ok).toBe(false);
    expect(allowed('http://crl3.digicert.com/ca/%E0%A4%A', 'GET').ok).toBe(false); // undecodable
    expect(allowed('http://crl3.digicert.com/ca/MEMwQTA%2FMD0w%2BQQ%3D', 'GET').ok).toBe(true); // base64 with %2F
  });

  it('refuses other hosts, schemes, ports and paths with a message that says what to do', () => {
    const other = allowed('https://evil.example/v2/', 'GET');
    expect(other).toMatchObject({ ok: false, code: 'target_not_allowed' });
    expect(!other.ok && other.message).toMatch(/not on this proxy's allowlist/);
    const scheme = allowed('http://ghcr.io/v2/', 'GET');
    expect(!scheme.ok && scheme.message).toMatch(/another scheme or port/);
    expect(allowed('http://127.0.0.1:5001/v2/', 'GET').ok).toBe(false);
    const path = allowed('http://127.0.0.1:5000/debug/vars', 'GET');
    expect(!path.ok && path.message).toMatch(/opens only \/v2\//);
    expect(allowed('http://127.0.0.1:5000/v2/..%2fdebug', 'GET').ok).toBe(false);
  });
});
