/**
 * Sockets without their processes (decision 0009). Naming each socket's process (`ss -p`) walks every descriptor
 * of every process on the host, the dearest part of a sample on a busy one. So Steward remembers the last named
 * listing of each server it samples, and asks for a bare listing while that is fresh: when every socket in it is
 * one it knows, each gets the process it had; when anything is new, Steward asks again, with processes, in the
 * same sample. Detection sees what it would have seen with `ss -p`, and no later.
 */
import type { ListeningPort } from '../../discovery/collect/index.js';
import type { PoolConnection, RawSample } from './types.js';

/** A named listing is asked for at least this often, so a port taken over by another process shows within it. */
export const SOCKET_NAMES_TTL_MS = 60_000;

type Name = { readonly process: string | null; readonly pid: number | null };

/** The processes of one server's sockets, from its last listing with processes. */
export interface SocketNames {
  readonly atMs: number;
  readonly names: ReadonlyMap<string, Name>;
}

const portKey = (p: ListeningPort): string => `${p.proto} ${p.address} ${p.port}`;
const connKey = (c: PoolConnection): string => `${c.local} ${c.peer}`;

/**
 * What a listing with processes teaches. When it teaches what `previous` knew, `previous`'s names are kept, so a
 * server's names, which live a minute and more, are not copied into the old generation again every minute.
 */
export function namesOf(raw: RawSample, atMs: number, previous?: SocketNames): SocketNames {
  const names = new Map<string, Name>();
  for (const p of raw.listening) names.set(portKey(p), { process: p.process, pid: p.pid });
  for (const c of [...raw.poolConnections, ...raw.outboundConnections])
    names.set(connKey(c), { process: c.process, pid: c.pid });
  return { atMs, names: previous && sameNames(previous.names, names) ? previous.names : names };
}

function sameNames(a: ReadonlyMap<string, Name>, b: ReadonlyMap<string, Name>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, n] of b) {
    const m = a.get(key);
    if (!m || m.process !== n.process || m.pid !== n.pid) return false;
  }
  return true;
}

/** Whether the next sample may ask for a bare listing. */
export const mayListBare = (names: SocketNames | undefined, nowMs: number): boolean =>
  names !== undefined && nowMs - names.atMs < SOCKET_NAMES_TTL_MS;

type NamedSockets = Pick<RawSample, 'listening' | 'poolConnections' | 'outboundConnections'>;

/**
 * The last naming of each listing that was named: a listing reused unchanged from the server's last sample (see
 * `SampleMemo`) is named with the same processes again while they are the same names, without naming it again.
 */
const lastNaming = new WeakMap<
  RawSample['listening'],
  {
    readonly names: SocketNames['names'];
    readonly from: Pick<RawSample, 'poolConnections' | 'outboundConnections'>;
    readonly value: NamedSockets | null;
  }
>();

/**
 * A bare listing's sockets with the processes they had, or null when one of them is new (ask with processes).
 */
export function nameSockets(raw: RawSample, known: SocketNames): NamedSockets | null {
  const last = lastNaming.get(raw.listening);
  if (
    last?.names === known.names &&
    last.from.poolConnections === raw.poolConnections &&
    last.from.outboundConnections === raw.outboundConnections
  )
    return last.value;
  const listening = named(raw.listening, portKey, known);
  const poolConnections = named(raw.poolConnections, connKey, known);
  const outboundConnections = named(raw.outboundConnections, connKey, known);
  const value =
    listening && poolConnections && outboundConnections ? { listening, poolConnections, outboundConnections } : null;
  const from = { poolConnections: raw.poolConnections, outboundConnections: raw.outboundConnections };
  lastNaming.set(raw.listening, { names: known.names, from, value });
  return value;
}

/** Each item with the process it had, or null when one is not known. */
function named<T extends Name>(list: readonly T[], key: (item: T) => string, known: SocketNames): T[] | null {
  const out: T[] = [];
  for (const item of list) {
    const n = known.names.get(key(item));
    if (!n) return null;
    out.push({ ...item, ...n });
  }
  return out;
}
