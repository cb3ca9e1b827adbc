import { isIPv4 } from 'node:net';
import { InsecureEndpointError } from './errors.js';
import type { ProviderName } from './types.js';

/**
 * True for names that can only mean this machine: `localhost`, 127.0.0.0/8 and ::1. Anything else, including
 * names that merely resolve to loopback today, is treated as remote.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (host === '::1') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/**
 * The endpoint policy: credentials go only over https, or over plain http to a loopback address (the sandbox
 * clouds). Returns the parsed URL; throws `InsecureEndpointError` otherwise. URLs with user info are refused
 * too, since credentials never travel in URLs.
 */
export function checkEndpoint(raw: string, provider: ProviderName): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InsecureEndpointError(`The ${provider} endpoint is not a valid URL.`, { provider });
  }
  if (url.username !== '' || url.password !== '') {
    throw new InsecureEndpointError(
      `The ${provider} endpoint must not carry user info; credentials are configured separately.`,
      { provider },
    );
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new InsecureEndpointError(
    `Refusing the ${provider} endpoint ${url.protocol}//${url.host}: credentials are only sent over https (plain http only to a loopback sandbox).`,
    { provider },
  );
}
