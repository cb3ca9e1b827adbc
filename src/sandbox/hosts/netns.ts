import { existsSync, readdirSync } from 'node:fs';
import type { IsolatedAddresses } from './addresses.js';
import { execSync } from './exec.js';

/** Interface name of the host's end of its veth, inside its namespace. */
export const HOST_INTERFACE = 'eth0';

/** One host's network as `ip -batch` commands, outside (this machine) and inside (its namespace). */
export interface NetworkPlan {
  readonly netns: string;
  readonly veth: string;
  readonly outside: string;
  readonly inside: string;
}

/**
 * A host's own network: a namespace, a veth pair whose inner end is `eth0`, one /30 between the two ends,
 * loopback up. No default route inside, so a host can talk to this machine's end of its link and nothing
 * else; and no forwarding, so hosts cannot reach one another either.
 */
export function networkPlan(netns: string, veth: string, addrs: IsolatedAddresses): NetworkPlan {
  const outside = [
    `netns add ${netns}`,
    `link add ${veth} type veth peer name ${HOST_INTERFACE} netns ${netns}`,
    `addr add ${addrs.peer}/${addrs.prefix} dev ${veth}`,
    `link set ${veth} up`,
  ];
  const inside = [
    `addr add ${addrs.host}/${addrs.prefix} dev ${HOST_INTERFACE}`,
    `link set ${HOST_INTERFACE} up`,
    'link set lo up',
  ];
  return { netns, veth, outside: outside.join('\n'), inside: inside.join('\n') };
}

/** A host's network to delete; `veth` only when the caller knows the link of that name is still this host's. */
export interface DoomedNetwork {
  readonly netns: string;
  readonly veth?: string;
}

/**
 * Deletes the namespaces and veths of many hosts with one `ip` process (each `ip` start costs ~15 ms here).
 * Deleting a namespace destroys the inner veth end and with it the pair, but only eventually; the explicit
 * link delete makes it immediate, so the slot's names and addresses are free at once. Blocking, so exit
 * handlers can use it. Returns the namespaces still there afterwards.
 */
export function deleteNetworksSync(networks: readonly DoomedNetwork[]): string[] {
  const nsPath = (n: DoomedNetwork): string => `/run/netns/${n.netns}`;
  const lines = [
    ...networks.filter((n) => existsSync(nsPath(n))).map((n) => `netns delete ${n.netns}`),
    ...networks.flatMap((n) => (n.veth && existsSync(`/sys/class/net/${n.veth}`) ? [`link delete ${n.veth}`] : [])),
  ];
  // -force: go on past a link that vanished with its namespace between the check and the command.
  if (lines.length > 0) execSync('ip', ['-force', '-batch', '-'], `${lines.join('\n')}\n`);
  return networks.filter((n) => existsSync(nsPath(n))).map((n) => n.netns);
}

/** Names of network namespaces on this machine (`ip netns add` keeps them as files under /run/netns). */
export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}
