/**
 * Standing work: each schedule runs once per interval across every worker (the run is claimed in the
 * database), and the start-up lock that lets nodes starting together take turns.
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';
import { createScheduler } from './scheduler.js';

export interface SchedulingModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The shortest interval any schedule uses; the scheduler looks at least once a second. */
  readonly tickMs: number;
  readonly worker: string;
}

export function registerScheduling(deps: SchedulingModuleDeps) {
  return createScheduler({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'schedules' }),
    tickMs: Math.min(1000, deps.tickMs),
    worker: deps.worker,
  });
}

export { withStartupLock } from './startup-lock.js';
