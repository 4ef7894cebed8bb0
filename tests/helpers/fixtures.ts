/**
 * Loads fixture files the same way in Node and in Chromium (vitest browser mode), so one test file
 * runs unchanged in both. Paths are relative to tests/fixtures.
 */
const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

export async function readFixture(relativePath: string): Promise<Uint8Array> {
  if (inBrowser) {
    // The vitest browser server serves project files by their path from the project root.
    const response = await fetch(`/tests/fixtures/${relativePath}`);
    if (!response.ok) throw new Error(`fixture ${relativePath}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const path = fileURLToPath(new URL(`../fixtures/${relativePath}`, import.meta.url));
  return new Uint8Array(await readFile(path));
}

export async function readFixtureText(relativePath: string): Promise<string> {
  return new TextDecoder().decode(await readFixture(relativePath));
}

export async function readFixtureJson<T = unknown>(relativePath: string): Promise<T> {
  return JSON.parse(await readFixtureText(relativePath)) as T;
}
