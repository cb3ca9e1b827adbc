import type { Executor } from '../../db/database.js';
import type { CredentialsTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type CredentialRow = CredentialsTable;

export const CREDENTIALS_SEALED: SealedColumnSpec = {
  table: 'credentials',
  id: 'id',
  scope: 'org_id',
  columns: ['value_sealed'],
};

export const credentialsStore = {
  insert: (db: Executor, row: CredentialRow) => db.insertInto('credentials').values(row).execute(),
  byId: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('credentials').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  list: (db: Executor, orgId: string) =>
    db.selectFrom('credentials').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute(),
  replace: (
    db: Executor,
    orgId: string,
    id: string,
    patch: Pick<CredentialRow, 'value_sealed' | 'hint' | 'updated_at'>,
  ) => db.updateTable('credentials').set(patch).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  remove: (db: Executor, orgId: string, id: string) =>
    db.deleteFrom('credentials').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
};
