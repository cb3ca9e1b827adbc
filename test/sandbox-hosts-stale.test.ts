import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupStale } from '../src/sandbox/hosts/index.js';
import { leaseDir } from '../src/sandbox/hosts/leases.js';
import { hostId, parseHostId, readState, vethName, writeState } from '../src/sandbox/hosts/state.js';
import { sshExec, testHostDirs, useFleet } from '../testkit/fleet.js';

interface Orphan {
  readonly pid: number;
  readonly hosts: { name: string; address: string; port: number }[];
}

/** Starts a child test process that launches hosts of `mode`, and waits until they are up. */
function startOrphan(mode: 'isolated' | 'shared', count: number): Promise<Orphan> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'testkit/fleet-orphan.ts', mode, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ pid: child.pid!, hosts: JSON.parse(out) as Orphan['hosts'] });
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`orphan exited early (${code}): ${err}`)));
  });
}

/** Pids recorded in the orphan's host state files: the processes cleanup must end. */
function recordedPids(ownerPid: number): number[] {
  const { runDir } = testHostDirs();
  return readdirSync(runDir)
    .filter((n) => n.startsWith(`steward-${ownerPid}-`))
    .flatMap((n) =>
      (
        JSON.parse(readFileSync(join(runDir, n, 'state.json'), 'utf8')) as { processes: { pid: number }[] }
      ).processes.map((p) => p.pid),
    );
}

/** Running (a zombie waits only for its new parent to reap it, which is not ours to do). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function leftovers(ownerPid: number): string[] {
  const prefix = `steward-${ownerPid}-`;
  const { runDir } = testHostDirs();
  return [
    ...readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(prefix)),
    ...(existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(prefix)) : []),
    ...readdirSync(runDir).filter((n) => n.startsWith(prefix)),
  ];
}

describe('cleanupStale', () => {
  // A live fleet of this process, which cleanup must leave alone.
  const fleet = useFleet({ count: 1 });

  it('removes what a killed test process left, and nothing of a live one', async () => {
    // 1. A child launches two isolated and two shared hosts, then dies without any teardown.
    const isolated = await startOrphan('isolated', 2);
    const shared = await startOrphan('shared', 2);
    const pids = [...recordedPids(isolated.pid), ...recordedPids(shared.pid)];
    expect(pids.length).toBe(6);
    process.kill(isolated.pid, 'SIGKILL');
    process.kill(shared.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    // 2. Their hosts outlive them: processes, namespaces, mounts, folders.
    expect(pids.every(alive)).toBe(true);
    expect(leftovers(isolated.pid).length).toBeGreaterThan(0);
    // 3. Cleanup removes all of it.
    const report = await cleanupStale(testHostDirs().runDir);
    expect(report.problems).toEqual([]);
    expect(report.hosts).toBeGreaterThanOrEqual(4);
    expect(pids.filter(alive)).toEqual([]);
    expect(leftovers(isolated.pid)).toEqual([]);
    expect(leftovers(shared.pid)).toEqual([]);
    // 4. This process's own host is untouched and still answers.
    const host = fleet.hosts[0]!;
    expect(
      (await sshExec(host, { username: 'root', privateKey: fleet.clientKey.privateKey }, 'hostname')).stdout.trim(),
    ).toBe(host.name);
  });

  it('leaves a live host alone when a dead owner left a record naming the same slot', async () => {
    // A dead owner's folder that outlived its lease (it could not be unmounted at the time, say), while a
    // live host of this process has taken the slot since: same slot, so the same veth name.
    const { runDir } = testHostDirs();
    const mine = readdirSync(runDir).find((n) => {
      const owned = parseHostId(n);
      return owned?.ownerPid === process.pid && owned.kind === 'h';
    })!;
    const live = readState(join(runDir, mine))!;
    const lease = join(leaseDir(runDir), `h${live.slot}`);
    const leaseBefore = readFileSync(lease, 'utf8');
    const deadPid = spawnSync('true').pid!;
    const id = hostId(deadPid, 'h', live.slot);
    const dir = join(runDir, id);
    mkdirSync(join(dir, 'merged'), { recursive: true });
    writeState({
      ...live,
      id,
      name: 'gone',
      owner: { pid: deadPid, start: '1' },
      dir,
      netns: id,
      veth: vethName(live.slot),
      merged: join(dir, 'merged'),
      processes: [],
    });

    const report = await cleanupStale(runDir);
    expect(report.problems).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    // The live host keeps its lease and its network.
    expect(readFileSync(lease, 'utf8')).toBe(leaseBefore);
    const host = fleet.hosts[0]!;
    const login = { username: 'root', privateKey: fleet.clientKey.privateKey };
    expect((await sshExec(host, login, 'hostname')).stdout.trim()).toBe(host.name);
  });
});
