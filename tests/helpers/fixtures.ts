/**
 * Loads fixture files the same way in Node and in Chromium (vitest browser mode), so one test file
 * runs unchanged in both. Paths are relative to tests/fixtures.
 */
const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

export async function readFixture(relativePath: string): Promise<Uint8Array> {
  if (inBrowser) {
    // A server-side command defined in vite.config.ts reads the file byte for byte.
    const { commands } = await import('vitest/browser');
    const readFixture = (commands as unknown as { readFixture: (path: string) => Promise<string> }).readFixture;
    const b64 = await readFixture(relativePath);
    const binary = atob(b64);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
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
