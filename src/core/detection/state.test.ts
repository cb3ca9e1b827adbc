import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derive } from '../monitoring/sample/derive.js';
import { parseSample } from '../monitoring/sample/parse.js';
import type { AccessState } from '../monitoring/sample/types.js';
import { DEFAULT_THRESHOLDS } from './detection.types.js';
import { adminsOf, stateFromSample, trackProcesses } from './state.js';

const B = '6f1c0d2e9a7b4c3d8e5f60718293a4b5';
const fixture = (name: string) =>
  parseSample(readFileSync(join(import.meta.dirname, '..', 'monitoring', 'sample', 'fixtures', name), 'utf8'), B);

describe('security state from a real sample', () => {
  it('root and the passwordless sudoer are administrators; ports and keys are listed', () => {
    const state = stateFromSample(fixture('debian12-first.txt'), null)!;
    expect(state.uid0).toEqual(['root']);
    expect(state.admins).toEqual(['alice', 'root']);
    expect(state.ports.map((p) => p.id)).toEqual(['tcp/22', 'tcp/8081']);
    expect(state.authorizedKeys.map((k) => k.user).sort()).toEqual(['alice', 'root']);
    expect(Object.keys(state.binaries!)).toContain('/usr/sbin/sshd');
  });

  it('hashes carry over between integrity samples', () => {
    const first = stateFromSample(fixture('debian12-first.txt'), null)!;
    expect(stateFromSample(fixture('debian12-second.txt'), first)!.binaries).toEqual(first.binaries);
  });

  it('an incomplete sample gives no state rather than a wrong one', () => {
    const cut = parseSample(
      readFileSync(
        join(import.meta.dirname, '..', 'monitoring', 'sample', 'fixtures', 'debian12-first.txt'),
        'utf8',
      ).slice(0, 4000),
      B,
    );
    expect(stateFromSample(cut, null)).toBeNull();
  });
});

describe('administrators from sudoers and groups', () => {
  const base: AccessState = {
    accounts: [
      { name: 'root', uid: 0, gid: 0, home: '/root' },
      { name: 'bob', uid: 1001, gid: 1001, home: '/home/bob' },
      { name: 'ops', uid: 1002, gid: 27, home: '/home/ops' },
      { name: 'carol', uid: 1003, gid: 1003, home: '/home/carol' },
    ],
    adminGroups: [{ group: 'sudo', gid: 27, members: ['bob'] }],
    sudoers: [],
    authorizedKeys: [],
  };

  it('group members (listed, or by primary group) when sudoers could not be read', () => {
    expect(adminsOf(base).admins).toEqual(['bob', 'ops', 'root']);
  });

  it('sudoers rules that grant everything, through aliases and groups; limited rules and ignored files do not count', () => {
    const sudoers = [
      {
        path: '/etc/sudoers',
        content:
          'User_Alias OPS = carol\nOPS ALL=(ALL) NOPASSWD: ALL\n%sudo ALL=(ALL:ALL) ALL\nbob ALL=(root) /usr/bin/systemctl restart nginx',
      },
      { path: '/etc/sudoers.d/backup~', content: 'mallory ALL=(ALL) ALL' },
    ];
    expect(adminsOf({ ...base, sudoers }).admins).toEqual(['bob', 'carol', 'ops', 'root']);
  });
});

describe('tracking processes that pin a CPU', () => {
  const T = 1_800_000_000_000;
  it('keeps the time a process started pinning; a long-running busy newcomer has been at it since it started', () => {
    const { top } = derive(fixture('debian12-first.txt'), null, T);
    const busy = top.map((p) => (p.command === 'xmrig' ? { ...p, cpuPercent: 99, elapsedSeconds: 1200 } : p));
    const first = trackProcesses([], busy, T, DEFAULT_THRESHOLDS);
    const miner = first.find((p) => p.command === 'xmrig')!;
    expect(miner.hotSinceMs).toBe(T - 1_200_000);
    expect(first.filter((p) => p.command !== 'xmrig').every((p) => p.hotSinceMs === null)).toBe(true);
    const later = trackProcesses(first, busy, T + 60_000, DEFAULT_THRESHOLDS);
    expect(later.find((p) => p.command === 'xmrig')!.hotSinceMs).toBe(T - 1_200_000);
    const cooled = trackProcesses(
      later,
      busy.map((p) => ({ ...p, cpuPercent: 1 })),
      T + 120_000,
      DEFAULT_THRESHOLDS,
    );
    expect(cooled.every((p) => p.hotSinceMs === null)).toBe(true);
    const hotAgain = trackProcesses(cooled, busy, T + 180_000, DEFAULT_THRESHOLDS);
    expect(hotAgain.find((p) => p.command === 'xmrig')!.hotSinceMs).toBe(T + 180_000);
  });
});
