import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';

/**
 * Standing work that runs once per interval across every worker on the database: the scan for due discovery
 * schedules, the sweep of abandoned task hosts, and whatever else registers (metrics sampling, say). Each name
 * has a row whose `next_run_at` is the next slot; a worker runs the work only if its conditional update moved
 * that slot forward, so with any number of workers each slot runs once. Slots missed while no worker ran are
 * skipped, not caught up. Work that takes long should enqueue jobs rather than do it inline.
 */
export interface Scheduler {
  /** Runs `task` once per `intervalMs` across the cluster; the first run is due at once. */
  every(name: string, intervalMs: number, task: () => Promise<unknown>): void;
  /** Starts looking for due work (the worker role). */
  start(): void;
  /** Stops looking and waits for runs in progress. */
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often this process looks at the schedules it knows (it reads the database only when one may be due). */
  readonly tickMs: number;
  /** Who runs it, recorded with each run. */
  readonly worker: string;
}

interface Entry {
  readonly name: string;
  readonly intervalMs: number;
  readonly task: () => Promise<unknown>;
  /** When this process last saw the slot; no query before then. */
  knownNextMs: number;
  /** Whether this process has seen the entry's row (it is written once, by the first claim that finds none). */
  stored: boolean;
  running: Promise<void> | undefined;
}

/** The first slot after `now`, counted in whole intervals from `previous`. */
export function nextSlot(previousMs: number, intervalMs: number, nowMs: number): number {
  const steps = Math.floor(Math.max(0, nowMs - previousMs) / intervalMs) + 1;
  return previousMs + steps * intervalMs;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, clock } = deps;
  const entries = new Map<string, Entry>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  /** Claims the current slot of `e` if it is due; true if this process won it. */
  async function claim(e: Entry): Promise<boolean> {
    const now = clock.nowMs();
    if (!e.stored)
      await db
        .insertInto('cluster_schedules')
        .values({
          name: e.name,
          interval_ms: e.intervalMs,
          next_run_at: new Date(now).toISOString(),
          last_run_at: null,
          last_run_by: null,
          runs: 0,
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    const row = await db.selectFrom('cluster_schedules').selectAll().where('name', '=', e.name).executeTakeFirst();
    // A row removed since (a restore, say) is written again at the next tick.
    e.stored = row !== undefined;
    if (!row) return false;
    const slot = Date.parse(row.next_run_at);
    if (slot > now) {
      e.knownNextMs = slot;
      return false;
    }
    const next = nextSlot(slot, e.intervalMs, now);
    const res = await db
      .updateTable('cluster_schedules')
      .set((eb) => ({
        next_run_at: new Date(next).toISOString(),
        last_run_at: clock.iso(),
        last_run_by: deps.worker,
        interval_ms: e.intervalMs,
        runs: eb('runs', '+', 1),
      }))
      .where('name', '=', e.name)
      .where('next_run_at', '=', row.next_run_at)
      .executeTakeFirst();
    e.knownNextMs = next;
    return Number(res.numUpdatedRows) === 1;
  }

  async function tick(): Promise<void> {
    for (const e of entries.values()) {
      if (e.running || clock.nowMs() < e.knownNextMs) continue;
      if (!(await claim(e))) continue;
      e.running = e
        .task()
        .then(
          () => undefined,
          (err: unknown) =>
            deps.logger.error({ schedule: e.name, err: (err as Error)?.message }, 'scheduled work failed'),
        )
        .finally(() => (e.running = undefined));
    }
  }

  function loop(): void {
    timer = setTimeout(() => {
      ticking = tick()
        .catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'schedule tick failed'))
        .finally(() => {
          ticking = undefined;
          if (timer) loop();
        });
    }, deps.tickMs);
  }

  return {
    every(name, intervalMs, task) {
      entries.set(name, {
        name,
        intervalMs: Math.max(1, Math.floor(intervalMs)),
        task,
        knownNextMs: 0,
        stored: false,
        running: undefined,
      });
    },
    start() {
      if (!timer) loop();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await ticking;
      await Promise.allSettled([...entries.values()].map((e) => e.running));
    },
  };
}
