import type { Executor } from '../../db/database.js';
import type { HostRunStatus, TaskOutputTable, TaskRunHostsTable, TaskRunsTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type RunRow = TaskRunsTable;
export type HostRow = TaskRunHostsTable;
export type OutputRow = TaskOutputTable;

export const SERVER_SECRETS_SEALED: SealedColumnSpec = {
  table: 'server_secrets',
  id: 'id',
  scope: 'org_id',
  columns: ['value_sealed'],
};

export const FINISHED: readonly HostRunStatus[] = ['unchanged', 'changed', 'succeeded', 'failed'];
const UNFINISHED: readonly HostRunStatus[] = ['queued', 'running'];

export const tasksStore = {
  insertRun: (db: Executor, row: RunRow) => db.insertInto('task_runs').values(row).execute(),
  insertHost: (db: Executor, row: HostRow) => db.insertInto('task_run_hosts').values(row).execute(),
  run: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('task_runs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  runAnyOrg: (db: Executor, id: string) =>
    db.selectFrom('task_runs').selectAll().where('id', '=', id).executeTakeFirst(),
  runs: (db: Executor, orgId: string, limit: number, serverId?: string) => {
    let q = db
      .selectFrom('task_runs')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .limit(limit);
    if (serverId)
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('task_run_hosts').select('run_id').where('server_id', '=', serverId),
      );
    return q.execute();
  },
  hosts: (db: Executor, runId: string) =>
    db.selectFrom('task_run_hosts').selectAll().where('run_id', '=', runId).orderBy('id').execute(),
  host: (db: Executor, runId: string, serverId: string) =>
    db
      .selectFrom('task_run_hosts')
      .selectAll()
      .where('run_id', '=', runId)
      .where('server_id', '=', serverId)
      .executeTakeFirst(),
  // Cluster: claims fenced per job attempt (docs/decisions/0011-cluster.md)
  /**
   * Gives the host to job attempt `token`: from queued, or from the attempt that held it before (a worker presumed
   * dead). Conditional on what was read, so of two takers one wins; false if another has it or it finished.
   */
  async claimHost(
    db: Executor,
    host: Pick<HostRow, 'id' | 'status' | 'claimed_by' | 'started_at'>,
    token: string,
    at: string,
  ): Promise<boolean> {
    if (host.status !== 'queued' && host.status !== 'running') return false;
    let q = db
      .updateTable('task_run_hosts')
      .set({ status: 'running', claimed_by: token, started_at: host.started_at ?? at })
      .where('id', '=', host.id)
      .where('status', '=', host.status);
    q = host.claimed_by === null ? q.where('claimed_by', 'is', null) : q.where('claimed_by', '=', host.claimed_by);
    return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
  },
  /** Progress of the attempt holding the host; false if it no longer holds it. */
  async recordProgress(
    db: Executor,
    id: string,
    token: string,
    patch: Partial<Pick<HostRow, 'steps' | 'applying'>>,
  ): Promise<boolean> {
    const res = await db
      .updateTable('task_run_hosts')
      .set(patch)
      .where('id', '=', id)
      .where('claimed_by', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  /** Records a host's outcome, by the attempt holding it (`token`), or unconditionally by the sweep (`null`). */
  async finishHost(
    db: Executor,
    id: string,
    patch: Pick<HostRow, 'status' | 'steps' | 'exit_code' | 'error' | 'finished_at'>,
    token: string | null,
  ): Promise<boolean> {
    let q = db
      .updateTable('task_run_hosts')
      .set({ ...patch, applying: null })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running']);
    if (token !== null) q = q.where('claimed_by', '=', token);
    return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
  },
  /** Hosts not finished whose run started before `before`, oldest first (the sweep checks their jobs). */
  unfinishedBefore: (db: Executor, before: string, limit: number) =>
    db
      .selectFrom('task_run_hosts')
      .innerJoin('task_runs', 'task_runs.id', 'task_run_hosts.run_id')
      .selectAll('task_run_hosts')
      .where('task_run_hosts.status', 'in', ['queued', 'running'])
      .where('task_runs.created_at', '<', before)
      .where('task_run_hosts.job_id', 'is not', null)
      .orderBy('task_runs.created_at')
      .limit(limit)
      .execute(),
  /** Whether any host of the run is still queued or running (one index probe, however many hosts the run has). */
  hasUnfinished: async (db: Executor, runId: string) =>
    (await db
      .selectFrom('task_run_hosts')
      .select('id')
      .where('run_id', '=', runId)
      .where('status', 'in', UNFINISHED)
      .limit(1)
      .executeTakeFirst()) !== undefined,
  /** Runs still `running` although none of their hosts is (their closing was lost), oldest first. */
  strandedRuns: (db: Executor, limit: number) =>
    db
      .selectFrom('task_runs as r')
      .select(['r.id', 'r.org_id'])
      .where('r.status', '=', 'running')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('task_run_hosts as h')
              .select('h.id')
              .whereRef('h.run_id', '=', 'r.id')
              .where('h.status', 'not in', FINISHED),
          ),
        ),
      )
      .orderBy('r.created_at')
      .limit(limit)
      .execute(),
  /** Closes a run once, when its last host finished. */
  async finishRun(db: Executor, runId: string, status: RunRow['status'], at: string): Promise<boolean> {
    const res = await db
      .updateTable('task_runs')
      .set({ status, finished_at: at })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  insertOutput: (db: Executor, rows: OutputRow[]) =>
    rows.length === 0
      ? Promise.resolve()
      : db
          .insertInto('task_output')
          .values(rows)
          .execute()
          .then(() => undefined),
  outputAfter: (db: Executor, runId: string, serverId: string, afterSeq: number, limit: number) =>
    db
      .selectFrom('task_output')
      .selectAll()
      .where('run_id', '=', runId)
      .where('server_id', '=', serverId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute(),
  lastSeq: async (db: Executor, runId: string, serverId: string) =>
    Number(
      (
        await db
          .selectFrom('task_output')
          .select((eb) => eb.fn.max('seq').as('m'))
          .where('run_id', '=', runId)
          .where('server_id', '=', serverId)
          .executeTakeFirst()
      )?.m ?? 0,
    ),

  secret: (db: Executor, serverId: string, name: string) =>
    db
      .selectFrom('server_secrets')
      .selectAll()
      .where('server_id', '=', serverId)
      .where('name', '=', name)
      .executeTakeFirst(),
  upsertSecret: async (
    db: Executor,
    row: {
      id: string;
      org_id: string;
      server_id: string;
      name: string;
      source: 'task' | 'discovery';
      value_sealed: string;
      at: string;
    },
  ) => {
    await db
      .insertInto('server_secrets')
      .values({
        id: row.id,
        org_id: row.org_id,
        server_id: row.server_id,
        name: row.name,
        source: row.source,
        value_sealed: row.value_sealed,
        created_at: row.at,
        updated_at: row.at,
      })
      .onConflict((oc) =>
        oc
          .columns(['server_id', 'name'])
          .doUpdateSet({ value_sealed: row.value_sealed, updated_at: row.at, source: row.source }),
      )
      .execute();
  },
};
