// The real peers scripts/install-tools installs are present and are the versions the project pins.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { toolPath } from '../helpers/tools';

function run(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

describe('installed tools', () => {
  it('notation is v1.3.2', () => {
    expect(run(toolPath('notation'), ['version'])).toMatch(/Version:\s+v1\.3\.2\b/);
  });
  it('the distribution registry is v3.1.1', () => {
    expect(run(toolPath('registry'), ['--version'])).toMatch(/github\.com\/distribution\/distribution\/v3 v3\.1\.1\b/);
  });
  it('olareg is v0.1.2', () => {
    const out = run(toolPath('olareg'), ['version']);
    expect(out).toMatch(/VCSTag:\s+v0\.1\.2\b/);
  });
  it("Debian's Chromium runs headless", () => {
    expect(run(process.env.SIGNET_CHROMIUM ?? '/usr/bin/chromium', ['--headless', '--no-sandbox', '--version'])).toMatch(/Chromium \d+\./);
  });
});
