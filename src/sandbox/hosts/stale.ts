import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RUN_DIR } from './defaults.js';
import { leaseOwner, listLeases, removeLease } from './leases.js';
import { withFileLock } from './lock.js';
import { unmountUnder } from './mounts.js';
import { deleteNetworksSync, listNetns } from './netns.js';
import { isAlive, type ProcessRef } from './proc.js';
import { hostId, parseHostId, readState, vethName, type HostState } from './state.js';
import { teardownSync } from './teardown.js';

/** What `cleanupStale` removed, and what it could not. */
export interface StaleReport {
  readonly hosts: number;
  readonly namespaces: number;
  readonly leases: number;
  readonly problems: readonly string[];
}

/** A lease file left empty this long was abandoned mid-claim. */
const EMPTY_LEASE_GRACE_MS = 60_000;

/** Whether a host's folder or network namespace is still on this machine. */
function leftBehind(runDir: string, id: string): boolean {
  return existsSync(join(runDir, id)) || existsSync(`/run/netns/${id}`);
}

/** With only a pid to go on (a name), assume a live process of that pid may be the owner: never guess "dead". */
function ownerDead(owner: ProcessRef | undefined, pid: number): boolean {
  return owner ? !isAlive(owner) : !existsSync(`/proc/${pid}`);
}

/**
 * Removes what crashed earlier runs left on this machine: hosts (processes, namespaces, veths, mounts,
 * folders) and address leases whose owning process is dead. Anything of a live process is left alone, so it
 * is safe while other test processes run. Serialised by a lock, because two cleaners acting on the same stale
 * lease could otherwise delete a fresh one in between.
 */
export function cleanupStale(runDir: string = DEFAULT_RUN_DIR): Promise<StaleReport> {
  if (!existsSync(runDir)) return Promise.resolve({ hosts: 0, namespaces: 0, leases: 0, problems: [] });
  return withFileLock(join(runDir, '.cleanup.lock'), 60_000, async () => {
    const problems: string[] = [];
    let hosts = 0;
    let namespaces = 0;
    let leases = 0;
    const stale: HostState[] = [];
    for (const name of readdirSync(runDir)) {
      const id = parseHostId(name);
      if (!id) continue;
      const dir = join(runDir, name);
      const state = readState(dir);
      if (!ownerDead(state?.owner, id.ownerPid)) continue;
      if (state) stale.push(state);
      // No state file: the owner died before writing one, so the folder holds nothing mounted or running.
      else if (unmountUnder(dir)) rmSync(dir, { recursive: true, force: true });
      else problems.push(`${dir} is still mounted`);
      hosts++;
    }
    problems.push(...teardownSync(stale, runDir));
    // A crash after `ip netns add` but before the state file named it, or a run folder removed by hand.
    for (const name of listNetns()) {
      const id = parseHostId(name);
      if (!id || existsSync(join(runDir, name)) || !ownerDead(undefined, id.ownerPid)) continue;
      // The veth by its slot's name only while the dead owner still holds that slot (see teardownSync).
      const holder = leaseOwner(runDir, id.kind, id.slot);
      const ours = holder !== undefined && holder.pid === id.ownerPid && !isAlive(holder);
      const left = deleteNetworksSync([{ netns: name, veth: ours ? vethName(id.slot) : undefined }]);
      if (left.length > 0) problems.push(`network namespace ${name} is still there`);
      namespaces++;
    }
    for (const lease of listLeases(runDir)) {
      const abandoned = lease.owner === undefined && lease.ageMs > EMPTY_LEASE_GRACE_MS;
      const dead = lease.owner !== undefined && !isAlive(lease.owner);
      // A dead owner's slot stays leased while anything of its host is left, so no new host takes its names.
      if (dead && leftBehind(runDir, hostId(lease.owner!.pid, lease.kind, lease.slot))) continue;
      if (abandoned || dead) {
        removeLease(runDir, lease.kind, lease.slot);
        leases++;
      }
    }
    return { hosts, namespaces, leases, problems };
  });
}
