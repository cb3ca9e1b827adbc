import type { Db } from '../../db/database.js';
import type { BillingUsageTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';
import type { BackupsPort, UsageSource } from './billing.types.js';
import { billingStore } from './billing.store.js';

export interface MeteringDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly usage: UsageSource;
  readonly backups: Pick<BackupsPort, 'storageBytes'>;
}

const HOUR = 3_600_000;

/**
 * Hourly usage: what each organisation had under management in an hour, measured once in that hour (the first
 * worker to run it wins; the row's key makes a second run change nothing). An hour no worker measured is not
 * billed: Steward never charges for what it did not see.
 */
export function createMeteringService(deps: MeteringDeps) {
  return {
    /** Records the current hour for every organisation that has anything under management. */
    async meter(): Promise<{ hour: string; organisations: number }> {
      const hourMs = Math.floor(deps.clock.nowMs() / HOUR) * HOUR;
      const hour = new Date(hourMs).toISOString();
      const [servers, instances, monitored] = await Promise.all([
        deps.usage.servers(),
        deps.usage.instances(),
        deps.usage.monitored(),
      ]);
      const orgIds = [...new Set([...servers.keys(), ...instances.keys(), ...monitored.keys()])];
      const bytes = await deps.backups.storageBytes(orgIds);
      for (const id of bytes.keys()) if (!orgIds.includes(id)) orgIds.push(id);
      const rows: BillingUsageTable[] = orgIds.map((orgId) => ({
        org_id: orgId,
        hour,
        servers: servers.get(orgId) ?? 0,
        instances: instances.get(orgId) ?? 0,
        monitored: monitored.get(orgId) ?? 0,
        backup_bytes: String(bytes.get(orgId) ?? 0n),
        recorded_at: deps.clock.iso(),
      }));
      for (let i = 0; i < rows.length; i += 200) await billingStore.recordUsage(deps.db, rows.slice(i, i + 200));
      return { hour, organisations: rows.length };
    },
  };
}

export type MeteringService = ReturnType<typeof createMeteringService>;
