import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { AppError } from '../../kernel/errors.js';
import { checkEndpoint, isLoopbackHost, type ProviderName } from '../../providers/index.js';

// Addresses a customer-supplied endpoint may not name: anything that reaches this machine, its networks or a
// cloud metadata service. WHATWG URL parsing has already turned decimal, hex and octal IPv4 forms into dots.
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** The IPv4 address an IPv6 literal carries (mapped `::ffff:a.b.c.d` or NAT64 `64:ff9b::/96`), if any. */
function embeddedIPv4(v6: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(v6);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

function isPrivateAddress(host: string): boolean {
  if (isIPv4(host)) return PRIVATE.check(host, 'ipv4');
  if (!isIPv6(host)) return false;
  const v4 = embeddedIPv4(host);
  return v4 !== undefined ? PRIVATE.check(v4, 'ipv4') : PRIVATE.check(host, 'ipv6');
}

const notAllowed = (message: string, provider: ProviderName) =>
  new AppError('STEWARD_ENDPOINT_NOT_ALLOWED', message, { provider });

/**
 * Where Steward may send a customer's credentials. On top of the drivers' own rule (https, or http to loopback
 * only), a customer-supplied endpoint must not name a private, link-local or metadata address, and may name
 * this machine only when the operator turned sandbox endpoints on. Names are not resolved here: a public name
 * that resolves to a private address is not caught (see docs/decisions/0007-provisioning.md).
 */
export function checkAccountEndpoint(raw: string, provider: ProviderName, allowLoopback: boolean): URL {
  const url = checkEndpoint(raw, provider);
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (isLoopbackHost(host) || host === 'localhost.' || host.endsWith('.localhost') || host.endsWith('.localhost.')) {
    if (allowLoopback) return url;
    throw notAllowed(
      `The ${provider} endpoint is on Steward’s own machine, which is allowed only for the sandbox clouds (the operator enables them with STEWARD_SANDBOX_ENDPOINTS=true).`,
      provider,
    );
  }
  if (isPrivateAddress(host)) {
    throw notAllowed(
      `The ${provider} endpoint names a private, link-local or reserved address; Steward only calls providers at public addresses.`,
      provider,
    );
  }
  if (url.search !== '' || url.hash !== '')
    throw notAllowed(`The ${provider} endpoint must not have a query or fragment.`, provider);
  return url;
}
