import { parseAddressPolicy, type AddressPolicy } from '../../kernel/addresses.js';
import { systemClock, type Clock } from '../../kernel/clock.js';
import type { Secret } from '../../kernel/secret.js';
import { checkEndpoint, isLoopbackHost } from '../endpoint.js';
import { RequestRejectedError } from '../errors.js';
import type { RateLimiter } from '../rate-limit.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry.js';
import { DIALECTS, type ElasticDialect } from './dialect.js';
import { DEFAULT_SIZES, type ElasticSize } from './sizes.js';
import type { WireFormat } from './wire.js';
import { ELASTICHOSTS_ZONES, type ElasticZone } from './zones.js';

export interface ElasticHostsCredentials {
  /** The user UUID (CloudSigma 1.0: the account e-mail). */
  readonly user: string;
  /** The secret API key (CloudSigma 1.0: the password). */
  readonly secretKey: Secret<string>;
}

export interface ElasticHostsDriverConfig {
  readonly credentials: ElasticHostsCredentials;
  /** Any ElasticStack base URL, path prefix included. Takes precedence over `zone`. */
  readonly baseUrl?: string;
  /** A zone id from `zones`; with `baseUrl` it only labels the location. */
  readonly zone?: string;
  readonly zones?: readonly ElasticZone[];
  readonly dialect?: ElasticDialect;
  /** Body format for requests and answers. Default text/plain, the platform's own default. */
  readonly format?: WireFormat;
  readonly sizes?: readonly ElasticSize[];
  readonly rateLimit?: { readonly limiter: RateLimiter; readonly key: string };
  /** Attempts per request including the first. Default 4. */
  readonly maxAttempts?: number;
  readonly retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  readonly requestTimeoutMs?: number;
  /** How often to look at a drive being imaged, and for how long. */
  readonly imagingPollMs?: number;
  readonly imagingTimeoutMs?: number;
  readonly clock?: Clock;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Which addresses requests may go to; the base URL's name is resolved on every connection, each address checked,
   * and the checked one connected to. Default: public addresses, or loopback when the base URL is on loopback.
   */
  readonly addressPolicy?: AddressPolicy;
}

export interface ElasticSettings {
  readonly baseUrl: URL;
  readonly zone: ElasticZone;
  readonly credentials: ElasticHostsCredentials;
  readonly dialect: ElasticDialect;
  readonly format: WireFormat;
  readonly sizes: readonly ElasticSize[];
  readonly rateLimit: ElasticHostsDriverConfig['rateLimit'];
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  readonly imagingPollMs: number;
  readonly imagingTimeoutMs: number;
  readonly clock: Clock;
  readonly sleep: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  readonly addressPolicy: AddressPolicy;
}

/** Checks the configuration (endpoint policy included) and fills in defaults. Sends nothing. */
export function resolveElasticConfig(config: ElasticHostsDriverConfig): ElasticSettings {
  const reject = (message: string): never => {
    throw new RequestRejectedError(message, { provider: 'elastichosts', operation: 'configure' });
  };
  const zones = config.zones ?? ELASTICHOSTS_ZONES;
  let zone: ElasticZone;
  if (config.baseUrl !== undefined) {
    const known = zones.find((z) => z.id === config.zone);
    const host = new URL(checkEndpoint(config.baseUrl, 'elastichosts')).host;
    zone = {
      id: config.zone ?? host,
      name: known?.name ?? host,
      baseUrl: config.baseUrl,
      ...(known?.country === undefined ? {} : { country: known.country }),
    };
  } else {
    const found = zones.find((z) => z.id === config.zone);
    if (found === undefined)
      return reject(
        config.zone === undefined
          ? 'Give a base URL or a zone.'
          : `Unknown ElasticHosts zone "${config.zone.slice(0, 40)}".`,
      );
    zone = found;
  }
  const baseUrl = checkEndpoint(zone.baseUrl, 'elastichosts');
  // Without a policy from the caller, a loopback base URL (which checkEndpoint allows only as such) keeps working.
  const addressPolicy =
    config.addressPolicy ?? parseAddressPolicy(isLoopbackHost(baseUrl.hostname) ? 'public,loopback' : 'public');
  // A base path must end in a slash so relative API paths extend it rather than replace its last segment.
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  if (baseUrl.search !== '' || baseUrl.hash !== '')
    reject('The ElasticHosts base URL must not have a query or fragment.');
  const dialect = config.dialect ?? '2.0';
  if (!DIALECTS.includes(dialect)) reject(`Unknown dialect "${String(dialect)}".`);
  if (config.credentials.user.trim() === '' || /[:\s]/.test(config.credentials.user))
    reject('The ElasticHosts user must be the user UUID (no colon or spaces).');
  const maxAttempts = config.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10)
    reject('maxAttempts must be between 1 and 10.');
  return {
    baseUrl,
    zone,
    credentials: config.credentials,
    dialect,
    format: config.format ?? 'text',
    sizes: config.sizes ?? DEFAULT_SIZES,
    rateLimit: config.rateLimit,
    retry: { ...DEFAULT_RETRY_POLICY, ...config.retry, maxAttempts },
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
    imagingPollMs: config.imagingPollMs ?? 5_000,
    imagingTimeoutMs: config.imagingTimeoutMs ?? 20 * 60_000,
    clock: config.clock ?? systemClock,
    sleep: config.sleep,
    addressPolicy,
  };
}
