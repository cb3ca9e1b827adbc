/** Data access for monitoring settings and monitored servers (schedules, claims and per-server state). */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { MonitoringSettingsTable, MonitoringTargetsTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type SettingsRow = MonitoringSettingsTable;
export type TargetRow = MonitoringTargetsTable;
/** The columns a sample reads back only when they changed: what the previous sample stored (JSON). */
type MemoryColumn = 'counters' | 'security' | 'latest';
/** A target without what its previous sample stored (the sampler keeps that parsed while it holds the server). */
export type HeldTargetRow = Omit<TargetRow, MemoryColumn>;

const HELD_COLUMNS = sql.raw(
  [
    'server_id',
    'org_id',
    'enabled',
    'interval_seconds',
    'next_run_ms',
    'owner',
    'lease_until_ms',
    'set_by',
    'integrity_at_ms',
    'last_sample_at',
    'last_ok_at',
    'last_error',
    'failures',
    'samples_due',
    'samples_taken',
    'samples_late',
    'samples_missed',
    'created_at',
    'updated_at',
  ].join(', '),
);

export const MONITORING_SETTINGS_SEALED: SealedColumnSpec = {
  table: 'monitoring_settings',
  id: 'org_id',
  scope: 'org_id',
  columns: ['recipients_sealed'],
};

/**
 * A slot a worker samples under a lease it holds (no other worker may claim the server meanwhile), so no claim is
 * written before the sample: its result moves the schedule on, from `expectedNext` to `next`.
 */
export interface HeldSlot {
  readonly worker: string;
  readonly expectedNext: number;
  readonly next: number;
  /** Intervals that passed since `expectedNext` with no sample (counted due and missed). */
  readonly missed: number;
  readonly leaseUntil: number;
}

export const targetsStore = {
  settings: (db: Executor, orgId: string) =>
    db.selectFrom('monitoring_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
  upsertSettings: (db: Executor, row: SettingsRow) =>
    db
      .insertInto('monitoring_settings')
      .values(row)
      .onConflict((oc) =>
        oc.column('org_id').doUpdateSet({
          monitor_all: row.monitor_all,
          interval_seconds: row.interval_seconds,
          recipients_sealed: row.recipients_sealed,
          recipient_count: row.recipient_count,
          set_by: row.set_by,
          updated_at: row.updated_at,
        }),
      )
      .execute(),
  /** Organisations that asked for every server to be monitored. */
  monitorAll: (db: Executor) => db.selectFrom('monitoring_settings').selectAll().where('monitor_all', '=', 1).execute(),

  target: (db: Executor, serverId: string) =>
    db.selectFrom('monitoring_targets').selectAll().where('server_id', '=', serverId).executeTakeFirst(),
  /**
   * Held servers' targets before their samples (a pass's, read at once), by server, without the JSON their previous
   * samples stored: that text is read after a sample's answer, and only when it is not what this worker wrote
   * (`memoryOf`). Written as one SQL text, since it runs for every pass.
   */
  heldTargets: async (db: Executor, serverIds: readonly string[]): Promise<Map<string, HeldTargetRow>> =>
    new Map(
      serverIds.length === 0
        ? []
        : (
            await sql<HeldTargetRow>`select ${HELD_COLUMNS} from monitoring_targets where server_id in (${sql.join(
              serverIds,
            )})`.execute(db)
          ).rows.map((r) => [r.server_id, r]),
    ),
  /** What a server's previous sample stored, and when (`updated_at`). */
  memoryOf: (db: Executor, serverId: string) =>
    db
      .selectFrom('monitoring_targets')
      .select(['counters', 'security', 'updated_at'])
      .where('server_id', '=', serverId)
      .executeTakeFirst(),
  targetsOf: (db: Executor, orgId: string) =>
    db.selectFrom('monitoring_targets').selectAll().where('org_id', '=', orgId).execute(),
  insertTarget: (db: Executor, row: TargetRow) =>
    db
      .insertInto('monitoring_targets')
      .values(row)
      .onConflict((oc) => oc.column('server_id').doNothing())
      .execute(),
  /**
   * With `taken`, the same statement counts a sample taken (and late, when it ended after its interval). With
   * `held` (a slot sampled under the worker's own lease, not claimed beforehand), it also moves the schedule on
   * and counts the interval due, only if the worker still holds that slot. Answers the rows changed (0: the slot
   * was no longer this worker's, and nothing was written).
   */
  updateTarget: async (
    db: Executor,
    serverId: string,
    patch: Partial<TargetRow>,
    taken?: { readonly late: boolean },
    held?: HeldSlot,
  ): Promise<number> => {
    // SQL text with its values, not the query builder: every sample writes through here.
    const sets = Object.entries(patch).flatMap(([column, value]) =>
      value === undefined ? [] : [sql`${sql.ref(column)} = ${value}`],
    );
    const where = [sql`server_id = ${serverId}`];
    if (sets.length === 0 && !taken && !held) throw new Error('updateTarget was given nothing to write');
    if (taken)
      sets.push(sql`samples_taken = samples_taken + 1`, sql`samples_late = samples_late + ${taken.late ? 1 : 0}`);
    if (held) {
      sets.push(
        sql`next_run_ms = ${held.next}`,
        sql`lease_until_ms = ${held.leaseUntil}`,
        sql`samples_due = samples_due + ${held.missed + 1}`,
        sql`samples_missed = samples_missed + ${held.missed}`,
      );
      where.push(sql`owner = ${held.worker}`, sql`next_run_ms = ${held.expectedNext}`);
    }
    const result =
      await sql`update monitoring_targets set ${sql.join(sets)} where ${sql.join(where, sql` and `)}`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  },
  /** Servers whose time has come that `worker` may take: unowned, its own, or held under a lease that ran out. */
  due: async (db: Executor, nowMs: number, limit: number, worker: string) =>
    (
      await sql<
        Pick<TargetRow, 'server_id' | 'org_id' | 'next_run_ms' | 'owner' | 'lease_until_ms' | 'interval_seconds'>
      >`
        select server_id, org_id, next_run_ms, owner, lease_until_ms, interval_seconds from monitoring_targets
        where enabled = 1 and next_run_ms <= ${nowMs}
          and (owner is null or owner = ${worker} or lease_until_ms < ${nowMs})
        order by next_run_ms limit ${limit}`.execute(db)
    ).rows,

  /** The schedule's counts summed over servers (all, or one organisation's). */
  scheduleTotals: async (db: Executor, orgId?: string) => {
    let q = db
      .selectFrom('monitoring_targets')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('samples_due'), eb.lit(0)).as('due'),
        eb.fn.coalesce(eb.fn.sum<number>('samples_taken'), eb.lit(0)).as('taken'),
        eb.fn.coalesce(eb.fn.sum<number>('samples_late'), eb.lit(0)).as('late'),
        eb.fn.coalesce(eb.fn.sum<number>('samples_missed'), eb.lit(0)).as('missed'),
      ]);
    if (orgId !== undefined) q = q.where('org_id', '=', orgId);
    const row = await q.executeTakeFirstOrThrow();
    return { due: Number(row.due), taken: Number(row.taken), late: Number(row.late), missed: Number(row.missed) };
  },

  /** A worker that stops gives its servers up at once, rather than when their leases run out. */
  releaseOwned: (db: Executor, worker: string) =>
    db
      .updateTable('monitoring_targets')
      .set({ owner: null, lease_until_ms: null })
      .where('owner', '=', worker)
      .execute(),

  /**
   * Takes this interval's sample of a server: moves its next run forward only if nobody else did, and only if
   * no other live worker holds its kept login (its lease). So each interval is sampled once however many
   * workers look, and a server stays with one worker (one login) while that worker lives. Answers the claimed
   * row, or undefined when the slot was not this worker's to take.
   */
  async claim(
    db: Executor,
    input: {
      readonly serverId: string;
      readonly expectedNext: number;
      readonly next: number;
      readonly worker: string;
      readonly nowMs: number;
      readonly leaseUntil: number;
      /**
       * Intervals that passed since `expectedNext` with no sample (counted as due and missed, with this one as
       * due); null counts nothing (a suspended organisation's interval).
       */
      readonly missed: number | null;
    },
  ): Promise<TargetRow | undefined> {
    const { serverId, expectedNext, next, worker, nowMs, leaseUntil, missed } = input;
    return db
      .updateTable('monitoring_targets')
      .set((eb) => ({
        next_run_ms: next,
        owner: worker,
        lease_until_ms: leaseUntil,
        samples_due: eb('samples_due', '+', missed === null ? 0 : missed + 1),
        samples_missed: eb('samples_missed', '+', missed ?? 0),
      }))
      .where('server_id', '=', serverId)
      .where('enabled', '=', 1)
      .where('next_run_ms', '=', expectedNext)
      .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '=', worker), eb('lease_until_ms', '<', nowMs)]))
      .returningAll()
      .executeTakeFirst();
  },
};
