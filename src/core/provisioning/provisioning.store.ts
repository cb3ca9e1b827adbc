import type { Executor } from '../../db/database.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';
import type { AccountRow, InstanceRow, LaunchRow } from './provisioning.types.js';

export const PROVIDER_ACCOUNTS_SEALED: SealedColumnSpec = {
  table: 'provider_accounts',
  id: 'id',
  scope: 'org_id',
  columns: ['credential_sealed'],
};

/** Where an account's sealed credential lives, for the vault's associated data. */
export const accountSealContext = (orgId: string, id: string) => ({
  scope: orgId,
  table: 'provider_accounts',
  column: 'credential_sealed',
  row: id,
});

const ACTIVE_LAUNCH = ['queued', 'creating', 'waiting'] as const;

/** Data access for provider accounts, the instance cache and launches. Every lookup by id is scoped to an organisation. */
export const provisioningStore = {
  insertAccount: (db: Executor, row: AccountRow) => db.insertInto('provider_accounts').values(row).execute(),
  account: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('provider_accounts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  /** For jobs, which carry only ids; they check the organisation themselves. */
  accountAnyOrg: (db: Executor, id: string) =>
    db.selectFrom('provider_accounts').selectAll().where('id', '=', id).executeTakeFirst(),
  accounts: (db: Executor, orgId: string) =>
    db
      .selectFrom('provider_accounts')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  allAccounts: (db: Executor) => db.selectFrom('provider_accounts').selectAll().orderBy('id').execute(),
  countAccounts: async (db: Executor) =>
    Number(
      (
        await db
          .selectFrom('provider_accounts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    ),
  removeAccount: (db: Executor, orgId: string, id: string) =>
    db.deleteFrom('provider_accounts').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  noteSync: (db: Executor, id: string, patch: Pick<AccountRow, 'last_sync_at' | 'last_sync_error'>) =>
    db.updateTable('provider_accounts').set(patch).where('id', '=', id).execute(),

  instancesOfOrg: (db: Executor, orgId: string) =>
    db
      .selectFrom('provider_instances')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('first_seen_at')
      .orderBy('node_id')
      .execute(),
  instancesOfAccount: (db: Executor, accountId: string) =>
    db.selectFrom('provider_instances').selectAll().where('account_id', '=', accountId).execute(),
  /** Inserts or refreshes what the provider said about an instance (first_seen_at is kept). */
  saveInstance: (db: Executor, row: InstanceRow) =>
    db
      .insertInto('provider_instances')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['account_id', 'node_id']).doUpdateSet({
          name: row.name,
          state: row.state,
          provider_state: row.provider_state,
          public_ip: row.public_ip,
          private_ip: row.private_ip,
          size_id: row.size_id,
          image_id: row.image_id,
          location_id: row.location_id,
          last_seen_at: row.last_seen_at,
          gone_at: null,
        }),
      )
      .execute(),
  forgetInstance: (db: Executor, accountId: string, nodeId: string) =>
    db.deleteFrom('provider_instances').where('account_id', '=', accountId).where('node_id', '=', nodeId).execute(),

  insertLaunch: (db: Executor, row: LaunchRow) => db.insertInto('provider_launches').values(row).execute(),
  launch: (db: Executor, orgId: string, accountId: string, token: string) =>
    db
      .selectFrom('provider_launches')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('account_id', '=', accountId)
      .where('token', '=', token)
      .executeTakeFirst(),
  launchByJob: (db: Executor, jobId: string) =>
    db.selectFrom('provider_launches').selectAll().where('job_id', '=', jobId).executeTakeFirst(),
  launches: (db: Executor, orgId: string, limit: number) =>
    db
      .selectFrom('provider_launches')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
  activeLaunches: (db: Executor, accountId: string) =>
    db
      .selectFrom('provider_launches')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('status', 'in', ACTIVE_LAUNCH)
      .execute(),
  updateLaunch: (db: Executor, accountId: string, token: string, patch: Partial<LaunchRow>) =>
    db
      .updateTable('provider_launches')
      .set(patch)
      .where('account_id', '=', accountId)
      .where('token', '=', token)
      .execute(),

  scheduleJob: async (db: Executor, name: string) =>
    (await db.selectFrom('provisioning_schedule').select('job_id').where('name', '=', name).executeTakeFirst())?.job_id,
  setScheduleJob: (db: Executor, name: string, jobId: string, at: string) =>
    db
      .insertInto('provisioning_schedule')
      .values({ name, job_id: jobId, updated_at: at })
      .onConflict((oc) => oc.column('name').doUpdateSet({ job_id: jobId, updated_at: at }))
      .execute(),
};
