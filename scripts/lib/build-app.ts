/**
 * Builds the app (npx vite build) unless build/ is already newer than everything it is built
 * from. Used by `npm start` and by the e2e suite's globalSetup. Node only.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = path.join(repoRoot, 'build');

/** Inputs of the build; a change to any of them makes build/ stale. */
const INPUTS = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json', 'tsconfig.json'];

function newestMtime(p: string): number {
  let s;
  try {
    s = statSync(p);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** True when build/index.html exists and is newer than every build input. */
export function buildIsFresh(): boolean {
  const built = newestMtime(path.join(buildDir, 'index.html'));
  if (built === 0) return false;
  return INPUTS.every((input) => newestMtime(path.join(repoRoot, input)) < built);
}

/** Runs `npx vite build` if build/ is stale; throws with the build output if it fails. */
export function ensureAppBuilt(log: (line: string) => void = () => undefined): void {
  if (buildIsFresh()) {
    log('build/ is up to date; not rebuilding');
    return;
  }
  log('building the app (npx vite build)…');
  const started = Date.now();
  const r = spawnSync('npx', ['vite', 'build'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 600_000 });
  if (r.status !== 0) {
    throw new Error(`e2e: "npx vite build" failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
