import { rmSync } from 'node:fs';
import { holdsLease, releaseSlot } from './leases.js';
import { unmountUnderSync } from './mounts.js';
import { deleteNetworksSync } from './netns.js';
import { descendantsOf, isAlive, signalIfAlive, waitGoneSync, type ProcessRef } from './proc.js';
import type { HostState, SlotKind } from './state.js';

/**
 * Ends processes by recorded pid and start time, never by name. For an isolated host the first is pid 1 of
 * its PID namespace, whose death makes the kernel end everything else in it. A shared host's sshd has session
 * children of its own, ended first so none outlives the listener. Signals go out to every host before
 * waiting on any, so many hosts die in parallel.
 */
export function endProcessesSync(states: readonly Pick<HostState, 'mode' | 'processes'>[]): void {
  const victims: ProcessRef[] = [];
  for (const state of states) {
    for (const ref of state.processes) {
      if (state.mode === 'shared' && isAlive(ref)) victims.push(...descendantsOf(ref.pid));
      victims.push(ref);
    }
  }
  for (const victim of victims) signalIfAlive(victim, 'SIGKILL');
  for (const victim of victims) waitGoneSync(victim, 3000);
}

function slotKind(state: HostState): SlotKind {
  return state.mode === 'isolated' ? 'h' : 's';
}

/**
 * Undoes everything the given host states record, in reverse order of creation, with one `ip` and one
 * `umount` for all of them, whether their owner is this process or a dead one. Blocking, so
 * `process.on('exit')` can use it too. Returns what could not be undone (empty when clean).
 *
 * A veth is named by its slot alone, so it is deleted by name only while the host's owner still holds the
 * slot's lease: once the lease is gone, the slot (and the name) may be a newer host's. A host whose namespace
 * or mounts survive keeps its folder and its lease, so the slot is not leased again while anything of it is
 * left, and a later cleanup tries again.
 */
export function teardownSync(states: readonly HostState[], runDir: string): string[] {
  const problems: string[] = [];
  endProcessesSync(states);
  for (const state of states) {
    for (const ref of state.processes)
      if (isAlive(ref)) problems.push(`process ${ref.pid} of ${state.id} is still alive`);
  }
  const networks = states.flatMap((s) =>
    s.netns ? [{ netns: s.netns, veth: holdsLease(runDir, slotKind(s), s.slot, s.owner) ? s.veth : undefined }] : [],
  );
  const netnsLeft = new Set(deleteNetworksSync(networks));
  // Deleting a folder that still has the overlay mounted would delete through into the host's files.
  const stillMounted = new Set(unmountUnderSync(states.map((s) => s.dir)));
  for (const state of states) {
    if (state.netns && netnsLeft.has(state.netns)) {
      problems.push(`network namespace ${state.netns} is still there`);
      continue;
    }
    if (stillMounted.has(state.dir)) {
      problems.push(`${state.dir} is still mounted`);
      continue;
    }
    rmSync(state.dir, { recursive: true, force: true });
    releaseSlot(runDir, slotKind(state), state.slot, state.owner);
  }
  return problems;
}
