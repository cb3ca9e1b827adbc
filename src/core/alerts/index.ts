/** Alerts: raised by modules (a changed host key, a metric over its rule), resolved by them or by people. */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import { createAlertsService } from './alerts.service.js';

export function registerAlerts(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
}) {
  return createAlertsService(deps);
}
