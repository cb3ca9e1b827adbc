import { rmSync } from 'node:fs';
import { releaseSlot, removeLease } from './leases.js';
import { unmountUnderSync } from './mounts.js';
import { deleteNetworksSync } from './netns.js';
import { descendantsOf, isAlive, signalIfAlive, waitGoneSync, type ProcessRef } from './proc.js';
import type { HostState } from './state.js';

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

/**
 * Undoes everything the given host states record, in reverse order of creation, with one `ip` and one
 * `umount` for all of them. Blocking, so `process.on('exit')` can use it too. `lease` says whether the slots
 * are ours to release or a dead owner's to remove. Returns what could not be undone (empty when clean).
 */
export function teardownSync(states: readonly HostState[], runDir: string, lease: 'own' | 'stale'): string[] {
  const problems: string[] = [];
  endProcessesSync(states);
  for (const state of states) {
    for (const ref of state.processes)
      if (isAlive(ref)) problems.push(`process ${ref.pid} of ${state.id} is still alive`);
  }
  deleteNetworksSync(states.flatMap((s) => (s.netns && s.veth ? [{ netns: s.netns, veth: s.veth }] : [])));
  // Deleting a folder that still has the overlay mounted would delete through into the host's files.
  const stillMounted = new Set(unmountUnderSync(states.map((s) => s.dir)));
  for (const state of states) {
    if (stillMounted.has(state.dir)) {
      problems.push(`${state.dir} is still mounted`);
      continue;
    }
    rmSync(state.dir, { recursive: true, force: true });
    const kind = state.mode === 'isolated' ? 'h' : 's';
    if (lease === 'own') releaseSlot(runDir, kind, state.slot, state.owner);
    else removeLease(runDir, kind, state.slot);
  }
  return problems;
}
