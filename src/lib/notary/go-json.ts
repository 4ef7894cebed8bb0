/**
 * JSON the way Go's encoding/json writes it, so what Signet signs has the same bytes notation would
 * produce for the same input: compact, map keys sorted, and '<', '>', '&', U+2028, U+2029 escaped
 * as \u003c, \u003e, \u0026, \u2028, \u2029.
 */

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029'
};

function escapeGo(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    // Go sorts map keys by their UTF-8 bytes; for the ASCII keys used here that equals code-unit order.
    for (const key of Object.keys(value).sort(compareUtf8)) out[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function compareUtf8(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}

/**
 * Marshals like Go. With `sortKeys` every object's keys are sorted (a Go map); without, the
 * object's own key order is kept (a Go struct with fields in that order).
 */
export function marshalGoJson(value: unknown, sortKeys: boolean): string {
  return escapeGo(JSON.stringify(sortKeys ? sortKeysDeep(value) : value));
}

/** Sorts only the keys of a string map (Go map[string]string inside a struct). */
export function sortedRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort(compareUtf8)) out[key] = record[key]!;
  return out;
}
