/** The tool locator fails loudly, with the install command, instead of letting a suite skip. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toolPath } from '../../helpers/tools';

describe('toolPath', () => {
  const saved = process.env.SIGNET_TOOLS_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.SIGNET_TOOLS_DIR;
    else process.env.SIGNET_TOOLS_DIR = saved;
  });

  it('finds the installed registries', () => {
    expect(toolPath('registry')).toMatch(/bin\/registry$/);
    expect(toolPath('olareg')).toMatch(/bin\/olareg$/);
  });

  it('throws an error naming scripts/install-tools when a tool is missing', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'signet-no-tools-'));
    try {
      process.env.SIGNET_TOOLS_DIR = empty;
      expect(() => toolPath('olareg')).toThrowError(/olareg v0\.1\.2 .* is not installed: .*Run "scripts\/install-tools olareg"/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
