import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTargetUrl, classifyAddress, refusedAddress } from '../../../core/webhooks/domain/targets';

const byte = fc.integer({ min: 0, max: 255 });
const v4 = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
const hex = (a: number, b: number) => ((a << 8) | b).toString(16);

/** Addresses inside a range given by its fixed leading bytes. */
const inRange = (...fixed: number[]) =>
  fc.tuple(byte, byte, byte, byte).map((bytes) => {
    const b = [...fixed, ...bytes.slice(fixed.length)];
    return v4(b[0]!, b[1]!, b[2]!, b[3]!);
  });

describe('address classes (SSRF)', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['0.0.0.0', 'unspecified'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['[::1]', 'loopback'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('is not fooled by what is not an address', () => {
    for (const text of ['localhost', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1::2::3', ':::', 'g::1'])
      expect(classifyAddress(text), text).toBeNull();
  });

  it('never calls an address of a private, loopback, link-local, CGNAT or multicast range public', () => {
    const ranges = fc.oneof(
      inRange(10),
      fc.tuple(fc.integer({ min: 16, max: 31 }), byte, byte).map(([b, c, d]) => v4(172, b, c, d)),
      inRange(192, 168),
      inRange(127),
      inRange(169, 254),
      fc.tuple(fc.integer({ min: 64, max: 127 }), byte, byte).map(([b, c, d]) => v4(100, b, c, d)),
      fc.tuple(fc.integer({ min: 224, max: 255 }), byte, byte, byte).map(([a, b, c, d]) => v4(a, b, c, d)),
    );
    fc.assert(
      fc.property(ranges, (address) => {
        expect(classifyAddress(address)).not.toBe('public');
      }),
    );
  });

  it('judges IPv4-mapped, -compatible and NAT64 IPv6 addresses by the IPv4 address they carry', () => {
    fc.assert(
      fc.property(byte, byte, byte, byte, (a, b, c, d) => {
        const ipv4 = v4(a, b, c, d);
        const expected = classifyAddress(ipv4);
        expect(classifyAddress(`::ffff:${ipv4}`)).toBe(expected);
        expect(classifyAddress(`::ffff:${hex(a, b)}:${hex(c, d)}`)).toBe(expected);
        expect(classifyAddress(`64:ff9b::${ipv4}`)).toBe(expected);
      }),
    );
  });

  it('refuses a host when any one of its addresses is not public', () => {
    expect(refusedAddress(['93.184.216.34', '2606:2800:220:1::1'])).toBeNull();
    expect(refusedAddress(['93.184.216.34', '10.0.0.5'])).toEqual({ address: '10.0.0.5', class: 'private' });
    expect(refusedAddress(['not-an-ip'])).toEqual({ address: 'not-an-ip', class: 'reserved' });
  });
});

describe('target URLs', () => {
  it('on AWS, takes only https to a public host', () => {
    expect(checkTargetUrl('https://hooks.example.com/loyalty', false).ok).toBe(true);
    for (const [url, reason] of [
      ['http://hooks.example.com/', /https/],
      ['https://127.0.0.1/', /loopback/],
      ['https://[::ffff:169.254.169.254]/', /metadata/],
      ['https://10.0.0.1:8443/', /private/],
      ['https://localhost/', /public host/],
      ['https://metadata.google.internal/', /public host/],
      ['https://intranet/', /public host/],
      ['https://user:pw@hooks.example.com/', /credentials/],
      ['ftp://hooks.example.com/', /https/],
      ['not a url', /absolute URL/],
      [`https://example.com/${'a'.repeat(2100)}`, /2048/],
    ] as const) {
      const checked = checkTargetUrl(url, false);
      expect(checked.ok, url).toBe(false);
      expect(!checked.ok && checked.reason, url).toMatch(reason);
    }
  });

  it('locally, takes http and private addresses too', () => {
    expect(checkTargetUrl('http://127.0.0.1:4455/hook', true).ok).toBe(true);
    expect(checkTargetUrl('ftp://127.0.0.1/', true).ok).toBe(false);
  });
});
