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

/**
 * Every PEM block in `text`, in order; an empty list when there is none.
 * Deliberate difference from Go: a block whose body is not valid base64 is an error here
 * (Go silently skips it), so a damaged trust-store file is reported instead of half-loaded.
 */
export function decodePemBlocks(text: string, what: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const BEGIN = new RegExp(BEGIN_SOURCE, 'g');
  let match: RegExpExecArray | null;
  while ((match = BEGIN.exec(text)) !== null) {
    const type = match[2]!;
    const bodyStart = match.index + match[0].length;
    const endMarker = `-----END ${type}-----`;
    const endIndex = text.indexOf(endMarker, bodyStart);
    if (endIndex < 0) continue;
    if (endIndex > bodyStart && text[endIndex - 1] !== '\n') continue;
    const afterEnd = endIndex + endMarker.length;
    const restOfLine = /^[ \t]*(\r?\n|$)/.exec(text.slice(afterEnd, afterEnd + 4096));
    if (!restOfLine) continue;
    const lines = text.slice(bodyStart, endIndex).split('\n');
    // Optional RFC 1421 headers ("Key: value") before the base64 body.
    let i = 0;
    while (i < lines.length && lines[i]!.includes(':')) i++;
    const body = lines.slice(i).join('').replace(/[\s]/g, '');
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
