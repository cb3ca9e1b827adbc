import {
  associatedData,
  decodeEnvelope,
  encodeEnvelope,
  openBytes,
  readHeader,
  sealBytes,
  type SealContext,
} from '../../crypto/envelope.js';
import { deriveKey, keyCheckMatches, keyCheckValue, keyedHash, newRootKey, normaliseEmail } from '../../crypto/keys.js';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import { AppError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { Secret } from '../../kernel/secret.js';
import { DataKeyCache, unwrapDataKey, type RootAccess } from './keyring.js';
import { loadRootKeyRing, writeRootKeyRing } from './root-key.js';
import { vaultStore } from './vault.store.js';
import { HMAC_SCOPES, type SealedReason, type VaultStatus } from './vault.types.js';

export interface VaultDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'rootKey' | 'keyMaxOperations'>;
}

/**
 * The vault: root key → per-scope data keys → AES-256-GCM sealed values. Starts sealed; `start()` loads the
 * root key ring and checks it against the key-check values in the database. While sealed, every seal/open
 * throws STEWARD_SEALED (the API answers 503). See INVARIANTS.md.
 */
export function createVault(deps: VaultDeps) {
  let status: VaultStatus = { sealed: true, reason: 'not_started', message: 'The vault has not been started.' };
  let root: RootAccess | undefined;
  let hmac: { blindIndex: Buffer; audit: Buffer } | undefined;

  const rootAccess = (): RootAccess => {
    if (!root) throw sealedError();
    return root;
  };
  const keys = new DataKeyCache(deps.db, deps.clock, rootAccess, deps.config.keyMaxOperations);

  function sealedError(): AppError {
    const message = status.sealed ? status.message : 'The vault is sealed.';
    return new AppError('STEWARD_SEALED', message);
  }

  function seal(reason: SealedReason, message: string): VaultStatus {
    root = undefined;
    hmac = undefined;
    keys.forget();
    status = { sealed: true, reason, message };
    deps.logger.error({ reason }, `vault sealed: ${message}`);
    return status;
  }

  /** First start on an empty database: adopt (or create) the root key and create the HMAC keys. */
  async function initialise(): Promise<VaultStatus> {
    let load = loadRootKeyRing(deps.config.rootKey);
    if (load.status === 'missing') {
      if (deps.config.rootKey.kind !== 'file' || !deps.config.rootKey.createIfMissing) {
        return seal('root_key_missing', `No root key at ${load.where}.`);
      }
      writeRootKeyRing(deps.config.rootKey.path, new Map([[1, newRootKey()]]));
      deps.logger.warn(
        { path: deps.config.rootKey.path },
        'created a new root key (mode 0600); back it up: without it the data cannot be read',
      );
      load = loadRootKeyRing(deps.config.rootKey);
      if (load.status !== 'loaded') return seal('root_key_missing', 'The new root key could not be read back.');
    }
    const version = Math.max(...load.ring.keys());
    await deps.db.transaction().execute(async (trx) => {
      await vaultStore.insertRootKey(trx, version, keyCheckValue(load.ring.get(version)!), 'active', deps.clock.iso());
    });
    root = { ring: load.ring, activeVersion: version };
    for (const scope of Object.values(HMAC_SCOPES)) await keys.createVersion(scope);
    return unsealWith(root);
  }

  async function unsealWith(access: RootAccess): Promise<VaultStatus> {
    root = access;
    const blind = await keys.keyFor(HMAC_SCOPES.blindIndex, 1);
    const audit = await keys.keyFor(HMAC_SCOPES.audit, 1);
    hmac = { blindIndex: deriveKey(blind, 'blind-index'), audit: deriveKey(audit, 'audit-hmac') };
    status = { sealed: false, rootVersion: access.activeVersion };
    return status;
  }

  async function start(): Promise<VaultStatus> {
    const rows = await vaultStore.rootKeys(deps.db);
    if (rows.length === 0) return initialise();
    let load;
    try {
      load = loadRootKeyRing(deps.config.rootKey);
    } catch (err) {
      return seal('root_key_wrong', (err as Error).message);
    }
    if (load.status === 'missing')
      return seal('root_key_missing', `The root key is missing (${load.where}); the data was sealed with another key.`);
    const active = rows.find((r) => r.state === 'active');
    if (!active) return seal('root_key_wrong', 'The database names no active root key.');
    const inUse = new Set((await vaultStore.rootVersionsInUse(deps.db)).map((r) => r.root_version));
    inUse.add(active.version);
    for (const version of inUse) {
      const row = rows.find((r) => r.version === version);
      const key = load.ring.get(version);
      if (!row)
        return seal('root_key_wrong', `Data keys refer to root key v${version}, which the database does not list.`);
      if (!key) return seal('root_key_missing', `Root key v${version} is not in the configured key ring.`);
      if (!keyCheckMatches(key, row.kcv))
        return seal('root_key_wrong', `Root key v${version} does not match the database (key-check value differs).`);
    }
    // Keys in the ring the database does not know yet belong to a root rotation that had not recorded them.
    const known = new Map(
      [...load.ring].filter(([v]) => rows.some((r) => r.version === v && r.state !== 'retired') || v > active.version),
    );
    try {
      return await unsealWith({ ring: known, activeVersion: active.version });
    } catch (err) {
      return seal('root_key_wrong', `The root key could not open the vault's keys: ${(err as Error).message}`);
    }
  }

  const ensureOpen = (): void => {
    if (status.sealed) throw sealedError();
  };

  const toBytes = (value: string | Uint8Array | Secret<string>): Buffer =>
    value instanceof Secret
      ? Buffer.from(value.reveal(), 'utf8')
      : typeof value === 'string'
        ? Buffer.from(value, 'utf8')
        : Buffer.from(value);

  return {
    start,
    status: (): VaultStatus => status,
    isSealed: (): boolean => status.sealed,
    ensureOpen,
    /** Internal handles for rotation (same module). */
    internals: {
      keys,
      rootAccess,
      setRoot: (r: RootAccess) => {
        root = r;
        status = { sealed: false, rootVersion: r.activeVersion };
      },
    },

    /**
     * Seals a value for the place it will be stored. Call it before opening the transaction that stores the
     * value, or pass that transaction as `exec` (SQLite has one connection: a second one would wait forever).
     */
    async seal(ctx: SealContext, value: string | Uint8Array | Secret<string>, exec?: Executor): Promise<string> {
      ensureOpen();
      const { version, key } = await keys.takeForSeal(ctx.scope, exec);
      const plaintext = toBytes(value);
      try {
        return encodeEnvelope(sealBytes(key, version, plaintext, associatedData(ctx, version)));
      } finally {
        plaintext.fill(0);
      }
    },

    async open(ctx: SealContext, sealed: string): Promise<Buffer> {
      ensureOpen();
      const envelope = decodeEnvelope(sealed);
      const { keyVersion } = readHeader(envelope);
      const key = await keys.keyFor(ctx.scope, keyVersion);
      return openBytes(key, envelope, associatedData(ctx, keyVersion));
    },

    async openText(ctx: SealContext, sealed: string): Promise<Secret<string>> {
      const bytes = await this.open(ctx, sealed);
      const text = bytes.toString('utf8');
      bytes.fill(0);
      return new Secret(text);
    },

    /** Creates the key of a new scope (an organisation, a person) in the same transaction as its owner. */
    createScope: (scope: string, exec: Executor) => {
      ensureOpen();
      return keys.createVersion(scope, exec);
    },

    /** Crypto-shredding: the scope's key material is erased, so its sealed values can never be opened again. */
    async destroyScope(scope: string, exec: Executor): Promise<void> {
      await vaultStore.destroyScope(exec, scope);
      keys.forget(scope);
    },

    /** Keyed blind index of an e-mail address (lookups without storing the address in clear). */
    emailIndex(email: string): string {
      ensureOpen();
      return keyedHash(hmac!.blindIndex, `email:${normaliseEmail(email)}`);
    },

    /** Keyed hash for naming a secret in the audit log without revealing it. */
    auditHash(value: string | Uint8Array): string {
      ensureOpen();
      return keyedHash(hmac!.audit, value);
    },

    /** Key for chaining audit entries. */
    auditChainKey(): Buffer {
      ensureOpen();
      return hmac!.audit;
    },

    unwrapForCheck: (row: Parameters<typeof unwrapDataKey>[1]) => unwrapDataKey(rootAccess(), row),
  };
}

export type Vault = ReturnType<typeof createVault>;
