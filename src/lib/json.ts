/** Strict JSON reading for untrusted bytes: size-capped, UTF-8 checked, typed errors. */
import { utf8Decode } from './bytes';
import { SignetError } from './errors';

/** Parses JSON from bytes, refusing anything larger than `maxBytes` before decoding it. */
export function parseJsonBytes(bytes: Uint8Array, what: string, maxBytes: number): unknown {
  if (bytes.length > maxBytes) {
    throw new SignetError('ERR_INPUT_TOO_LARGE', `${what} is ${bytes.length} bytes; the limit is ${maxBytes} bytes`);
  }
  return parseJsonText(utf8Decode(bytes, what), what);
}

export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    // RangeError (stack overflow on absurd nesting) lands here too: it is malformed input, not a crash.
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SignetError('ERR_JSON_INVALID', `${what} is not valid JSON: ${detail}`, { cause });
  }
}

export function parseJsonObject(bytes: Uint8Array, what: string, maxBytes: number): Record<string, unknown> {
  const value = parseJsonBytes(bytes, what, maxBytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SignetError('ERR_JSON_INVALID', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
