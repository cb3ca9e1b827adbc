import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../kernel/errors.js';
import type { ProcessRef } from './proc.js';
import type { SlotKind } from './state.js';

/**
 * Address slots are leased through files created with O_EXCL in one folder, so test processes running side by
 * side never hand out the same address. Only cleanup (serialised by a lock) removes a dead owner's lease;
 * claimers never take one over, which keeps the scheme free of check-then-act races.
 */
export interface Lease {
  readonly kind: SlotKind;
  readonly slot: number;
  /** Undefined when the file is empty: its owner died between creating and writing it. */
  readonly owner: ProcessRef | undefined;
  readonly ageMs: number;
}

export function leaseDir(runDir: string): string {
  return join(runDir, 'leases');
}

/** Claims the first free slot at or after `hint`, wrapping around. */
export function claimSlot(runDir: string, kind: SlotKind, total: number, hint: number, owner: ProcessRef): number {
  const dir = leaseDir(runDir);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (let i = 0; i < total; i++) {
    const slot = (hint + i) % total;
    let fd: number;
    try {
      fd = openSync(join(dir, `${kind}${slot}`), 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      writeSync(fd, JSON.stringify(owner));
    } finally {
      closeSync(fd);
    }
    return slot;
  }
  throw new AppError('STEWARD_TESTHOSTS_POOL_EXHAUSTED', `All ${total} test-host address slots (${kind}) are leased.`, {
    kind,
    total,
  });
}

/** Who holds a slot's lease now: undefined when the slot is free or its lease is still empty. */
export function leaseOwner(runDir: string, kind: SlotKind, slot: number): ProcessRef | undefined {
  return readLease(join(leaseDir(runDir), `${kind}${slot}`), kind, slot)?.owner;
}

/** True while the very process `owner` holds the slot's lease. */
export function holdsLease(runDir: string, kind: SlotKind, slot: number, owner: ProcessRef): boolean {
  const holder = leaseOwner(runDir, kind, slot);
  return holder !== undefined && holder.pid === owner.pid && holder.start === owner.start;
}

/**
 * Gives up a slot leased to `owner` (alive, or dead and being cleaned up). A lease someone else holds now is
 * never dropped: the slot may have been freed and leased again since, and is then that process's.
 */
export function releaseSlot(runDir: string, kind: SlotKind, slot: number, owner: ProcessRef): void {
  if (holdsLease(runDir, kind, slot, owner)) removeLease(runDir, kind, slot);
}

export function removeLease(runDir: string, kind: SlotKind, slot: number): void {
  try {
    unlinkSync(join(leaseDir(runDir), `${kind}${slot}`));
  } catch {
    // already gone
  }
}

function readLease(path: string, kind: SlotKind, slot: number): Lease | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const ageMs = Date.now() - statSync(path).mtimeMs;
    return { kind, slot, owner: parseOwner(text), ageMs };
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): ProcessRef | undefined {
  try {
    const value = JSON.parse(text) as Partial<ProcessRef>;
    return typeof value.pid === 'number' && typeof value.start === 'string'
      ? { pid: value.pid, start: value.start }
      : undefined;
  } catch {
    return undefined;
  }
}

export function listLeases(runDir: string): Lease[] {
  let names: string[];
  try {
    names = readdirSync(leaseDir(runDir));
  } catch {
    return [];
  }
  const leases: Lease[] = [];
  for (const name of names) {
    const m = /^([hs])(\d+)$/.exec(name);
    if (!m) continue;
    const lease = readLease(join(leaseDir(runDir), name), m[1] as SlotKind, Number(m[2]));
    if (lease) leases.push(lease);
  }
  return leases;
}
