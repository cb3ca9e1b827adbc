import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionPool, type ConnectionPool, type PoolableConnection, type PoolLimits } from './pool.js';

class FakeConnection implements PoolableConnection {
  open = true;
  readonly #listeners: Array<() => void> = [];
  constructor(readonly id: number) {}
  isOpen(): boolean {
    return this.open;
  }
  onClose(listener: () => void): void {
    this.#listeners.push(listener);
  }
  close(): void {
    if (!this.open) return;
    this.open = false;
    for (const listener of this.#listeners.splice(0)) listener();
  }
}

const limits = (over: Partial<PoolLimits> = {}): PoolLimits => ({
  maxConnectionsPerHost: 2,
  maxChannelsPerConnection: 3,
  maxOpenConnections: 10,
  idleTimeoutMs: 60_000,
  ...over,
});

let pools: Array<ConnectionPool<FakeConnection>> = [];
afterEach(() => {
  for (const pool of pools) pool.close();
  pools = [];
});

function setup(over: Partial<PoolLimits> = {}) {
  const pool = createConnectionPool<FakeConnection>(limits(over));
  pools.push(pool);
  const made: FakeConnection[] = [];
  const request = (poolKey = 'root@h1:22', hostKey = 'h1:22', connect?: () => Promise<FakeConnection>) => ({
    poolKey,
    hostKey,
    connect:
      connect ??
      (async () => {
        const conn = new FakeConnection(made.length + 1);
        made.push(conn);
        return conn;
      }),
    timeoutMs: 200,
    timeoutError: () => new Error('queue timeout'),
  });
  return { pool, made, request };
}

describe('connection pool', () => {
  it('reuses one connection for sequential work', async () => {
    const { pool, made, request } = setup();
    for (let i = 0; i < 20; i += 1) (await pool.acquire(request())).release();
    expect(made).toHaveLength(1);
    expect(pool.metrics()).toMatchObject({
      loginsStarted: 1,
      loginsSucceeded: 1,
      openConnections: 1,
      activeChannels: 0,
    });
  });

  it('shares a connection that is still logging in, up to its channel limit', async () => {
    const { pool, made, request } = setup({ maxChannelsPerConnection: 3 });
    const leases = await Promise.all([1, 2, 3, 4].map(() => pool.acquire(request())));
    expect(made).toHaveLength(2);
    expect(leases.filter((l) => l.connection === made[0])).toHaveLength(3);
    expect(pool.metrics()).toMatchObject({
      openConnections: 2,
      activeChannels: 4,
      activeChannelsPeak: 4,
      openConnectionsPeak: 2,
    });
    for (const lease of leases) lease.release();
  });

  it('waits when the host is at its connection limit, and times out if nothing frees', async () => {
    const { pool, request } = setup({ maxConnectionsPerHost: 1, maxChannelsPerConnection: 1 });
    const first = await pool.acquire(request());
    const waiting = pool.acquire(request());
    setTimeout(() => first.release(), 20);
    const second = await waiting;
    expect(second.connection).toBe(first.connection);
    await expect(pool.acquire(request())).rejects.toThrow('queue timeout');
    second.release();
  });

  it('keeps the global connection limit by closing the least recently used idle connection', async () => {
    const { pool, made, request } = setup({ maxOpenConnections: 2 });
    (await pool.acquire(request('a', 'a:22'))).release();
    (await pool.acquire(request('b', 'b:22'))).release();
    const c = await pool.acquire(request('c', 'c:22'));
    expect(made.map((m) => m.open)).toEqual([false, true, true]);
    expect(pool.metrics().openConnections).toBe(2);
    expect(pool.metrics().openConnectionsPeak).toBe(2);
    c.release();
  });

  it('counts the per-host limit across users and credentials', async () => {
    const { pool, made, request } = setup({ maxConnectionsPerHost: 1 });
    const a = await pool.acquire(request('root@h1', 'h1:22'));
    const waiting = pool.acquire(request('deploy@h1', 'h1:22'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(made).toHaveLength(1);
    a.release();
    const b = await waiting;
    expect(made).toHaveLength(2);
    expect(made[0]?.open).toBe(false);
    b.release();
  });

  it('closes idle connections after the idle timeout', async () => {
    const { pool, made, request } = setup({ idleTimeoutMs: 30 });
    (await pool.acquire(request())).release();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(made[0]?.open).toBe(false);
    expect(pool.metrics().openConnections).toBe(0);
    (await pool.acquire(request())).release();
    expect(pool.metrics().loginsStarted).toBe(2);
  });

  it('gives every caller waiting on a failed login the same error, and logs in once', async () => {
    const { pool, request } = setup();
    let attempts = 0;
    const failing = request('k', 'h:22', async () => {
      attempts += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('host key changed');
    });
    const results = await Promise.allSettled([pool.acquire(failing), pool.acquire(failing), pool.acquire(failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(attempts).toBe(1);
    expect(pool.metrics()).toMatchObject({ loginsFailed: 1, openConnections: 0, activeChannels: 0 });
  });

  it('drops a connection that closes on its own, and a broken lease closes it', async () => {
    const { pool, made, request } = setup();
    (await pool.acquire(request())).release();
    made[0]?.close();
    const lease = await pool.acquire(request());
    expect(lease.connection).toBe(made[1]);
    lease.release(true);
    expect(made[1]?.open).toBe(false);
    expect(pool.metrics().openConnections).toBe(0);
  });

  it('evict retires busy connections when released and closes idle ones now', async () => {
    const { pool, made, request } = setup();
    const busy = await pool.acquire(request());
    pool.evict('root@h1:22');
    const fresh = await pool.acquire(request());
    expect(fresh.connection).not.toBe(busy.connection);
    busy.release();
    expect(made[0]?.open).toBe(false);
    fresh.release();
  });

  it('a released lease cannot be released twice', async () => {
    const { pool, request } = setup();
    const a = await pool.acquire(request());
    const b = await pool.acquire(request());
    a.release();
    a.release();
    expect(pool.metrics().activeChannels).toBe(1);
    b.release();
  });

  it('rejects work after close and closes what it holds', async () => {
    const { pool, made, request } = setup();
    const lease = await pool.acquire(request());
    pool.close();
    expect(made[0]?.open).toBe(false);
    await expect(pool.acquire(request())).rejects.toMatchObject({ code: 'STEWARD_REMOTE_EXECUTOR_CLOSED' });
    lease.release();
  });
});
