// Engine: SQLite only: the drivers check endpoint addresses before a socket opens; the provisioning stores run on both engines in provisioning-credentials (docs/testing.md).
/**
 * Server-side request forgery through provider endpoints (docs/decisions/0014-address-policy.md): a name that
 * resolves to this machine, and this machine's own interface addresses, never get a connection, whichever driver
 * (the AWS SDK's client or the ElasticStack transport) would send it; and when a connection does fail, the answer
 * reads the same whether something listened there or not.
 */
import { lookup } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, ownAddresses } from '../src/kernel/addresses.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { startProvisioningSteward } from '../testkit/provisioning-e2e.js';
import type { TestSteward } from '../testkit/steward.js';

/** A TCP listener on loopback that counts connections (a TLS hello counts as one). */
async function listener(
  reply: (socket: Socket) => void,
): Promise<{ port: number; accepted: () => number; server: Server }> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    socket.on('error', () => undefined);
    reply(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, accepted: () => accepted, server };
}

async function closedPort(): Promise<number> {
  const l = await listener(() => undefined);
  await new Promise((resolve) => l.server.close(resolve));
  return l.port;
}

const ec2 = (endpoint: string) => ({
  provider: 'ec2',
  name: 'probe',
  region: 'us-east-1',
  endpoint,
  accessKeyId: 'AKIAPROBEPROBEPROBE1',
  secretAccessKey: 'probe-secret-access-key-0123456789abcdefgh',
});
const elastic = (baseUrl: string) => ({
  provider: 'elastichosts',
  name: 'probe',
  baseUrl,
  zone: 'probe-1',
  user: '00000000-0000-4000-8000-000000000001',
  secretKey: 'probe-secret-key',
});

describe('provider endpoints by name and by this machine’s addresses', () => {
  let s: TestSteward;
  let owner: SignedUp;
  const open: Server[] = [];
  const connect = (body: object) => owner.client.post(`/api/orgs/${owner.orgId}/provider-accounts`, body);

  beforeAll(async () => {
    s = await startProvisioningSteward({ STEWARD_SANDBOX_ENDPOINTS: 'false', STEWARD_PROVIDER_MAX_ATTEMPTS: '2' });
    owner = await signUp(s.app);
  });
  afterAll(async () => {
    for (const server of open) server.close();
    await s?.close();
  });

  it('a name that resolves to this machine never gets a connection, from either driver', async () => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    expect(addresses.length, `${name} must resolve on this machine for this test`).toBeGreaterThan(0);
    const tls = await listener((socket) => socket.resetAndDestroy());
    open.push(tls.server);
    for (const body of [ec2(`https://${name}:${tls.port}/`), elastic(`https://${name}:${tls.port}/`)]) {
      const res = await connect(body);
      expect(res.status, res.raw).toBe(400);
      expect(res.body.error.code).toBe('STEWARD_PROVIDER_ACCOUNT_UNVERIFIED');
      expect(res.body.error.message).toMatch(/could not reach the (AWS|ElasticHosts) endpoint/);
    }
    expect(tls.accepted()).toBe(0);
    expect(await s.core.db.selectFrom('provider_accounts').select('id').execute()).toEqual([]);
  });

  it('this machine’s own interface addresses are refused as typed', async () => {
    const own = [...ownAddresses()].filter((a) => classifyAddress(a) !== 'loopback');
    for (const address of own) {
      const host = address.includes(':') ? `[${address}]` : address;
      const res = await connect(ec2(`https://${host}:8443/`));
      expect(res.status, address).toBe(400);
      expect(res.body.error.code).toBe('STEWARD_ENDPOINT_NOT_ALLOWED');
    }
  });
});

describe('an endpoint that fails reads the same whether a port is open or closed', () => {
  let s: TestSteward;
  let owner: SignedUp;
  const open: Server[] = [];

  beforeAll(async () => {
    // The sandbox setting lets loopback endpoints through, so these requests really connect.
    s = await startProvisioningSteward({ STEWARD_PROVIDER_MAX_ATTEMPTS: '2' });
    owner = await signUp(s.app);
  });
  afterAll(async () => {
    for (const server of open) server.close();
    await s?.close();
  });

  it('reset, refused and not TLS give one message for both drivers', async () => {
    const reset = await listener((socket) => socket.resetAndDestroy());
    const plain = await listener((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    open.push(reset.server, plain.server);
    const closed = await closedPort();
    for (const body of [ec2, elastic]) {
      const messages = new Set<string>();
      for (const port of [reset.port, plain.port, closed]) {
        const res = await owner.client.post(
          `/api/orgs/${owner.orgId}/provider-accounts`,
          body(`https://127.0.0.1:${port}/`),
        );
        expect(res.status, res.raw).toBe(400);
        messages.add(res.body.error.message.replaceAll(String(port), 'PORT'));
      }
      expect([...messages], JSON.stringify([...messages])).toHaveLength(1);
      expect([...messages][0]).not.toMatch(/ECONN|EPROTO|reset|refused|SSL|TLS|certificate/i);
    }
    expect(reset.accepted()).toBeGreaterThan(0);
  });
});
