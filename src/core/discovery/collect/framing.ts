/**
 * Splits the script's output into sections and blocks. Only a line that starts with `@@<boundary> ` is a
 * marker; the boundary is random per run and never printed by anything but the script, so a file or a
 * process name cannot open or close a block. Junk is skipped, never thrown on.
 */

/** Raw command output, line by line. */
export interface TextBlock {
  readonly type: 'text';
  /** Everything after `text ` on the marker line, e.g. `ip-addr` or `wp-version /var/www/wp-config.php`. */
  readonly label: string;
  readonly lines: readonly string[];
}

/** A file (or a command's output), as it is (`raw`) or encoded (`b64`, `hex`: scripts before version 2). */
export interface FileBlock {
  readonly type: 'file';
  /** What the script thought it was: `passwd`, `env`, `authorized_keys:alice`, `cert` … */
  readonly tag: string;
  readonly path: string;
  /** Size on disk as the server reported it; null for command output or when unknown. */
  readonly size: number | null;
  /** Decoded as UTF-8 (invalid bytes become U+FFFD); null when the block could not be decoded. */
  readonly content: string | null;
}

/** The tail of a log file. */
export interface LogBlock {
  readonly type: 'log';
  readonly path: string;
  readonly size: number | null;
  /** Seconds since the epoch. */
  readonly mtime: number | null;
  readonly content: string | null;
}

export type Block = TextBlock | FileBlock | LogBlock;

export interface Section {
  readonly name: string;
  readonly blocks: readonly Block[];
  /** The section's end marker was seen. */
  readonly ended: boolean;
  /** The fingerprint of the section's inputs (`fp` or `unchanged` marker), when it has one. */
  readonly fingerprint: string | null;
  /** The section answered `unchanged`: its inputs match the fingerprint Steward sent, so it printed nothing. */
  readonly unchanged: boolean;
}

export interface Framed {
  readonly meta: ReadonlyMap<string, string>;
  readonly sections: ReadonlyMap<string, Section>;
  /** The closing `done` marker was seen. */
  readonly complete: boolean;
  /** Files the script skipped because a cap was reached. */
  readonly capped: readonly string[];
  /**
   * Host CPU the script's shell and its children spent per step (`prologue`, `prepare`, then each section),
   * in clock ticks (USER_HZ, 100 per second on Linux). Empty where the host has no /proc.
   */
  readonly cpuTicks: ReadonlyMap<string, number>;
}

type Encoding = 'raw' | 'b64' | 'hex' | 'none';

interface OpenBlock {
  kind: 'text' | 'file' | 'log';
  head: string[];
  encoding: Encoding;
  lines: string[];
}

interface MutableSection {
  name: string;
  blocks: Block[];
  ended: boolean;
  fingerprint: string | null;
  unchanged: boolean;
}

function toInt(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return null;
  return Number(s);
}

function asEncoding(s: string | undefined): Encoding {
  return s === 'raw' || s === 'b64' || s === 'hex' ? s : 'none';
}

/**
 * A block's content: raw lines joined again (the newline the script adds after a file's last line is not kept),
 * or decoded, ignoring whitespace (base64 line wrapping, od's spacing).
 */
export function decodeBlock(encoding: Encoding, lines: readonly string[]): string | null {
  if (encoding === 'raw') return lines.join('\n');
  const data = lines.join('').replace(/\s+/g, '');
  if (encoding === 'b64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return null;
    return Buffer.from(data, 'base64').toString('utf8');
  }
  if (encoding === 'hex') {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(data)) return null;
    return Buffer.from(data, 'hex').toString('utf8');
  }
  return null;
}

/** `rest` split into at most `n` space-separated words, the last keeping any spaces. */
function splitHead(rest: string, n: number): string[] {
  const out: string[] = [];
  let s = rest;
  while (out.length < n - 1) {
    const i = s.indexOf(' ');
    if (i < 0) break;
    out.push(s.slice(0, i));
    s = s.slice(i + 1);
  }
  out.push(s);
  return out;
}

function closeBlock(open: OpenBlock | null, into: MutableSection | null): void {
  if (!open || !into) return;
  // Every marker is printed after a newline of its own; drop the empty line that leaves behind.
  const lines = open.lines;
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (open.kind === 'text') {
    // Lines are copied only when one ends in a carriage return: a sample frames hundreds of lines every interval.
    const crlf = lines.some((l) => l.endsWith('\r'));
    into.blocks.push({
      type: 'text',
      label: open.head.join(' '),
      lines: crlf ? lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)) : lines,
    });
    return;
  }
  if (open.kind === 'file') {
    const [tag = '', size, ...path] = open.head;
    into.blocks.push({
      type: 'file',
      tag,
      size: toInt(size),
      path: path.join(' '),
      content: decodeBlock(open.encoding, lines),
    });
    return;
  }
  const [size, mtime, ...path] = open.head;
  into.blocks.push({
    type: 'log',
    size: toInt(size),
    mtime: toInt(mtime),
    path: path.join(' '),
    content: decodeBlock(open.encoding, lines),
  });
}

/** Splits raw output into sections and blocks. Never throws. */
export function frame(text: string, boundary: string): Framed {
  const prefix = `@@${boundary} `;
  const meta = new Map<string, string>();
  const sections = new Map<string, MutableSection>();
  const capped: string[] = [];
  const cpuTicks = new Map<string, number>();
  let complete = false;
  let section: MutableSection | null = null;
  let open: OpenBlock | null = null;

  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) {
      if (open) open.lines.push(line);
      continue;
    }
    const rest = line.slice(prefix.length).replace(/\r$/, '');
    const [word = '', tail = ''] = splitHead(rest, 2);
    closeBlock(open, section);
    open = null;
    switch (word) {
      case 'section': {
        section = { name: tail, blocks: [], ended: false, fingerprint: null, unchanged: false };
        if (!sections.has(tail)) sections.set(tail, section);
        break;
      }
      case 'end':
        if (section) section.ended = true;
        section = null;
        break;
      case 'meta': {
        const [key = '', value = ''] = splitHead(tail, 2);
        if (key) meta.set(key, value);
        break;
      }
      case 'text':
        open = { kind: 'text', head: [tail], encoding: 'none', lines: [] };
        break;
      case 'file': {
        const [enc, tag = '', size = '', path = ''] = splitHead(tail, 4);
        open = { kind: 'file', head: [tag, size, path], encoding: asEncoding(enc), lines: [] };
        break;
      }
      case 'log': {
        const [enc, size = '', mtime = '', path = ''] = splitHead(tail, 4);
        open = { kind: 'log', head: [size, mtime, path], encoding: asEncoding(enc), lines: [] };
        break;
      }
      case 'cap': {
        const [, path = ''] = splitHead(tail, 2);
        capped.push(path);
        break;
      }
      case 'fp':
      case 'unchanged':
        if (section && /^\d{1,10} \d{1,20}$/.test(tail)) {
          section.fingerprint = tail;
          section.unchanged = word === 'unchanged';
        }
        break;
      case 'cpu': {
        const [name = '', ticks] = splitHead(tail, 2);
        const n = toInt(ticks);
        if (name && n !== null) cpuTicks.set(name, n);
        break;
      }
      case 'done':
        complete = true;
        break;
      default:
        break;
    }
  }
  closeBlock(open, section);
  return { meta, sections, complete, capped, cpuTicks };
}

/** Helpers for section parsers: find blocks by label or tag. */
export class SectionView {
  constructor(private readonly section: Section | undefined) {}

  get present(): boolean {
    return this.section !== undefined;
  }

  /** Lines of the first text block with exactly this label, or null when the script did not print it. */
  text(label: string): readonly string[] | null {
    for (const b of this.section?.blocks ?? []) if (b.type === 'text' && b.label === label) return b.lines;
    return null;
  }

  /** Text blocks whose label starts with `prefix` followed by a space (or is exactly `prefix`). */
  textsWithPrefix(prefix: string): { readonly rest: string; readonly lines: readonly string[] }[] {
    const out: { rest: string; lines: readonly string[] }[] = [];
    for (const b of this.section?.blocks ?? []) {
      if (b.type !== 'text') continue;
      if (b.label === prefix) out.push({ rest: '', lines: b.lines });
      else if (b.label.startsWith(`${prefix} `)) out.push({ rest: b.label.slice(prefix.length + 1), lines: b.lines });
    }
    return out;
  }

  /** File blocks whose tag is `tag` or `tag:<something>`, first occurrence of each path only. */
  files(tag: string): FileBlock[] {
    const seen = new Set<string>();
    const out: FileBlock[] = [];
    for (const b of this.section?.blocks ?? []) {
      if (b.type !== 'file' || !(b.tag === tag || b.tag.startsWith(`${tag}:`))) continue;
      if (seen.has(b.path)) continue;
      seen.add(b.path);
      out.push(b);
    }
    return out;
  }

  logs(): LogBlock[] {
    return (this.section?.blocks ?? []).filter((b): b is LogBlock => b.type === 'log');
  }
}

/** The part after `tag:` in a file block's tag (the OS account a per-user file belongs to). */
export function tagOwner(block: FileBlock): string | null {
  const i = block.tag.indexOf(':');
  return i < 0 ? null : block.tag.slice(i + 1) || null;
}
