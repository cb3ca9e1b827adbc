/**
 * Writes a terminal session as asciicast v2 while it happens: events are buffered and committed, sealed, as a
 * numbered chunk every `flushMs`, so a crash loses at most that much. Only output and resizes are recorded:
 * what is typed is echoed in the output anyway, and keystrokes that are not echoed (passwords at a sudo prompt)
 * must not be kept.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../kernel/clock.js';
import type { Logger } from '../../../kernel/logger.js';
import type { Vault } from '../../vault/vault.service.js';
import { terminalStore } from '../terminal.store.js';

export const chunkSealContext = (orgId: string, chunkId: string) => ({
  scope: orgId,
  table: 'terminal_chunks',
  column: 'data_sealed',
  row: chunkId,
});
export const chunkId = (sessionId: string, seq: number): string => `${sessionId}:${String(seq).padStart(8, '0')}`;

export interface CastHeader {
  readonly version: 2;
  readonly width: number;
  readonly height: number;
  readonly timestamp: number;
  readonly env: { readonly TERM: string; readonly SHELL?: string };
  readonly title: string;
}

export interface RecorderDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal'>;
  readonly flushMs: number;
}

/** Seals and writes one chunk (its lines joined by newlines) and moves the session's counters and heartbeat. */
export async function writeChunk(
  deps: Pick<RecorderDeps, 'db' | 'clock' | 'vault'>,
  session: { id: string; orgId: string },
  seq: number,
  lines: readonly string[],
  bytes: number,
): Promise<void> {
  const id = chunkId(session.id, seq);
  const sealed = await deps.vault.seal(chunkSealContext(session.orgId, id), lines.join('\n'));
  await deps.db.transaction().execute(async (trx) => {
    await terminalStore.insertChunk(trx, {
      id,
      session_id: session.id,
      org_id: session.orgId,
      seq,
      data_sealed: sealed,
      at: deps.clock.iso(),
    });
    await terminalStore.touch(trx, session.id, { heartbeat_at: deps.clock.iso(), chunks: seq + 1, bytes });
  });
}

export interface Recorder {
  output(text: string): void;
  resize(cols: number, rows: number): void;
  /** Commits what is buffered now (also called by the timer). */
  flush(): Promise<void>;
  /** Stops the timer and commits the rest. */
  close(): Promise<void>;
}

/** Starts recording after chunk 0 (the header) is stored by the caller. */
export function startRecorder(
  deps: RecorderDeps,
  session: { id: string; orgId: string },
  onFailure: (err: Error) => void,
): Recorder {
  const started = performance.now();
  let seq = 1;
  let bytes = 0;
  let buffer: string[] = [];
  let lastWrite = performance.now();
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const at = (): number => Math.round(performance.now() - started) / 1000;

  function flush(): Promise<void> {
    chain = chain.then(async () => {
      const lines = buffer;
      const idle = lines.length === 0;
      // An idle session still beats every few seconds, so another process can tell it is alive.
      if (idle && performance.now() - lastWrite < 5000) return;
      buffer = [];
      try {
        if (idle) await terminalStore.touch(deps.db, session.id, { heartbeat_at: deps.clock.iso() });
        else await writeChunk(deps, session, seq++, lines, bytes);
        lastWrite = performance.now();
      } catch (err) {
        deps.logger.error({ session: session.id, err: (err as Error).message }, 'terminal recording write failed');
        onFailure(err as Error);
      }
    });
    return chain;
  }
  const timer = setInterval(() => void flush(), deps.flushMs);
  timer.unref();

  return {
    output(text) {
      if (closed || text.length === 0) return;
      bytes += Buffer.byteLength(text);
      buffer.push(JSON.stringify([at(), 'o', text]));
    },
    resize(cols, rows) {
      if (!closed) buffer.push(JSON.stringify([at(), 'r', `${cols}x${rows}`]));
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
