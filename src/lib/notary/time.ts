/** RFC 3339 times as the Notary headers carry them (Go's time.Time JSON form). */
import { SignetError } from '../errors';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time with any UTC offset and optional fraction, rejecting anything else. */
export function parseRfc3339(text: unknown, what: string): Date {
  const m = typeof text === 'string' ? RFC3339.exec(text) : null;
  if (!m) {
    throw new SignetError('ERR_HEADER_INVALID', `${what} must be an RFC 3339 time like "2025-03-04T05:06:07Z", got ${JSON.stringify(text)}`);
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new SignetError('ERR_HEADER_INVALID', `${what} has an out-of-range field: ${JSON.stringify(text)}`);
  }
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  if (new Date(ms).getUTCDate() !== day) {
    throw new SignetError('ERR_HEADER_INVALID', `${what} names a day that does not exist: ${JSON.stringify(text)}`);
  }
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000);
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const offset = Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6));
    ms -= sign * offset * 60_000;
  }
  return new Date(ms);
}

/** Whole-second RFC 3339 in UTC, e.g. "2025-03-04T05:06:07Z". */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC ("Fri, 29 Jul 2022 23:59:00 +0000"), the form notation uses in messages. */
export function formatRfc1123z(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${p(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

/**
 * RFC 3339 with whole seconds in a given UTC offset ("+08:00", "-07:00" or "Z"), which is how Go
 * prints a time parsed from a JWS header: the signer's offset survives, fractions do not.
 */
export function formatRfc3339InOffset(date: Date, offset: string): string {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return formatRfc3339(date);
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const shifted = new Date(Math.floor(date.getTime() / 1000) * 1000 + minutes * 60_000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, offset);
}

/** The UTC offset written at the end of an RFC 3339 string ("Z" when none can be read). */
export function rfc3339Offset(text: string | undefined): string {
  const m = text ? /([+-]\d{2}:\d{2}|Z)$/.exec(text) : null;
  return m ? m[1]! : 'Z';
}

/** Go's time.ANSIC ("Mon Jan _2 15:04:05 2006") in UTC, as `notation inspect` prints times in its tree. */
export function formatAnsic(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}
