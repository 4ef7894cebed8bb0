/**
 * What a person picks or drops, as SourceFiles with their relative paths (trust-import.ts): files
 * from a folder picker (`<input webkitdirectory>` sets webkitRelativePath), and dropped folders,
 * walked through the File and Directory Entries API (DataTransferItem.webkitGetAsEntry — the
 * only way a drop exposes a folder's content). Contents are read lazily, only for what the import
 * uses; the walk is bounded in entries and depth. Browser only.
 */
import { SignetError } from '../errors';
import { MAX_IMPORT_PATHS, type SourceFile } from './trust-import';

const MAX_DEPTH = 32;

/** Picked files; a folder pick gives each its path below (and including) the chosen folder. */
export function sourcesFromFiles(files: readonly File[]): SourceFile[] {
  if (files.length > MAX_IMPORT_PATHS) throw new SignetError('ERR_INPUT_TOO_LARGE', `${files.length} files were chosen; at most ${MAX_IMPORT_PATHS} are looked at — choose notation's folder or its truststore folder only`);
  return files.map((f) => ({
    path: (f.webkitRelativePath || f.name).replace(/\\/g, '/'),
    kind: 'file' as const,
    size: f.size,
    read: async () => new Uint8Array(await f.arrayBuffer())
  }));
}

/** The entries of a drop. Must be called while the drop event is being dispatched (the list is emptied afterwards). */
export function entriesOfDrop(dataTransfer: DataTransfer): { entries: FileSystemEntry[]; files: File[] } {
  const entries: FileSystemEntry[] = [];
  for (const item of [...dataTransfer.items]) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  return { entries, files: [...dataTransfer.files] };
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function walkError(path: string, cause: unknown): SignetError {
  const detail = cause instanceof Error || cause instanceof DOMException ? `${cause.name}: ${cause.message}` : String(cause);
  return new SignetError('ERR_INPUT_INVALID', `the dropped item ${path} could not be read (${detail}); choose the folder with the folder button instead`, { cause });
}

/**
 * Walks dropped entries (files and folders, recursively) into SourceFiles. Without entries (an
 * older browser), the dropped files are used as they are.
 */
export async function sourcesFromEntries(entries: readonly FileSystemEntry[], files: readonly File[] = []): Promise<SourceFile[]> {
  if (entries.length === 0) return sourcesFromFiles(files);
  const out: SourceFile[] = [];
  const push = (s: SourceFile) => {
    if (out.length >= MAX_IMPORT_PATHS) throw new SignetError('ERR_INPUT_TOO_LARGE', `more than ${MAX_IMPORT_PATHS} files and folders were dropped; drop notation's folder or its truststore folder only`);
    out.push(s);
  };
  const visit = async (entry: FileSystemEntry, depth: number): Promise<void> => {
    const path = entry.fullPath.replace(/^\/+/, '') || entry.name;
    if (entry.isFile) {
      let file: File;
      try {
        file = await fileOf(entry as FileSystemFileEntry);
      } catch (e) {
        throw walkError(path, e);
      }
      push({ path, kind: 'file', size: file.size, read: async () => new Uint8Array(await file.arrayBuffer()) });
      return;
    }
    if (!entry.isDirectory) return;
    push({ path, kind: 'directory', size: 0, read: async () => new Uint8Array(0) });
    if (depth >= MAX_DEPTH) throw new SignetError('ERR_INPUT_INVALID', `${path} is nested more than ${MAX_DEPTH} folders deep; drop notation's folder itself`);
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns the listing in batches (Chromium: 100) until an empty one.
    for (;;) {
      let batch: FileSystemEntry[];
      try {
        batch = await readBatch(reader);
      } catch (e) {
        throw walkError(path, e);
      }
      if (batch.length === 0) break;
      for (const child of batch) await visit(child, depth + 1);
    }
  };
  for (const entry of entries) await visit(entry, 0);
  return out;
}
