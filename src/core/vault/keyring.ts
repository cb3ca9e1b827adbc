import {
  associatedData,
  decodeEnvelope,
  encodeEnvelope,
  IntegrityError,
  newDataKey,
  openBytes,
  readHeader,
  sealBytes,
} from '../../crypto/envelope.js';
import { inTransaction, type Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import { vaultStore, type DataKeyRow } from './vault.store.js';

/**
 * The in-memory side of the data keys: unwrapped keys per scope, cached, with the operation counter of each
 * active key. Counters are reserved from the database in blocks (an atomic add), so a restart or a second node
 * can only over-count, never under-count, and a key is replaced before it reaches `maxOperations`.
 */

interface KeyEntry {
  key: Buffer | undefined;
  state: DataKeyRow['state'];
}

interface ScopeEntry {
  versions: Map<number, KeyEntry>;
  active: number | undefined;
  /** Operations this process may still use on the active key: (used, reservedUpTo]. */
  used: number;
  reservedUpTo: number;
}

export interface RootAccess {
  readonly ring: ReadonlyMap<number, Buffer>;
  readonly activeVersion: number;
}

const wrapContext = (scope: string, version: number) => ({
  scope: 'root',
  table: 'vault_data_keys',
  column: 'wrapped',
  row: `${scope}#${version}`,
});

export function wrapDataKey(
  root: RootAccess,
  rootVersion: number,
  scope: string,
  version: number,
  key: Buffer,
): string {
  const rootKey = root.ring.get(rootVersion);
  if (!rootKey) throw new AppError('STEWARD_SEALED', `Root key v${rootVersion} is not loaded.`);
  return encodeEnvelope(sealBytes(rootKey, rootVersion, key, associatedData(wrapContext(scope, version), rootVersion)));
}

export function unwrapDataKey(
  root: RootAccess,
  row: Pick<DataKeyRow, 'scope' | 'version' | 'wrapped' | 'root_version'>,
): Buffer {
  const rootKey = root.ring.get(row.root_version);
  if (!rootKey) throw new AppError('STEWARD_SEALED', `Root key v${row.root_version} is not loaded.`);
  const envelope = decodeEnvelope(row.wrapped);
  if (readHeader(envelope).keyVersion !== row.root_version) throw new IntegrityError('wrapped key relabelled');
  return openBytes(rootKey, envelope, associatedData(wrapContext(row.scope, row.version), row.root_version));
}

export class DataKeyCache {
  private readonly scopes = new Map<string, ScopeEntry>();

  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
    private readonly root: () => RootAccess,
    private readonly maxOperations: number,
  ) {}

  /** Block size for counter reservations: large enough to keep writes rare, small enough to respect the limit. */
  private block(): number {
    return Math.max(1, Math.min(1024, Math.floor(this.maxOperations / 16)));
  }

  forget(scope?: string): void {
    if (scope === undefined) this.scopes.clear();
    else this.scopes.delete(scope);
  }

  async load(scope: string, exec: Executor = this.db): Promise<ScopeEntry> {
    const rows = await vaultStore.scopeKeys(exec, scope);
    const root = this.root();
    const previous = this.scopes.get(scope);
    const versions = new Map<number, KeyEntry>();
    let active: number | undefined;
    for (const row of rows) {
      const usable = row.state === 'active' || row.state === 'decrypt_only';
      versions.set(row.version, { key: usable ? unwrapDataKey(root, row) : undefined, state: row.state });
      if (row.state === 'active') active = row.version;
    }
    const keepCounter = previous !== undefined && previous.active === active;
    const entry: ScopeEntry = {
      versions,
      active,
      used: keepCounter ? previous.used : 0,
      reservedUpTo: keepCounter ? previous.reservedUpTo : 0,
    };
    this.scopes.set(scope, entry);
    return entry;
  }

  async keyFor(scope: string, version: number): Promise<Buffer> {
    let entry = this.scopes.get(scope);
    if (!entry || !entry.versions.has(version)) entry = await this.load(scope);
    const found = entry.versions.get(version);
    if (!found) throw new IntegrityError('no such key version');
    if (!found.key) throw new IntegrityError(`key version ${found.state}`);
    return found.key;
  }

  /** Creates the first key of a scope (or the next version, replacing the active one). */
  async createVersion(scope: string, exec: Executor = this.db): Promise<number> {
    const rows = await vaultStore.scopeKeys(exec, scope);
    if (rows.length > 0 && rows.every((r) => r.state === 'destroyed')) {
      throw new AppError('STEWARD_CONFLICT', 'The keys of this scope were destroyed; it cannot hold new secrets.');
    }
    const version = rows.reduce((max, r) => Math.max(max, r.version), 0) + 1;
    const root = this.root();
    const key = newDataKey();
    const wrapped = wrapDataKey(root, root.activeVersion, scope, version, key);
    key.fill(0);
    await inTransaction(exec, async (trx) => {
      for (const r of rows)
        if (r.state === 'active') await vaultStore.setDataKeyState(trx, scope, r.version, 'decrypt_only');
      await vaultStore.insertDataKey(trx, {
        scope,
        version,
        wrapped,
        root_version: root.activeVersion,
        state: 'active',
        ops_reserved: 0,
        created_at: this.clock.iso(),
      });
    });
    this.forget(scope);
    return version;
  }

  /** The active key of a scope with one encryption counted against it; rotates the key at its limit. */
  async takeForSeal(scope: string, exec: Executor = this.db): Promise<{ version: number; key: Buffer }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      let entry = this.scopes.get(scope) ?? (await this.load(scope, exec));
      if (entry.active === undefined) {
        await this.createScopeIfAbsent(scope, exec);
        entry = await this.load(scope, exec);
      }
      const version = entry.active!;
      if (entry.used < entry.reservedUpTo) {
        entry.used += 1;
        return { version, key: entry.versions.get(version)!.key! };
      }
      const row = await vaultStore.dataKey(exec, scope, version);
      if (!row || row.state !== 'active') {
        // Another process replaced the key; read the scope again.
        this.forget(scope);
        continue;
      }
      const grant = Math.min(this.block(), this.maxOperations - row.ops_reserved);
      if (grant <= 0) {
        await this.rotateAtLimit(scope, version, exec);
        continue;
      }
      if (!(await vaultStore.reserveOps(exec, scope, version, row.ops_reserved, row.ops_reserved + grant))) continue;
      entry.used = row.ops_reserved;
      entry.reservedUpTo = row.ops_reserved + grant;
    }
    throw new AppError('STEWARD_INTERNAL', 'Could not reserve a data key operation.');
  }

  private async createScopeIfAbsent(scope: string, exec: Executor): Promise<void> {
    const rows = await vaultStore.scopeKeys(exec, scope);
    if (rows.some((r) => r.state === 'active')) return;
    try {
      await this.createVersion(scope, exec);
    } catch (err) {
      // Two writers creating the same scope at once: the primary key lets one win; the other reads its key.
      const again = await vaultStore.scopeKeys(exec, scope);
      if (!again.some((r) => r.state === 'active')) throw err;
    }
  }

  private async rotateAtLimit(scope: string, version: number, exec: Executor): Promise<void> {
    const rows = await vaultStore.scopeKeys(exec, scope);
    const current = rows.find((r) => r.state === 'active');
    if (current?.version === version) {
      try {
        await this.createVersion(scope, exec);
      } catch {
        // Another process rotated first.
      }
    }
    this.forget(scope);
  }
}
