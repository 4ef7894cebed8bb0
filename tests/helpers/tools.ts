/**
 * Finds the real peers the integration tests run (notation, the distribution registry, olareg)
 * under .tools/bin, and fails loudly — never skips — when one is missing.
 */
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export type ToolName = 'registry' | 'olareg' | 'notation';

const WHAT: Record<ToolName, string> = {
  registry: 'the CNCF distribution registry v3.1.1',
  olareg: 'olareg v0.1.2 (the Referrers-API registry)',
  notation: 'the notation CLI v1.3.2'
};

/** The repository root (tests/helpers/../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The directory holding the tool binaries: $SIGNET_TOOLS_DIR/bin or <repo>/.tools/bin. */
export function toolsBinDir(): string {
  return path.join(process.env.SIGNET_TOOLS_DIR ?? path.join(repoRoot, '.tools'), 'bin');
}

/** Absolute path of an installed tool; throws with the install command when it is missing. */
export function toolPath(name: ToolName): string {
  const file = path.join(toolsBinDir(), name);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(
      `${WHAT[name]} is not installed: ${file} is missing or not executable. ` +
        `Run "scripts/install-tools ${name}" (or "scripts/install-tools" for everything) from the repository root, then re-run the tests.`
    );
  }
  return file;
}
