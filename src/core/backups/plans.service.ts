/**
 * Backup plans: what to back up on a server, when (a standing instruction, like a discovery schedule), where,
 * and how long to keep it. Proposed from discovery, editable by members; credentials a plan uses are a found
 * one (by reference) or one given (sealed).
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { secret } from '../../kernel/secret.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { DiscoveryService } from '../discovery/discovery.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import {
  assertDatabaseName,
  assertDbUser,
  assertExcludes,
  assertInterval,
  assertPaths,
  keepRules,
  proposePlans,
} from './backups.rules.js';
import { backupsStore, type PlanRow } from './backups.store.js';
import type { DbAuth, KeepRules, PlanInput, PlanPatch } from './backups.types.js';
import type { Repositories } from './repositories.js';

export interface PlansDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer'>;
  readonly discovery: Pick<DiscoveryService, 'underGrant'>;
  readonly repositories: Pick<Repositories, 'defaultRepository' | 'requireRepository'>;
}

export const planView = (p: PlanRow) => ({
  id: p.id,
  serverId: p.server_id,
  repositoryId: p.repository_id,
  name: p.name,
  kind: p.kind,
  database: p.database,
  paths: JSON.parse(p.paths) as string[],
  excludes: JSON.parse(p.excludes) as string[],
  dbAuth: p.db_auth,
  dbUser: p.db_user,
  dbSecretId: p.db_secret_id,
  hasGivenPassword: p.db_password_sealed !== null,
  everyMinutes: p.interval_minutes,
  nextRunAt: p.next_run_at,
  keep: JSON.parse(p.keep) as KeepRules,
  enabled: p.enabled === 1,
  lastOkAt: p.last_ok_at,
  lastFailedAt: p.last_failed_at,
  createdAt: p.created_at,
  updatedAt: p.updated_at,
});
export type PlanView = ReturnType<typeof planView>;

export function createPlansService(deps: PlansDeps) {
  const { db, clock } = deps;

  /** Checks the database access a plan asks for; returns the columns to store. */
  async function dbAccess(
    orgId: string,
    serverId: string,
    input: { dbAuth?: DbAuth; dbUser?: string; dbSecretId?: string; dbPassword?: string },
    planId: string,
  ): Promise<Pick<PlanRow, 'db_auth' | 'db_user' | 'db_secret_id' | 'db_password_sealed'>> {
    const auth = input.dbAuth ?? (input.dbPassword ? 'given' : input.dbSecretId ? 'found' : 'login');
    if (auth === 'login') return { db_auth: 'login', db_user: null, db_secret_id: null, db_password_sealed: null };
    if (auth === 'found') {
      if (!input.dbSecretId)
        throw invalidInput('dbSecretId: name the found credential to use.', { field: 'dbSecretId' });
      const found = (await deps.discovery.underGrant.foundSecretsFor(orgId, serverId)).find(
        (s) => s.id === input.dbSecretId,
      );
      if (!found || found.kind !== 'password')
        throw invalidInput('dbSecretId must name a password discovery found on this server.', { field: 'dbSecretId' });
      const user = input.dbUser ?? (typeof found.context.user === 'string' ? found.context.user : undefined);
      if (!user) throw invalidInput('dbUser: the found credential names no account; give one.', { field: 'dbUser' });
      return { db_auth: 'found', db_user: assertDbUser(user), db_secret_id: found.id, db_password_sealed: null };
    }
    if (!input.dbUser) throw invalidInput('dbUser: name the database account.', { field: 'dbUser' });
    if (!input.dbPassword) throw invalidInput('dbPassword: give the account’s password.', { field: 'dbPassword' });
    const sealed = await deps.vault.seal(
      { scope: orgId, table: 'backup_plans', column: 'db_password_sealed', row: planId },
      secret(input.dbPassword),
    );
    return { db_auth: 'given', db_user: assertDbUser(input.dbUser), db_secret_id: null, db_password_sealed: sealed };
  }

  async function requirePlan(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<PlanRow> {
    const row = await backupsStore.plan(db, orgId, id);
    if (!row) throw notFound('The backup plan');
    await deps.servers.requireServer(actor, orgId, row.server_id, ctx);
    return row;
  }

  return {
    requirePlan,
    view: planView,

    async list(actor: Actor, orgId: string, serverId: string | undefined, ctx: RequestContext): Promise<PlanView[]> {
      if (serverId) await deps.servers.requireServer(actor, orgId, serverId, ctx);
      else await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await backupsStore.plans(db, orgId, serverId)).map(planView);
    },

    /** What discovery suggests for a server that no plan covers yet (nothing is created). */
    async propose(actor: Actor, orgId: string, serverId: string, ctx: RequestContext): Promise<PlanInput[]> {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      const facts = await deps.discovery.underGrant.factsFor(orgId, serverId);
      return proposePlans(serverId, facts.facts, await backupsStore.plans(db, orgId, serverId));
    },

    async create(actor: Actor, orgId: string, input: PlanInput, ctx: RequestContext): Promise<PlanView> {
      const server = await deps.servers.requireServer(actor, orgId, input.serverId, ctx);
      const id = newId('bplan', clock.nowMs());
      const isDb = input.kind !== 'files';
      const database = isDb ? assertDatabaseName(input.database ?? '') : null;
      const paths = isDb ? [] : assertPaths(input.paths, 'paths');
      const excludes = isDb ? [] : assertExcludes(input.excludes);
      const minutes = assertInterval(input.everyMinutes);
      const keep = keepRules(input.keep);
      const repo = input.repositoryId
        ? await deps.repositories.requireRepository(orgId, input.repositoryId)
        : await deps.repositories.defaultRepository(orgId);
      const access = isDb
        ? await dbAccess(orgId, server.id, input, id)
        : { db_auth: null, db_user: null, db_secret_id: null, db_password_sealed: null };
      const now = clock.iso();
      const row: PlanRow = {
        id,
        org_id: orgId,
        server_id: server.id,
        repository_id: repo.id,
        name: (input.name ?? (isDb ? `${input.kind} ${database}` : 'Files')).slice(0, 200),
        kind: input.kind,
        database,
        paths: JSON.stringify(paths),
        excludes: JSON.stringify(excludes),
        ...access,
        interval_minutes: minutes,
        next_run_at: new Date(clock.nowMs() + minutes * 60_000).toISOString(),
        keep: JSON.stringify(keep),
        enabled: input.enabled === false ? 0 : 1,
        set_by: actor.userId,
        last_ok_at: null,
        last_failed_at: null,
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await backupsStore.insertPlan(trx, row);
        await deps.audit.record(
          trx,
          {
            action: 'backup.plan_created',
            orgId,
            actor: auditActor(actor),
            target: { type: 'backup_plan', id },
            details: {
              server: server.id,
              kind: row.kind,
              database,
              paths,
              everyMinutes: minutes,
              keep,
              repository: repo.id,
              dbAuth: row.db_auth,
            },
          },
          ctx,
        );
      });
      return planView(row);
    },

    async update(actor: Actor, orgId: string, id: string, patch: PlanPatch, ctx: RequestContext): Promise<PlanView> {
      const row = await requirePlan(actor, orgId, id, ctx);
      const next: PlanRow = { ...row, updated_at: clock.iso(), set_by: actor.userId };
      if (patch.name !== undefined) next.name = patch.name.slice(0, 200);
      if (row.kind !== 'files' && patch.database !== undefined) next.database = assertDatabaseName(patch.database);
      if (row.kind === 'files' && patch.paths !== undefined)
        next.paths = JSON.stringify(assertPaths(patch.paths, 'paths'));
      if (row.kind === 'files' && patch.excludes !== undefined)
        next.excludes = JSON.stringify(assertExcludes(patch.excludes));
      if (patch.everyMinutes !== undefined) {
        next.interval_minutes = assertInterval(patch.everyMinutes);
        next.next_run_at = new Date(clock.nowMs() + next.interval_minutes * 60_000).toISOString();
      }
      if (patch.keep !== undefined)
        next.keep = JSON.stringify(keepRules(patch.keep, JSON.parse(row.keep) as KeepRules));
      if (patch.enabled !== undefined) next.enabled = patch.enabled ? 1 : 0;
      if (patch.repositoryId !== undefined)
        next.repository_id = (await deps.repositories.requireRepository(orgId, patch.repositoryId)).id;
      if (row.kind !== 'files' && (patch.dbAuth || patch.dbPassword || patch.dbSecretId || patch.dbUser))
        Object.assign(next, await dbAccess(orgId, row.server_id, { dbUser: row.db_user ?? undefined, ...patch }, id));
      await db.transaction().execute(async (trx) => {
        await backupsStore.updatePlan(trx, id, next);
        await deps.audit.record(
          trx,
          {
            action: 'backup.plan_changed',
            orgId,
            actor: auditActor(actor),
            target: { type: 'backup_plan', id },
            details: {
              fields: Object.keys(patch)
                .filter((k) => k !== 'dbPassword')
                .concat(patch.dbPassword ? ['dbPassword'] : []),
            },
          },
          ctx,
        );
      });
      return planView(next);
    },

    async remove(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<void> {
      await requirePlan(actor, orgId, id, ctx);
      await db.transaction().execute(async (trx) => {
        await backupsStore.deletePlan(trx, id);
        await deps.audit.record(
          trx,
          { action: 'backup.plan_deleted', orgId, actor: auditActor(actor), target: { type: 'backup_plan', id } },
          ctx,
        );
      });
    },
  };
}

export type PlansService = ReturnType<typeof createPlansService>;
