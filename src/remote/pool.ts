/**
 * Connection pool keyed by (host, port, user, credential, trust decision). A login costs the server tens of
 * milliseconds of CPU and us a round trip or four; a channel on an open connection costs one round trip.
 * So callers share connections up to a channel limit per connection, a connection limit per host and a
 * global connection limit (idle connections elsewhere are closed to make room). Generic over the
 * connection type so the bookkeeping can be tested without sockets.
 */
import { AppError } from '../kernel/errors.js';

export interface PoolableConnection {
  isOpen(): boolean;
  close(): void;
  onClose(listener: () => void): void;
}

export interface PoolLimits {
  readonly maxConnectionsPerHost: number;
  /** Channels open at once on one connection; OpenSSH's MaxSessions defaults to 10. */
  readonly maxChannelsPerConnection: number;
  readonly maxOpenConnections: number;
  readonly idleTimeoutMs: number;
}

export interface AcquireRequest<C> {
  /** Connections are shared only between requests with the same pool key. */
  readonly poolKey: string;
  /** `host:port`; the per-host limit counts across pool keys. */
  readonly hostKey: string;
  readonly connect: () => Promise<C>;
  readonly timeoutMs: number;
  readonly timeoutError: () => Error;
}

export interface Lease<C> {
  readonly connection: C;
  /** Frees the channel slot. `broken` closes the connection instead of keeping it for reuse. */
  release(broken?: boolean): void;
}

/** Counters a benchmark or health check can read; peaks are since creation or the last `resetPeaks`. */
export interface PoolMetrics {
  readonly loginsStarted: number;
  readonly loginsSucceeded: number;
  readonly loginsFailed: number;
  readonly openConnections: number;
  readonly openConnectionsPeak: number;
  readonly activeChannels: number;
  readonly activeChannelsPeak: number;
  readonly waiting: number;
}

interface Slot<C> {
  readonly poolKey: string;
  readonly hostKey: string;
  state: 'connecting' | 'open' | 'closed';
  retiring: boolean;
  connection: C | undefined;
  ready: Promise<C>;
  active: number;
  lastUsed: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export interface ConnectionPool<C extends PoolableConnection> {
  acquire(request: AcquireRequest<C>): Promise<Lease<C>>;
  /** Stops reusing this key's connections: idle ones close now, busy ones when released. */
  evict(poolKey: string): void;
  metrics(): PoolMetrics;
  resetPeaks(): void;
  close(): void;
}

export function createConnectionPool<C extends PoolableConnection>(limits: PoolLimits): ConnectionPool<C> {
  const slots: Slot<C>[] = [];
  const waiters = new Set<() => void>();
  let closed = false;
  const counters = {
    loginsStarted: 0,
    loginsSucceeded: 0,
    loginsFailed: 0,
    openConnectionsPeak: 0,
    activeChannelsPeak: 0,
  };

  const activeChannels = (): number => slots.reduce((sum, s) => sum + s.active, 0);
  const notify = (): void => {
    for (const wake of [...waiters]) wake();
  };

  const drop = (slot: Slot<C>): void => {
    if (slot.state === 'closed') return;
    slot.state = 'closed';
    clearTimeout(slot.idleTimer);
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    notify();
  };

  const shut = (slot: Slot<C>): void => {
    const connection = slot.connection;
    drop(slot);
    connection?.close();
  };

  const reserve = (slot: Slot<C>): void => {
    slot.active += 1;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    counters.activeChannelsPeak = Math.max(counters.activeChannelsPeak, activeChannels());
  };

  // Reuse first: the oldest usable connection with a free channel, so newer ones can go idle and close.
  const pick = (request: AcquireRequest<C>): Slot<C> | undefined =>
    slots.find(
      (s) =>
        s.poolKey === request.poolKey &&
        s.state !== 'closed' &&
        !s.retiring &&
        s.active < limits.maxChannelsPerConnection &&
        (s.state === 'connecting' || s.connection?.isOpen() === true),
    );

  // At a limit, the least recently used idle connection among `candidates` is closed to make room.
  const makeRoom = (candidates: Slot<C>[], limit: number): boolean => {
    if (candidates.length < limit) return true;
    const idle = candidates
      .filter((s) => s.state === 'open' && s.active === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!idle) return false;
    shut(idle);
    return true;
  };

  const openSlot = (request: AcquireRequest<C>): Slot<C> | undefined => {
    const sameHost = slots.filter((s) => s.hostKey === request.hostKey);
    if (!makeRoom(sameHost, limits.maxConnectionsPerHost)) return undefined;
    if (!makeRoom(slots, limits.maxOpenConnections)) return undefined;
    const slot: Slot<C> = {
      poolKey: request.poolKey,
      hostKey: request.hostKey,
      state: 'connecting',
      retiring: false,
      connection: undefined,
      ready: Promise.resolve(undefined as unknown as C),
      active: 0,
      lastUsed: Date.now(),
      idleTimer: undefined,
    };
    counters.loginsStarted += 1;
    slot.ready = Promise.resolve()
      .then(request.connect)
      .then(
        (connection) => {
          counters.loginsSucceeded += 1;
          slot.connection = connection;
          if (slot.state === 'closed' || closed) {
            connection.close();
            throw closedError();
          }
          slot.state = 'open';
          connection.onClose(() => drop(slot));
          return connection;
        },
        (err: unknown) => {
          counters.loginsFailed += 1;
          drop(slot);
          throw err;
        },
      );
    // Every reserver awaits `ready`; this only keeps a failure nobody waits for from being "unhandled".
    slot.ready.catch(() => undefined);
    slots.push(slot);
    counters.openConnectionsPeak = Math.max(counters.openConnectionsPeak, slots.length);
    return slot;
  };

  const release = (slot: Slot<C>, broken: boolean): void => {
    slot.active = Math.max(0, slot.active - 1);
    slot.lastUsed = Date.now();
    if (slot.state !== 'closed') {
      if (broken || closed || (slot.retiring && slot.active === 0)) shut(slot);
      else if (slot.active === 0) {
        slot.idleTimer = setTimeout(() => {
          if (slot.active === 0) shut(slot);
        }, limits.idleTimeoutMs);
        slot.idleTimer.unref();
      }
    }
    notify();
  };

  const waitForChange = (deadline: number, request: AcquireRequest<C>): Promise<void> =>
    new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(
        () => {
          waiters.delete(wake);
          reject(request.timeoutError());
        },
        Math.max(0, deadline - Date.now()),
      );
      waiters.add(wake);
    });

  return {
    async acquire(request) {
      const deadline = Date.now() + request.timeoutMs;
      for (;;) {
        if (closed) throw closedError();
        const slot = pick(request) ?? openSlot(request);
        if (slot) {
          reserve(slot);
          let connection: C;
          try {
            connection = await slot.ready;
          } catch (err) {
            slot.active = Math.max(0, slot.active - 1);
            throw err;
          }
          let released = false;
          return {
            connection,
            release: (broken = false) => {
              if (released) return;
              released = true;
              release(slot, broken);
            },
          };
        }
        await waitForChange(deadline, request);
      }
    },
    evict(poolKey) {
      for (const slot of [...slots]) {
        if (slot.poolKey !== poolKey) continue;
        slot.retiring = true;
        if (slot.state === 'open' && slot.active === 0) shut(slot);
      }
    },
    metrics: () => ({
      loginsStarted: counters.loginsStarted,
      loginsSucceeded: counters.loginsSucceeded,
      loginsFailed: counters.loginsFailed,
      openConnections: slots.length,
      openConnectionsPeak: counters.openConnectionsPeak,
      activeChannels: activeChannels(),
      activeChannelsPeak: counters.activeChannelsPeak,
      waiting: waiters.size,
    }),
    resetPeaks() {
      counters.openConnectionsPeak = slots.length;
      counters.activeChannelsPeak = activeChannels();
    },
    close() {
      closed = true;
      for (const slot of [...slots]) shut(slot);
      notify();
    },
  };
}

function closedError(): AppError {
  return new AppError('STEWARD_REMOTE_EXECUTOR_CLOSED', 'The SSH executor is closed.');
}
