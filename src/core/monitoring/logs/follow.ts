/**
 * Following a log across samples: the new bytes the script read become lines, and the cursor (inode and
 * byte offset) moves past exactly the lines taken. A line still being written (no newline yet) is left for the
 * next sample, so it is stored once and whole. Pure; the store keeps the cursor with the lines it produced, in
 * one transaction, so a restart neither loses nor repeats a line.
 */
import type { LogChunk, LogNote } from '../sample/types.js';

export interface LogCursor {
  readonly path: string;
  /** Decimal text: inode numbers can exceed 2^53. `0` until the first read. */
  readonly inode: string;
  readonly offset: number;
}

export interface FollowResult {
  readonly cursor: LogCursor;
  readonly lines: readonly string[];
  /** What happened to the file, for a person reading the log view. */
  readonly event: 'rotated' | 'truncated' | 'lost' | 'missing' | null;
}

/** Longest line kept; longer ones are cut (web logs with huge query strings). */
export const MAX_LINE_CHARS = 4096;

function toLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0)
    .map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l));
}

/**
 * Bytes of one chunk that make whole lines. A rotated file is finished, so its last line counts even without
 * a newline; a chunk that filled the whole read limit without any newline is one giant line, taken as it is,
 * or the cursor would never move.
 */
function wholeLines(chunk: LogChunk, maxBytes: number): number {
  if (chunk.kind === 'rotated') return chunk.data.length;
  const last = chunk.data.lastIndexOf(0x0a);
  if (last >= 0) return last + 1;
  return chunk.data.length >= maxBytes ? chunk.data.length : 0;
}

export function followLog(
  cursor: LogCursor,
  chunks: readonly LogChunk[],
  notes: readonly LogNote[],
  maxBytes: number,
): FollowResult {
  let next = cursor;
  const lines: string[] = [];
  let event: FollowResult['event'] = null;
  if (notes.some((n) => n.kind === 'missing')) return { cursor, lines, event: 'missing' };
  if (notes.some((n) => n.kind === 'lost')) event = 'lost';
  for (const chunk of chunks) {
    const taken = wholeLines(chunk, maxBytes);
    lines.push(...toLines(chunk.data.subarray(0, taken).toString('utf8')));
    if (chunk.kind === 'rotated') {
      event = 'rotated';
      continue;
    }
    if (chunk.kind === 'truncated') event = 'truncated';
    else if (cursor.inode !== '0' && chunk.inode !== cursor.inode && event === null) event = 'rotated';
    next = { path: cursor.path, inode: chunk.inode, offset: chunk.start + taken };
  }
  return { cursor: next, lines, event };
}

export type LogSource = 'auth' | 'system' | 'web' | 'other';

/** What kind of log a path is, for filtering and for the detection rules (which read `auth`). */
export function sourceOf(path: string): LogSource {
  if (/\/(auth\.log|secure)$/.test(path)) return 'auth';
  if (/\/(syslog|messages)$/.test(path)) return 'system';
  if (/^\/var\/log\/(nginx|apache2|httpd)\//.test(path)) return 'web';
  return 'other';
}

/** Where to start reading a log seen for the first time: its recent tail, not years of history. */
export const firstOffset = (size: number, backfillBytes: number): number => Math.max(0, size - backfillBytes);
