// Where a webhook may be sent (SSRF). On AWS a target must be https and every address its host
// resolves to must be public: not private, loopback, link-local, CGNAT, multicast, reserved or a
// cloud metadata address, in IPv4 or IPv6 (IPv4-mapped, -compatible, NAT64 and 6to4 forms are judged
// by the IPv4 address they carry). Checked at creation and again before each attempt, on the address
// the connection then uses (so a name that resolves elsewhere later, DNS rebinding, is caught).
// Locally (the local stack sets WEBHOOK_ALLOW_PRIVATE_TARGETS) http and private addresses are allowed.

export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'metadata'
  | 'reserved'
  | 'unspecified';

/** The four bytes of a dotted IPv4 address, or null. */
export function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a trailing IPv4 part), or null. */
export function parseIpv6(text: string): number[] | null {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (s.includes('%')) s = s.slice(0, s.indexOf('%')); // a zone id names an interface, not an address
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4 || lastColon < 0) return null;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const group = (g: string) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN);
  const [head, rest] = s.split('::') as [string, string | undefined];
  const left = head ? head.split(':').map(group) : [];
  const right = rest ? rest.split(':').map(group) : [];
  let groups: number[];
  if (rest === undefined) groups = left;
  else {
    if (left.length + right.length > 7) return null;
    groups = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  }
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function classifyIpv4([a, b, c, d]: number[]): AddressClass {
  if (a === 169 && b === 254 && c === 169 && d === 254) return 'metadata';
  if (a === 0) return a === 0 && b === 0 && c === 0 && d === 0 ? 'unspecified' : 'reserved';
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b! >= 64 && b! <= 127) return 'cgnat';
  if (a! >= 224 && a! <= 239) return 'multicast';
  if (a! >= 240) return 'reserved';
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return 'reserved'; // IETF assignments, TEST-NET-1
  if (a === 198 && (b === 18 || b === 19)) return 'reserved'; // benchmarking
  if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return 'reserved'; // TEST-NETs
  return 'public';
}

function classifyIpv6(g: number[]): AddressClass {
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return classifyIpv4(v4(g[6]!, g[7]!));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyIpv4(v4(g[6]!, g[7]!));
  if (g[0] === 0x2002) return classifyIpv4(v4(g[1]!, g[2]!)); // 6to4
  if (g[0] === 0xfd00 && g[1] === 0x0ec2) return 'metadata'; // EC2's IPv6 metadata and DNS (fd00:ec2::254, ::253)
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // unique local
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // site-local (deprecated)
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if (g[0] === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return 'reserved'; // discard
  if ((g[0]! & 0xe000) !== 0x2000) return 'reserved'; // outside global unicast 2000::/3
  return 'public';
}

/** The class of an IP address literal; null when it is not one. */
export function classifyAddress(address: string): AddressClass | null {
  const v4 = parseIpv4(address);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(address);
  return v6 ? classifyIpv6(v6) : null;
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;

/** What can be said of a URL before DNS: scheme, credentials, a literal address, names that are always local. */
export function checkTargetUrl(raw: string, allowPrivate: boolean): TargetCheck {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'must be an absolute URL, e.g. https://example.com/webhooks' };
  }
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol))
    return { ok: false, reason: `must use ${schemes.join(' or ')}, got ${url.protocol}` };
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials (user:password@)' };
  if (url.hash) return { ok: false, reason: 'must not have a fragment (#...)' };
  if (allowPrivate) return { ok: true, url };
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const literal = classifyAddress(host);
  if (literal && literal !== 'public') return { ok: false, reason: `must not point at a ${literal} address (${host})` };
  if (!literal && (!host.includes('.') || /(^|\.)(localhost|local|internal|localdomain)$/.test(host)))
    return { ok: false, reason: `must name a public host, got "${host}"` };
  return { ok: true, url };
}

/** Every address a host resolved to must be public: one private answer is enough to refuse. */
export function refusedAddress(addresses: readonly string[]): { address: string; class: AddressClass } | null {
  for (const address of addresses) {
    const c = classifyAddress(address) ?? 'reserved';
    if (c !== 'public') return { address, class: c };
  }
  return null;
}
