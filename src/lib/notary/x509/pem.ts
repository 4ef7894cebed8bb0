/**
 * PEM block extraction for certificate files (spec digest §11: files hold DER or PEM).
 * Like Go's encoding/pem, text outside blocks is ignored and a file with no PEM block is DER.
 */
import { base64Decode } from '../../bytes';
import { SignetError } from '../../errors';

export interface PemBlock {
  readonly type: string;
  readonly bytes: Uint8Array;
}

const BEGIN_SOURCE = '(^|\\n)-----BEGIN ([^\\n\\r]*?)-----[ \\t]*\\r?\\n';
const END_SOURCE = '-----END ([^\\n\\r]*?)-----';

/**
 * Every PEM block in `text`, in order; an empty list when there is none.
 * Deliberate difference from Go: a block whose body is not valid base64 is an error here
 * (Go silently skips it), so a damaged trust-store file is reported instead of half-loaded.
 */
export function decodePemBlocks(text: string, what: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  // Index every END line once, so hostile input with many unmatched BEGIN lines stays linear.
  const ends = new Map<string, number[]>();
  const END = new RegExp(END_SOURCE, 'g');
  for (let m = END.exec(text); m !== null; m = END.exec(text)) {
    const list = ends.get(m[1]!) ?? [];
    list.push(m.index);
    ends.set(m[1]!, list);
  }
  const BEGIN = new RegExp(BEGIN_SOURCE, 'g');
  let match: RegExpExecArray | null;
  while ((match = BEGIN.exec(text)) !== null) {
    const type = match[2]!;
    const bodyStart = match.index + match[0].length;
    const endIndex = firstAtOrAfter(ends.get(type), bodyStart);
    if (endIndex < 0) continue;
    if (endIndex > bodyStart && text[endIndex - 1] !== '\n') continue;
    const afterEnd = endIndex + `-----END ${type}-----`.length;
    if (!/^[ \t]*(\r?\n|$)/.test(text.slice(afterEnd, afterEnd + 256))) continue;
    const lines = text.slice(bodyStart, endIndex).split('\n');
    // Optional RFC 1421 headers ("Key: value") before the base64 body.
    let i = 0;
    while (i < lines.length && lines[i]!.includes(':')) i++;
    const body = lines.slice(i).join('').replace(/\s/g, '');
    let bytes: Uint8Array;
    try {
      bytes = base64Decode(body, `${what} PEM block ${blocks.length + 1}`);
    } catch (cause) {
      throw new SignetError('ERR_CERT_INVALID', `${what}: PEM block ${blocks.length + 1} (${type}) is not valid base64`, { cause });
    }
    blocks.push({ type, bytes });
    BEGIN.lastIndex = afterEnd;
  }
  return blocks;
}

/** The first value in ascending `list` that is >= `at`, or -1. */
function firstAtOrAfter(list: number[] | undefined, at: number): number {
  if (!list) return -1;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo]! : -1;
}
