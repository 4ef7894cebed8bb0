/**
 * Stand-alone config for the end-to-end suite (the `e2e` project in vite.config.ts does the same):
 *   npx vitest run --config tests/e2e/vitest.e2e.config.ts
 * Tests drive the built app in Debian's Chromium through Playwright (tests/e2e/harness.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'),
  test: {
    name: 'e2e',
    include: ['tests/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ['tests/e2e/global-setup.ts']
  }
});
