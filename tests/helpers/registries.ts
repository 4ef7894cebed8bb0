/**
 * Starts REAL registries for integration tests, each on a free loopback port with its own
 * temporary storage, and stops them afterwards:
 *  - the CNCF distribution registry v3.1.1 (no Referrers API → tag fallback), optionally with
 *    htpasswd (Basic) or token auth,
 *  - olareg v0.1.2 (Referrers API; stands in for zot, which cannot be installed here).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toolPath } from './tools';

export interface RunningRegistry {
  /** host:port, e.g. 127.0.0.1:40123 — what goes into references. */
  host: string;
  /** http://host:port */
  url: string;
  /** Temporary storage directory (removed on stop). */
  dir: string;
  kind: 'distribution' | 'olareg';
  /** Everything the process printed so far (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

/** bcrypt (cost 4, so each Basic check is fast) hashes of fixed test passwords, for htpasswd. */
export const TEST_USERS = {
  alice: { password: 'signet-test-password', bcrypt: '$2b$04$uVmC0LO2pWx2ipprMKIlbOLWISSBeZFWqlIq9c4vKXbELrNhlQSCu' },
  bob: { password: 'signet-other-password', bcrypt: '$2b$04$0wH1mIuGUdjV3D30QYihNutfbRkxDiGc3UWEyQ/RL8ENvvBNFVfiO' }
} as const;

export type DistributionAuth =
  | { htpasswd: ReadonlyArray<keyof typeof TEST_USERS> }
  | { token: { realm: string; service: string; issuer: string; jwksPath: string } };

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
/** Kills the child when the test process exits, so a crashed run leaves no servers behind. */
export function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A crashed test run must not leave registries behind.
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

/** A free TCP port on 127.0.0.1 (bind to 0, read the port, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, logs: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`registry exited (code ${exited}) before it was ready:\n${logs()}`);
    try {
      const r = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200 || r.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`registry at ${url} did not become ready within ${timeoutMs} ms:\n${logs()}`);
}

async function launch(
  kind: RunningRegistry['kind'],
  dir: string,
  command: string,
  args: (port: number) => Promise<string[]>
): Promise<RunningRegistry> {
  let lastError: unknown;
  // The port is free when picked but could be taken before the registry binds it: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const output: string[] = [];
    const child = spawn(command, await args(port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const collect = (b: Buffer) => {
      output.push(b.toString('utf8'));
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const logs = () => output.join('');
    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    try {
      await waitReady(url, child, logs);
    } catch (e) {
      lastError = e;
      child.kill('SIGKILL');
      continue;
    }
    return {
      host,
      url,
      dir,
      kind,
      logs,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      }
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

/** Starts olareg (Referrers API on, push on, delete on) with a temporary directory store. */
export async function startOlareg(): Promise<RunningRegistry> {
  const bin = toolPath('olareg');
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-olareg-'));
  return launch('olareg', dir, bin, async (port) => [
    'serve',
    '--addr',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    path.join(dir, 'store'),
    '--api-delete',
    '--gc-frequency',
    '-1s' // no garbage collection while a test runs
  ]);
}

/** Starts the distribution registry with filesystem storage, deletes enabled, and optional auth. */
export async function startDistribution(options: { auth?: DistributionAuth } = {}): Promise<RunningRegistry> {
  const bin = toolPath('registry');
  const dir = await mkdtemp(path.join(tmpdir(), 'signet-distribution-'));
  return launch('distribution', dir, bin, async (port) => {
    const q = (s: string) => JSON.stringify(s); // JSON strings are valid YAML scalars
    const lines = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${q(path.join(dir, 'data'))}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${q(`127.0.0.1:${port}`)}`,
      `  secret: ${q('signet-test-secret-' + port)}`
    ];
    const auth = options.auth;
    if (auth && 'htpasswd' in auth) {
      const file = path.join(dir, 'htpasswd');
      await writeFile(file, auth.htpasswd.map((u) => `${u}:${TEST_USERS[u].bcrypt}\n`).join(''));
      lines.push('auth:', '  htpasswd:', `    realm: ${q('signet-test')}`, `    path: ${q(file)}`);
    } else if (auth && 'token' in auth) {
      const t = auth.token;
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${q(t.realm)}`,
        `    service: ${q(t.service)}`,
        `    issuer: ${q(t.issuer)}`,
        `    jwks: ${q(t.jwksPath)}`
      );
    }
    const config = path.join(dir, 'config.yml');
    await writeFile(config, lines.join('\n') + '\n');
    return ['serve', config];
  });
}
