import { describe, expect, it } from 'vitest';
import { sshExec, useFleet } from '../testkit/fleet.js';

const COUNT = 50;

/** Runs `task` over `items` with at most `limit` at once. */
async function eachLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

describe(`${COUNT} isolated hosts`, () => {
  const fleet = useFleet({ count: COUNT });

  it('start well under a minute and each answers over SSH with its own name', async () => {
    console.log(
      `started ${COUNT} isolated hosts in ${fleet.startMs} ms (${Math.round(fleet.startMs / COUNT)} ms per host)`,
    );
    expect(fleet.startMs).toBeLessThan(60_000);
    expect(new Set(fleet.hosts.map((h) => h.address)).size).toBe(COUNT);
    const started = Date.now();
    const login = { username: 'root', privateKey: fleet.clientKey.privateKey };
    const names = await eachLimited(fleet.hosts, 10, async (h) => (await sshExec(h, login, 'hostname')).stdout.trim());
    console.log(`${COUNT} SSH commands answered in ${Date.now() - started} ms`);
    expect(names).toEqual(fleet.hosts.map((h) => h.name));
  });
});
