/**
 * The customer's own server attacking others: connections it opens (or is trying to open) to many different
 * addresses on a port that attackers scan and brute-force (SSH, telnet, RDP, SMB) at one moment. A backup job or a
 * deploy talks to a handful of hosts; a compromised server scanning the internet talks to dozens. Where Steward
 * runs on a server it manages, its own logins to the organisation's other servers are left out.
 */
import type { Rule } from '../detection.types.js';

/** Distinct remote addresses on one such port, at one sample, that make a finding. */
export const OUTBOUND_ATTACK_PEERS = 20;

/** An address in one spelling: lower case, and IPv4 seen through an IPv6 socket (`::ffff:192.0.2.1`) as IPv4. */
export const bareAddress = (address: string): string => address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
/** The address of `host:port` as ss prints it (`[v6]:port`). */
const hostOf = (peer: string): string => bareAddress(peer.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''));
const portOf = (peer: string): string => /:(\d+)$/.exec(peer)?.[1] ?? '?';

export const outboundAttack: Rule = ({ outboundConnections, ownAddresses, stewardPeers }) => {
  if (!outboundConnections || outboundConnections.length === 0) return [];
  const own = new Set([...ownAddresses].map(bareAddress));
  const byPort = new Map<string, { hosts: Set<string>; processes: Set<string> }>();
  for (const c of outboundConnections) {
    const port = portOf(c.peer);
    const steward =
      c.local !== undefined && own.has(hostOf(c.local)) && stewardPeers?.has(`${hostOf(c.peer)}:${port}`) === true;
    if (steward) continue;
    const entry = byPort.get(port) ?? { hosts: new Set<string>(), processes: new Set<string>() };
    entry.hosts.add(hostOf(c.peer));
    if (c.process) entry.processes.add(c.process);
    byPort.set(port, entry);
  }
  return [...byPort]
    .filter(([, e]) => e.hosts.size >= OUTBOUND_ATTACK_PEERS)
    .map(([port, e]) => ({
      rule: 'outbound_attack' as const,
      key: `port:${port}`,
      severity: 'critical' as const,
      title: `This server is connecting to ${e.hosts.size} addresses on port ${port}: it may be scanning or attacking others`,
      evidence: {
        port: Number(port),
        addresses: e.hosts.size,
        sample: [...e.hosts].slice(0, 10),
        processes: [...e.processes].slice(0, 10),
      },
    }));
};
