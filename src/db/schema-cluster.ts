/**
 * Table types for running many nodes (migration 0010), kept beside schema.ts so the shared file only lists them.
 * Same conventions: text ids and ISO times.
 */

/** One held slot of a counting semaphore: at most `max` slots (0 … max-1) of a key are held at once. */
export interface JobSlotsTable {
  /** What is capped, e.g. `org:<id>` or `server:<id>`. */
  key: string;
  slot: number;
  /** The job attempt holding it (worker identity and attempt). */
  holder: string;
  /** After this, the slot is free again (its holder stopped renewing: a dead worker). */
  lease_until: string;
}

/** Standing work that runs once per interval across every worker (discovery's due scan, the task sweep…). */
export interface ClusterSchedulesTable {
  name: string;
  interval_ms: number;
  /** The next slot; a worker claims a run by moving it forward, conditional on the value it read. */
  next_run_at: string;
  last_run_at: string | null;
  last_run_by: string | null;
  /** Runs so far, across the cluster (the once-per-interval test reads it). */
  runs: number;
}

export interface ClusterTables {
  job_slots: JobSlotsTable;
  cluster_schedules: ClusterSchedulesTable;
}
