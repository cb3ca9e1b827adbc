import { normaliseAddress, providerAddressPolicy } from '../../kernel/addresses.js';
import { AppError } from '../../kernel/errors.js';
import { checkEndpoint, isLoopbackHost, type ProviderName } from '../../providers/index.js';

const notAllowed = (message: string, provider: ProviderName) =>
  new AppError('STEWARD_ENDPOINT_NOT_ALLOWED', message, { provider });

/**
 * Where Steward may send a customer's credentials, as far as the endpoint as typed shows. On top of the drivers' own
 * rule (https, or http to loopback only), an endpoint must not name an address outside the public internet
 * (private, link-local, metadata, reserved, Steward's own; decimal, hex, octal and IPv6-wrapped spellings included,
 * as URL parsing normalises them), and may name this machine only when the operator turned sandbox endpoints on.
 * A name is resolved, and every address it has checked, each time the driver connects (kernel/addresses.ts).
 */
export function checkAccountEndpoint(raw: string, provider: ProviderName, allowLoopback: boolean): URL {
  const url = checkEndpoint(raw, provider);
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const ip = normaliseAddress(host);
  const local =
    isLoopbackHost(host) || host === 'localhost.' || host.endsWith('.localhost') || host.endsWith('.localhost.');
  if (local && (ip === undefined || providerAddressPolicy(true).allows(ip))) {
    if (allowLoopback) return url;
    throw notAllowed(
      `The ${provider} endpoint is on Steward’s own machine, which is allowed only for the sandbox clouds (the operator enables them with STEWARD_SANDBOX_ENDPOINTS=true).`,
      provider,
    );
  }
  if (ip !== undefined && !providerAddressPolicy(false).allows(ip)) {
    throw notAllowed(
      `The ${provider} endpoint names a private, link-local, reserved or local address; Steward only calls providers at public addresses.`,
      provider,
    );
  }
  if (url.search !== '' || url.hash !== '')
    throw notAllowed(`The ${provider} endpoint must not have a query or fragment.`, provider);
  return url;
}
