import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessRef } from './proc.js';
import type { HostMode } from './types.js';

/**
 * Everything Steward creates for a host on this machine is named `steward-<owner pid>-<h|s><slot>` (run folder,
 * network namespace), so a later run can tell whose it is and clean up only what a dead owner left.
 */
export const NAME_PREFIX = 'steward-';

export type SlotKind = 'h' | 's';

export function hostId(ownerPid: number, kind: SlotKind, slot: number): string {
  return `${NAME_PREFIX}${ownerPid}-${kind}${slot}`;
}

export function parseHostId(id: string): { ownerPid: number; kind: SlotKind; slot: number } | undefined {
  const m = /^steward-(\d+)-([hs])(\d+)$/.exec(id);
  if (!m) return undefined;
  return { ownerPid: Number(m[1]), kind: m[2] as SlotKind, slot: Number(m[3]) };
}

/** Interface names are limited to 15 bytes; the slot alone is unique among live hosts, so it names the veth. */
export function vethName(slot: number): string {
  return `stwh${slot}`;
}

/** What teardown needs to undo a host, written before each thing is created so a crash leaves a full record. */
export interface HostState {
  readonly version: 1;
  readonly id: string;
  readonly mode: HostMode;
  readonly name: string;
  readonly owner: ProcessRef;
  readonly slot: number;
  readonly dir: string;
  /** Shared hosts may move to 127.0.0.1:port when their own address cannot be bound. */
  address: string;
  port: number;
  /** Isolated only. */
  readonly netns?: string;
  readonly veth?: string;
  readonly merged?: string;
  /** Processes to end, first to last: isolated [pid-namespace init, unshare], shared [sshd]. */
  processes: ProcessRef[];
}

const STATE_FILE = 'state.json';

export function writeState(state: HostState): void {
  const path = join(state.dir, STATE_FILE);
  // Write then rename, so a crash mid-write never leaves half a record for cleanup to trip over.
  writeFileSync(`${path}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function readState(dir: string): HostState | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as HostState;
    return parsed.version === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}
