/** One ElasticStack API endpoint. */
export interface ElasticZone {
  readonly id: string;
  readonly name: string;
  /** Base URL including any path prefix (CrossPeer serves the API under /api/). */
  readonly baseUrl: string;
  readonly country?: string;
}

/**
 * ElasticHosts' historical zones (the company closed in 2020). Data, not logic: callers may pass their own
 * table, and any base URL works without one.
 */
export const ELASTICHOSTS_ZONES: readonly ElasticZone[] = [
  { id: 'lon-p', name: 'London (Peer 1)', baseUrl: 'https://api-lon-p.elastichosts.com/', country: 'GB' },
  { id: 'lon-b', name: 'London (BlueSquare)', baseUrl: 'https://api-lon-b.elastichosts.com/', country: 'GB' },
  { id: 'sat-p', name: 'San Antonio (Peer 1)', baseUrl: 'https://api-sat-p.elastichosts.com/', country: 'US' },
  { id: 'lax-p', name: 'Los Angeles (Peer 1)', baseUrl: 'https://api-lax-p.elastichosts.com/', country: 'US' },
  { id: 'sjc-c', name: 'San Jose', baseUrl: 'https://api-sjc-c.elastichosts.com/', country: 'US' },
  { id: 'tor-p', name: 'Toronto (Peer 1)', baseUrl: 'https://api-tor-p.elastichosts.com/', country: 'CA' },
  { id: 'syd-v', name: 'Sydney', baseUrl: 'https://api-syd-v.elastichosts.com/', country: 'AU' },
  { id: 'hkg-e', name: 'Hong Kong', baseUrl: 'https://api-hkg-e.elastichosts.com/', country: 'HK' },
  { id: 'ams-e', name: 'Amsterdam', baseUrl: 'https://api-ams-e.elastichosts.com/', country: 'NL' },
  { id: 'dal-a', name: 'Dallas', baseUrl: 'https://api-dal-a.elastichosts.com/', country: 'US' },
  { id: 'mmi-a', name: 'Miami', baseUrl: 'https://api-mmi-a.elastichosts.com/', country: 'US' },
];
