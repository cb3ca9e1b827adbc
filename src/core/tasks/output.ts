import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { tasksStore, type OutputRow } from './tasks.store.js';

const FLUSH_MS = 250;
const FLUSH_BYTES = 16 * 1024;
/** Output kept per host and run; the rest is cut with a note (the full stream still went to live watchers). */
const MAX_BYTES_PER_HOST = 1024 * 1024;

/**
 * Live output of one host in a run: chunks are gathered and written to `task_output` a few times a second, so
 * watchers (API, console, CLI) see it as it happens, from any process, and it stays as history.
 */
export class HostOutput {
  private pending: OutputRow[] = [];
  private pendingBytes = 0;
  private written = 0;
  private seq: number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private cut = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly runId: string,
    private readonly serverId: string,
    startSeq: number,
  ) {
    this.seq = startSeq;
  }

  write(stream: OutputRow['stream'], data: string): void {
    if (data.length === 0) return;
    if (this.written + data.length > MAX_BYTES_PER_HOST) {
      if (this.cut) return;
      this.cut = true;
      data = `[output beyond ${MAX_BYTES_PER_HOST} bytes not kept]\n`;
      stream = 'log';
    }
    this.written += data.length;
    this.pending.push({
      run_id: this.runId,
      server_id: this.serverId,
      seq: ++this.seq,
      stream,
      data,
      at: this.clock.iso(),
    });
    this.pendingBytes += data.length;
    if (this.pendingBytes >= FLUSH_BYTES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  log(line: string): void {
    this.write('log', line.endsWith('\n') ? line : `${line}\n`);
  }

  /** Writes what is pending; flushes are chained so rows land in order. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushing = this.flushing.then(() => tasksStore.insertOutput(this.db, rows)).catch(() => undefined);
    return this.flushing;
  }
}
