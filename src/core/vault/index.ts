/**
 * The vault and its key rotation. Rotation re-encrypts every sealed column other modules declare (each module's
 * index exports its `…_SEALED` specs; core lists them).
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import { createKeyRotation } from './vault.rotation.js';
import { createVault } from './vault.service.js';
import type { SealedColumnSpec } from './vault.types.js';

export interface VaultModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'rootKey' | 'keyMaxOperations'>;
  readonly sealedColumns: readonly SealedColumnSpec[];
}

export function registerVault(deps: VaultModuleDeps) {
  const logger = deps.logger.child({ module: 'vault' });
  const vault = createVault({ db: deps.db, clock: deps.clock, logger, config: deps.config });
  const rotation = createKeyRotation({
    db: deps.db,
    clock: deps.clock,
    logger,
    config: deps.config,
    vault,
    sealedColumns: deps.sealedColumns,
  });
  return { vault, rotation };
}

export type { Vault } from './vault.service.js';
export type { SealedColumnSpec } from './vault.types.js';
