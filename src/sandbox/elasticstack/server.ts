import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../../kernel/clock.js';
import { Faults } from '../common/faults.js';
import { BodyTooLarge, delay, handleAdmin, listen, readBody } from '../common/http.js';
import type { InstanceHosts } from '../common/ports.js';
import type { Dialect } from './render.js';
import { route } from './routes.js';
import { ElasticFault, ElasticWorld } from './state.js';
import { parseJsonBody, parseTextBody, renderIds, renderMany, renderOne, UsageError, type Row } from './wire.js';

export interface ElasticSandboxOptions {
  readonly host: string;
  readonly port: number;
  readonly hosts: InstanceHosts;
  readonly user: string;
  readonly secretKey: string;
  readonly adminToken: string;
  readonly dialect?: Dialect;
  readonly clock?: Clock;
  /** Default 3 s. */
  readonly imagingMs?: number;
  /** Default 2 s. */
  readonly shutdownMs?: number;
}

export interface ElasticSandbox {
  readonly url: string;
  readonly faults: Faults;
  readonly world: ElasticWorld;
  /** The field dialect answers are written in; may be switched while running. */
  dialect: Dialect;
  /** Method and path of the last requests, newest last. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly status: number }[];
  close(): Promise<void>;
}

/** Starts an ElasticStack API (basic auth, text/plain and JSON, both dialects) on a loopback port. */
export async function startElasticSandbox(options: ElasticSandboxOptions): Promise<ElasticSandbox> {
  const clock = options.clock ?? systemClock;
  const world = new ElasticWorld({
    clock,
    user: options.user,
    imagingMs: options.imagingMs ?? 3_000,
    shutdownMs: options.shutdownMs ?? 2_000,
  });
  const faults = new Faults();
  const requests: { method: string; path: string; status: number }[] = [];
  const state = { dialect: options.dialect ?? ('2.0' as Dialect) };
  const expected = Buffer.from(`Basic ${Buffer.from(`${options.user}:${options.secretKey}`).toString('base64')}`);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await handleAdmin(req, res, options.adminToken, faults)) return;
    const method = (req.method ?? 'GET').toUpperCase();
    // Repeated slashes (an endpoint written with a trailing slash, then joined) are one, as web servers treat them;
    // URL parsing would otherwise read `//drives/…` as a host name.
    const path =
      new URL((req.url ?? '/').replace(/\/{2,}/g, '/'), 'http://sandbox').pathname.replace(/\/+$/, '') || '/';
    const json = /application\/json/i.test(String(req.headers['accept'] ?? ''));
    const reply = (status: number, body: string, headers: Record<string, string> = {}): void => {
      requests.push({ method, path, status });
      if (requests.length > 1000) requests.splice(0, requests.length - 1000);
      res.writeHead(status, {
        'content-type': json && status < 300 ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
        ...headers,
      });
      res.end(body);
    };
    const fail = (f: ElasticFault, headers: Record<string, string> = {}): void =>
      reply(f.status, `${f.message}\n`, { 'x-elastic-error': f.type, ...headers });

    const given = Buffer.from(String(req.headers['authorization'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      fail(new ElasticFault(401, 'auth', 'Authentication failed'), {
        'www-authenticate': 'Basic realm="ElasticStack sandbox"',
      });
      return;
    }
    let input: Row;
    try {
      const body = (await readBody(req)).toString('utf8');
      input = /application\/json/i.test(String(req.headers['content-type'] ?? ''))
        ? parseJsonBody(body)
        : parseTextBody(body);
    } catch (err) {
      if (err instanceof BodyTooLarge) return fail(new ElasticFault(413, 'usage', 'request body is too large'));
      if (err instanceof UsageError) return fail(new ElasticFault(400, 'usage', err.message));
      throw err;
    }
    const decision = faults.decide();
    await delay(decision.delayMs);
    if (decision.fault === 'bad-credentials') return fail(new ElasticFault(401, 'auth', 'Authentication failed'));
    if (decision.fault === 'throttle')
      return fail(new ElasticFault(429, 'busy', 'Too many requests; slow down'), { 'retry-after': '1' });
    if (decision.fault === 'server-error')
      return fail(new ElasticFault(decision.status, 'system', 'System error; please try again'));
    try {
      const answer = await route(
        { world, hosts: options.hosts, dialect: state.dialect, user: options.user },
        method,
        path,
        input,
      );
      const output = answer.kind === 'ids' ? 'list' : 'properties';
      if (answer.kind === 'none') reply(answer.status, '');
      else if (answer.kind === 'ids') reply(200, renderIds(answer.ids, json), { 'x-elastic-output': output });
      else if (answer.kind === 'one') reply(200, renderOne(answer.row, json), { 'x-elastic-output': output });
      else reply(200, renderMany(answer.rows, json), { 'x-elastic-output': output });
    } catch (err) {
      if (!(err instanceof ElasticFault)) throw err;
      fail(err);
    }
  };

  const listening = await listen(options.host, options.port, handle);
  return {
    url: listening.url,
    faults,
    world,
    get dialect() {
      return state.dialect;
    },
    set dialect(value: Dialect) {
      state.dialect = value;
    },
    requests,
    close: () => listening.close(),
  };
}
