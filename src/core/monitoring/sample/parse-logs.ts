/** The logs section: `stat` of every candidate and followed log, then each followed log's new bytes. */
import type { SectionView } from '../../discovery/collect/framing.js';
import type { LogChunk, LogNote, RawSample } from './types.js';

const INODE = /^\d{1,20}$/;

export function parseLogStat(lines: readonly string[]): RawSample['logs']['stat'] {
  const out = new Map<string, { path: string; inode: string; size: number }>();
  for (const line of lines) {
    const m = /^(\d{1,20}) (\d{1,15}) (\/.*)$/.exec(line);
    if (m && !out.has(m[3]!)) out.set(m[3]!, { path: m[3]!, inode: m[1]!, size: Number(m[2]) });
  }
  return [...out.values()];
}

/** Base64 as `base64` prints it (wrapped lines); anything else means the block was damaged: no chunk. */
function decode(lines: readonly string[]): Buffer | null {
  const data = lines.join('').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return null;
  return Buffer.from(data, 'base64');
}

export function parseLogs(s: SectionView): RawSample['logs'] {
  const chunks: LogChunk[] = [];
  for (const t of s.textsWithPrefix('chunk')) {
    const [index, kind, inode, start] = t.rest.split(' ');
    if (!/^\d+$/.test(index ?? '') || !INODE.test(inode ?? '') || !/^\d{1,15}$/.test(start ?? '')) continue;
    if (kind !== 'current' && kind !== 'rotated' && kind !== 'truncated') continue;
    const data = decode(t.lines);
    if (data) chunks.push({ index: Number(index), kind, inode: inode!, start: Number(start), data });
  }
  const notes: LogNote[] = [];
  for (const t of s.textsWithPrefix('log')) {
    const [index, kind] = t.rest.split(' ');
    if (/^\d+$/.test(index ?? '') && (kind === 'missing' || kind === 'lost' || kind === 'same'))
      notes.push({ index: Number(index), kind });
  }
  return { stat: parseLogStat(s.text('logstat') ?? []), chunks, notes };
}
