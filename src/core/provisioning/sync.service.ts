import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { ProvisioningConfig } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { ServersService } from '../servers/servers.service.js';
import type { DriverFactory } from './drivers.js';
import { describeFailure, instanceRowFrom, scheduleInstruction } from './provisioning.rules.js';
import { provisioningStore as store } from './provisioning.store.js';
import type { AccountRow } from './provisioning.types.js';

export const SYNC_QUEUE = 'provisioning.sync';
const SCHEDULE = 'instance-sync';
/** Accounts read at once; one slow provider then delays only its own slot. */
const PARALLEL_ACCOUNTS = 4;

export interface SyncDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: ProvisioningConfig;
  readonly audit: Pick<AuditService, 'record'>;
  readonly queue: Queue;
  readonly drivers: DriverFactory;
  readonly servers: Pick<ServersService, 'allRows'>;
  /**
   * Told when an instance that has a server record changes state or address at the provider, after the sync has
   * recorded it (the servers module can then mark the server, or follow a new address).
   */
  readonly onInstanceChange?: (change: InstanceChange) => Promise<void>;
}

export interface InstanceChange {
  readonly orgId: string;
  readonly serverId: string;
  readonly accountId: string;
  readonly nodeId: string;
  readonly state: string;
  /** Null while the instance has none (stopped instances lose their public address on EC2). */
  readonly publicIp: string | null;
  readonly privateIp: string | null;
}

/**
 * The status sync: a recurring job that reads every connected account's instances and keeps Steward's record
 * of them in step, auditing each change it sees (an instance stopped from the provider's console shows up in
 * the organisation's timeline). One chain of jobs: the schedule row names the job that continues it, so a
 * stray duplicate ends itself; within a process, runs never overlap.
 */
export function createSyncService(deps: SyncDeps) {
  const { db, clock } = deps;
  let running: Promise<void> | undefined;

  async function syncAccount(account: AccountRow): Promise<void> {
    const changed: Omit<InstanceChange, 'serverId'>[] = [];
    try {
      const { driver, opts } = await deps.drivers.open(account, scheduleInstruction(account));
      const nodes = await driver.listNodes(undefined, opts);
      const now = clock.iso();
      const known = new Map((await store.instancesOfAccount(db, account.id)).map((r) => [r.node_id, r]));
      await db.transaction().execute(async (trx) => {
        for (const node of nodes) {
          const before = known.get(node.id);
          known.delete(node.id);
          const row = instanceRowFrom(node, account, now);
          await store.saveInstance(trx, row);
          if (before && before.state !== node.state)
            await recordChange(trx, account, node.id, before.state, node.state);
          if (before && (before.state !== row.state || before.public_ip !== row.public_ip))
            changed.push({
              orgId: account.org_id,
              accountId: account.id,
              nodeId: node.id,
              state: row.state,
              publicIp: row.public_ip,
              privateIp: row.private_ip,
            });
        }
        // What the provider no longer lists is gone (ElasticHosts forgets destroyed servers; EC2 after an hour).
        for (const gone of known.values()) {
          await store.forgetInstance(trx, account.id, gone.node_id);
          if (gone.state !== 'terminated') {
            await recordChange(trx, account, gone.node_id, gone.state, 'terminated');
            changed.push({
              orgId: account.org_id,
              accountId: account.id,
              nodeId: gone.node_id,
              state: 'terminated',
              publicIp: null,
              privateIp: null,
            });
          }
        }
        await store.noteSync(trx, account.id, { last_sync_at: now, last_sync_error: null });
      });
    } catch (err) {
      const failure = describeFailure(err);
      deps.logger.warn({ account: account.id, code: failure.code }, 'instance status sync failed for one account');
      await store
        .noteSync(db, account.id, {
          last_sync_at: clock.iso(),
          last_sync_error: `${failure.code}: ${failure.message}`.slice(0, 300),
        })
        .catch(() => undefined);
      return;
    }
    await tellServers(account.org_id, changed);
  }

  async function tellServers(orgId: string, changes: Omit<InstanceChange, 'serverId'>[]): Promise<void> {
    if (!deps.onInstanceChange || changes.length === 0) return;
    const servers = await deps.servers.allRows(orgId);
    for (const change of changes) {
      const server = servers.find(
        (s) => s.provider_account_id === change.accountId && s.provider_node_id === change.nodeId,
      );
      if (!server) continue;
      await deps
        .onInstanceChange({ ...change, serverId: server.id })
        .catch((err: unknown) =>
          deps.logger.warn(
            { server: server.id, err: (err as Error).message },
            'the servers module could not take an instance change',
          ),
        );
    }
  }

  function recordChange(trx: Executor, account: AccountRow, nodeId: string, from: string, to: string) {
    return deps.audit.record(trx, {
      action: 'instance.state_changed',
      orgId: account.org_id,
      actor: { type: 'system' },
      target: { type: 'instance', id: `${account.id}/${nodeId}` },
      details: { from, to },
    });
  }

  async function syncAll(): Promise<void> {
    const accounts = await store.allAccounts(db);
    let next = 0;
    const worker = async () => {
      while (next < accounts.length) await syncAccount(accounts[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_ACCOUNTS, accounts.length) }, worker));
  }

  /** Runs one sync now (or joins the one already running in this process). */
  function syncNow(): Promise<void> {
    running ??= syncAll().finally(() => (running = undefined));
    return running;
  }

  /** Whether the schedule needs (re)starting: no sync job is queued or running. Read before the transaction that starts it. */
  async function scheduleNeeded(): Promise<boolean> {
    if (deps.config.syncIntervalMs === 0) return false;
    const current = await store.scheduleJob(db, SCHEDULE);
    const job = current ? await deps.queue.get(current) : undefined;
    return !(job && (job.status === 'queued' || job.status === 'running'));
  }

  /** Inside the transaction that connects an account: enqueue the next sync and name it in the schedule. */
  async function startSchedule(trx: Executor): Promise<void> {
    const id = await deps.queue.enqueue(trx, {
      queue: SYNC_QUEUE,
      payload: {},
      runAt: new Date(clock.nowMs() + deps.config.syncIntervalMs),
      maxAttempts: 3,
    });
    await store.setScheduleJob(trx, SCHEDULE, id, clock.iso());
  }

  /** The job: sync, then enqueue the next run, if this job is the one the schedule names and accounts remain. */
  async function syncJob(job: JobContext): Promise<void> {
    if ((await store.scheduleJob(db, SCHEDULE)) !== job.id) return;
    if (running) {
      await running; // a sync started by hand is under way; this run would only repeat it
    } else {
      await syncNow();
    }
    if (deps.config.syncIntervalMs === 0) return;
    await db.transaction().execute(async (trx) => {
      if ((await store.scheduleJob(trx, SCHEDULE)) !== job.id || (await store.countAccounts(trx)) === 0) return;
      await startSchedule(trx);
    });
  }

  return { syncNow, syncJob, scheduleNeeded, startSchedule, syncAccount };
}

export type SyncService = ReturnType<typeof createSyncService>;
