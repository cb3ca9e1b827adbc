/**
 * The audit trail (written by every module inside its own transactions) and its reader (who may read which
 * entries). The reader needs organisations, which are built after the trail, so it has its own register step.
 */
import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { Vault } from '../vault/vault.service.js';
import { checkpointFile } from './audit.checkpoints.js';
import { createAuditReader } from './audit.reader.js';
import { createAuditService } from './audit.service.js';

export interface AuditModuleDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'auditChainKey'>;
  readonly timeoutMs: number;
  readonly config: {
    readonly sealIntervalMs: number;
    readonly checkpointEveryMs: number;
    readonly checkpointFile: string;
  };
}

export function registerAudit(deps: AuditModuleDeps) {
  const { config, ...rest } = deps;
  return createAuditService({
    ...rest,
    logger: deps.logger.child({ module: 'audit' }),
    checkpoints: checkpointFile(config.checkpointFile),
    sealIntervalMs: config.sealIntervalMs,
    checkpointEveryMs: config.checkpointEveryMs,
  });
}

export function registerAuditReader(deps: {
  readonly audit: ReturnType<typeof registerAudit>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
}) {
  return createAuditReader(deps);
}
