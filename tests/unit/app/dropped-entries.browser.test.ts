/**
 * Walking dropped folders (Chromium only): real FileSystemDirectoryEntry / FileSystemFileEntry
 * objects from Chromium's sandboxed file system (webkitRequestFileSystem, the same entry types a
 * folder drop yields), walked into SourceFiles and sorted into notation's layout. The e2e suite
 * drops a real folder from disk (tests/e2e/trust.e2e.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { sourcesFromEntries, sourcesFromFiles } from '../../../src/lib/app/dropped-entries';
import { collectTrustImport } from '../../../src/lib/app/trust-import';

type Fs = { root: FileSystemDirectoryEntry };
type Legacy = Window & { webkitRequestFileSystem?: (type: number, size: number, ok: (fs: Fs) => void, fail: (e: unknown) => void) => void; TEMPORARY: number };

async function sandbox(): Promise<FileSystemDirectoryEntry> {
  const w = window as unknown as Legacy;
  if (!w.webkitRequestFileSystem) throw new Error('this Chromium has no webkitRequestFileSystem; the entry walk cannot be tested with real entries');
  const fs = await new Promise<Fs>((resolve, reject) => w.webkitRequestFileSystem!(w.TEMPORARY, 16 * 1024 * 1024, resolve, reject));
  const dir = await new Promise<FileSystemDirectoryEntry>((resolve, reject) =>
    fs.root.getDirectory(`drop-${crypto.randomUUID()}`, { create: true }, (d) => resolve(d as FileSystemDirectoryEntry), reject)
  );
  return dir;
}

function mkdir(parent: FileSystemDirectoryEntry, name: string): Promise<FileSystemDirectoryEntry> {
  return new Promise((resolve, reject) => parent.getDirectory(name, { create: true }, (d) => resolve(d as FileSystemDirectoryEntry), reject));
}

async function write(parent: FileSystemDirectoryEntry, name: string, text: string): Promise<void> {
  const entry = await new Promise<FileSystemFileEntry>((resolve, reject) => parent.getFile(name, { create: true }, (f) => resolve(f as FileSystemFileEntry), reject));
  const writer = await new Promise<{ write(b: Blob): void; onwriteend: () => void; onerror: (e: unknown) => void }>((resolve, reject) =>
    (entry as unknown as { createWriter(ok: (w: never) => void, fail: (e: unknown) => void): void }).createWriter(resolve, reject)
  );
  await new Promise<void>((resolve, reject) => {
    writer.onwriteend = () => resolve();
    writer.onerror = reject;
    writer.write(new Blob([text]));
  });
}

async function path(root: FileSystemDirectoryEntry, parts: string[]): Promise<FileSystemDirectoryEntry> {
  let d = root;
  for (const p of parts) d = await mkdir(d, p);
  return d;
}

describe('dropped folders', () => {
  it('walks a dropped notation folder (more entries than one readEntries batch) into notation\'s layout', async () => {
    const root = await sandbox();
    const notation = await mkdir(root, 'notation');
    await write(notation, 'trustpolicy.json', '{"version":"1.0","trustPolicies":[]}');
    const acme = await path(notation, ['truststore', 'x509', 'ca', 'acme']);
    for (let i = 0; i < 130; i++) await write(acme, `cert-${String(i).padStart(3, '0')}.pem`, `not really a certificate ${i}`);
    await path(acme, ['nested']);
    const stamps = await path(notation, ['truststore', 'x509', 'tsa', 'stamps']);
    await write(stamps, 'root.crt', 'x');

    const sources = await sourcesFromEntries([notation]);
    const base = root.fullPath.replace(/^\//, '');
    expect(sources.filter((s) => s.kind === 'file')).toHaveLength(132);
    expect(sources.find((s) => s.path.endsWith('trustpolicy.json'))?.path).toBe(`${base}/notation/trustpolicy.json`);
    const plan = await collectTrustImport(sources);
    expect(plan.policy?.text).toBe('{"version":"1.0","trustPolicies":[]}');
    expect(plan.stores.map((s) => [`${s.type}:${s.name}`, s.files.length, s.nonRegular])).toEqual([
      ['ca:acme', 130, ['nested']],
      ['tsa:stamps', 1, []]
    ]);
    expect(new TextDecoder().decode(plan.stores[1]!.files[0]!.bytes)).toBe('x');
  });

  it('refuses folders nested deeper than notation ever nests them', async () => {
    const root = await sandbox();
    await path(root, Array.from({ length: 34 }, (_, i) => `d${i}`));
    await expect(sourcesFromEntries([root])).rejects.toThrow(/is nested more than 32 folders deep/);
  });

  it('takes picked files by name when no folder structure comes with them', async () => {
    const sources = sourcesFromFiles([new File(['{"version":"1.0","trustPolicies":[]}'], 'trustpolicy.json')]);
    expect(sources.map((s) => [s.path, s.kind, s.size])).toEqual([['trustpolicy.json', 'file', 36]]);
    expect(new TextDecoder().decode(await sources[0]!.read())).toBe('{"version":"1.0","trustPolicies":[]}');
    expect((await sourcesFromEntries([], [new File(['a'], 'a.zip')])).map((s) => s.path)).toEqual(['a.zip']);
  });
});
