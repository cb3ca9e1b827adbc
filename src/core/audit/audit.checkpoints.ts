/**
 * Where signed checkpoints are kept outside the database: one JSON line per checkpoint, appended to a file
 * beside the root key (opened for appending only; never rewritten). A line that does not parse is skipped here
 * and counted, so a damaged file is reported rather than trusted.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Checkpoint } from './audit.chain.js';

export interface CheckpointFile {
  readonly path: string;
  append(c: Checkpoint): void;
  read(): { checkpoints: Checkpoint[]; unreadable: number };
}

export function checkpointFile(path: string): CheckpointFile {
  return {
    path,
    append(c) {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, `${JSON.stringify(c)}\n`, { flag: 'a', mode: 0o600 });
    },
    read() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], unreadable: 0 };
        throw err;
      }
      const checkpoints: Checkpoint[] = [];
      let unreadable = 0;
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const c = JSON.parse(line) as Partial<Checkpoint>;
          const ok =
            Number.isSafeInteger(c.chainSeq) &&
            typeof c.hash === 'string' &&
            typeof c.at === 'string' &&
            typeof c.signature === 'string';
          if (ok) checkpoints.push(c as Checkpoint);
          else unreadable++;
        } catch {
          unreadable++;
        }
      }
      return { checkpoints, unreadable };
    },
  };
}
