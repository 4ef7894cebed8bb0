/** Go formatting verbs notation's messages use, so Signet's messages read the same. */

/** Go's `%q` (strconv.Quote) for the strings that occur in DNs. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Go's `time.Time.String()` for a UTC time: `2006-01-02 15:04:05.999 +0000 UTC`. */
export function goTimeString(date: Date): string {
  const iso = date.toISOString(); // 2006-01-02T15:04:05.999Z
  let frac = iso.slice(20, 23).replace(/0+$/, '');
  if (frac) frac = `.${frac}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}
