import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../src/kernel/errors.js';
import {
  createFleetLauncher,
  disposeFleetLauncher,
  sshExec,
  testHostDirs,
  useFleet,
  type SshLogin,
} from '../testkit/fleet.js';

const ALICE_PASSWORD = 'alice-test-password-1';

/** Resolves true if a TCP connection to address:port is accepted. */
function tcpOpen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.setTimeout(2000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('isolated test hosts', () => {
  const fleet = useFleet({
    count: 2,
    spec: (i) => ({
      name: `iso${i}`,
      users: [{ name: 'alice', password: ALICE_PASSWORD, sudo: true, authorizedKeys: [fleet.clientKey.publicKey] }],
    }),
  });
  const root = (): SshLogin => ({ username: 'root', privateKey: fleet.clientKey.privateKey });

  it('each answers over SSH with its own hostname, /etc and processes', async () => {
    const [a, b] = fleet.hosts as [NonNullable<(typeof fleet.hosts)[0]>, NonNullable<(typeof fleet.hosts)[1]>];
    expect(a.address).not.toBe(b.address);
    const seen = await Promise.all(
      fleet.hosts.map((h) => sshExec(h, root(), 'hostname; cat /etc/hostname /etc/machine-id; ps -e -o pid=,comm=')),
    );
    for (const [i, result] of seen.entries()) {
      expect(result.code).toBe(0);
      const [hostname, etcHostname, machineId, ...ps] = result.stdout.trim().split('\n');
      expect(hostname).toBe(`iso${i}`);
      expect(etcHostname).toBe(`iso${i}`);
      expect(machineId).toMatch(/^[0-9a-f]{32}$/);
      // pid 1 is the host's own sshd; the rest are this session. Nothing of the machine or the other host.
      expect(ps[0]?.trim()).toMatch(/^1 sshd$/);
      expect(ps.length).toBeLessThan(10);
    }
    expect(seen[0]?.stdout.split('\n')[2]).not.toBe(seen[1]?.stdout.split('\n')[2]);
  });

  it('keeps files apart: a file written in one is absent in the other', async () => {
    const [a, b] = fleet.hosts;
    await a!.writeFile('/etc/steward-marker', 'only on a\n', 0o600);
    expect((await a!.readFile('/etc/steward-marker')).toString()).toBe('only on a\n');
    expect((await a!.run(['stat', '-c', '%a', '/etc/steward-marker'])).stdout.trim()).toBe('600');
    const missing = await b!.readFile('/etc/steward-marker').catch((err: unknown) => err);
    expect(isAppError(missing) && missing.code).toBe('STEWARD_NOT_FOUND');
    const overSsh = await sshExec(b!, root(), 'test -e /etc/steward-marker; echo $?');
    expect(overSsh.stdout.trim()).toBe('1');
  });

  it('keeps listeners apart: a port opened in one is not in the other', async () => {
    const [a, b] = fleet.hosts;
    const pid = await a!.spawnDaemon(['nc', '-lk', '8080']);
    expect(pid).toBeGreaterThan(1);
    let listening = '';
    for (let i = 0; i < 100 && !listening.includes(':8080'); i++) listening = (await a!.run(['ss', '-ltn'])).stdout;
    expect(listening).toContain(':8080');
    expect((await b!.run(['ss', '-ltn'])).stdout).not.toContain(':8080');
    expect(await tcpOpen(a!.address, 8080)).toBe(true);
    expect(await tcpOpen(b!.address, 8080)).toBe(false);
  });

  it('runs argv without a shell', async () => {
    const result = await fleet.hosts[0]!.run(['echo', '$(hostname); rm -rf /'], { stdin: '' });
    expect(result).toEqual({ code: 0, stdout: '$(hostname); rm -rf /\n', stderr: '' });
    const piped = await fleet.hosts[0]!.run(['wc', '-c'], { stdin: Buffer.from('12345') });
    expect(piped.stdout.trim()).toBe('5');
  });

  it('accepts key and password logins, refuses a wrong password, and gives sudo', async () => {
    const host = fleet.hosts[1]!;
    const byKey = await sshExec(
      host,
      { username: 'alice', privateKey: fleet.clientKey.privateKey },
      'id -un; sudo -n id -u',
    );
    expect(byKey.stdout.split('\n').slice(0, 2)).toEqual(['alice', '0']);
    const byPassword = await sshExec(host, { username: 'alice', password: ALICE_PASSWORD }, 'id -un');
    expect(byPassword.stdout.trim()).toBe('alice');
    await expect(sshExec(host, { username: 'alice', password: 'wrong' }, 'true')).rejects.toThrow(/authentication/i);
    // Root may log in by key only when it has no password.
    expect((await sshExec(host, root(), 'id -u')).stdout.trim()).toBe('0');
    await expect(sshExec(host, { username: 'root', password: ALICE_PASSWORD }, 'true')).rejects.toThrow(
      /authentication/i,
    );
  });

  it('regenerateHostKeys changes the key a client sees', async () => {
    const host = fleet.hosts[0]!;
    const before = [...host.hostKeys];
    const first = await sshExec(host, root(), 'true');
    await host.regenerateHostKeys();
    expect(host.hostKeys.map((k) => k.sha256)).not.toEqual(before.map((k) => k.sha256));
    // 1. A client pinned to the old keys is refused; 2. one with the new keys gets in and sees a new key.
    await expect(sshExec(host, root(), 'true', { pinned: before })).rejects.toThrow();
    const second = await sshExec(host, root(), 'true');
    expect(second.hostKey).not.toBe(first.hostKey);
  });

  it('stop takes the host down and start brings it back with its disk and keys', async () => {
    const host = fleet.hosts[1]!;
    await host.writeFile('/root/survives', 'yes\n');
    const keys = host.hostKeys.map((k) => k.sha256);
    await host.stop();
    expect(host.running).toBe(false);
    expect(await tcpOpen(host.address, 22)).toBe(false);
    // Files stay reachable while it is down (a chroot instead of its namespaces).
    expect((await host.readFile('/root/survives')).toString()).toBe('yes\n');
    await host.start();
    expect(host.running).toBe(true);
    expect(host.hostKeys.map((k) => k.sha256)).toEqual(keys);
    const after = await sshExec(host, root(), 'cat /root/survives; hostname');
    expect(after.stdout).toBe('yes\niso1\n');
  });
});

/** Everything of this test process's hosts that teardown must remove. */
function traces(peers: readonly string[]): {
  mounts: string[];
  namespaces: string[];
  folders: string[];
  veths: string[];
} {
  const mine = `steward-${process.pid}-`;
  const { runDir } = testHostDirs();
  const addresses = execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
  return {
    mounts: readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(`/${mine}`)),
    namespaces: existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(mine)) : [],
    folders: readdirSync(runDir).filter((n) => n.startsWith(mine)),
    veths: peers.filter((peer) => addresses.includes(` ${peer}/30 `)),
  };
}

/** The machine's end of a host's /30 is the address just below the host's. */
const peerOf = (address: string): string => address.replace(/\d+$/, (last) => String(Number(last) - 1));

describe('teardown', () => {
  it('leaves no mounts, namespaces, veths or folders, also after a launch that failed', async () => {
    const launcher = await createFleetLauncher({}, []);
    let peers: string[];
    try {
      const hosts = await launcher.launchMany(3);
      peers = hosts.map((h) => peerOf(h.address));
      // sshd rejects the unknown keyword and exits; the launch must fail and undo itself.
      const failed = await launcher.launch({ sshd: { NoSuchKeyword: 'yes' } }).catch((err: unknown) => err);
      expect(isAppError(failed) && failed.code).toBe('STEWARD_TESTHOSTS_START_FAILED');
      expect(launcher.hosts()).toHaveLength(3);
      const during = traces(peers);
      // Each host has its overlay and its namespace's bind mount under /run/netns.
      expect(during.mounts.filter((line) => line.startsWith('overlay '))).toHaveLength(3);
      expect(during.namespaces).toHaveLength(3);
      expect(during.veths).toHaveLength(3);
    } finally {
      const started = Date.now();
      await disposeFleetLauncher(launcher);
      console.log(`teardown of 3 isolated hosts: ${Date.now() - started} ms`);
    }
    // Also covers the fleet of the describe above, whose afterAll has run by now.
    expect(traces(peers)).toEqual({ mounts: [], namespaces: [], folders: [], veths: [] });
  });
});
