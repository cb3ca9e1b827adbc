import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv4, type AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../kernel/errors.js';
import { sleep } from '../../kernel/clock.js';
import type { FaultSettings, Faults } from './faults.js';

export const BODY_LIMIT = 4 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sandbox clouds only ever listen on loopback: they accept well-known test credentials. */
export function assertLoopback(host: string): void {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || (isIPv4(h) && h.startsWith('127.'))) return;
  throw new AppError('STEWARD_INVALID_INPUT', `Sandbox clouds listen only on loopback addresses, not ${host}.`);
}

export interface Listening {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server whose handler never throws out (errors become a 500). */
export async function listen(
  host: string,
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<Listening> {
  assertLoopback(host);
  const server = createServer((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('sandbox error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shown}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ADMIN_PREFIX = '/_sandbox/';

/**
 * The admin API shared by both clouds: `GET|POST|DELETE /_sandbox/faults` (JSON `FaultSettings`), guarded by
 * the `X-Sandbox-Admin-Token` header. Returns false when the request is not for the admin API.
 */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  adminToken: string,
  faults: Faults,
  extra?: (path: string, method: string, body: unknown) => Promise<unknown> | undefined,
): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
  if (!path.startsWith(ADMIN_PREFIX)) return false;
  const given = Buffer.from(String(req.headers['x-sandbox-admin-token'] ?? ''));
  const expected = Buffer.from(adminToken);
  const json = (status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    json(401, { error: 'X-Sandbox-Admin-Token is missing or wrong.' });
    return true;
  }
  let body: unknown;
  try {
    const raw = (await readBody(req, 64 * 1024)).toString('utf8');
    body = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    json(400, { error: 'The body must be JSON.' });
    return true;
  }
  const method = req.method ?? 'GET';
  if (path === `${ADMIN_PREFIX}faults`) {
    if (method === 'DELETE') faults.reset();
    else if (method === 'POST') faults.set(body as FaultSettings);
    json(200, { injected: faults.injected });
    return true;
  }
  const answer = await extra?.(path.slice(ADMIN_PREFIX.length), method, body);
  if (answer === undefined) json(404, { error: `No admin route ${method} ${path}.` });
  else json(200, answer);
  return true;
}

/** Waits out a "slow answer" fault. */
export const delay = (ms: number): Promise<void> => (ms > 0 ? sleep(ms) : Promise.resolve());
