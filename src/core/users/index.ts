/** People: accounts (passwords hashed with Argon2id, TOTP) and their sign-in sessions. */
import { createPasswordHasher } from '../../crypto/passwords.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createSessionsService } from './sessions.service.js';
import { createUsersService } from './users.service.js';

export interface UsersModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Pick<
    Config,
    'argon2' | 'sessionIdleMs' | 'sessionMaxMs' | 'signinAttempts' | 'signinWindowMs' | 'signinMaxDelayMs'
  >;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'emailIndex' | 'createScope' | 'ensureOpen' | 'auditHash'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
}

export function registerUsers(deps: UsersModuleDeps) {
  const { db, clock, vault, audit } = deps;
  const passwords = createPasswordHasher(deps.config.argon2);
  const users = createUsersService({ db, clock, vault, audit, passwords });
  const sessions = createSessionsService({ db, clock, config: deps.config, vault, audit, passwords, users });
  return { passwords, users, sessions };
}

export { USERS_SEALED } from './users.store.js';
export { createSignUpService } from './signup.service.js';
