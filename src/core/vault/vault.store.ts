import type { Executor } from '../../db/database.js';
import type { VaultDataKeysTable } from '../../db/schema.js';

export type DataKeyRow = VaultDataKeysTable;

/** Data access for the vault's own tables. Every method takes the executor to run on. */
export const vaultStore = {
  rootKeys: (db: Executor) => db.selectFrom('vault_root_keys').selectAll().orderBy('version').execute(),

  insertRootKey: (db: Executor, version: number, kcv: string, state: 'active' | 'pending', at: string) =>
    db.insertInto('vault_root_keys').values({ version, kcv, state, created_at: at }).execute(),

  setRootKeyState: (db: Executor, version: number, state: 'active' | 'pending' | 'retired') =>
    db.updateTable('vault_root_keys').set({ state }).where('version', '=', version).execute(),

  scopeKeys: (db: Executor, scope: string) =>
    db.selectFrom('vault_data_keys').selectAll().where('scope', '=', scope).orderBy('version').execute(),

  insertDataKey: (db: Executor, row: DataKeyRow) => db.insertInto('vault_data_keys').values(row).execute(),

  /**
   * Moves the reserved-operations counter of an active key from `from` to `to`, only if nobody moved it first
   * (compare-and-set, so several processes can reserve from one key). Returns whether it moved.
   */
  async reserveOps(db: Executor, scope: string, version: number, from: number, to: number): Promise<boolean> {
    const res = await db
      .updateTable('vault_data_keys')
      .set({ ops_reserved: to })
      .where('scope', '=', scope)
      .where('version', '=', version)
      .where('state', '=', 'active')
      .where('ops_reserved', '=', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  dataKey: (db: Executor, scope: string, version: number) =>
    db
      .selectFrom('vault_data_keys')
      .selectAll()
      .where('scope', '=', scope)
      .where('version', '=', version)
      .executeTakeFirst(),

  setDataKeyState: (db: Executor, scope: string, version: number, state: DataKeyRow['state']) =>
    db
      .updateTable('vault_data_keys')
      .set({ state })
      .where('scope', '=', scope)
      .where('version', '=', version)
      .execute(),

  /** Rewraps one data key if it is still under `fromRoot`; returns whether this call changed it. */
  async rewrap(
    db: Executor,
    input: {
      readonly scope: string;
      readonly version: number;
      readonly fromRoot: number;
      readonly wrapped: string;
      readonly toRoot: number;
    },
  ): Promise<boolean> {
    const { scope, version, fromRoot, wrapped, toRoot } = input;
    const res = await db
      .updateTable('vault_data_keys')
      .set({ wrapped, root_version: toRoot })
      .where('scope', '=', scope)
      .where('version', '=', version)
      .where('root_version', '=', fromRoot)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  keysUnderRoot: (db: Executor, rootVersion: number, limit: number) =>
    db
      .selectFrom('vault_data_keys')
      .selectAll()
      .where('root_version', '=', rootVersion)
      .where('state', '!=', 'destroyed')
      .orderBy('scope')
      .orderBy('version')
      .limit(limit)
      .execute(),

  rootVersionsInUse: (db: Executor) =>
    db
      .selectFrom('vault_data_keys')
      .select('root_version')
      .where('state', '!=', 'destroyed')
      .groupBy('root_version')
      .execute(),

  scopesWithActiveKeys: (db: Executor) =>
    db.selectFrom('vault_data_keys').select('scope').where('state', '=', 'active').orderBy('scope').execute(),

  destroyScope: (db: Executor, scope: string) =>
    db.updateTable('vault_data_keys').set({ state: 'destroyed', wrapped: '' }).where('scope', '=', scope).execute(),

  runningRotations: (db: Executor) =>
    db.selectFrom('vault_rotations').selectAll().where('status', '=', 'running').orderBy('started_at').execute(),

  insertRotation: (
    db: Executor,
    row: {
      id: string;
      kind: 'root' | 'data';
      scope: string | null;
      from_version: number;
      to_version: number;
      started_at: string;
    },
  ) =>
    db
      .insertInto('vault_rotations')
      .values({ ...row, status: 'running', finished_at: null })
      .execute(),

  finishRotation: (db: Executor, id: string, at: string) =>
    db.updateTable('vault_rotations').set({ status: 'done', finished_at: at }).where('id', '=', id).execute(),
};
