/**
 * Which servers an organisation monitors and who hears about it: "every server" or chosen ones, the sampling
 * interval, and the alert e-mail recipients (personal data, sealed through the vault). Switching a server on is
 * a standing instruction: every sampling login is recorded in the ledger against it.
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { conflict, invalidInput } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { alertingStore } from './alerting.store.js';
import { DEFAULT_RULES } from './alerting.rules.js';
import { firstOnPhase, phaseOf } from './phase.js';
import { targetsStore, type SettingsRow, type TargetRow } from './targets.store.js';

export const MIN_INTERVAL_SECONDS = 10;
export const MAX_INTERVAL_SECONDS = 86_400;
export const MAX_RECIPIENTS = 20;
const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export interface SettingsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'allRows'>;
  readonly defaultIntervalSeconds: number;
  /** Closes a server's kept login when monitoring of it stops. */
  readonly releaseLogin: (serverId: string) => void;
}

export interface SettingsView {
  readonly monitorAll: boolean;
  readonly intervalSeconds: number;
  readonly recipients: string[];
}

const sealCtx = (orgId: string) => ({
  scope: orgId,
  table: 'monitoring_settings',
  column: 'recipients_sealed',
  row: orgId,
});

export function assertInterval(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < MIN_INTERVAL_SECONDS || seconds > MAX_INTERVAL_SECONDS) {
    throw invalidInput(
      `intervalSeconds must be a whole number from ${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}.`,
      { field: 'intervalSeconds' },
    );
  }
}

export function normaliseRecipients(list: readonly string[]): string[] {
  if (list.length > MAX_RECIPIENTS)
    throw invalidInput(`At most ${MAX_RECIPIENTS} alert recipients.`, { field: 'recipients' });
  const out = [...new Set(list.map((e) => e.trim().toLowerCase()))];
  for (const e of out)
    if (e.length > 254 || !EMAIL.test(e))
      throw invalidInput(`"${e.slice(0, 80)}" is not an e-mail address.`, { field: 'recipients' });
  return out;
}

export function createSettingsService(deps: SettingsDeps) {
  const { db, clock } = deps;

  async function recipients(orgId: string): Promise<string[]> {
    const row = await targetsStore.settings(db, orgId);
    if (!row?.recipients_sealed) return [];
    return JSON.parse((await deps.vault.openText(sealCtx(orgId), row.recipients_sealed)).reveal()) as string[];
  }

  const intervalOf = async (orgId: string): Promise<number> =>
    (await targetsStore.settings(db, orgId))?.interval_seconds ?? deps.defaultIntervalSeconds;

  /** A new organisation's first monitoring setting also gives it the default alert rules. */
  async function seedRules(
    exec: Parameters<typeof alertingStore.countRules>[0],
    orgId: string,
    by: string | null,
  ): Promise<void> {
    if ((await targetsStore.settings(exec, orgId)) || (await alertingStore.countRules(exec, orgId)) > 0) return;
    const at = clock.iso();
    for (const r of DEFAULT_RULES)
      await alertingStore.insertRule(exec, {
        ...r,
        id: newId('rule', clock.nowMs()),
        org_id: orgId,
        server_id: null,
        enabled: 1,
        created_by: by,
        created_at: at,
        updated_at: at,
      });
  }

  const newTarget = (orgId: string, serverId: string, interval: number, by: string | null): TargetRow => ({
    server_id: serverId,
    org_id: orgId,
    enabled: 1,
    interval_seconds: interval,
    next_run_ms: clock.nowMs(),
    owner: null,
    lease_until_ms: null,
    set_by: by,
    counters: null,
    security: null,
    latest: null,
    integrity_at_ms: null,
    last_sample_at: null,
    last_ok_at: null,
    last_error: null,
    failures: 0,
    samples_due: 0,
    samples_taken: 0,
    samples_late: 0,
    samples_missed: 0,
    created_at: clock.iso(),
    updated_at: clock.iso(),
  });

  /**
   * Organisations that monitor every server: servers that are ready and not yet monitored (nor switched off) get a
   * target. One new server is sampled at once; several found together (monitoring switched on for a fleet) have
   * their first samples spread over the first interval, each on its phase.
   */
  async function syncMonitorAll(): Promise<number> {
    let added = 0;
    for (const s of await targetsStore.monitorAll(db)) {
      const known = new Set((await targetsStore.targetsOf(db, s.org_id)).map((t) => t.server_id));
      const fresh = (await deps.servers.allRows(s.org_id)).filter((r) => r.status === 'ready' && !known.has(r.id));
      const interval = s.interval_seconds * 1000;
      for (const server of fresh) {
        const target = newTarget(s.org_id, server.id, s.interval_seconds, s.set_by);
        if (fresh.length > 1)
          target.next_run_ms = firstOnPhase(target.next_run_ms, interval, phaseOf(server.id, interval));
        await targetsStore.insertTarget(db, target);
        added++;
      }
    }
    return added;
  }

  return {
    recipients,
    syncMonitorAll,
    async getSettings(actor: Actor, orgId: string, ctx: RequestContext): Promise<SettingsView> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const row = await targetsStore.settings(db, orgId);
      return {
        monitorAll: row?.monitor_all === 1,
        intervalSeconds: row?.interval_seconds ?? deps.defaultIntervalSeconds,
        recipients: await recipients(orgId),
      };
    },
    async putSettings(
      actor: Actor,
      orgId: string,
      input: { monitorAll: boolean; intervalSeconds?: number; recipients: readonly string[] },
      ctx: RequestContext,
    ): Promise<SettingsView> {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      const interval = input.intervalSeconds ?? (await intervalOf(orgId));
      assertInterval(interval);
      const list = normaliseRecipients(input.recipients);
      const at = clock.iso();
      await db.transaction().execute(async (trx) => {
        await seedRules(trx, orgId, actor.userId);
        const row: SettingsRow = {
          org_id: orgId,
          monitor_all: input.monitorAll ? 1 : 0,
          interval_seconds: interval,
          recipients_sealed: list.length > 0 ? await deps.vault.seal(sealCtx(orgId), JSON.stringify(list), trx) : null,
          recipient_count: list.length,
          set_by: actor.userId,
          updated_at: at,
        };
        await targetsStore.upsertSettings(trx, row);
        await deps.audit.record(
          trx,
          {
            action: 'monitoring.settings_changed',
            orgId,
            actor: auditActor(actor),
            target: { type: 'org', id: orgId },
            details: { monitorAll: input.monitorAll, intervalSeconds: interval, recipients: list.length },
          },
          ctx,
        );
      });
      if (input.monitorAll) await syncMonitorAll();
      return { monitorAll: input.monitorAll, intervalSeconds: interval, recipients: list };
    },
    async enableServer(
      actor: Actor,
      orgId: string,
      serverId: string,
      intervalSeconds: number | undefined,
      ctx: RequestContext,
    ) {
      const server = await deps.servers.requireServer(actor, orgId, serverId, ctx, 'owner');
      if (server.status === 'removing' || server.status === 'remove_failed')
        throw conflict('The server is being removed.');
      const interval = intervalSeconds ?? (await intervalOf(orgId));
      assertInterval(interval);
      await db.transaction().execute(async (trx) => {
        await seedRules(trx, orgId, actor.userId);
        if (!(await targetsStore.settings(trx, orgId))) {
          await targetsStore.upsertSettings(trx, {
            org_id: orgId,
            monitor_all: 0,
            interval_seconds: deps.defaultIntervalSeconds,
            recipients_sealed: null,
            recipient_count: 0,
            set_by: actor.userId,
            updated_at: clock.iso(),
          });
        }
        const existing = await targetsStore.target(trx, serverId);
        if (existing)
          await targetsStore.updateTarget(trx, serverId, {
            enabled: 1,
            interval_seconds: interval,
            set_by: actor.userId,
            next_run_ms: Math.min(existing.next_run_ms, clock.nowMs() + interval * 1000),
            updated_at: clock.iso(),
          });
        else await targetsStore.insertTarget(trx, newTarget(orgId, serverId, interval, actor.userId));
        await deps.audit.record(
          trx,
          {
            action: 'monitoring.enabled',
            orgId,
            actor: auditActor(actor),
            target: { type: 'server', id: serverId },
            details: { intervalSeconds: interval },
          },
          ctx,
        );
      });
      return { serverId, enabled: true, intervalSeconds: interval };
    },
    async disableServer(actor: Actor, orgId: string, serverId: string, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx, 'owner');
      await db.transaction().execute(async (trx) => {
        const existing = await targetsStore.target(trx, serverId);
        if (existing)
          await targetsStore.updateTarget(trx, serverId, {
            enabled: 0,
            owner: null,
            lease_until_ms: null,
            updated_at: clock.iso(),
          });
        else
          await targetsStore.insertTarget(trx, {
            ...newTarget(orgId, serverId, await intervalOf(orgId), actor.userId),
            enabled: 0,
          });
        await deps.audit.record(
          trx,
          { action: 'monitoring.disabled', orgId, actor: auditActor(actor), target: { type: 'server', id: serverId } },
          ctx,
        );
      });
      deps.releaseLogin(serverId);
      return { serverId, enabled: false, intervalSeconds: null };
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
