/** The credential-use ledger: every provider call and SSH login, with the instruction behind it. */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import { createLedgerService } from './ledger.service.js';

export function registerLedger(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
}) {
  return createLedgerService(deps);
}
