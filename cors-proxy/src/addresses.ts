/**
 * IP address parsing and classification for the SSRF guard. Runtime-neutral (no Node APIs).
 *
 * Policy: only globally routable unicast addresses are reachable. Everything else (loopback,
 * private, link-local, cloud metadata, CGNAT, multicast, documentation, reserved, and IPv6 forms
 * that embed such an IPv4 address) is refused unless the configuration lists a range that covers it.
 */

export interface IpAddress {
  readonly version: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
}

export interface Cidr {
  readonly ip: IpAddress;
  readonly prefix: number;
  /** The text it was parsed from, for messages. */
  readonly text: string;
}

export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'cgnat'
  | 'multicast'
  | 'documentation'
  | 'reserved';

export interface AddressVerdict {
  readonly allowed: boolean;
  readonly class: AddressClass;
  /** The special range the address fell in, e.g. "127.0.0.0/8" (empty for public addresses). */
  readonly range: string;
  /** The address in canonical text form. */
  readonly address: string;
  /** Set when an IPv6 address embeds an IPv4 address (mapped, NAT64, 6to4) that was classified instead. */
  readonly embeddedIpv4?: string;
}

const DEC_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Strict dotted-quad IPv4 (no octal, hex, shortened or decimal-integer forms). */
function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!DEC_OCTET.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  // Zone identifiers (fe80::1%eth0) name a local interface: never a valid remote target.
  if (text.includes('%')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? '';
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (!v4) return null;
        groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!HEX_GROUP.test(item)) return null;
        groups.push(parseInt(item, 16));
      }
    }
    return groups;
  };
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/**
 * Parses an IP literal: dotted-quad IPv4 or IPv6 (optionally in brackets, as URL hosts are).
 * Returns null for anything else, including host names.
 */
export function parseIp(text: string): IpAddress | null {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.includes(':')) {
    const bytes = parseIpv6(t);
    return bytes ? { version: 6, bytes } : null;
  }
  const bytes = parseIpv4(t);
  return bytes ? { version: 4, bytes } : null;
}

/** Canonical text: dotted quad, or RFC 5952 compressed lowercase IPv6. */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) return Array.from(ip.bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0));
  // Longest run of two or more zero groups is replaced by "::" (first one on ties).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses "a.b.c.d/n", "x::y/n" or a bare address (a single-host range). */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const ipText = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(ipText);
  if (!ip) return null;
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  return { ip, prefix, text };
}

/** True when `ip` lies in `cidr` (never across IP versions). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.ip.version !== ip.version) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((cidr.ip.bytes[i] ?? 0) & mask) !== ((ip.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

function table(entries: Array<[string, AddressClass]>): Array<{ cidr: Cidr; class: AddressClass }> {
  return entries.map(([text, cls]) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`internal: bad range ${text}`);
    return { cidr, class: cls };
  });
}

// Most specific first: the first match wins. Sources: IANA IPv4/IPv6 special-purpose registries.
const IPV4_SPECIAL = table([
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['169.254.170.2/32', 'metadata'], // AWS ECS task metadata
  ['168.63.129.16/32', 'metadata'], // Azure wire server (a public-range address with host access)
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud metadata
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved']
]);

const IPV6_SPECIAL = table([
  ['fd00:ec2::254/128', 'metadata'], // AWS IMDS over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'], // deprecated IPv4-compatible addresses
  ['::ffff:0:0:0/96', 'reserved'], // IPv4-translated (SIIT)
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001::/32', 'reserved'], // Teredo: the embedded IPv4 address is obfuscated, refuse outright
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast']
]);

const IPV4_MAPPED = parseCidr('::ffff:0:0/96') as Cidr;
const NAT64 = parseCidr('64:ff9b::/96') as Cidr;
const SIX_TO_FOUR = parseCidr('2002::/16') as Cidr;
const GLOBAL_UNICAST_V6 = parseCidr('2000::/3') as Cidr;

/** The IPv4 address an IPv6 address stands for (mapped, NAT64 well-known prefix, 6to4), if any. */
export function embeddedIpv4(ip: IpAddress): IpAddress | null {
  if (ip.version !== 6) return null;
  if (cidrContains(IPV4_MAPPED, ip) || cidrContains(NAT64, ip)) {
    return { version: 4, bytes: ip.bytes.slice(12, 16) };
  }
  if (cidrContains(SIX_TO_FOUR, ip)) return { version: 4, bytes: ip.bytes.slice(2, 6) };
  return null;
}

function classifyPlain(ip: IpAddress): { class: AddressClass; range: string } {
  const special = ip.version === 4 ? IPV4_SPECIAL : IPV6_SPECIAL;
  for (const entry of special) {
    if (cidrContains(entry.cidr, ip)) return { class: entry.class, range: entry.cidr.text };
  }
  if (ip.version === 6 && !cidrContains(GLOBAL_UNICAST_V6, ip)) {
    return { class: 'reserved', range: 'outside 2000::/3' };
  }
  return { class: 'public', range: '' };
}

/** Classifies an address; IPv6 forms that embed an IPv4 address are judged by that IPv4 address. */
export function classifyAddress(ip: IpAddress): { class: AddressClass; range: string; embedded?: IpAddress } {
  const embedded = embeddedIpv4(ip);
  if (embedded) return { ...classifyPlain(embedded), embedded };
  return classifyPlain(ip);
}

/**
 * Decides whether the proxy may connect to `ip`. Non-public addresses are allowed only when one of
 * `allowRanges` covers them; cloud metadata addresses only when a range names exactly that address,
 * so that allowing e.g. 169.254.0.0/16 for a lab does not also open the metadata service.
 */
export function checkAddress(ip: IpAddress, allowRanges: readonly Cidr[]): AddressVerdict {
  const c = classifyAddress(ip);
  const address = formatIp(ip);
  const base = {
    class: c.class,
    range: c.range,
    address,
    ...(c.embedded ? { embeddedIpv4: formatIp(c.embedded) } : {})
  };
  if (c.class === 'public') return { allowed: true, ...base };
  const subjects = c.embedded ? [ip, c.embedded] : [ip];
  const covered = allowRanges.some((r) =>
    subjects.some((s) => {
      if (!cidrContains(r, s)) return false;
      if (c.class !== 'metadata') return true;
      return r.prefix === (s.version === 4 ? 32 : 128);
    })
  );
  return { allowed: covered, ...base };
}
