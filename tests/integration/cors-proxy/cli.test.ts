/**
 * The proxy's Node entry point as an operator runs it: configuration from the environment only,
 * refusal of a bad configuration with a message naming the field, /healthz, and a clean stop on
 * SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/tools';

const entry = path.join(repoRoot, 'cors-proxy/src/node.ts');

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, SIGNET_PROXY_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  return { child, out: () => stdout, err: () => stderr };
}

describe('cors-proxy CLI', () => {
  it('runs from environment variables alone and stops cleanly on SIGTERM', async () => {
    const p = run([], {
      SIGNET_PROXY_CONFIG_JSON: JSON.stringify({ registries: ['http://127.0.0.1:5999'] }),
      SIGNET_PROXY_PORT: '0',
      SIGNET_PROXY_ALLOWED_ORIGINS: 'https://signet.example'
    });
    const deadline = Date.now() + 20_000;
    while (!p.out().includes('"msg":"listening"')) {
      if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`did not start: ${p.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = (JSON.parse(p.out().split('\n')[0]!) as { url: string }).url;
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const pre = await fetch(`${url}/x/http/127.0.0.1:5999/v2/`, { method: 'OPTIONS', headers: { Origin: 'https://signet.example', 'Access-Control-Request-Method': 'GET' } });
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://signet.example');
    // No allowAddressRanges: the loopback registry in the allowlist is still refused.
    const refused = await fetch(`${url}/x/http/127.0.0.1:5999/v2/`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('address_not_allowed');
    const exited = once(p.child, 'exit');
    p.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(p.out()).toContain('"code":"address_not_allowed"');
  });

  it('refuses a bad configuration with exit code 2 and names the field', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], { SIGNET_PROXY_PORT: 'eighty' }, /SIGNET_PROXY_PORT: expected an integer/],
      [[], { SIGNET_PROXY_CONFIG_JSON: '{"registries":[{"host":"ftp://x"}]}' }, /registries\[0\]\.host: .*http or https/],
      [['--config', '/nonexistent/cors-proxy.json'], {}, /--config: cannot read \/nonexistent\/cors-proxy\.json/],
      [['--port', '1'], {}, /unknown argument/]
    ];
    for (const [args, env, message] of cases) {
      const p = run(args, env);
      const [code] = await once(p.child, 'exit');
      expect(code, p.err()).toBe(2);
      expect(p.err()).toMatch(message);
    }
  });
});
