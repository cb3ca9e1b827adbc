import type { Executor } from '../../db/database.js';
import type {
  BackupPlansTable,
  BackupRepositoriesTable,
  BackupRunsTable,
  BackupSnapshotsTable,
} from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type RepositoryRow = BackupRepositoriesTable;
export type PlanRow = BackupPlansTable;
export type RunRow = BackupRunsTable;
export type SnapshotRow = BackupSnapshotsTable;

/** Sealed columns of the backups tables, re-encrypted by the vault on data-key rotation. */
export const BACKUP_KEYS_SEALED: SealedColumnSpec = {
  table: 'backup_keys',
  id: 'org_id',
  scope: 'org_id',
  columns: ['password_sealed'],
};
export const BACKUP_REPOSITORIES_SEALED: SealedColumnSpec = {
  table: 'backup_repositories',
  id: 'id',
  scope: 'org_id',
  columns: ['credential_sealed'],
};
export const BACKUP_PLANS_SEALED: SealedColumnSpec = {
  table: 'backup_plans',
  id: 'id',
  scope: 'org_id',
  columns: ['db_password_sealed'],
};

export const backupsStore = {
  key: (db: Executor, orgId: string) =>
    db.selectFrom('backup_keys').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
  insertKey: (db: Executor, row: { org_id: string; password_sealed: string; created_at: string }) =>
    db
      .insertInto('backup_keys')
      .values({ ...row, exported_at: null })
      .onConflict((oc) => oc.column('org_id').doNothing())
      .execute(),
  markKeyExported: (db: Executor, orgId: string, at: string) =>
    db.updateTable('backup_keys').set({ exported_at: at }).where('org_id', '=', orgId).execute(),

  repositories: (db: Executor, orgId: string) =>
    db
      .selectFrom('backup_repositories')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  allRepositories: (db: Executor) => db.selectFrom('backup_repositories').selectAll().orderBy('id').execute(),
  repository: (db: Executor, orgId: string, id: string) =>
    db
      .selectFrom('backup_repositories')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  defaultRepository: (db: Executor, orgId: string) =>
    db
      .selectFrom('backup_repositories')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('is_default', '=', 1)
      .executeTakeFirst(),
  insertRepository: (db: Executor, row: RepositoryRow) => db.insertInto('backup_repositories').values(row).execute(),
  updateRepository: (db: Executor, id: string, patch: Partial<RepositoryRow>) =>
    db.updateTable('backup_repositories').set(patch).where('id', '=', id).execute(),
  deleteRepository: (db: Executor, id: string) => db.deleteFrom('backup_repositories').where('id', '=', id).execute(),

  plans: (db: Executor, orgId: string, serverId?: string) => {
    let q = db.selectFrom('backup_plans').selectAll().where('org_id', '=', orgId);
    if (serverId) q = q.where('server_id', '=', serverId);
    return q.orderBy('created_at').orderBy('id').execute();
  },
  plan: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('backup_plans').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  planById: (db: Executor, id: string) =>
    db.selectFrom('backup_plans').selectAll().where('id', '=', id).executeTakeFirst(),
  plansOfRepository: (db: Executor, repositoryId: string) =>
    db.selectFrom('backup_plans').selectAll().where('repository_id', '=', repositoryId).execute(),
  insertPlan: (db: Executor, row: PlanRow) => db.insertInto('backup_plans').values(row).execute(),
  updatePlan: (db: Executor, id: string, patch: Partial<PlanRow>) =>
    db.updateTable('backup_plans').set(patch).where('id', '=', id).execute(),
  deletePlan: (db: Executor, id: string) => db.deleteFrom('backup_plans').where('id', '=', id).execute(),
  duePlans: (db: Executor, now: string, limit: number) =>
    db
      .selectFrom('backup_plans')
      .selectAll()
      .where('enabled', '=', 1)
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(limit)
      .execute(),
  enabledPlans: (db: Executor) => db.selectFrom('backup_plans').selectAll().where('enabled', '=', 1).execute(),
  /** Moves a plan's next run forward only if nobody else did (each interval fires once across workers). */
  async claimPlan(db: Executor, id: string, expected: string, next: string): Promise<boolean> {
    const res = await db
      .updateTable('backup_plans')
      .set({ next_run_at: next })
      .where('id', '=', id)
      .where('next_run_at', '=', expected)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  run: (db: Executor, id: string) => db.selectFrom('backup_runs').selectAll().where('id', '=', id).executeTakeFirst(),
  runs: (db: Executor, orgId: string, filter: { planId?: string; serverId?: string; limit: number }) => {
    let q = db.selectFrom('backup_runs').selectAll().where('org_id', '=', orgId);
    if (filter.planId) q = q.where('plan_id', '=', filter.planId);
    if (filter.serverId) q = q.where('server_id', '=', filter.serverId);
    return q.orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  },
  activeRunOfPlan: (db: Executor, planId: string) =>
    db
      .selectFrom('backup_runs')
      .select(['id', 'status'])
      .where('plan_id', '=', planId)
      .where('kind', '=', 'backup')
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst(),
  insertRun: (db: Executor, row: RunRow) => db.insertInto('backup_runs').values(row).execute(),
  updateRun: (db: Executor, id: string, patch: Partial<RunRow>) =>
    db.updateTable('backup_runs').set(patch).where('id', '=', id).execute(),

  snapshots: (db: Executor, orgId: string, filter: { planId?: string; serverId?: string; limit: number }) => {
    let q = db.selectFrom('backup_snapshots').selectAll().where('org_id', '=', orgId).where('forgotten_at', 'is', null);
    if (filter.planId) q = q.where('plan_id', '=', filter.planId);
    if (filter.serverId) q = q.where('server_id', '=', filter.serverId);
    return q.orderBy('taken_at', 'desc').limit(filter.limit).execute();
  },
  snapshot: (db: Executor, orgId: string, id: string) =>
    db
      .selectFrom('backup_snapshots')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('forgotten_at', 'is', null)
      .executeTakeFirst(),
  liveSnapshotsOfPlan: (db: Executor, planId: string) =>
    db
      .selectFrom('backup_snapshots')
      .select(['id', 'repository_id'])
      .where('plan_id', '=', planId)
      .where('forgotten_at', 'is', null)
      .execute(),
  insertSnapshot: (db: Executor, row: SnapshotRow) => db.insertInto('backup_snapshots').values(row).execute(),
  forgetSnapshots: (db: Executor, repositoryId: string, ids: readonly string[], at: string) =>
    ids.length === 0
      ? Promise.resolve()
      : db
          .updateTable('backup_snapshots')
          .set({ forgotten_at: at })
          .where('repository_id', '=', repositoryId)
          .where('id', 'in', ids)
          .execute(),
  storedBytesByOrg: (db: Executor, orgId: string) =>
    db
      .selectFrom('backup_repositories')
      .select((eb) => eb.fn.sum<number | string | null>('stored_bytes').as('bytes'))
      .where('org_id', '=', orgId)
      .executeTakeFirst(),
};
