import { MalformedResponseError, ProviderError, ProviderUnavailableError } from '../errors.js';
import { assertLiteralAllowed, guardedAgents, sendRequest, type GuardedAgents, type HttpAnswer } from '../network.js';
import { withRetry, type RetryVerdict } from '../retry.js';
import type { CallOptions } from '../types.js';
import type { ElasticSettings } from './config.js';
import { mapElasticError } from './errors.js';
import { parseIdList, parseRecords, serializeRecord, WireError, type ElasticRecord } from './wire.js';

export interface ElasticRequest {
  readonly method: 'GET' | 'POST';
  /** API path from the base URL, e.g. `/servers/info`. */
  readonly path: string;
  readonly body?: ElasticRecord;
  /**
   * `safe`: retried on throttling, server errors and network failures. `throttle-only`: for requests that create
   * something, retried only when the server certainly did nothing (throttled), so a retry cannot make two.
   */
  readonly retry: 'safe' | 'throttle-only';
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: boolean;
}

const UUID = /[0-9a-f]{8}(?:[-_][0-9a-f]{4}){3}[-_][0-9a-f]{12}/gi;

/** The ledger name of a request: method and path with ids replaced, e.g. `POST /servers/{uuid}/start`. */
export function operationName(method: string, path: string): string {
  return `${method} ${path.replace(UUID, '{uuid}')}`;
}

/**
 * HTTP for one ElasticStack account: basic auth, the configured body format, bounded retries with backoff,
 * the rate limiter and `onCall` before every attempt, and no redirects.
 */
export class ElasticTransport {
  readonly settings: ElasticSettings;
  readonly #authorization: () => string;
  readonly #agents: GuardedAgents;

  constructor(settings: ElasticSettings) {
    this.settings = settings;
    this.#agents = guardedAgents(settings.addressPolicy);
    // Built when a request is made, not kept, so the key sits in memory only inside its Secret.
    this.#authorization = () =>
      `Basic ${Buffer.from(`${settings.credentials.user}:${settings.credentials.secretKey.reveal()}`).toString('base64')}`;
  }

  /** Sends a request and returns the records in the answer (none for 204). */
  async records(req: ElasticRequest, opts?: CallOptions): Promise<ElasticRecord[]> {
    const answer = await this.#send(req, opts);
    if (answer.text.trim() === '') return [];
    try {
      return parseRecords(answer.text, answer.json ? 'json' : 'text');
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      throw new MalformedResponseError(
        `ElasticHosts answered ${operationName(req.method, req.path)} with a body that could not be read (${err.message}).`,
        { provider: 'elastichosts', operation: operationName(req.method, req.path), status: answer.status },
        answer.text,
      );
    }
  }

  /** Sends a request whose answer is a list of ids. */
  async ids(req: ElasticRequest, opts?: CallOptions): Promise<string[]> {
    return parseIdList((await this.#send(req, opts)).text);
  }

  /** Sends a request whose answer carries no data. */
  async command(req: ElasticRequest, opts?: CallOptions): Promise<void> {
    await this.#send(req, opts);
  }

  async #send(req: ElasticRequest, opts?: CallOptions): Promise<Answer> {
    const operation = operationName(req.method, req.path);
    const classify = (err: unknown): RetryVerdict => {
      if (!(err instanceof ProviderError)) return 'final';
      if (err.code === 'STEWARD_PROVIDER_RATE_LIMITED') return 'throttled';
      if (
        req.retry === 'safe' &&
        err.code === 'STEWARD_PROVIDER_UNAVAILABLE' &&
        (err.status === undefined || err.status >= 500)
      )
        return 'transient';
      return 'final';
    };
    return withRetry(() => this.#attempt(req, operation, opts), classify, this.settings.retry, {
      ...(this.settings.sleep === undefined ? {} : { sleep: this.settings.sleep }),
      ...(opts?.signal === undefined ? {} : { signal: opts.signal }),
    });
  }

  async #attempt(req: ElasticRequest, operation: string, opts?: CallOptions): Promise<Answer> {
    const { rateLimit, format, zone, requestTimeoutMs } = this.settings;
    if (rateLimit !== undefined) await rateLimit.limiter.acquire(rateLimit.key, opts?.signal);
    await opts?.onCall?.({ provider: 'elastichosts', operation, region: zone.id });
    const mime = format === 'json' ? 'application/json' : 'text/plain';
    const headers: Record<string, string> = { authorization: this.#authorization(), accept: mime };
    if (req.body !== undefined) headers['content-type'] = mime;
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    const url = new URL(req.path.replace(/^\//, ''), this.settings.baseUrl);
    let res: HttpAnswer;
    try {
      assertLiteralAllowed(url, this.settings.addressPolicy);
      res = await sendRequest({
        url,
        method: req.method,
        headers,
        body: req.body === undefined ? (req.method === 'POST' ? '' : undefined) : serializeRecord(req.body, format),
        signal: opts?.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]),
        agents: this.#agents,
      });
    } catch (err) {
      if (opts?.signal?.aborted === true) throw opts.signal.reason;
      // One answer whatever happened (refused, reset, silent, a name the policy refuses, TLS failed): the wording
      // must not tell an open port from a closed one. The cause is kept for the operator's log.
      throw new ProviderUnavailableError(
        `Steward could not reach the ElasticHosts endpoint for ${operation}.`,
        { provider: 'elastichosts', operation, providerCode: 'unreachable' },
        { cause: err },
      );
    }
    const text = res.text;
    if (res.status >= 200 && res.status < 300) {
      return { status: res.status, text, json: /json/i.test(res.header('content-type') ?? '') };
    }
    throw mapElasticError({ status: res.status, header: res.header('x-elastic-error'), body: text }, operation);
  }
}
