import type { Executor } from '../../db/database.js';
import type { DiscoveredSecretsTable, DiscoverySchedulesTable, DiscoverySnapshotsTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type SnapshotRow = DiscoverySnapshotsTable;
export type FoundSecretRow = DiscoveredSecretsTable;
export type ScheduleRow = DiscoverySchedulesTable;

export const DISCOVERED_SECRETS_SEALED: SealedColumnSpec = {
  table: 'discovered_secrets',
  id: 'id',
  scope: 'org_id',
  columns: ['value_sealed'],
};

export const discoveryStore = {
  insertSnapshot: (db: Executor, row: SnapshotRow) => db.insertInto('discovery_snapshots').values(row).execute(),
  latest: (db: Executor, serverId: string) =>
    db
      .selectFrom('discovery_snapshots')
      .selectAll()
      .where('server_id', '=', serverId)
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  snapshot: (db: Executor, orgId: string, id: string) =>
    db
      .selectFrom('discovery_snapshots')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  history: (db: Executor, orgId: string, serverId: string, limit: number) =>
    db
      .selectFrom('discovery_snapshots')
      .select(['id', 'server_id', 'run_id', 'taken_at', 'summary', 'attention', 'changes'])
      .where('org_id', '=', orgId)
      .where('server_id', '=', serverId)
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),

  secretsOf: (db: Executor, orgId: string, serverId: string) =>
    db
      .selectFrom('discovered_secrets')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('server_id', '=', serverId)
      .orderBy('location')
      .orderBy('key')
      .execute(),
  insertSecret: (db: Executor, row: FoundSecretRow) => db.insertInto('discovered_secrets').values(row).execute(),
  updateSecret: (db: Executor, id: string, patch: Partial<FoundSecretRow>) =>
    db.updateTable('discovered_secrets').set(patch).where('id', '=', id).execute(),

  schedule: (db: Executor, serverId: string) =>
    db.selectFrom('discovery_schedules').selectAll().where('server_id', '=', serverId).executeTakeFirst(),
  upsertSchedule: (db: Executor, row: ScheduleRow) =>
    db
      .insertInto('discovery_schedules')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('server_id')
          .doUpdateSet({ interval_minutes: row.interval_minutes, next_run_at: row.next_run_at, set_by: row.set_by }),
      )
      .execute(),
  deleteSchedule: (db: Executor, orgId: string, serverId: string) =>
    db
      .deleteFrom('discovery_schedules')
      .where('org_id', '=', orgId)
      .where('server_id', '=', serverId)
      .executeTakeFirst(),
  due: (db: Executor, now: string, limit: number) =>
    db
      .selectFrom('discovery_schedules')
      .selectAll()
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(limit)
      .execute(),
  /** Moves a schedule's next run forward only if nobody else did (so each interval fires once across processes). */
  async claimSchedule(db: Executor, serverId: string, expected: string, next: string): Promise<boolean> {
    const res = await db
      .updateTable('discovery_schedules')
      .set({ next_run_at: next })
      .where('server_id', '=', serverId)
      .where('next_run_at', '=', expected)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
};
