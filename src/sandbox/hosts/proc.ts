import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process named by pid plus its start time (clock ticks since boot, /proc/PID/stat field 22). Pids are
 * reused; the pair is not, so a recorded process is never mistaken for a newer one with the same number.
 */
export interface ProcessRef {
  readonly pid: number;
  readonly start: string;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; everything after its last ')' is plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The process as it is now, or undefined when there is none (or only a zombie) with that pid. */
export function processRef(pid: number): ProcessRef | undefined {
  const fields = statFields(pid);
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  if (!fields || fields[0] === 'Z' || fields[19] === undefined) return undefined;
  return { pid, start: fields[19] };
}

export function selfRef(): ProcessRef {
  const ref = processRef(process.pid);
  if (!ref) throw new Error('/proc/self/stat is unreadable');
  return ref;
}

/** True while the very process recorded in `ref` is alive. */
export function isAlive(ref: ProcessRef): boolean {
  return processRef(ref.pid)?.start === ref.start;
}

/** Signals the recorded process, and only if it is still that process. */
export function signalIfAlive(ref: ProcessRef, signal: NodeJS.Signals): boolean {
  if (!isAlive(ref)) return false;
  try {
    process.kill(ref.pid, signal);
    return true;
  } catch {
    return false;
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Blocking wait, for exit handlers. */
export function waitGoneSync(ref: ProcessRef, timeoutMs: number): boolean {
  const until = Date.now() + timeoutMs;
  while (isAlive(ref)) {
    if (Date.now() > until) return false;
    Atomics.wait(pause, 0, 0, 5);
  }
  return true;
}

/**
 * The (only) child of `ppid`. This kernel has no /proc/PID/task/TID/children, and a full /proc scan per poll
 * grows with every host already running. Pids are handed out upwards, so a child just forked sits between its
 * parent and the newest pid: probe that window first, scan everything only when pids wrapped around.
 */
export function onlyChildOf(ppid: number): ProcessRef | undefined {
  const isChild = (pid: number): ProcessRef | undefined => {
    const fields = statFields(pid);
    return fields?.[1] === String(ppid) && fields[0] !== 'Z' && fields[19] !== undefined
      ? { pid, start: fields[19] }
      : undefined;
  };
  // The last field of /proc/loadavg is the newest pid; nothing above it exists yet.
  const newest = Number(readFileSync('/proc/loadavg', 'utf8').trim().split(' ').pop());
  for (let pid = ppid + 1; pid <= Math.min(newest, ppid + 4096); pid++) {
    const found = isChild(pid);
    if (found) return found;
  }
  for (const name of readdirSync('/proc')) {
    const found = /^\d+$/.test(name) ? isChild(Number(name)) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Every live descendant of `pid`, deepest first, so killing in order never orphans a grandchild first. */
export function descendantsOf(pid: number): ProcessRef[] {
  const children = new Map<number, ProcessRef[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (!fields || fields[0] === 'Z' || fields[19] === undefined) continue;
    const ppid = Number(fields[1]);
    const list = children.get(ppid) ?? [];
    list.push({ pid: Number(name), start: fields[19] });
    children.set(ppid, list);
  }
  const out: ProcessRef[] = [];
  const visit = (p: number): void => {
    for (const child of children.get(p) ?? []) {
      visit(child.pid);
      out.push(child);
    }
  };
  visit(pid);
  return out;
}
