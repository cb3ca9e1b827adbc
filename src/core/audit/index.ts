/**
 * The audit trail (written by every module inside its own transactions) and its reader (who may read which
 * entries). The reader needs organisations, which are built after the trail, so it has its own register step.
 */
import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createAuditReader } from './audit.reader.js';
import { createAuditService } from './audit.service.js';

export interface AuditModuleDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'auditChainKey'>;
  readonly timeoutMs: number;
}

export function registerAudit(deps: AuditModuleDeps) {
  return createAuditService({ ...deps, logger: deps.logger.child({ module: 'audit' }) });
}

export function registerAuditReader(deps: {
  readonly audit: ReturnType<typeof registerAudit>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
}) {
  return createAuditReader(deps);
}
