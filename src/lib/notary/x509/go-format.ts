/** Go formatting verbs notation's messages use, so Signet's messages read the same. */

/** Go's `%q` (strconv.Quote); one implementation for every module (src/lib/notary/go-text.ts). */
export { goQuote } from '../go-text';

/** Go's `time.Time.String()` for a UTC time: `2006-01-02 15:04:05.999 +0000 UTC`. */
export function goTimeString(date: Date): string {
  const iso = date.toISOString(); // 2006-01-02T15:04:05.999Z
  let frac = iso.slice(20, 23).replace(/0+$/, '');
  if (frac) frac = `.${frac}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}
