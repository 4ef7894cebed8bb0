import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// Debian's Chromium: Playwright's own browser download cannot run on the machines this project
// targets, so every browser test drives the system package (scripts/install-tools installs it).
export const chromiumPath = process.env.SIGNET_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

export default defineConfig({
  plugins: [sveltekit()],
  test: {
    // Unit tests run twice, unchanged: once in Node and once in real Chromium, because the core
    // must behave the same wherever WebCrypto comes from.
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
          // *.browser.test.ts need real IndexedDB / DOM and run only in Chromium.
          exclude: ['tests/unit/**/*.browser.test.ts'],
          testTimeout: 60_000
        }
      },
      {
        extends: true,
        // Vite refuses to serve *.pem/*.crt by default; the browser tests read certificate fixtures.
        server: { fs: { deny: ['.env', '.env.*'] } },
        // Pre-bundled up front: discovering them mid-run makes Vite reload the test page.
        optimizeDeps: { include: ['idb-keyval', '@peculiar/x509'] },
        test: {
          name: 'chromium',
          include: ['tests/unit/**/*.test.ts'],
          exclude: ['tests/unit/**/*.node.test.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs }
            }),
            instances: [{ browser: 'chromium' }],
            // Fixtures are read on the server side and handed over as base64: Vite would otherwise
            // transform extensionless files into JS modules and refuse key material.
            commands: {
              readFixture: async (_context, relativePath: string) => {
                const fixtures = resolve(process.cwd(), 'tests', 'fixtures');
                const path = resolve(fixtures, relativePath);
                if (!path.startsWith(`${fixtures}/`)) throw new Error(`fixture path escapes tests/fixtures: ${relativePath}`);
                return (await readFile(path)).toString('base64');
              }
            }
          }
        }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false
        }
      },
      {
        extends: true,
        test: {
          // The built app in Debian's Chromium through Playwright (tests/e2e/harness.ts).
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
          globalSetup: ['tests/e2e/global-setup.ts']
        }
      }
    ]
  }
});
