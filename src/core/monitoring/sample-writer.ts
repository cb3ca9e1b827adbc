/**
 * Group commit for samples (decision 0009). Each sample's points and its target's new state wait a moment, at
 * most `delayMs()` or until `maxBatch` samples wait, and are then written together in one transaction: one commit
 * and one points statement for several samples, where each sample had its own. A sample's points still never
 * exist without its state. A batch that fails is written again sample by sample, so one bad sample fails alone.
 */
import type { Db } from '../../db/database.js';
import type { MetricsStore, PointRow } from './metrics.store.js';
import { targetsStore, type TargetRow } from './targets.store.js';

export interface SampleWrite {
  readonly serverId: string;
  readonly points: readonly PointRow[];
  readonly patch: Partial<TargetRow>;
  /** Counts the sample taken (and late) in the same statement. */
  readonly taken: { readonly late: boolean } | undefined;
}

interface Waiting extends SampleWrite {
  readonly done: (err?: unknown) => void;
}

export interface SampleWriter {
  /** Resolves once the sample is stored (with others), or rejects with what refused it. */
  write(sample: SampleWrite): Promise<void>;
  /** Writes what waits now; resolves when every batch begun so far is written. */
  flush(): Promise<void>;
}

export function createSampleWriter(deps: {
  readonly db: Db;
  readonly metrics: Pick<MetricsStore, 'insertPoints'>;
  /** Read at each write: 0 writes at once (a single pass, as tests and the CLI run one). */
  readonly delayMs: () => number;
  readonly maxBatch: number;
}): SampleWriter {
  const { db, metrics, delayMs, maxBatch } = deps;
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;
  // Batches are written one after another, in the order they were closed.
  let writing: Promise<void> = Promise.resolve();

  async function store(batch: readonly Waiting[]): Promise<void> {
    try {
      await db.transaction().execute(async (trx) => {
        const points = batch.flatMap((s) => s.points);
        if (points.length > 0) await metrics.insertPoints(trx, points);
        for (const s of batch) await targetsStore.updateTarget(trx, s.serverId, s.patch, s.taken);
      });
      for (const s of batch) s.done();
    } catch (err) {
      if (batch.length === 1) batch[0]!.done(err);
      else for (const s of batch) await store([s]);
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    if (batch.length > 0) writing = writing.then(() => store(batch));
    return writing;
  }

  return {
    write(sample) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ ...sample, done: (err) => (err === undefined ? resolve() : reject(err)) });
        const delay = delayMs();
        if (waiting.length >= maxBatch || delay <= 0) void flush();
        else if (!timer) timer = setTimeout(() => void flush(), delay);
      });
    },
    flush,
  };
}
