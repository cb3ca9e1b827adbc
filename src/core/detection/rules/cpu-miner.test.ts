import { describe, expect, it } from 'vitest';
import type { ProcessTrack } from '../detection.types.js';
import { cpuMiner, looksLikeMiner } from './cpu-miner.js';
import { NOW, quiet } from './input.testkit.js';

const proc = (command: string, args: string, minutesHot: number | null, pid = 700): ProcessTrack => ({
  pid,
  command,
  args,
  user: 'www-data',
  cpuPercent: 98,
  hotSinceMs: minutesHot === null ? null : NOW - minutesHot * 60_000,
});

describe('rule: CPU miner', () => {
  it('a miner-named process pinning the CPU for long', () => {
    const [f] = cpuMiner(quiet({ processes: [proc('xmrig', '/tmp/.x/xmrig --donate-level 1', 15)] }));
    expect(f).toMatchObject({
      rule: 'cpu_miner',
      key: 'xmrig',
      severity: 'critical',
      evidence: { minerLikeName: true, user: 'www-data' },
    });
  });

  it('an innocent name but a connection to a mining pool', () => {
    const found = cpuMiner(
      quiet({
        processes: [proc('kworker', 'kworker/0:1', 30)],
        poolConnections: [{ peer: '203.0.113.5:3333', process: 'kworker', pid: 700 }],
      }),
    );
    expect(found[0]!.evidence.poolConnections).toEqual(['203.0.113.5:3333']);
  });

  it('busy but ordinary, miner-named but not pinned long enough, or idle: nothing', () => {
    expect(cpuMiner(quiet({ processes: [proc('postgres', 'postgres: checkpointer', 60)] }))).toEqual([]);
    expect(cpuMiner(quiet({ processes: [proc('xmrig', 'xmrig', 5)] }))).toEqual([]);
    expect(cpuMiner(quiet({ processes: [proc('xmrig', 'xmrig', null)] }))).toEqual([]);
  });

  it('knows miner names and pool URLs', () => {
    expect(['minerd', 'cpuminer-opt', 'x -o stratum+tcp://pool:4444', 'kdevtmpfsi'].every(looksLikeMiner)).toBe(true);
    expect(['nginx', 'node server.js', 'mysqld'].some(looksLikeMiner)).toBe(false);
  });
});
