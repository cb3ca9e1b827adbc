import { describe, expect, it } from 'vitest';
import { isAppError } from '../src/kernel/errors.js';
import { sshExec, useFleet } from '../testkit/fleet.js';

const COUNT = 20;

describe(`a shared fleet of ${COUNT}`, () => {
  const fleet = useFleet({ mode: 'shared', count: COUNT });
  const login = () => ({ username: 'root', privateKey: fleet.clientKey.privateKey });

  it('answers over SSH on loopback addresses, each with its own host key', async () => {
    console.log(`started ${COUNT} shared hosts in ${fleet.startMs} ms`);
    for (const host of fleet.hosts) expect(host.address).toMatch(/^127\./);
    const endpoints = new Set(fleet.hosts.map((h) => `${h.address}:${h.port}`));
    expect(endpoints.size).toBe(COUNT);
    const results = await Promise.all(fleet.hosts.map((h) => sshExec(h, login(), 'echo ok')));
    expect(results.map((r) => r.stdout)).toEqual(fleet.hosts.map(() => 'ok\n'));
    expect(new Set(results.map((r) => r.hostKey)).size).toBe(COUNT);
  });

  it('regenerates host keys, stops and starts', async () => {
    const host = fleet.hosts[0]!;
    const before = [...host.hostKeys];
    await host.regenerateHostKeys();
    await expect(sshExec(host, login(), 'true', { pinned: before })).rejects.toThrow();
    expect((await sshExec(host, login(), 'echo again')).stdout).toBe('again\n');
    await host.stop();
    await expect(sshExec(host, login(), 'true', { timeoutMs: 3000 })).rejects.toThrow();
    await host.start();
    expect((await sshExec(host, login(), 'echo back')).stdout).toBe('back\n');
  });

  it('refuses what needs a disk of its own', async () => {
    const err = await fleet.hosts[1]!.writeFile('/etc/x', 'x').catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('STEWARD_TESTHOSTS_UNSUPPORTED');
    const spec = await fleet.launcher.launch({ users: [{ name: 'bob' }] }).catch((e: unknown) => e);
    expect(isAppError(spec) && spec.code).toBe('STEWARD_TESTHOSTS_UNSUPPORTED');
  });
});
