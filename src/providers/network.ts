/**
 * How provider requests reach the network: through agents whose name lookup checks every resolved address against
 * the address policy and connects to the address it checked (no second lookup a rebinding name could answer
 * differently), plus the same check for endpoints written as an IP address, which sockets never look up.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AddressRefusedError, guardedLookup, normaliseAddress, type AddressPolicy } from '../kernel/addresses.js';

export interface GuardedAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/** Agents for one driver: keep-alive connections, each opened only to an address the policy allows. */
export function guardedAgents(policy: AddressPolicy): GuardedAgents {
  const lookup = guardedLookup(policy);
  return {
    // Idle connections close after 15 s: drivers are built per call, and their pools must not pile up.
    http: new HttpAgent({ keepAlive: true, timeout: 15_000, lookup }),
    https: new HttpsAgent({ keepAlive: true, timeout: 15_000, lookup }),
  };
}

/** Throws AddressRefusedError when the URL's host is an IP address the policy refuses. Names are left to the lookup. */
export function assertLiteralAllowed(url: URL, policy: AddressPolicy): void {
  const ip = normaliseAddress(url.hostname);
  if (ip !== undefined && !policy.allows(ip)) throw new AddressRefusedError(url.hostname);
}

export interface HttpAnswer {
  readonly status: number;
  readonly header: (name: string) => string | undefined;
  readonly text: string;
}

/** Answers larger than this are cut off: no provider call returns more, and memory is not the attacker's to fill. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * One HTTP request through the guarded agents, never following redirects. Rejects with the socket's own error
 * when no answer came (refused, reset, timed out, name refused by policy, TLS failed); callers word that uniformly.
 */
export function sendRequest(input: {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
  readonly agents: GuardedAgents;
}): Promise<HttpAnswer> {
  const { url } = input;
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const body = input.body === undefined ? undefined : Buffer.from(input.body, 'utf8');
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: input.method,
        agent: https ? input.agents.https : input.agents.http,
        headers: { ...input.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        signal: input.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) res.destroy(new Error('the answer is larger than 16 MiB'));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const value = (name: string) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          };
          resolve({ status: res.statusCode ?? 0, header: value, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
