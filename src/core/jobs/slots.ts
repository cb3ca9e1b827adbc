import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { JobLimit } from './queue.js';

/**
 * Counting semaphores in the database, shared by every worker: key `org:<id>` with `max` 32 lets 32 jobs of that
 * organisation run at once across the cluster. A slot is a row (key, number); taking one is a single conditional
 * upsert (insert, or overwrite a slot whose lease lapsed), so two workers can never hold the same slot. Holders
 * renew their leases while they run; a dead worker's slots free themselves when the lease lapses. An exclusive
 * limit takes every slot of its key at once (a repository check, say, that must not overlap the backups into it).
 */
export interface JobSlots {
  /** Takes one slot of every limit, or none (returns false and keeps nothing). */
  acquire(limits: readonly JobLimit[], holder: string): Promise<boolean>;
  /** Extends the leases of these holders' slots. */
  renew(holders: readonly string[]): Promise<void>;
  release(holder: string): Promise<void>;
}

export interface JobSlotsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly leaseMs: number;
}

/** Tries a slot that was free when read this many times before giving up (other workers took them meanwhile). */
const RACE_TRIES = 3;

export function createJobSlots(deps: JobSlotsDeps): JobSlots {
  const { db, clock } = deps;
  const until = () => new Date(clock.nowMs() + deps.leaseMs).toISOString();

  async function take(limit: JobLimit, holder: string): Promise<boolean> {
    const now = clock.iso();
    const held = await db
      .selectFrom('job_slots')
      .select(['slot', 'holder'])
      .where('key', '=', limit.key)
      .where('lease_until', '>=', now)
      .execute();
    if (held.some((h) => h.holder === holder)) return true;
    if (held.length >= limit.max) return false;
    if (limit.exclusive) {
      if (held.length > 0) return false;
      // Every slot, each by the same conditional upsert: a slot another worker took meanwhile fails the whole.
      for (let slot = 0; slot < limit.max; slot++) if (!(await put(limit.key, slot, holder, now))) return false;
      return true;
    }
    const taken = new Set(held.map((h) => h.slot));
    for (let i = 0; i < RACE_TRIES; i++) {
      let free = 0;
      while (free < limit.max && taken.has(free)) free++;
      if (free >= limit.max) return false;
      if (await put(limit.key, free, holder, now)) return true;
      taken.add(free);
    }
    return false;
  }

  /** Takes slot `slot` of `key` if it is free or its lease lapsed before `now`. */
  async function put(key: string, slot: number, holder: string, now: string): Promise<boolean> {
    const res = await db
      .insertInto('job_slots')
      .values({ key, slot, holder, lease_until: until() })
      .onConflict((oc) =>
        oc
          .columns(['key', 'slot'])
          .doUpdateSet({ holder, lease_until: until() })
          .where('job_slots.lease_until', '<', now),
      )
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  return {
    async acquire(limits, holder) {
      for (const limit of limits) {
        if (await take(limit, holder)) continue;
        await this.release(holder);
        return false;
      }
      return true;
    },
    async renew(holders) {
      if (holders.length === 0) return;
      await db
        .updateTable('job_slots')
        .set({ lease_until: until() })
        .where('holder', 'in', [...holders])
        .execute();
    },
    async release(holder) {
      await db.deleteFrom('job_slots').where('holder', '=', holder).execute();
    },
  };
}
