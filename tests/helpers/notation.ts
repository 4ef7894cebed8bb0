/**
 * Runs the REAL notation CLI (v1.3.2, built by scripts/install-tools into .tools/bin) for
 * integration tests, each run against its own throw-away configuration directory, so tests never
 * see the user's ~/.config/notation nor each other's.
 *
 * Node only (integration tests). Typical use:
 *
 *   const home = await NotationHome.create();
 *   try {
 *     await home.writeTrustPolicy(policy);
 *     await home.addTrustStoreCertificates('ca', 'acme', [{ name: 'root.pem', data: pem }]);
 *     const r = await home.run(['verify', '--insecure-registry', ref]);
 *     expect(r.code).toBe(0);
 *   } finally {
 *     await home.dispose();
 *   }
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The notation version these helpers are written against. */
export const NOTATION_VERSION = 'v1.3.2';

/**
 * Path of the notation binary: $SIGNET_NOTATION, else .tools/bin/notation in the repository.
 * Throws (failing the test, never skipping it) with install advice when it is missing.
 */
export function notationBinary(): string {
  const path = process.env['SIGNET_NOTATION'] ?? join(REPO_ROOT, '.tools', 'bin', 'notation');
  if (!existsSync(path)) {
    throw new Error(`notation CLI not found at ${path}: run scripts/install-tools (it builds notation ${NOTATION_VERSION} into .tools/bin)`);
  }
  return path;
}

export interface NotationResult {
  /** Exit code; null when the process was killed (timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for "does the output mention X" checks. */
  readonly output: string;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

export interface RunOptions {
  /** Extra environment variables (merged over the isolated defaults). */
  readonly env?: Readonly<Record<string, string>>;
  /** Sets NOTATION_EXPERIMENTAL=1 (needed for --oci-layout, --scope, --allow-referrers-api). */
  readonly experimental?: boolean;
  /** Kill the process after this long; default 60 s. */
  readonly timeoutMs?: number;
  /** Written to stdin (e.g. "y\n" for a confirmation prompt); stdin is closed either way. */
  readonly input?: string;
  readonly cwd?: string;
}

/** Runs an executable with a clean environment plus `env`, capturing everything. */
export function runProcess(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { timeoutMs?: number; input?: string; cwd?: string } = {}
): Promise<NotationResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, [...args], { env: { ...env }, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      all.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      all.push(b);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        output: Buffer.concat(all).toString('utf8'),
        timedOut,
        durationMs: Date.now() - started
      });
    });
    // A process may exit without reading stdin; that is not an error of the run.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

/** An isolated notation configuration: `<root>/config/notation/...`, plus cache and home dirs. */
export class NotationHome {
  /** Temp directory holding everything of this home. */
  readonly root: string;
  /** What XDG_CONFIG_HOME is set to. */
  readonly configHome: string;
  /** `<configHome>/notation`: trustpolicy.json, truststore/, signingkeys.json, plugins/. */
  readonly notationDir: string;
  readonly binary: string;

  private constructor(root: string, binary: string) {
    this.root = root;
    this.binary = binary;
    this.configHome = join(root, 'config');
    this.notationDir = join(this.configHome, 'notation');
  }

  /** Creates a fresh, empty configuration; fails with install advice if notation is missing. */
  static async create(): Promise<NotationHome> {
    const binary = notationBinary();
    const root = await mkdtemp(join(tmpdir(), 'signet-notation-'));
    const home = new NotationHome(root, binary);
    await mkdir(home.notationDir, { recursive: true, mode: 0o700 });
    await mkdir(join(root, 'cache'), { recursive: true });
    await mkdir(join(root, 'home'), { recursive: true });
    return home;
  }

  /** The environment every run gets: only this home's directories, no proxies, no user config. */
  environment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: join(this.root, 'home'),
      XDG_CONFIG_HOME: this.configHome,
      XDG_CACHE_HOME: join(this.root, 'cache'),
      TMPDIR: this.root,
      NO_COLOR: '1',
      ...extra
    };
  }

  /** Runs `notation <args>` in this home. */
  run(args: readonly string[], options: RunOptions = {}): Promise<NotationResult> {
    const env = this.environment({ ...(options.experimental ? { NOTATION_EXPERIMENTAL: '1' } : {}), ...options.env });
    return runProcess(this.binary, args, env, {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      cwd: options.cwd ?? this.root
    });
  }

  /** Writes a file under this home's root (for policies to import, keys, layouts). */
  async writeFile(relativePath: string, data: string | Uint8Array): Promise<string> {
    const path = join(this.root, relativePath);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, data);
    return path;
  }

  /** Writes `trustpolicy.json` directly (bytes as given; objects as JSON), bypassing import. */
  async writeTrustPolicy(policy: string | Uint8Array | object): Promise<string> {
    const path = join(this.notationDir, 'trustpolicy.json');
    const data = typeof policy === 'string' || policy instanceof Uint8Array ? policy : JSON.stringify(policy, null, 2);
    await writeFile(path, data, { mode: 0o600 });
    return path;
  }

  /** `notation policy import --force <file>` with the given content; the real validation path. */
  async importTrustPolicy(policy: string | Uint8Array | object, options: RunOptions = {}): Promise<NotationResult> {
    const data = typeof policy === 'string' || policy instanceof Uint8Array ? policy : JSON.stringify(policy, null, 2);
    const file = await this.writeFile(`import-${Date.now()}-${Math.random().toString(36).slice(2)}.json`, data);
    return this.run(['policy', 'import', '--force', file], options);
  }

  /**
   * Creates `truststore/x509/<type>/<name>/` with the given certificate files (PEM or DER, as
   * notation reads them); returns the store directory.
   */
  async addTrustStoreCertificates(
    type: TrustStoreType,
    name: string,
    files: readonly { name: string; data: string | Uint8Array }[]
  ): Promise<string> {
    const dir = join(this.notationDir, 'truststore', 'x509', type, name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const f of files) await writeFile(join(dir, f.name), f.data, { mode: 0o600 });
    return dir;
  }

  /**
   * Registers a local signing key (PEM private key + PEM certificate chain, leaf first) in
   * `signingkeys.json`, as `notation key` would; `isDefault` makes `--key` optional.
   */
  async addSigningKey(name: string, keyPem: string, certChainPem: string, isDefault = true): Promise<void> {
    const keyPath = await this.writeFile(`keys/${name}.key`, keyPem);
    await chmod(keyPath, 0o600);
    const certPath = await this.writeFile(`keys/${name}.crt`, certChainPem);
    const path = join(this.notationDir, 'signingkeys.json');
    type SigningKeys = { default?: string; keys: { name: string; keyPath: string; certPath: string }[] };
    const existing: SigningKeys = existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as SigningKeys) : { keys: [] };
    existing.keys = existing.keys.filter((k) => k.name !== name).concat([{ name, keyPath, certPath }]);
    if (isDefault) existing.default = name;
    await writeFile(path, JSON.stringify(existing, null, 2), { mode: 0o600 });
  }

  /** Removes everything this home wrote. */
  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Creates a home, runs `fn`, and always removes the home. */
export async function withNotationHome<T>(fn: (home: NotationHome) => Promise<T>): Promise<T> {
  const home = await NotationHome.create();
  try {
    return await fn(home);
  } finally {
    await home.dispose();
  }
}

/** Maps with at most `limit` promises in flight, keeping order; for bounded CLI parallelism. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Writes a minimal OCI image layout (one empty-config manifest, no layers); returns its digest. */
export async function writeMinimalOciLayout(dir: string, label = 'signet'): Promise<{ dir: string; digest: string }> {
  const { createHash } = await import('node:crypto');
  const sha = (b: Uint8Array): string => 'sha256:' + createHash('sha256').update(b).digest('hex');
  const config = new TextEncoder().encode('{}');
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.signet.test',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(config), size: config.length }],
      annotations: { 'org.opencontainers.image.title': label }
    })
  );
  const digest = sha(manifest);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'blobs', 'sha256', sha(config).slice(7)), config);
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length }]
    })
  );
  return { dir, digest };
}
