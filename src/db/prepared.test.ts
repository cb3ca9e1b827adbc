import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle, type Executor } from './database.js';
import { prepareQuery } from './prepared.js';

describe('prepared queries', () => {
  let handle: DatabaseHandle | undefined;
  afterEach(() => handle?.close());

  const open = async () => {
    handle = openDatabase({ engine: 'sqlite', path: ':memory:' });
    await sql`CREATE TABLE log_cursors (server_id TEXT, path TEXT, "offset" INTEGER)`.execute(handle.db);
    await sql`INSERT INTO log_cursors VALUES ('a', '/x', 1), ('a', '/w', 2), ('b', '/x', 3)`.execute(handle.db);
    return handle.db;
  };

  it('bind new values at each call (an argument used twice, constants kept), in and out of transactions', async () => {
    const db = await open();
    const built: string[] = [];
    const query = prepareQuery((d: Executor, server: string, path: string) => {
      built.push(server);
      return d
        .selectFrom('log_cursors')
        .select(['path', 'offset'])
        .where((eb) => eb.or([eb('server_id', '=', server), eb('path', '=', path)]))
        .where('offset', '<', 3)
        .where('server_id', '=', server)
        .orderBy('path');
    });
    expect(await query(db, 'a', '/none')).toEqual([
      { path: '/w', offset: 2 },
      { path: '/x', offset: 1 },
    ]);
    expect(await query(db, 'b', '/x')).toEqual([]); // b's row has offset 3
    const inTrx = await db.transaction().execute((trx) => query(trx, 'a', '/w'));
    expect(inTrx.map((r) => r.path)).toEqual(['/w', '/x']);
    expect(built).toHaveLength(1); // built once, with markers
  });

  it('refuse a builder that uses an argument for the query’s shape', async () => {
    const db = await open();
    const shaped = prepareQuery((d: Executor, server: string) =>
      d
        .selectFrom('log_cursors')
        .selectAll()
        .$if(server === 'a', (q) => q.where('path', '=', '/x')),
    );
    await expect(shaped(db, 'a')).rejects.toThrow(/argument 0 is not bound as a value/);
  });
});
