// Engine: SQLite only: the address policy is checked before a socket opens; the server store runs on both engines in tenant-isolation (docs/testing.md).
/**
 * Customers' servers inside the operator's network (docs/decisions/0014-address-policy.md, server addresses): the
 * operator's address policy (STEWARD_SERVER_ADDRESSES) refuses this machine, link-local and metadata addresses when
 * they are typed, and again on every connection, names included, before a socket opens; and whatever listens at a
 * refused or unreachable address, the server's status reason reads the same, so enrolment cannot be used to map ports.
 */
import { lookup } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, ownAddresses } from '../src/kernel/addresses.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

/** A TCP listener on loopback that counts connections; `reply` decides what a connecting client hears. */
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

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const l = await listener(() => undefined);
  await new Promise((resolve) => l.server.close(resolve));
  return l.port;
}

/** Runs the enrolment job's last attempt now, as the queue would, and returns the server as its owner sees it. */
async function enrolOnce(s: TestSteward, owner: SignedUp, serverId: string) {
  await s.core.servers.enrol(
    {
      id: 'job_test',
      queue: 'servers.enrol',
      payload: { serverId, instructionType: 'user_action', instructionId: 'req_test', instructionActor: owner.userId },
      orgId: owner.orgId,
      attempt: 4,
      signal: new AbortController().signal,
      worker: 'test',
    },
    s.core.orgKeys.publicKey,
  );
  return (await owner.client.get(`/api/orgs/${owner.orgId}/servers/${serverId}`)).body;
}

const add = (owner: SignedUp, address: string, port = 22) =>
  owner.client.post(`/api/orgs/${owner.orgId}/servers`, {
    name: `probe-${port}`,
    address,
    port,
    password: 'first-login-password',
    trustFirstContact: true,
  });

describe('server addresses under the default policy', () => {
  let s: TestSteward;
  let owner: SignedUp;
  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite', env: { STEWARD_SSH_CONNECT_TIMEOUT_MS: '2000' } });
    owner = await signUp(s.app);
  });
  afterAll(() => s?.close());

  it('refuses this machine, link-local and metadata addresses when they are typed', async () => {
    for (const address of [
      '127.0.0.1',
      '::1',
      'localhost',
      '0.0.0.0',
      '169.254.169.254',
      'fe80::1',
      '::ffff:127.0.0.1',
    ]) {
      const res = await add(owner, address);
      expect(res.status, `${address}: ${res.raw}`).toBe(400);
      expect(res.body.error.code).toBe('STEWARD_SERVER_ADDRESS_NOT_ALLOWED');
      expect(res.body.error.message).toMatch(/public,private/);
    }
    const own = [...ownAddresses()].find((a) => classifyAddress(a) !== 'loopback');
    if (own) expect((await add(owner, own)).body.error.code).toBe('STEWARD_SERVER_ADDRESS_NOT_ALLOWED');
    expect(await s.core.db.selectFrom('servers').select('id').execute()).toEqual([]);
  });

  it('checks names when connecting: a name for this machine never gets a connection', async () => {
    // This machine's own name resolves to one of its own addresses (loopback on most machines).
    const name = hostname();
    const resolved = await lookup(name, { all: true }).catch(() => []);
    expect(resolved.length, `${name} must resolve on this machine for this test`).toBeGreaterThan(0);
    const ssh = await listener((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
    const res = await add(owner, name, ssh.port);
    expect(res.status, res.raw).toBe(202);
    const server = await enrolOnce(s, owner, res.body.id);
    expect(ssh.accepted()).toBe(0);
    expect(server.status).toBe('unreachable');
    expect(server.statusReason).toMatch(/could not reach an SSH server there/);
    ssh.server.close();
  });
});

describe('status reasons do not describe what listens at an address', () => {
  let s: TestSteward;
  let owner: SignedUp;
  const servers: Server[] = [];
  beforeAll(async () => {
    // The operator lets servers on loopback be added (as the tests' shared hosts are).
    s = await startTestSteward({
      engine: 'sqlite',
      env: { STEWARD_SERVER_ADDRESSES: 'public,private,loopback', STEWARD_SSH_CONNECT_TIMEOUT_MS: '1500' },
    });
    owner = await signUp(s.app);
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await s?.close();
  });

  it('a closed port, a web server, a silent service and a reset all read the same', async () => {
    const web = await listener((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    const silent = await listener(() => undefined);
    const reset = await listener((socket) => socket.resetAndDestroy());
    servers.push(web.server, silent.server, reset.server);
    const reasons = new Map<string, string>();
    for (const [what, port] of [
      ['closed', await closedPort()],
      ['web', web.port],
      ['silent', silent.port],
      ['reset', reset.port],
    ] as const) {
      const res = await add(owner, '127.0.0.1', port);
      expect(res.status, res.raw).toBe(202);
      const server = await enrolOnce(s, owner, res.body.id);
      expect(server.status, what).toBe('unreachable');
      reasons.set(what, String(server.statusReason).replaceAll(res.body.id, 'ID').replaceAll(String(port), 'PORT'));
    }
    expect(web.accepted() + silent.accepted() + reset.accepted()).toBe(3);
    expect(new Set(reasons.values()).size, JSON.stringify([...reasons])).toBe(1);
    expect(reasons.get('web')).not.toMatch(/ECONN|closed|reset|timed out|protocol/i);
  });
});
