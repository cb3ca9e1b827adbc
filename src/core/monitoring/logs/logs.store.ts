/** Data access for followed logs: where each stands (its cursor) and the lines read, stored with their cursor. */
import { sql } from 'kysely';
import type { Executor } from '../../../db/database.js';
import type { LogCursorsTable } from '../../../db/schema.js';

export type CursorRow = LogCursorsTable;

/** Escapes LIKE wildcards so a search for `50%` finds that text, not everything. */
const likeText = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const logsStore = {
  /** One server's cursors, in order of path (a monitoring pass reads several at once: `cursorsOfServers`). */
  cursorsOf: async (db: Executor, serverId: string) =>
    (await sql<CursorRow>`select * from log_cursors where server_id = ${serverId} order by path`.execute(db)).rows,
  /** The cursors of several servers at once (a monitoring pass's), each server's in order of path. */
  cursorsOfServers: async (db: Executor, serverIds: readonly string[]): Promise<Map<string, CursorRow[]>> => {
    const out = new Map<string, CursorRow[]>();
    if (serverIds.length === 0) return out;
    const rows = (
      await sql<CursorRow>`select * from log_cursors where server_id in (${sql.join(serverIds)}) order by server_id, path`.execute(
        db,
      )
    ).rows;
    for (const r of rows) {
      const list = out.get(r.server_id);
      if (list) list.push(r);
      else out.set(r.server_id, [r]);
    }
    return out;
  },
  insertCursor: (db: Executor, row: CursorRow) =>
    db
      .insertInto('log_cursors')
      .values(row)
      .onConflict((oc) => oc.columns(['server_id', 'path']).doNothing())
      .execute(),
  updateCursor: (db: Executor, serverId: string, path: string, patch: Partial<CursorRow>) =>
    db.updateTable('log_cursors').set(patch).where('server_id', '=', serverId).where('path', '=', path).execute(),
  insertLines: async (
    db: Executor,
    rows: readonly {
      org_id: string;
      server_id: string;
      source: CursorRow['source'];
      path: string;
      observed_at: string;
      line: string;
    }[],
  ) => {
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('log_lines')
        .values(rows.slice(i, i + 200))
        .execute();
  },
  /** Auth lines of a server seen since `sinceIso` (the detection window). */
  authSince: (db: Executor, serverId: string, sinceIso: string) =>
    db
      .selectFrom('log_lines')
      .select(['line', 'observed_at'])
      .where('server_id', '=', serverId)
      .where('source', '=', 'auth')
      .where('observed_at', '>=', sinceIso)
      .orderBy('id')
      .limit(5000)
      .execute(),
  search(
    db: Executor,
    orgId: string,
    q: {
      serverId?: string;
      source?: CursorRow['source'];
      text?: string;
      fromIso?: string;
      toIso?: string;
      limit: number;
    },
  ) {
    let query = db
      .selectFrom('log_lines')
      .select(['id', 'server_id', 'source', 'path', 'observed_at', 'line'])
      .where('org_id', '=', orgId);
    if (q.serverId) query = query.where('server_id', '=', q.serverId);
    if (q.source) query = query.where('source', '=', q.source);
    if (q.fromIso) query = query.where('observed_at', '>=', q.fromIso);
    if (q.toIso) query = query.where('observed_at', '<', q.toIso);
    // Case-insensitive on both engines, with the wildcards of the text taken literally.
    if (q.text) query = query.where(sql<boolean>`lower(line) like ${likeText(q.text.toLowerCase())} escape '\\'`);
    return query.orderBy('id', 'desc').limit(q.limit).execute();
  },
  prune: async (db: Executor, beforeIso: string): Promise<number> =>
    Number((await db.deleteFrom('log_lines').where('observed_at', '<', beforeIso).executeTakeFirst()).numDeletedRows),
};
