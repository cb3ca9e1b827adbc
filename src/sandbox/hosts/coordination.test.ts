import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../kernel/clock.js';
import { claimSlot, listLeases, releaseSlot } from './leases.js';
import { withFileLock } from './lock.js';
import { selfRef } from './proc.js';

describe('cross-process coordination', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('withFileLock lets one holder in at a time', async () => {
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(join(dir, 'x.lock'), 10_000, async () => {
        events.push(`${name} in`);
        await sleep(50);
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(events).toHaveLength(4);
    expect(events[0]!.split(' ')[0]).toBe(events[1]!.split(' ')[0]);
  });

  it('withFileLock gives up after its timeout', async () => {
    const path = join(dir, 'y.lock');
    await withFileLock(path, 10_000, async () => {
      await expect(withFileLock(path, 1000, async () => undefined)).rejects.toMatchObject({
        code: 'STEWARD_TESTHOSTS_TIMEOUT',
      });
    });
  });

  it('claimSlot never hands out a leased slot, and releaseSlot frees only its own', () => {
    const me = selfRef();
    const a = claimSlot(dir, 'h', 4, 0, me);
    const b = claimSlot(dir, 'h', 4, 0, me);
    expect([a, b]).toEqual([0, 1]);
    releaseSlot(dir, 'h', a, { pid: me.pid, start: 'someone-else' });
    expect(
      listLeases(dir)
        .map((l) => l.slot)
        .sort(),
    ).toEqual([0, 1]);
    releaseSlot(dir, 'h', a, me);
    expect(claimSlot(dir, 'h', 4, 0, me)).toBe(0);
    claimSlot(dir, 'h', 4, 0, me);
    claimSlot(dir, 'h', 4, 0, me);
    expect(() => claimSlot(dir, 'h', 4, 0, me)).toThrow(/leased/);
  });
});
