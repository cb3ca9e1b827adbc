import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { OrgSshKeysTable, ServersTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type ServerRow = ServersTable;
export type OrgKeyRow = OrgSshKeysTable;

export const SERVERS_SEALED: SealedColumnSpec = {
  table: 'servers',
  id: 'id',
  scope: 'org_id',
  columns: ['bootstrap_sealed'],
};
export const ORG_KEYS_SEALED: SealedColumnSpec = {
  table: 'org_ssh_keys',
  id: 'org_id',
  scope: 'org_id',
  columns: ['private_sealed'],
};

export const serversStore = {
  insert: (db: Executor, row: ServerRow) => db.insertInto('servers').values(row).execute(),
  byId: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('servers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  /** For jobs and hooks, which carry only the server id; they check the organisation themselves. */
  byIdAnyOrg: async (db: Executor, id: string) =>
    (await sql<ServerRow>`select * from servers where id = ${id}`.execute(db)).rows[0],
  /** Several at once, in no particular order: a monitoring pass reads the servers of the samples it starts. */
  byIdsAnyOrg: async (db: Executor, ids: readonly string[]) =>
    ids.length === 0
      ? []
      : (await sql<ServerRow>`select * from servers where id in (${sql.join(ids)})`.execute(db)).rows,
  list: (db: Executor, orgId: string) =>
    db.selectFrom('servers').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute(),
  byIds: (db: Executor, orgId: string, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('servers').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute(),
  findEndpoint: (db: Executor, orgId: string, address: string, port: number, username: string) =>
    db
      .selectFrom('servers')
      .select('id')
      .where('org_id', '=', orgId)
      .where('address', '=', address)
      .where('port', '=', port)
      .where('username', '=', username)
      .executeTakeFirst(),
  update: (db: Executor, id: string, patch: Partial<ServerRow>) =>
    db.updateTable('servers').set(patch).where('id', '=', id).execute(),
  remove: (db: Executor, id: string) => db.deleteFrom('servers').where('id', '=', id).execute(),

  orgKey: (db: Executor, orgId: string) =>
    db.selectFrom('org_ssh_keys').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
  insertOrgKey: (db: Executor, row: OrgKeyRow) =>
    db
      .insertInto('org_ssh_keys')
      .values(row)
      .onConflict((oc) => oc.column('org_id').doNothing())
      .execute(),
};
