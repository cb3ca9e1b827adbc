import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { FakeClock } from '../../kernel/clock.js';
import { createTestDatabase, type TestDatabase } from '../../../testkit/db.js';
import { createJobSlots, type JobSlots } from './slots.js';

describe.each(['sqlite', 'postgres'] as const)('job slots (%s)', (engine) => {
  let tdb: TestDatabase;
  let database: DatabaseHandle;
  const clock = new FakeClock();
  let slots: JobSlots;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    database = openDatabase(tdb.target);
    await migrateToLatest(database.db);
    slots = createJobSlots({ db: database.db, clock, leaseMs: 10_000 });
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
  });

  const shared = (key: string) => [{ key, max: 3 }];
  const alone = (key: string) => [{ key, max: 3, exclusive: true }];

  it('an exclusive holder waits for every shared holder, and holds every shared one off', async () => {
    expect(await slots.acquire(shared('repo:a'), 'backup-1')).toBe(true);
    expect(await slots.acquire(shared('repo:a'), 'backup-2')).toBe(true);
    expect(await slots.acquire(alone('repo:a'), 'check')).toBe(false);
    // Refused, it keeps nothing: the third shared slot is still free.
    expect(await slots.acquire(shared('repo:a'), 'backup-3')).toBe(true);
    for (const h of ['backup-1', 'backup-2', 'backup-3']) await slots.release(h);
    expect(await slots.acquire(alone('repo:a'), 'check')).toBe(true);
    expect(await slots.acquire(shared('repo:a'), 'backup-4')).toBe(false);
    expect(await slots.acquire(alone('repo:a'), 'check-2')).toBe(false);
    // Other keys are not held.
    expect(await slots.acquire(shared('repo:b'), 'backup-5')).toBe(true);
    await slots.release('check');
    expect(await slots.acquire(shared('repo:a'), 'backup-4')).toBe(true);
    for (const h of ['backup-4', 'backup-5']) await slots.release(h);
  });

  it('a dead exclusive holder’s slots free themselves when its lease lapses, and renewal keeps them', async () => {
    expect(await slots.acquire(alone('repo:c'), 'check')).toBe(true);
    clock.advance(8_000);
    await slots.renew(['check']);
    clock.advance(8_000);
    expect(await slots.acquire(shared('repo:c'), 'backup')).toBe(false);
    clock.advance(3_000);
    expect(await slots.acquire(shared('repo:c'), 'backup')).toBe(true);
    expect(await slots.acquire(alone('repo:c'), 'check-2')).toBe(false);
    await slots.release('backup');
  });
});
