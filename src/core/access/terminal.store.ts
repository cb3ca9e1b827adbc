import type { Executor } from '../../db/database.js';
import type { TerminalChunksTable, TerminalSessionsTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export const TERMINAL_CHUNKS_SEALED: SealedColumnSpec = {
  table: 'terminal_chunks',
  id: 'id',
  scope: 'org_id',
  columns: ['data_sealed'],
};

export type TerminalSessionRow = TerminalSessionsTable;

/** Data access for terminal sessions and their sealed recording chunks. */
export const terminalStore = {
  insertSession: (db: Executor, row: TerminalSessionRow) => db.insertInto('terminal_sessions').values(row).execute(),
  session: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('terminal_sessions').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  sessionsOfOrg: (db: Executor, orgId: string, filter: { serverId?: string; grantId?: string; limit: number }) => {
    let q = db
      .selectFrom('terminal_sessions')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('started_at', 'desc')
      .limit(filter.limit);
    if (filter.serverId) q = q.where('server_id', '=', filter.serverId);
    if (filter.grantId) q = q.where('grant_id', '=', filter.grantId);
    return q.execute();
  },
  live: (db: Executor) => db.selectFrom('terminal_sessions').selectAll().where('status', '=', 'live').execute(),
  insertChunk: (db: Executor, row: TerminalChunksTable) => db.insertInto('terminal_chunks').values(row).execute(),
  chunks: (db: Executor, sessionId: string) =>
    db.selectFrom('terminal_chunks').selectAll().where('session_id', '=', sessionId).orderBy('seq').execute(),
  touch: (
    db: Executor,
    id: string,
    patch: Pick<TerminalSessionRow, 'heartbeat_at'> & Partial<Pick<TerminalSessionRow, 'chunks' | 'bytes'>>,
  ) => db.updateTable('terminal_sessions').set(patch).where('id', '=', id).execute(),
  /** Ends a live session once (a second caller finds it no longer live). */
  async finish(
    db: Executor,
    id: string,
    patch: Pick<TerminalSessionRow, 'status' | 'end_reason' | 'ended_at'>,
  ): Promise<boolean> {
    const res = await db
      .updateTable('terminal_sessions')
      .set(patch)
      .where('id', '=', id)
      .where('status', '=', 'live')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
};
