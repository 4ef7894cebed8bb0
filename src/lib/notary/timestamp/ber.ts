/**
 * BER → DER for timestamp tokens, with exactly the leniency notation has (tspclient-go converts
 * the token before decoding it): definite lengths in any form (long, non-minimal) are rewritten
 * minimally; indefinite lengths are refused; the value must span the input exactly. Nothing else
 * is changed (constructed strings stay constructed, tags are copied as written), so the strict DER
 * reader in ../x509/der.ts can decode the result with Go's rules.
 *
 * Iterative with an explicit list, so deeply nested input cannot exhaust the call stack, and
 * linear in the input size.
 */

export class BerError extends Error {
  /** Go's asn1 error class for this problem ("syntax error" or "structure error"), for notation's wording. */
  readonly kind: 'syntax' | 'structure';

  constructor(message: string, kind: 'syntax' | 'structure' = 'syntax') {
    super(message);
    this.name = 'BerError';
    this.kind = kind;
  }
}

interface Node {
  /** Identifier octets as written. */
  identifier: Uint8Array;
  /** Primitive content, or undefined for a constructed node. */
  content?: Uint8Array;
  /** Remaining unparsed BER content of a constructed node. */
  pending: Uint8Array;
  /** Index of the parent in the flat list (-1 for the root). */
  parent: number;
  /** DER content length, filled bottom-up. */
  length: number;
}

function readIdentifier(r: Uint8Array): { identifier: Uint8Array; rest: Uint8Array } {
  if (r.length < 1) throw new BerError('decoding BER identifier octets: identifier octets is empty');
  let offset = 1;
  if ((r[0]! & 0x1f) === 0x1f) {
    while (offset < r.length && (r[offset]! & 0x80) === 0x80) offset++;
    if (offset >= r.length) throw new BerError('decoding BER identifier octets: high-tag-number form with early EOF');
    offset++;
  }
  if (offset >= r.length) throw new BerError('decoding BER identifier octets: early EOF due to missing length and content octets');
  return { identifier: r.subarray(0, offset), rest: r.subarray(offset) };
}

function readLength(r: Uint8Array): { length: number; rest: Uint8Array } {
  if (r.length < 1) throw new BerError('decoding BER length octets: length octets is empty');
  const b = r[0]!;
  if (b < 0x80) {
    if (b > r.length - 1) throw new BerError('decoding BER length octets: the length runs past the end of the data');
    return { length: b, rest: r.subarray(1) };
  }
  if (b === 0x80) throw new BerError('decoding BER length octets: indefinite length not supported', 'structure');
  const n = b & 0x7f;
  if (n > 4) throw new BerError(`decoding BER length octets: length of encoded data (${n} bytes) cannot exceed 4 bytes`, 'structure');
  // Like Go's converter, a long-form length must be followed by at least one more byte in the
  // enclosing data (so an empty value with a long-form length cannot end its parent).
  if (1 + n >= r.length) throw new BerError('decoding BER length octets: long form length octets with early EOF');
  let length = 0;
  for (let i = 1; i <= n; i++) length = length * 256 + r[i]!;
  if (length > 0x7fffffff) throw new BerError(`decoding BER length octets: length ${length} does not fit the memory space of int32`, 'structure');
  const rest = r.subarray(1 + n);
  if (length > rest.length) throw new BerError('decoding BER length octets: the length runs past the end of the data');
  return { length, rest };
}

function derLengthSize(length: number): number {
  if (length < 0x80) return 1;
  let size = 1;
  for (let l = length; l > 0; l = Math.floor(l / 256)) size++;
  return size;
}

function encodedSize(node: Node): number {
  return node.identifier.length + derLengthSize(node.length) + node.length;
}

/** Converts one BER value (definite lengths only) spanning all of `ber` into DER. */
export function convertBerToDer(ber: Uint8Array): Uint8Array {
  if (ber.length === 0) throw new BerError('BER-encoded ASN.1 data structures is empty');
  const first = readIdentifier(ber);
  const top = readLength(first.rest);
  if (top.rest.length !== top.length) {
    throw new BerError(`decoding BER: length octets value ${top.length} does not match with content length ${top.rest.length}`);
  }
  const primitive = (first.identifier[0]! & 0x20) === 0;
  const nodes: Node[] = [
    primitive
      ? { identifier: first.identifier, content: top.rest, pending: new Uint8Array(0), parent: -1, length: top.length }
      : { identifier: first.identifier, pending: top.rest, parent: -1, length: 0 }
  ];
  // Depth-first: always continue with the deepest constructed node that still has input.
  const stack: number[] = primitive ? [] : [0];
  while (stack.length > 0) {
    const index = stack[stack.length - 1]!;
    const node = nodes[index]!;
    if (node.pending.length === 0) {
      stack.pop();
      continue;
    }
    const id = readIdentifier(node.pending);
    const len = readLength(id.rest);
    const content = len.rest.subarray(0, len.length);
    node.pending = len.rest.subarray(len.length);
    if ((id.identifier[0]! & 0x20) === 0) {
      nodes.push({ identifier: id.identifier, content, pending: new Uint8Array(0), parent: index, length: content.length });
    } else {
      nodes.push({ identifier: id.identifier, pending: content, parent: index, length: 0 });
      stack.push(nodes.length - 1);
    }
  }
  // Children always come after their parent, so one reverse pass sums lengths bottom-up.
  for (let i = nodes.length - 1; i > 0; i--) {
    const node = nodes[i]!;
    nodes[node.parent]!.length += encodedSize(node);
  }
  const out = new Uint8Array(encodedSize(nodes[0]!));
  let offset = 0;
  for (const node of nodes) {
    out.set(node.identifier, offset);
    offset += node.identifier.length;
    const size = derLengthSize(node.length);
    if (size === 1) {
      out[offset++] = node.length;
    } else {
      out[offset++] = 0x80 | (size - 1);
      for (let i = size - 2; i >= 0; i--) out[offset++] = Math.floor(node.length / 2 ** (8 * i)) & 0xff;
    }
    if (node.content) {
      out.set(node.content, offset);
      offset += node.content.length;
    }
  }
  return out;
}
