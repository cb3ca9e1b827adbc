/**
 * Reads the member list of a tar stream (GNU and POSIX formats) without keeping its contents: a dry run lists
 * what a restore point holds while restic streams it. Only headers are parsed; file data is skipped as it passes.
 */
import { Writable } from 'node:stream';

export interface TarMember {
  /** Relative to the archive root, without a trailing slash. */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  readonly mtime: number;
}

const BLOCK = 512;

function octal(buf: Buffer, start: number, len: number): number {
  const field = buf.subarray(start, start + len);
  if ((field[0] ?? 0) & 0x80) {
    // GNU base-256 for large values
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + (field[i] ?? 0);
    return v;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

const cString = (buf: Buffer, start: number, len: number): string => {
  const field = buf.subarray(start, start + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
};

function paxPath(data: Buffer): string | undefined {
  let rest = data.toString('utf8');
  while (rest.length > 0) {
    const space = rest.indexOf(' ');
    const len = Number(rest.slice(0, space));
    if (!Number.isFinite(len) || len <= 0) return undefined;
    const record = rest.slice(space + 1, len - 1);
    rest = rest.slice(len);
    if (record.startsWith('path=')) return record.slice(5);
  }
  return undefined;
}

/** A sink for a tar stream that calls `onMember` for each member (up to `limit`, then counts only). */
export function tarLister(onMember: (m: TarMember) => void): Writable & { readonly count: () => number } {
  let pending = Buffer.alloc(0);
  let skip = 0;
  let meta: { kind: 'L' | 'x'; size: number; data: Buffer[] } | undefined;
  let longName: string | undefined;
  let ended = false;
  let n = 0;

  const writable = new Writable({
    write(chunk: Buffer, _enc, done) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      pending = Buffer.alloc(0);
      while (data.length > 0 && !ended) {
        if (skip > 0) {
          const take = Math.min(skip, data.length);
          if (meta) meta.data.push(Buffer.from(data.subarray(0, take)));
          skip -= take;
          data = data.subarray(take);
          if (skip === 0 && meta) {
            const body = Buffer.concat(meta.data).subarray(0, meta.size);
            if (meta.kind === 'L') longName = cString(body, 0, body.length);
            else longName = paxPath(body) ?? longName;
            meta = undefined;
          }
          continue;
        }
        if (data.length < BLOCK) {
          pending = Buffer.from(data);
          break;
        }
        const header = data.subarray(0, BLOCK);
        data = data.subarray(BLOCK);
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        const size = octal(header, 124, 12);
        const flag = String.fromCharCode(header[156] ?? 0);
        const padded = Math.ceil(size / BLOCK) * BLOCK;
        if (flag === 'L' || flag === 'x') {
          meta = { kind: flag, size, data: [] };
          skip = padded;
          continue;
        }
        if (flag === 'g' || flag === 'K') {
          skip = padded;
          continue;
        }
        const prefix = header.subarray(257, 263).toString('latin1').startsWith('ustar')
          ? cString(header, 345, 155)
          : '';
        const name = longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
        longName = undefined;
        const type =
          flag === '5'
            ? 'dir'
            : flag === '0' || flag === '\0' || flag === '7'
              ? 'file'
              : flag === '1' || flag === '2'
                ? 'link'
                : 'other';
        n++;
        onMember({
          path: name.replace(/\/+$/, ''),
          type,
          size: type === 'file' ? size : 0,
          mtime: octal(header, 136, 12),
        });
        skip = type === 'file' || flag === 'S' ? padded : 0;
      }
      done();
    },
  });
  return Object.assign(writable, { count: () => n });
}
