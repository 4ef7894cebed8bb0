/**
 * A small ZIP reader and writer for notation trust stores moved in and out of the browser as one
 * file (`truststore/x509/<type>/<name>/*`). Reading understands what common tools write — stored
 * and deflated entries (deflate through the platform's DecompressionStream('deflate-raw')), data
 * descriptors, UTF-8 or legacy names, Unix modes for symlinks and directories — and refuses the
 * rest with a typed error: encryption, ZIP64, multi-disk archives, unsafe paths, duplicates.
 * Every size is checked before anything is read or inflated, inflation stops at the declared size,
 * and each entry's CRC-32 is verified, so a hostile archive cannot make it allocate unboundedly.
 * Reading is random access over a Blob (or bytes): only the directory and the entries asked for
 * are read, so a zip of a whole notation folder (plugins included) does not have to fit in memory.
 * Writing produces stored (uncompressed) entries, which every unzip tool reads.
 * Format: PKWARE APPNOTE 6.3.x (sections 4.3 and 4.4).
 */
import { SignetError } from '../errors';

/** What a reader may read at most. Defaults fit any real trust store (a handful of small files). */
export interface ZipLimits {
  /** Entries in the central directory. */
  readonly maxEntries: number;
  /** Uncompressed bytes of one entry that is read. */
  readonly maxEntryBytes: number;
  /** Uncompressed bytes of all entries read together. */
  readonly maxTotalBytes: number;
  /** Bytes of one entry name. */
  readonly maxNameBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = Object.freeze({
  maxEntries: 10_000,
  maxEntryBytes: 4 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxNameBytes: 1024
});

export type ZipEntryKind = 'file' | 'directory' | 'symlink';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, without a trailing slash for directories. */
  readonly name: string;
  readonly kind: ZipEntryKind;
  /** Uncompressed size the directory declares. */
  readonly size: number;
  /** Content, for files that were selected for reading; undefined otherwise. */
  readonly bytes?: Uint8Array;
}

/** Random access to the archive's bytes (a File/Blob in the browser, bytes in tests). */
export interface ZipSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ZipSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

export function blobSource(blob: Blob): ZipSource {
  return { size: blob.size, read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()) };
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const HOST_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

function invalid(what: string, detail: string): SignetError {
  return new SignetError('ERR_INPUT_INVALID', `${what} is not a readable zip archive: ${detail}`);
}

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as ZIP uses it). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function decodeName(raw: Uint8Array, utf8Flag: boolean): string {
  // Names without the UTF-8 flag are CP437 by the format; tools write UTF-8 there anyway, so
  // UTF-8 is tried first and windows-1252 (close to CP437 for what names use) is the fallback.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    if (utf8Flag) throw new Error('an entry name flagged as UTF-8 is not valid UTF-8');
    return new TextDecoder('windows-1252').decode(raw);
  }
}

/** The entry path, normalised; throws for paths that could escape a folder or are not paths. */
function cleanPath(name: string, what: string): { path: string; directory: boolean } {
  const unified = name.replace(/\\/g, '/');
  const directory = unified.endsWith('/');
  const trimmed = unified.replace(/\/+$/, '');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(trimmed)) throw invalid(what, `entry name ${JSON.stringify(name.slice(0, 200))} contains control characters`);
  if (trimmed.startsWith('/') || /^[A-Za-z]:/.test(trimmed)) throw invalid(what, `entry ${JSON.stringify(name.slice(0, 200))} has an absolute path`);
  const parts = trimmed.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalid(what, `entry ${JSON.stringify(name.slice(0, 200))} points outside the archive's folder ("..")`);
  if (parts.length === 0) {
    if (directory) return { path: '', directory };
    throw invalid(what, 'an entry has an empty name');
  }
  return { path: parts.join('/'), directory };
}

interface CentralRecord {
  name: string;
  kind: ZipEntryKind;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

async function findEndOfCentralDirectory(source: ZipSource, what: string): Promise<{ at: number; tail: Uint8Array; tailStart: number }> {
  if (source.size < EOCD_SIZE) throw invalid(what, `it is ${source.size} bytes, smaller than the smallest zip (22 bytes)`);
  const tailLength = Math.min(source.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (u32(tail, i) !== SIG_EOCD) continue;
    // A real end record's comment reaches exactly to the end of the file.
    if (i + EOCD_SIZE + u16(tail, i + 20) === tail.length) return { at: tailStart + i, tail, tailStart };
  }
  throw invalid(what, 'no end of central directory record was found (the file is truncated or is not a zip)');
}

async function readCentralDirectory(source: ZipSource, what: string, limits: ZipLimits): Promise<{ records: CentralRecord[]; cdOffset: number }> {
  const { at, tail, tailStart } = await findEndOfCentralDirectory(source, what);
  const e = at - tailStart;
  const disk = u16(tail, e + 4);
  const cdDisk = u16(tail, e + 6);
  const entriesHere = u16(tail, e + 8);
  const entries = u16(tail, e + 10);
  const cdSize = u32(tail, e + 12);
  const cdOffset = u32(tail, e + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || (e >= 20 && u32(tail, e - 20) === SIG_ZIP64_LOCATOR)) {
    throw new SignetError('ERR_UNSUPPORTED', `${what} is a ZIP64 archive, which Signet does not read; a trust store zip is small — create it again with a common tool (e.g. zip -r)`);
  }
  if (disk !== 0 || cdDisk !== 0 || entriesHere !== entries) throw new SignetError('ERR_UNSUPPORTED', `${what} is split over several disks; join it into one zip first`);
  if (entries > limits.maxEntries) throw new SignetError('ERR_INPUT_TOO_LARGE', `${what} has ${entries} entries; at most ${limits.maxEntries} are read`);
  if (cdOffset + cdSize > at) throw invalid(what, 'the central directory lies outside the file');
  // Each record is at least 46 bytes; a directory too small for its count is damaged.
  if (cdSize < entries * CENTRAL_SIZE) throw invalid(what, `the central directory is ${cdSize} bytes, too small for ${entries} entries`);
  const cd = await source.read(cdOffset, cdSize);
  const records: CentralRecord[] = [];
  const seen = new Set<string>();
  let p = 0;
  for (let i = 0; i < entries; i++) {
    if (p + CENTRAL_SIZE > cd.length || u32(cd, p) !== SIG_CENTRAL) throw invalid(what, `central directory record ${i + 1} is damaged`);
    const madeBy = u16(cd, p + 4);
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    const compressedSize = u32(cd, p + 20);
    const size = u32(cd, p + 24);
    const nameLength = u16(cd, p + 28);
    const extraLength = u16(cd, p + 30);
    const commentLength = u16(cd, p + 32);
    const diskStart = u16(cd, p + 34);
    const external = u32(cd, p + 38);
    const localOffset = u32(cd, p + 42);
    const end = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (end > cd.length) throw invalid(what, `central directory record ${i + 1} runs past the directory`);
    if (nameLength > limits.maxNameBytes) throw new SignetError('ERR_INPUT_TOO_LARGE', `${what}: entry ${i + 1} has a ${nameLength}-byte name; at most ${limits.maxNameBytes} bytes are accepted`);
    let rawName: string;
    try {
      rawName = decodeName(cd.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength), (flags & FLAG_UTF8) !== 0);
    } catch (err) {
      throw invalid(what, `entry ${i + 1}: ${(err as Error).message}`);
    }
    if (diskStart !== 0) throw new SignetError('ERR_UNSUPPORTED', `${what} is split over several disks; join it into one zip first`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw new SignetError('ERR_UNSUPPORTED', `${what} is a ZIP64 archive, which Signet does not read; create it again with a common tool (e.g. zip -r)`);
    }
    const { path, directory } = cleanPath(rawName, what);
    const mode = madeBy >> 8 === HOST_UNIX ? external >>> 16 : 0;
    const kind: ZipEntryKind = directory || (mode & S_IFMT) === S_IFDIR || (external & 0x10) !== 0 ? 'directory' : (mode & S_IFMT) === S_IFLNK ? 'symlink' : 'file';
    p = end;
    if (path === '') continue; // "./" — the archive's own folder
    if (seen.has(path)) throw invalid(what, `entry ${JSON.stringify(path)} appears twice`);
    seen.add(path);
    if (kind === 'file' && (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
      throw new SignetError('ERR_UNSUPPORTED', `${what}: entry ${JSON.stringify(path)} is encrypted; trust stores hold public certificates, zip them without a password`);
    }
    if (kind === 'file' && method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      throw new SignetError('ERR_UNSUPPORTED', `${what}: entry ${JSON.stringify(path)} uses compression method ${method}; only stored (0) and deflate (8) are read`);
    }
    if (localOffset + LOCAL_SIZE > cdOffset) throw invalid(what, `entry ${JSON.stringify(path)} starts inside or after the central directory`);
    records.push({ name: path, kind, method, crc, compressedSize, size, localOffset });
  }
  return { records, cdOffset };
}

/** Inflates raw deflate data, refusing to produce more than `expected` bytes. */
async function inflateRaw(data: Uint8Array, expected: number, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(expected);
  let filled = 0;
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (filled + value.length > expected) throw invalid(what, `it inflates to more than the ${expected} bytes its directory declares`);
      out.set(value, filled);
      filled += value.length;
    }
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw invalid(what, `its deflate data is damaged (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (filled !== expected) throw invalid(what, `it inflates to ${filled} bytes, not the ${expected} its directory declares`);
  return out;
}

async function readEntryData(source: ZipSource, record: CentralRecord, cdOffset: number, what: string): Promise<Uint8Array> {
  const entryWhat = `${what} (entry ${JSON.stringify(record.name)})`;
  const header = await source.read(record.localOffset, LOCAL_SIZE);
  if (header.length < LOCAL_SIZE || u32(header, 0) !== SIG_LOCAL) throw invalid(entryWhat, 'its local header is missing');
  const dataStart = record.localOffset + LOCAL_SIZE + u16(header, 26) + u16(header, 28);
  if (dataStart + record.compressedSize > cdOffset) throw invalid(entryWhat, 'its data runs into the central directory');
  const data = await source.read(dataStart, record.compressedSize);
  let bytes: Uint8Array;
  if (record.method === METHOD_STORED) {
    if (record.compressedSize !== record.size) throw invalid(entryWhat, 'a stored entry has different compressed and uncompressed sizes');
    bytes = data.slice();
  } else {
    bytes = await inflateRaw(data, record.size, entryWhat);
  }
  if (crc32(bytes) !== record.crc) throw invalid(entryWhat, 'its CRC-32 does not match (the archive is damaged)');
  return bytes;
}

export interface ReadZipOptions {
  /** Which files to read (by path); others are listed without content. Default: all. */
  readonly include?: (path: string) => boolean;
  readonly limits?: Partial<ZipLimits>;
  /** How the archive is named in messages (its file name). */
  readonly what?: string;
}

/**
 * Lists a zip archive and reads the files `include` selects. Throws ERR_INPUT_INVALID for a
 * damaged or unsafe archive, ERR_UNSUPPORTED for features it does not read, ERR_INPUT_TOO_LARGE
 * past the limits. Entries come in central-directory order.
 */
export async function readZip(input: ZipSource | Uint8Array | Blob, options: ReadZipOptions = {}): Promise<ZipEntry[]> {
  const source = input instanceof Uint8Array ? bytesSource(input) : typeof Blob !== 'undefined' && input instanceof Blob ? blobSource(input) : (input as ZipSource);
  const what = options.what ?? 'the archive';
  const limits = { ...DEFAULT_ZIP_LIMITS, ...options.limits };
  const { records, cdOffset } = await readCentralDirectory(source, what, limits);
  const include = options.include ?? (() => true);
  let total = 0;
  const out: ZipEntry[] = [];
  for (const r of records) {
    if (r.kind !== 'file' || !include(r.name)) {
      out.push({ name: r.name, kind: r.kind, size: r.size });
      continue;
    }
    if (r.size > limits.maxEntryBytes) {
      throw new SignetError('ERR_INPUT_TOO_LARGE', `${what}: ${r.name} is ${r.size} bytes; files up to ${limits.maxEntryBytes} bytes are read`);
    }
    total += r.size;
    if (total > limits.maxTotalBytes) throw new SignetError('ERR_INPUT_TOO_LARGE', `${what}: the files to read add up to more than ${limits.maxTotalBytes} bytes`);
    out.push({ name: r.name, kind: r.kind, size: r.size, bytes: await readEntryData(source, r, cdOffset, what) });
  }
  return out;
}

// ---- writing ---------------------------------------------------------------------------------

export interface ZipFileInput {
  /** `/`-separated path inside the archive. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate()
  };
}

class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;
  u16(v: number): void {
    this.push(new Uint8Array([v & 0xff, (v >>> 8) & 0xff]));
  }
  u32(v: number): void {
    this.push(new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]));
  }
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * Writes files into a zip (stored entries, UTF-8 names, Unix mode 0644, parent folders listed as
 * their own entries so every tool recreates empty-looking folders the same way). Paths must be
 * relative and clean; throws ERR_INPUT_INVALID otherwise, ERR_INPUT_TOO_LARGE past 4 GiB limits.
 */
export function writeZip(files: readonly ZipFileInput[], modified: Date = new Date()): Uint8Array {
  const { time, date } = dosDateTime(modified);
  const names = new Set<string>();
  const entries: { name: Uint8Array; bytes: Uint8Array; directory: boolean }[] = [];
  const addDirectory = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (names.has(dir)) continue;
      names.add(dir);
      entries.push({ name: new TextEncoder().encode(dir), bytes: new Uint8Array(0), directory: true });
    }
  };
  for (const f of files) {
    const { path, directory } = cleanPath(f.name, 'the zip being written');
    if (directory || path !== f.name) throw new SignetError('ERR_INPUT_INVALID', `zip entry name ${JSON.stringify(f.name)} must be a clean relative file path`);
    if (names.has(path)) throw new SignetError('ERR_INPUT_INVALID', `zip entry ${JSON.stringify(path)} is given twice`);
    addDirectory(path);
    names.add(path);
    entries.push({ name: new TextEncoder().encode(path), bytes: f.bytes, directory: false });
  }
  if (entries.length > 0xfffe) throw new SignetError('ERR_INPUT_TOO_LARGE', 'a zip without ZIP64 holds at most 65534 entries');
  const body = new ByteWriter();
  const central = new ByteWriter();
  for (const e of entries) {
    const offset = body.length;
    const crc = crc32(e.bytes);
    if (e.bytes.length >= 0xffffffff || offset >= 0xffffffff) throw new SignetError('ERR_INPUT_TOO_LARGE', 'a zip without ZIP64 holds at most 4 GiB');
    body.u32(SIG_LOCAL);
    body.u16(20); // version needed: 2.0
    body.u16(FLAG_UTF8);
    body.u16(METHOD_STORED);
    body.u16(time);
    body.u16(date);
    body.u32(crc);
    body.u32(e.bytes.length);
    body.u32(e.bytes.length);
    body.u16(e.name.length);
    body.u16(0);
    body.push(e.name);
    body.push(e.bytes);

    central.u32(SIG_CENTRAL);
    central.u16((HOST_UNIX << 8) | 20);
    central.u16(20);
    central.u16(FLAG_UTF8);
    central.u16(METHOD_STORED);
    central.u16(time);
    central.u16(date);
    central.u32(crc);
    central.u32(e.bytes.length);
    central.u32(e.bytes.length);
    central.u16(e.name.length);
    central.u16(0); // extra
    central.u16(0); // comment
    central.u16(0); // disk
    central.u16(0); // internal attributes
    central.u32((((e.directory ? 0o040755 : 0o100644) << 16) | (e.directory ? 0x10 : 0)) >>> 0);
    central.u32(offset);
    central.push(e.name);
  }
  const cdOffset = body.length;
  const out = new ByteWriter();
  out.push(body.bytes());
  out.push(central.bytes());
  out.u32(SIG_EOCD);
  out.u16(0);
  out.u16(0);
  out.u16(entries.length);
  out.u16(entries.length);
  out.u32(central.length);
  out.u32(cdOffset);
  out.u16(0);
  return out.bytes();
}
