/**
 * The zip reader and writer: archives written by real tools (Info-ZIP, Python), round trips,
 * every refusal with its code, the limits, and fuzzing — random bytes and mutated archives end in
 * entries or a SignetError, never another exception, a hang, or more bytes than the limits allow.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, utf8Decode, utf8Encode } from '../../../src/lib/bytes';
import { isSignetError, type SignetErrorCode } from '../../../src/lib/errors';
import { crc32, readZip, writeZip, type ZipEntry, type ZipLimits } from '../../../src/lib/app/zip';
import { infoZip, infoZipEncrypted, infoZipStreamed, python } from './zip-fixtures';

const ROOT_PEM = 'certificate placeholder '.repeat(50);

async function rejection(p: Promise<unknown>): Promise<{ code: SignetErrorCode; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isSignetError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

function text(entries: readonly ZipEntry[], name: string): string | undefined {
  const e = entries.find((x) => x.name === name);
  return e?.bytes ? utf8Decode(e.bytes) : undefined;
}

/** Replaces every occurrence of `from` (bytes) with `to` (same length) in a copy of `bytes`. */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const a = utf8Encode(from);
  const b = utf8Encode(to);
  expect(a.length).toBe(b.length);
  const out = bytes.slice();
  let count = 0;
  for (let i = 0; i + a.length <= out.length; i++) {
    if (a.every((v, j) => out[i + j] === v)) {
      out.set(b, i);
      count++;
    }
  }
  expect(count).toBeGreaterThan(0);
  return out;
}

describe('crc32', () => {
  it('matches the standard check value and chains', () => {
    expect(crc32(utf8Encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(utf8Encode('6789'), crc32(utf8Encode('12345')))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('readZip on archives written by real tools', () => {
  it('reads Info-ZIP: directories, a symlink (not followed), stored and deflated files', async () => {
    const entries = await readZip(base64Decode(infoZip));
    const kinds = Object.fromEntries(entries.map((e) => [e.name, e.kind]));
    expect(kinds).toEqual({
      notation: 'directory',
      'notation/trustpolicy.json': 'file',
      'notation/truststore': 'directory',
      'notation/truststore/x509': 'directory',
      'notation/truststore/x509/ca': 'directory',
      'notation/truststore/x509/ca/acme': 'directory',
      'notation/truststore/x509/ca/acme/link.pem': 'symlink',
      'notation/truststore/x509/ca/acme/root.pem': 'file',
      'notation/truststore/x509/tsa': 'directory',
      'notation/truststore/x509/tsa/ts': 'directory',
      'notation/truststore/x509/tsa/ts/small.crt': 'file'
    });
    expect(text(entries, 'notation/truststore/x509/ca/acme/root.pem')).toBe(ROOT_PEM);
    expect(text(entries, 'notation/truststore/x509/tsa/ts/small.crt')).toBe('x');
    expect(text(entries, 'notation/trustpolicy.json')).toBe('{"version":"1.0"}\n');
    expect(entries.find((e) => e.kind === 'symlink')!.bytes).toBeUndefined();
  });

  it('reads deflate with data descriptors (Info-ZIP to a pipe) and Python zipfile output', async () => {
    const streamed = await readZip(base64Decode(infoZipStreamed));
    expect(streamed.map((e) => e.name)).toEqual(['trustpolicy.json', 'truststore/x509/ca/acme/root.pem']);
    expect(text(streamed, 'truststore/x509/ca/acme/root.pem')).toBe(ROOT_PEM);
    const py = await readZip(base64Decode(python));
    expect(text(py, 'truststore/x509/ca/py/root.pem')).toBe('hello '.repeat(100));
    expect(py.find((e) => e.name === 'truststore/x509/signingAuthority/sa/cert.der')!.bytes).toEqual(Uint8Array.from({ length: 256 }, (_, i) => i));
  });

  it('reads only what include selects, listing the rest without content', async () => {
    const entries = await readZip(base64Decode(infoZip), { include: (p) => p.endsWith('.json') });
    expect(entries.filter((e) => e.bytes).map((e) => e.name)).toEqual(['notation/trustpolicy.json']);
    expect(entries.find((e) => e.name.endsWith('root.pem'))).toEqual({ name: 'notation/truststore/x509/ca/acme/root.pem', kind: 'file', size: 1200 });
  });

  it('reads from a Blob by ranges', async () => {
    const entries = await readZip(new Blob([base64Decode(python) as BlobPart]));
    expect(entries).toHaveLength(2);
  });
});

describe('readZip refusals', () => {
  it('refuses encrypted entries with advice', async () => {
    const r = await rejection(readZip(base64Decode(infoZipEncrypted), { what: 'store.zip' }));
    expect(r).toEqual({ code: 'ERR_UNSUPPORTED', message: 'store.zip: entry "notation/trustpolicy.json" is encrypted; trust stores hold public certificates, zip them without a password' });
  });

  it('refuses paths that leave the folder, absolute paths and duplicates', async () => {
    const base = writeZip([{ name: 'aa/x.pem', bytes: utf8Encode('a') }]);
    expect(await rejection(readZip(patch(base, 'aa/', '../')))).toMatchObject({ code: 'ERR_INPUT_INVALID', message: expect.stringContaining('points outside the archive\'s folder') });
    expect(await rejection(readZip(patch(base, 'aa/x', '/a/x')))).toMatchObject({ code: 'ERR_INPUT_INVALID', message: expect.stringContaining('has an absolute path') });
    const two = writeZip([
      { name: 'a/x.pem', bytes: utf8Encode('1') },
      { name: 'a/y.pem', bytes: utf8Encode('2') }
    ]);
    expect(await rejection(readZip(patch(two, 'a/y.pem', 'a/x.pem')))).toEqual({ code: 'ERR_INPUT_INVALID', message: 'the archive is not a readable zip archive: entry "a/x.pem" appears twice' });
  });

  it('detects damage: CRC, truncation, not a zip', async () => {
    const good = writeZip([{ name: 'f.txt', bytes: utf8Encode('hello world') }]);
    expect(await rejection(readZip(patch(good, 'hello world', 'hello World')))).toEqual({
      code: 'ERR_INPUT_INVALID',
      message: 'the archive (entry "f.txt") is not a readable zip archive: its CRC-32 does not match (the archive is damaged)'
    });
    expect(await rejection(readZip(good.subarray(0, good.length - 5)))).toMatchObject({ code: 'ERR_INPUT_INVALID', message: expect.stringContaining('no end of central directory record') });
    expect(await rejection(readZip(utf8Encode('just text'), { what: 'notes.zip' }))).toEqual({
      code: 'ERR_INPUT_INVALID',
      message: 'notes.zip is not a readable zip archive: it is 9 bytes, smaller than the smallest zip (22 bytes)'
    });
  });

  it('stops inflating at the declared size (a zip bomb cannot grow past it)', async () => {
    // Python-made entry of 600 bytes; declare 100 in both headers: inflation must stop with an error.
    const bytes = base64Decode(python);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + 46 <= bytes.length; i++) {
      if (view.getUint32(i, true) === 0x02014b50 && view.getUint32(i + 24, true) === 600) view.setUint32(i + 24, 100, true);
    }
    const r = await rejection(readZip(bytes));
    expect(r.code).toBe('ERR_INPUT_INVALID');
    expect(r.message).toContain('inflates to more than the 100 bytes its directory declares');
  });

  it('applies the limits before reading', async () => {
    const zip = writeZip([
      { name: 'a.bin', bytes: new Uint8Array(3000) },
      { name: 'b.bin', bytes: new Uint8Array(3000) },
      { name: 'c.bin', bytes: new Uint8Array(10) }
    ]);
    const limited = (limits: Partial<ZipLimits>) => rejection(readZip(zip, { limits, what: 'z.zip' }));
    expect(await limited({ maxEntryBytes: 2999 })).toEqual({ code: 'ERR_INPUT_TOO_LARGE', message: 'z.zip: a.bin is 3000 bytes; files up to 2999 bytes are read' });
    expect(await limited({ maxTotalBytes: 5999 })).toEqual({ code: 'ERR_INPUT_TOO_LARGE', message: 'z.zip: the files to read add up to more than 5999 bytes' });
    expect(await limited({ maxEntries: 2 })).toEqual({ code: 'ERR_INPUT_TOO_LARGE', message: 'z.zip has 3 entries; at most 2 are read' });
    // Unread entries do not count.
    expect((await readZip(zip, { limits: { maxEntryBytes: 100 }, include: (p) => p === 'c.bin' })).filter((e) => e.bytes)).toHaveLength(1);
  });
});

describe('writeZip', () => {
  it('round-trips files and lists their folders, and real unzip layouts come back the same', async () => {
    const files = [
      { name: 'truststore/x509/ca/acme/root.pem', bytes: utf8Encode(ROOT_PEM) },
      { name: 'truststore/x509/ca/acme/ünïcode.crt', bytes: new Uint8Array([0, 1, 2, 255]) },
      { name: 'truststore/x509/tsa/ts/empty.crt', bytes: new Uint8Array(0) }
    ];
    const entries = await readZip(writeZip(files, new Date(2026, 0, 2, 3, 4, 6)));
    expect(entries.filter((e) => e.kind === 'directory').map((e) => e.name)).toEqual([
      'truststore',
      'truststore/x509',
      'truststore/x509/ca',
      'truststore/x509/ca/acme',
      'truststore/x509/tsa',
      'truststore/x509/tsa/ts'
    ]);
    expect(entries.filter((e) => e.kind === 'file').map((e) => ({ name: e.name, bytes: e.bytes }))).toEqual(files);
  });

  it('refuses unclean names', () => {
    for (const name of ['../x', '/abs', 'a//b', 'dir/', '']) {
      expect(() => writeZip([{ name, bytes: new Uint8Array(1) }]), name).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INVALID' }));
    }
    expect(() => writeZip([{ name: 'a', bytes: new Uint8Array(1) }, { name: 'a', bytes: new Uint8Array(1) }])).toThrow('given twice');
  });
});

describe('readZip fuzzing', () => {
  const limits = { maxEntries: 50, maxEntryBytes: 64 * 1024, maxTotalBytes: 256 * 1024 };
  async function outcome(bytes: Uint8Array): Promise<'ok' | SignetErrorCode> {
    try {
      const entries = await readZip(bytes, { limits });
      const total = entries.reduce((n, e) => n + (e.bytes?.length ?? 0), 0);
      expect(total).toBeLessThanOrEqual(limits.maxTotalBytes);
      return 'ok';
    } catch (e) {
      if (!isSignetError(e)) throw e;
      return e.code;
    }
  }

  it('random bytes end in a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        expect(['ok', 'ERR_INPUT_INVALID', 'ERR_UNSUPPORTED', 'ERR_INPUT_TOO_LARGE']).toContain(await outcome(bytes));
      }),
      { numRuns: 300 }
    );
  });

  it('mutated real archives are read or refused with a typed error', async () => {
    const seeds = [infoZip, infoZipStreamed, python].map((s) => base64Decode(s));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (seed, edits, cut) => {
          let bytes = seeds[seed]!.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
          expect(['ok', 'ERR_INPUT_INVALID', 'ERR_UNSUPPORTED', 'ERR_INPUT_TOO_LARGE']).toContain(await outcome(bytes));
        }
      ),
      { numRuns: 400 }
    );
  });
});
