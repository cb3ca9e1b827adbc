/**
 * A process pinning the CPU for long that looks like a cryptocurrency miner: a miner's name or arguments, or a
 * connection to a mining pool's port. Busy processes without either are ordinary load, not a finding.
 */
import type { Rule } from '../detection.types.js';

const MINER =
  /xmrig|xmr-stak|minerd|cpuminer|cgminer|bfgminer|ethminer|nbminer|t-rex|phoenixminer|lolminer|nanominer|srbminer|teamredminer|gminer|ccminer|kdevtmpfsi|kinsing|stratum\+(tcp|ssl)|cryptonight|randomx|--donate-level|monero/i;

export const looksLikeMiner = (text: string): boolean => MINER.test(text);

export const cpuMiner: Rule = ({ processes, poolConnections, thresholds, nowMs }) => {
  const pinnedFor = thresholds.pinnedMinutes * 60_000;
  return processes
    .filter((p) => p.hotSinceMs !== null && nowMs - p.hotSinceMs >= pinnedFor)
    .flatMap((p) => {
      const pools = poolConnections.filter((c) => c.pid === p.pid);
      const named = looksLikeMiner(`${p.command} ${p.args}`);
      if (!named && pools.length === 0) return [];
      return [
        {
          rule: 'cpu_miner' as const,
          key: p.command || String(p.pid),
          severity: 'critical' as const,
          title: `Likely cryptocurrency miner: ${p.command || p.pid} has used ${Math.round(p.cpuPercent)}% CPU for ${Math.round((nowMs - p.hotSinceMs!) / 60_000)} minutes`,
          evidence: {
            pid: p.pid,
            command: p.command,
            args: p.args,
            user: p.user,
            cpuPercent: p.cpuPercent,
            since: new Date(p.hotSinceMs!).toISOString(),
            minerLikeName: named,
            poolConnections: pools.map((c) => c.peer),
          },
        },
      ];
    });
};
