/**
 * Which network addresses Steward may open a connection to on a customer's behalf, and a name lookup that
 * checks every address a name resolves to before the connection is made to the one it checked. Provider
 * endpoints (providers/) and SSH targets (remote/) both go through here; the decision record is
 * docs/decisions/0014-address-policy.md.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, isIPv4, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';

/** What an address is. `public` is everything not named by another class. */
export type AddressClass =
  'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

/** The classes an operator may allow; `self` is Steward's own interface addresses. */
export const POLICY_WORDS = ['public', 'private', 'loopback', 'link-local', 'metadata', 'self'] as const;
type PolicyWord = (typeof POLICY_WORDS)[number];

const subnets = (v4: readonly [string, number][], v6: readonly [string, number][] = []): BlockList => {
  const list = new BlockList();
  for (const [net, bits] of v4) list.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of v6) list.addSubnet(net, bits, 'ipv6');
  return list;
};

// Checked in this order: the first list holding the address names its class.
const CLASSES: readonly [AddressClass, BlockList][] = [
  [
    'metadata',
    subnets(
      [
        ['169.254.169.254', 32],
        ['169.254.170.2', 32],
        ['100.100.100.200', 32],
      ],
      [['fd00:ec2::254', 128]],
    ),
  ],
  ['unspecified', subnets([['0.0.0.0', 8]], [['::', 128]])],
  ['loopback', subnets([['127.0.0.0', 8]], [['::1', 128]])],
  ['link-local', subnets([['169.254.0.0', 16]], [['fe80::', 10]])],
  ['multicast', subnets([['224.0.0.0', 4]], [['ff00::', 8]])],
  [
    'reserved',
    subnets(
      [
        ['192.0.0.0', 24],
        ['192.0.2.0', 24],
        ['192.88.99.0', 24],
        ['198.18.0.0', 15],
        ['198.51.100.0', 24],
        ['203.0.113.0', 24],
        ['240.0.0.0', 4],
      ],
      [
        ['100::', 64],
        ['2001::', 32],
        ['2001:db8::', 32],
      ],
    ),
  ],
  [
    'private',
    subnets(
      [
        ['10.0.0.0', 8],
        ['100.64.0.0', 10],
        ['172.16.0.0', 12],
        ['192.168.0.0', 16],
      ],
      [['fc00::', 7]],
    ),
  ],
];
// Global unicast IPv6; anything outside it and the classes above is not in use on the internet.
const GLOBAL_V6 = subnets([], [['2000::', 3]]);

/**
 * The address in the form it is compared in: brackets and zone removed, lower case, and an IPv4 address carried
 * inside IPv6 (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) taken out, since that is where the
 * packets end up. Undefined when `host` is not an IP address.
 */
export function normaliseAddress(host: string): string | undefined {
  const bare = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
    .toLowerCase();
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return undefined;
  const mapped = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(bare);
  if (mapped) return mapped[1] ?? hexPairToV4(mapped[2]!, mapped[3]!);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4})(?::|$)/.exec(bare);
  if (sixToFour) return hexPairToV4(sixToFour[1]!, sixToFour[2]!);
  return bare;
}

function hexPairToV4(hiText: string, loText: string): string {
  const hi = parseInt(hiText, 16);
  const lo = parseInt(loText, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** The class of an IP address (already normalised or not). Throws for something that is not an address. */
export function classifyAddress(address: string): AddressClass {
  const ip = normaliseAddress(address);
  if (ip === undefined) throw new Error(`not an IP address: ${address.slice(0, 60)}`);
  const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
  for (const [name, list] of CLASSES) if (list.check(ip, family)) return name;
  if (family === 'ipv6' && !GLOBAL_V6.check(ip, 'ipv6')) return 'reserved';
  return 'public';
}

let ownCache: { readonly at: number; readonly set: ReadonlySet<string> } | undefined;

/** This machine's interface addresses (read again at most once a second, since interfaces come and go). */
export function ownAddresses(nowMs = Date.now()): ReadonlySet<string> {
  if (ownCache && nowMs - ownCache.at < 1000) return ownCache.set;
  const set = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const info of list ?? []) {
      const ip = normaliseAddress(info.address);
      if (ip !== undefined) set.add(ip);
    }
  ownCache = { at: nowMs, set };
  return set;
}

/** A decision about addresses; `describe` is the setting it came from, for messages and logs. */
export interface AddressPolicy {
  readonly describe: string;
  allows(address: string): boolean;
}

/** Thrown by `parseAddressPolicy`; the config layer turns it into STEWARD_CONFIG_INVALID naming the variable. */
export class AddressPolicySyntaxError extends Error {}

/**
 * Reads a policy: words and ranges separated by commas. A word allows a class (`public`, `private`, `loopback`,
 * `link-local`, `metadata`, and `self` for Steward's own addresses); a CIDR range or a single address allows
 * itself; either with a leading `!` is refused. Refusals win, then explicitly allowed ranges; Steward's own
 * (non-loopback) addresses need `self`; unspecified, multicast and reserved addresses need an explicit range.
 */
export function parseAddressPolicy(spec: string): AddressPolicy {
  const words = new Set<PolicyWord>();
  const allowRanges = new BlockList();
  const denyRanges = new BlockList();
  const entries = spec
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (entries.length === 0) throw new AddressPolicySyntaxError('is empty; give at least one class, e.g. public');
  for (const entry of entries) {
    const deny = entry.startsWith('!');
    const body = deny ? entry.slice(1) : entry;
    if ((POLICY_WORDS as readonly string[]).includes(body)) {
      if (deny) throw new AddressPolicySyntaxError(`"${entry}": a class is refused by leaving it out, not with !`);
      words.add(body as PolicyWord);
      continue;
    }
    const [net, bitsText] = body.split('/');
    const ip = net === undefined ? undefined : normaliseAddress(net);
    const family = ip === undefined ? 0 : isIP(ip);
    const max = family === 4 ? 32 : 128;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > max)
      throw new AddressPolicySyntaxError(
        `"${entry.slice(0, 60)}" is neither a class (${POLICY_WORDS.join(', ')}) nor an address range like 10.20.0.0/16`,
      );
    (deny ? denyRanges : allowRanges).addSubnet(ip, bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return {
    describe: entries.join(','),
    allows(address: string): boolean {
      const ip = normaliseAddress(address);
      if (ip === undefined) return false;
      const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
      if (denyRanges.check(ip, family)) return false;
      const cls = classifyAddress(ip);
      if (cls !== 'loopback' && !words.has('self') && ownAddresses().has(ip)) return false;
      if (allowRanges.check(ip, family)) return true;
      if (cls === 'unspecified' || cls === 'multicast' || cls === 'reserved') return false;
      return words.has(cls);
    },
  };
}

/** Where provider requests may go: public addresses, and this machine's loopback when the sandbox clouds are on. */
export const providerAddressPolicy = (allowLoopback: boolean): AddressPolicy =>
  parseAddressPolicy(allowLoopback ? 'public,loopback' : 'public');

/** A name's addresses (or none) refused by policy; the connection was never opened. */
export class AddressRefusedError extends Error {
  readonly code = 'EADDRREFUSED';
  constructor(readonly host: string) {
    super(`${host.slice(0, 253)} resolves to an address Steward's policy does not allow`);
    this.name = 'AddressRefusedError';
  }
}

type Resolve = (
  host: string,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: Resolve = (host, callback) => dnsLookup(host, { all: true, verbatim: true }, callback);

/**
 * A `lookup` for sockets and HTTP agents: resolves the name once, refuses it unless every address it has is
 * allowed (so a name cannot hide a refused address behind an allowed one), and hands back the first, which is
 * then the address connected to. `resolve` is replaceable for tests (a name that rebinds between lookups).
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const literal = normaliseAddress(hostname);
    const done = (addresses: LookupAddress[]) => {
      if (addresses.length === 0 || !addresses.every((a) => policy.allows(a.address)))
        return callback(new AddressRefusedError(hostname));
      if (options?.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    };
    if (literal !== undefined) return done([{ address: hostname.replace(/^\[(.*)\]$/, '$1'), family: isIP(literal) }]);
    resolve(hostname, (err, addresses) => (err ? callback(err) : done(addresses)));
  }) as LookupFunction;
}

/** Resolves `host` through the guard: the one address to connect to, or AddressRefusedError / the DNS error. */
export function resolveAllowed(
  host: string,
  policy: AddressPolicy,
  resolve: Resolve = systemResolve,
): Promise<{ address: string; family: number }> {
  const lookup = guardedLookup(policy, resolve);
  return new Promise((ok, fail) =>
    lookup(
      host,
      { all: false },
      (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) =>
        err ? fail(err) : ok({ address: address as string, family: family ?? isIP(address as string) }),
    ),
  );
}
