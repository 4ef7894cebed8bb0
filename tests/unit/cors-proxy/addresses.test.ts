import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  cidrContains,
  formatIp,
  parseCidr,
  parseIp,
  type Cidr
} from '../../../cors-proxy/src/addresses';

function verdict(text: string, allow: string[] = []) {
  const ip = parseIp(text);
  if (!ip) throw new Error(`test address ${text} did not parse`);
  return checkAddress(ip, allow.map((a) => parseCidr(a) as Cidr));
}

describe('parseIp / formatIp', () => {
  it('accepts only strict dotted quads for IPv4', () => {
    expect(formatIp(parseIp('192.168.1.20')!)).toBe('192.168.1.20');
    for (const bad of ['127.1', '0x7f.0.0.1', '0177.0.0.1', '2130706433', '1.2.3.256', '1.2.3.4.5', '01.2.3.4', ' ', 'example.com']) {
      expect(parseIp(bad), bad).toBeNull();
    }
  });

  it('parses IPv6 in all its spellings and prints RFC 5952 form', () => {
    const cases: Array<[string, string]> = [
      ['::1', '::1'],
      ['[::1]', '::1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['::', '::'],
      ['FE80::0:1', 'fe80::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:127.0.0.1', '::ffff:7f00:1'],
      ['::ffff:7f00:1', '::ffff:7f00:1'],
      ['2001:db8::', '2001:db8::'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8']
    ];
    for (const [input, out] of cases) expect(formatIp(parseIp(input)!), input).toBe(out);
    for (const bad of ['1::2::3', 'fe80::1%eth0', '12345::', '1:2:3:4:5:6:7:8:9', ':::', 'g::1', '1:2:3:4:5:6:7::8:9']) {
      expect(parseIp(bad), bad).toBeNull();
    }
  });

  it('round-trips any IPv6 address through format and parse', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatIp({ version: 6, bytes });
        const back = parseIp(text);
        expect(back?.version).toBe(6);
        expect(Array.from(back!.bytes)).toEqual(Array.from(bytes));
      })
    );
  });
});

describe('cidrContains', () => {
  it('matches prefixes bit by bit', () => {
    const r = parseCidr('172.16.0.0/12')!;
    expect(cidrContains(r, parseIp('172.31.255.255')!)).toBe(true);
    expect(cidrContains(r, parseIp('172.32.0.0')!)).toBe(false);
    expect(cidrContains(parseCidr('fc00::/7')!, parseIp('fdff::1')!)).toBe(true);
    expect(cidrContains(parseCidr('fc00::/7')!, parseIp('fe00::1')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('::1')!)).toBe(false);
  });

  it('rejects malformed ranges', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/a', 'x/8']) expect(parseCidr(bad), bad).toBeNull();
  });
});

describe('checkAddress: the SSRF policy', () => {
  const refused: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.9.9', 'private'],
    ['192.168.0.10', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'] // Teredo
  ];

  it.each(refused)('refuses %s (%s)', (address, cls) => {
    const v = verdict(address);
    expect(v.allowed).toBe(false);
    expect(v.class).toBe(cls);
    expect(v.range).not.toBe('');
  });

  it('judges IPv6 forms that embed IPv4 by the embedded address', () => {
    for (const [text, cls, embedded] of [
      ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
      ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
      ['::ffff:10.0.0.1', 'private', '10.0.0.1'],
      ['::ffff:169.254.169.254', 'metadata', '169.254.169.254'],
      ['64:ff9b::a9fe:a9fe', 'metadata', '169.254.169.254'], // NAT64
      ['2002:7f00:1::', 'loopback', '127.0.0.1'], // 6to4
      ['2002:c0a8:0101::1', 'private', '192.168.1.1']
    ] as const) {
      const v = verdict(text);
      expect(v.allowed, text).toBe(false);
      expect(v.class, text).toBe(cls);
      expect(v.embeddedIpv4, text).toBe(embedded);
    }
    // An IPv4-mapped public address is as public as the address itself.
    expect(verdict('::ffff:8.8.8.8').allowed).toBe(true);
  });

  it('refuses IPv6 outside global unicast and other deprecated forms', () => {
    expect(verdict('::7f00:1').allowed).toBe(false); // IPv4-compatible (deprecated)
    expect(verdict('::ffff:0:7f00:1').allowed).toBe(false); // IPv4-translated
    expect(verdict('fec0::1').allowed).toBe(false); // site-local
    expect(verdict('100::1').allowed).toBe(false); // discard
    expect(verdict('4000::1').allowed).toBe(false); // not allocated
  });

  it('allows public unicast addresses', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '140.82.112.3', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '2a00:1450:4001::200e']) {
      expect(verdict(a).allowed, a).toBe(true);
      expect(verdict(a).class, a).toBe('public');
    }
  });

  it('lets configured ranges through, and only those', () => {
    expect(verdict('127.0.0.1', ['127.0.0.0/8']).allowed).toBe(true);
    expect(verdict('::ffff:127.0.0.1', ['127.0.0.0/8']).allowed).toBe(true);
    expect(verdict('::1', ['127.0.0.0/8']).allowed).toBe(false);
    expect(verdict('10.0.0.1', ['127.0.0.0/8']).allowed).toBe(false);
    expect(verdict('10.9.0.1', ['10.9.0.0/16']).allowed).toBe(true);
  });

  it('opens a metadata address only when a range names exactly that address', () => {
    expect(verdict('169.254.169.254', ['169.254.0.0/16']).allowed).toBe(false);
    expect(verdict('169.254.169.254', ['0.0.0.0/0']).allowed).toBe(false);
    expect(verdict('169.254.169.254', ['169.254.169.254/32']).allowed).toBe(true);
    expect(verdict('169.254.1.1', ['169.254.0.0/16']).allowed).toBe(true);
  });
});
