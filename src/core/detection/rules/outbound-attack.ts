/**
 * The customer's own server attacking others: connections it opens (or is trying to open) to many different
 * addresses on a port that attackers scan and brute-force (SSH, telnet, RDP, SMB) at one moment. A backup job or a
 * deploy talks to a handful of hosts; a compromised server scanning the internet talks to dozens. Where Steward
 * runs on a server it manages, its own logins to the organisation's other servers are left out.
 */
import type { DetectionInput, Rule } from '../detection.types.js';

/** Distinct remote addresses on one such port, at one sample, that make a finding. */
export const OUTBOUND_ATTACK_PEERS = 20;

/** An address in one spelling: lower case, and IPv4 seen through an IPv6 socket (`::ffff:192.0.2.1`) as IPv4. */
export const bareAddress = (address: string): string => address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
/** `host:port` as ss prints it (`[v6]:port`): its address in one spelling, and its port. */
function splitPeer(peer: string): { readonly host: string; readonly port: string } {
  const colon = peer.lastIndexOf(':');
  const port = colon >= 0 && /^\d+$/.test(peer.slice(colon + 1)) ? peer.slice(colon + 1) : '?';
  const host = port === '?' ? peer : peer.slice(0, colon);
  return { host: bareAddress(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host), port };
}

type Connections = NonNullable<DetectionInput['outboundConnections']>;
interface Split {
  readonly port: string;
  readonly host: string;
  /** `host:port` of the remote end, as `stewardPeers` holds it. */
  readonly peer: string;
  readonly localHost: string | undefined;
  readonly process: string | null;
}

/**
 * Each listing's connections with their addresses split, once: monitoring hands the same listing to detection at
 * every sample while it does not change (a server Steward runs on holds a connection to each server it watches).
 */
const splitListings = new WeakMap<Connections, readonly Split[]>();

function splitAll(connections: Connections): readonly Split[] {
  let split = splitListings.get(connections);
  if (!split) {
    split = connections.map((c) => {
      const { host, port } = splitPeer(c.peer);
      const localHost = c.local === undefined ? undefined : splitPeer(c.local).host;
      return { port, host, peer: `${host}:${port}`, localHost, process: c.process };
    });
    splitListings.set(connections, split);
  }
  return split;
}

export const outboundAttack: Rule = ({ outboundConnections, ownAddresses, stewardPeers }) => {
  if (!outboundConnections || outboundConnections.length === 0) return [];
  const own = new Set([...ownAddresses].map(bareAddress));
  const byPort = new Map<string, { hosts: Set<string>; processes: Set<string> }>();
  for (const c of splitAll(outboundConnections)) {
    const steward = c.localHost !== undefined && own.has(c.localHost) && stewardPeers?.has(c.peer) === true;
    if (steward) continue;
    const entry = byPort.get(c.port) ?? { hosts: new Set<string>(), processes: new Set<string>() };
    entry.hosts.add(c.host);
    if (c.process) entry.processes.add(c.process);
    byPort.set(c.port, entry);
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
