import type { Kysely } from 'kysely';
import { readHeader, decodeEnvelope } from '../../crypto/envelope.js';
import { keyCheckValue, newRootKey } from '../../crypto/keys.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import { AppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import { unwrapDataKey, wrapDataKey } from './keyring.js';
import { loadRootKeyRing, requireWritableRing, writeRootKeyRing } from './root-key.js';
import type { Vault } from './vault.service.js';
import { vaultStore } from './vault.store.js';
import { isHmacScope, type RotationProgress, type SealedColumnSpec } from './vault.types.js';

export interface RotationDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'rootKey'>;
  readonly vault: Vault;
  readonly sealedColumns: readonly SealedColumnSpec[];
}

type Progress = (p: RotationProgress) => void;
const BATCH = 200;

/**
 * Online key rotation that survives `kill -9` at any point. Each step is either one atomic statement or one
 * transaction, and every step is safe to repeat; the `vault_rotations` row records what was being done, so
 * `resume()` finishes it. See INVARIANTS.md.
 */
export function createKeyRotation(deps: RotationDeps) {
  const { db, clock, vault } = deps;
  const { keys, rootAccess, setRoot } = vault.internals;
  // Sealed columns are named by the modules that own them, so these queries are built from names.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const anyDb = db as unknown as Kysely<any>;

  async function rotateRoot(onProgress: Progress = () => undefined): Promise<{ from: number; to: number }> {
    vault.ensureOpen();
    const path = requireWritableRing(deps.config.rootKey);
    const running = (await vaultStore.runningRotations(db)).find((r) => r.kind === 'root');
    const current = rootAccess();
    const from = running?.from_version ?? current.activeVersion;
    let to = running?.to_version;
    if (to === undefined) {
      // 1. Put the new key in the ring file first (a crash here leaves an unused key, picked up next time).
      const load = loadRootKeyRing(deps.config.rootKey);
      const ring = new Map(load.status === 'loaded' ? load.ring : current.ring);
      to = Math.max(...ring.keys(), from) + 1;
      const spare = [...ring.keys()].filter((v) => v > from).sort((a, b) => a - b)[0];
      if (spare !== undefined) to = spare;
      else ring.set(to, newRootKey());
      writeRootKeyRing(path, ring);
      // 2. Record the new key and the rotation together.
      const newKey = ring.get(to)!;
      await db.transaction().execute(async (trx) => {
        const known = (await vaultStore.rootKeys(trx)).some((r) => r.version === to);
        if (!known) await vaultStore.insertRootKey(trx, to!, keyCheckValue(newKey), 'pending', clock.iso());
        await vaultStore.insertRotation(trx, {
          id: newId('key'),
          kind: 'root',
          scope: null,
          from_version: from,
          to_version: to!,
          started_at: clock.iso(),
        });
      });
      setRoot({ ring, activeVersion: from });
    } else if (!rootAccess().ring.has(to)) {
      throw new AppError('STEWARD_SEALED', `Root key v${to} of the interrupted rotation is not in the key ring file.`);
    }
    // 3. Rewrap every data key still under the old root key, one conditional update each.
    let done = 0;
    for (;;) {
      const batch = await vaultStore.keysUnderRoot(db, from, BATCH);
      if (batch.length === 0) break;
      for (const row of batch) {
        const plain = unwrapDataKey(rootAccess(), row);
        await vaultStore.rewrap(db, {
          scope: row.scope,
          version: row.version,
          fromRoot: from,
          wrapped: wrapDataKey(rootAccess(), to, row.scope, row.version, plain),
          toRoot: to,
        });
        plain.fill(0);
        done++;
      }
      onProgress({ kind: 'root', done, phase: 'rewrap' });
    }
    // 4. Switch the active root key and close the rotation in one transaction.
    await db.transaction().execute(async (trx) => {
      const left = await vaultStore.keysUnderRoot(trx, from, 1);
      if (left.length > 0)
        throw new AppError(
          'STEWARD_CONFLICT',
          'New data keys appeared under the old root key; run the rotation again.',
        );
      await vaultStore.setRootKeyState(trx, to!, 'active');
      await vaultStore.setRootKeyState(trx, from, 'retired');
      const rot = (await vaultStore.runningRotations(trx)).find((r) => r.kind === 'root');
      if (rot) await vaultStore.finishRotation(trx, rot.id, clock.iso());
    });
    // 5. Drop the old key from the ring file (a crash before this leaves a harmless extra key).
    const ring = new Map(rootAccess().ring);
    for (const v of [...ring.keys()]) if (v < to) ring.delete(v);
    writeRootKeyRing(path, ring);
    setRoot({ ring, activeVersion: to });
    onProgress({ kind: 'root', done, phase: 'done' });
    deps.logger.info({ from, to }, 'root key rotated');
    return { from, to };
  }

  async function reencryptScope(scope: string, to: number, onProgress: Progress): Promise<number> {
    let done = 0;
    for (const spec of deps.sealedColumns) {
      let cursor = '';
      for (;;) {
        const rows = (await anyDb
          .selectFrom(spec.table)
          .select([`${spec.id} as id`, ...spec.columns])
          .where(spec.scope, '=', scope)
          .where(spec.id, '>', cursor)
          .orderBy(spec.id)
          .limit(BATCH)
          .execute()) as Record<string, string | null>[];
        if (rows.length === 0) break;
        for (const row of rows) {
          const id = row.id!;
          for (const column of spec.columns) {
            const old = row[column];
            if (old === null || old === undefined || old === '') continue;
            if (readHeader(decodeEnvelope(old)).keyVersion >= to) continue;
            const ctx = { scope, table: spec.table, column, row: id };
            const plain = await vault.open(ctx, old);
            const fresh = await vault.seal(ctx, plain);
            plain.fill(0);
            // Conditional: a concurrent write of a new value wins over the re-encryption of the old one.
            await anyDb
              .updateTable(spec.table)
              .set({ [column]: fresh })
              .where(spec.id, '=', id)
              .where(column, '=', old)
              .execute();
            done++;
          }
          cursor = id;
        }
        onProgress({ kind: 'data', scope, done, phase: 'reencrypt' });
      }
    }
    return done;
  }

  async function rotateScope(scope: string, onProgress: Progress): Promise<void> {
    const running = (await vaultStore.runningRotations(db)).find((r) => r.kind === 'data' && r.scope === scope);
    let to = running?.to_version;
    if (to === undefined) {
      to = await db.transaction().execute(async (trx) => {
        const before = (await vaultStore.scopeKeys(trx, scope)).find((r) => r.state === 'active');
        const version = await keys.createVersion(scope, trx);
        await vaultStore.insertRotation(trx, {
          id: newId('key'),
          kind: 'data',
          scope,
          from_version: before?.version ?? 0,
          to_version: version,
          started_at: clock.iso(),
        });
        return version;
      });
      keys.forget(scope);
    }
    await reencryptScope(scope, to, onProgress);
    await db.transaction().execute(async (trx) => {
      for (const row of await vaultStore.scopeKeys(trx, scope)) {
        if (row.version < to && row.state === 'decrypt_only')
          await vaultStore.setDataKeyState(trx, scope, row.version, 'retired');
      }
      const rot = (await vaultStore.runningRotations(trx)).find((r) => r.kind === 'data' && r.scope === scope);
      if (rot) await vaultStore.finishRotation(trx, rot.id, clock.iso());
    });
    keys.forget(scope);
  }

  async function rotateData(options: { scope?: string; onProgress?: Progress } = {}): Promise<{ scopes: number }> {
    vault.ensureOpen();
    const onProgress = options.onProgress ?? (() => undefined);
    const scopes = options.scope
      ? [options.scope]
      : (await vaultStore.scopesWithActiveKeys(db)).map((r) => r.scope).filter((s) => !isHmacScope(s));
    for (const scope of scopes) await rotateScope(scope, onProgress);
    return { scopes: scopes.length };
  }

  /** Finishes rotations a crash interrupted. Safe to call at every start. */
  async function resume(onProgress: Progress = () => undefined): Promise<number> {
    vault.ensureOpen();
    const running = await vaultStore.runningRotations(db);
    for (const rot of running) {
      if (rot.kind === 'root') await rotateRoot(onProgress);
      else await rotateScope(rot.scope!, onProgress);
    }
    return running.length;
  }

  return { rotateRoot, rotateData, resume };
}

export type KeyRotation = ReturnType<typeof createKeyRotation>;
