/** Organisations, their members and invitations. */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createOrgsService } from './orgs.service.js';

export interface OrgsModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'emailIndex' | 'createScope' | 'ensureOpen'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly users: Pick<UsersService, 'profiles'>;
}

export function registerOrgs(deps: OrgsModuleDeps) {
  return createOrgsService(deps);
}

export { INVITATIONS_SEALED } from './orgs.store.js';
export { createOrgsPrivacy } from './orgs.privacy.js';
