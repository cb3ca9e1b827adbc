import { sql } from 'kysely';
import type { PasswordHasher } from '../../crypto/passwords.js';
import type { Db, Engine } from '../../db/database.js';
import type { OrgDeletionsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { Secret } from '../../kernel/secret.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsPrivacy } from '../orgs/orgs.privacy.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { SessionsService } from '../users/sessions.service.js';
import type { UsersPrivacy } from '../users/users.privacy.js';
import type { Vault } from '../vault/vault.service.js';
import { eraseOrgRows } from './erase.store.js';

export interface DeletionDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'destroyScope'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly queue: Queue;
  readonly passwords: Pick<PasswordHasher, 'verify'>;
  readonly notify: Pick<NotifyService, 'forgetMails'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'getOrg'>;
  readonly orgData: Pick<OrgsPrivacy, 'markDeleting' | 'deleteOrg' | 'ownedBy'>;
  readonly servers: Pick<ServersService, 'allRows' | 'removeServer'>;
  readonly people: Pick<UsersPrivacy, 'deleteAccount' | 'passwordHash'>;
  /** A fresh password or one-time code, checked (and throttled) like a sign-in. */
  readonly identity: Pick<SessionsService, 'confirmIdentity'>;
}

/** How long erasure waits for servers to give back Steward's key before it goes on without them. */
const RELEASE_WAIT_MS = 30 * 60_000;
const RECHECK_MS = 2_000;

export const deletionView = (r: OrgDeletionsTable) => ({
  id: r.id,
  orgId: r.org_id,
  status: r.status,
  serversReleased: r.servers_released,
  serversLeft: r.servers_left,
  requestedAt: r.requested_at,
  finishedAt: r.finished_at,
});

/**
 * Organisation and account deletion. Deleting an organisation hides it at once, asks the servers service to take
 * Steward's key off every server, then (in a job that waits for those releases) destroys the organisation's data
 * keys, so any copy of its sealed values, in backups too, can no longer be opened, and erases its rows in every
 * table. The audit keeps that it happened, with counts and ids only.
 */
export function createDeletionService(deps: DeletionDeps) {
  const { db, clock } = deps;

  /**
   * SQLite keeps deleted rows' bytes in free pages and in its write-ahead log until they are reused. Erasure asks it
   * to zero what it frees (secure_delete) and, once done, to fold the log back into the file and truncate it, so a
   * copy of the files taken afterwards holds neither the erased rows nor the destroyed keys.
   */
  const overwriteFreedSpace = async () => {
    if (deps.engine === 'sqlite') await sql`PRAGMA secure_delete = ON`.execute(db);
  };
  const flushLog = async () => {
    if (deps.engine === 'sqlite') await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  };

  /**
   * Deleting needs the name typed and the owner's password or a fresh one-time code: a session or an API token
   * alone (which a stolen laptop or a leaked CI secret gives) never erases an organisation.
   */
  async function requestOrgDeletion(
    actor: Actor,
    orgId: string,
    input: { confirm: string; password?: Secret<string>; totpCode?: string },
    ctx: RequestContext,
  ) {
    await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
    const org = await deps.orgs.getOrg(actor, orgId, ctx);
    if (input.confirm !== org.name && input.confirm !== org.id) {
      throw new AppError(
        'STEWARD_CONFIRMATION_REQUIRED',
        'Deleting an organisation erases everything in it: set `confirm` to its exact name (or its id).',
        { field: 'confirm' },
      );
    }
    await deps.identity.confirmIdentity(
      actor,
      {
        ...(input.password === undefined ? {} : { password: input.password }),
        ...(input.totpCode === undefined ? {} : { totpCode: input.totpCode }),
      },
      ctx,
    );
    // Releasing first: the servers service needs the organisation (and its key) to take the key off each server.
    const servers = await deps.servers.allRows(orgId);
    for (const s of servers)
      if (s.status !== 'removing') await deps.servers.removeServer(actor, orgId, s.id, { force: false }, ctx);
    const row: OrgDeletionsTable = {
      id: newId('evt', clock.nowMs()),
      org_id: orgId,
      requested_by: actor.userId,
      status: 'releasing',
      servers_released: servers.length,
      servers_left: 0,
      requested_at: clock.iso(),
      finished_at: null,
    };
    await db.transaction().execute(async (trx) => {
      const res = await deps.orgData.markDeleting(trx, orgId);
      if (Number(res.numUpdatedRows) !== 1)
        throw new AppError('STEWARD_CONFLICT', 'This organisation is already being deleted.');
      await trx.insertInto('org_deletions').values(row).execute();
      await deps.queue.enqueue(trx, { queue: 'privacy.org_erase', payload: { deletionId: row.id }, maxAttempts: 10 });
      await deps.audit.record(
        trx,
        {
          action: 'org.deletion_requested',
          orgId,
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          details: { servers: servers.length },
        },
        ctx,
      );
    });
    return deletionView(row);
  }

  /** Job: waits for the servers to be released, then destroys the keys and erases the rows. Safe to repeat. */
  async function eraseOrg(job: JobContext): Promise<void> {
    const row = await db
      .selectFrom('org_deletions')
      .selectAll()
      .where('id', '=', String(job.payload.deletionId))
      .executeTakeFirst();
    if (!row || row.status === 'done') return;
    const orgId = row.org_id;
    if (row.status === 'releasing') {
      const servers = await deps.servers.allRows(orgId);
      const releasing = servers.filter((s) => s.status === 'removing').length;
      if (releasing > 0 && clock.nowMs() - Date.parse(row.requested_at) < RELEASE_WAIT_MS) {
        await deps.queue.enqueue(db, {
          queue: 'privacy.org_erase',
          payload: { deletionId: row.id },
          runAt: new Date(clock.nowMs() + RECHECK_MS),
          maxAttempts: 10,
        });
        return;
      }
      // Keys go first: from here on, whatever sealed value of this organisation survives anywhere is unreadable.
      await overwriteFreedSpace();
      await db.transaction().execute(async (trx) => {
        await deps.vault.destroyScope(orgId, trx);
        await trx
          .updateTable('org_deletions')
          .set({
            status: 'erasing',
            servers_left: servers.length,
            servers_released: Math.max(0, row.servers_released - servers.length),
          })
          .where('id', '=', row.id)
          .execute();
      });
    }
    await deps.notify.forgetMails(db, { orgId });
    const erased = await eraseOrgRows(db, deps.engine, orgId);
    if (erased.stuck.length > 0)
      deps.logger.error(
        { orgId, tables: erased.stuck },
        'organisation erasure could not delete from some tables; the row cascade removes what references the organisation',
      );
    await db.transaction().execute(async (trx) => {
      await deps.orgData.deleteOrg(trx, orgId);
      const done = await trx
        .updateTable('org_deletions')
        .set({ status: 'done', finished_at: clock.iso() })
        .where('id', '=', row.id)
        .where('status', '=', 'erasing')
        .returningAll()
        .executeTakeFirst();
      if (done)
        await deps.audit.record(trx, {
          action: 'org.deleted',
          orgId,
          actor: { type: 'system' },
          target: { type: 'org', id: orgId },
          details: {
            serversReleased: done.servers_released,
            serversLeft: done.servers_left,
            tables: erased.tables,
            rows: erased.rows,
          },
        });
    });
    await flushLog();
  }

  /**
   * A person deletes their own account (with their password). Owners must first delete their organisations or
   * hand them over. Their rows go (sessions, tokens, memberships, consents, linked analytics, mails sealed under
   * them) and their key scope is destroyed.
   */
  async function deleteAccount(actor: Actor, password: Secret<string>, ctx: RequestContext): Promise<void> {
    if (actor.kind !== 'customer') throw forbidden('Staff accounts are removed by an operator.');
    if (!(await deps.passwords.verify(await deps.people.passwordHash(actor.userId), password)))
      throw new AppError('STEWARD_INVALID_CREDENTIALS', 'The password is wrong.');
    const owned = await deps.orgData.ownedBy(actor.userId);
    if (owned.length > 0) {
      const busy = owned.some((o) => o.status === 'deleting');
      throw new AppError(
        'STEWARD_OWNS_ORGANISATIONS',
        busy
          ? 'An organisation you own is still being deleted; try again when it is gone.'
          : `You own ${owned.length} organisation(s): delete them, or make someone else an owner, before deleting your account.`,
        { organisations: owned.length },
      );
    }
    await overwriteFreedSpace();
    await db.transaction().execute(async (trx) => {
      await deps.notify.forgetMails(trx, { scope: actor.userId });
      await deps.people.deleteAccount(trx, actor.userId);
      await deps.vault.destroyScope(actor.userId, trx);
      await deps.audit.record(
        trx,
        { action: 'user.deleted', actor: auditActor(actor), target: { type: 'user', id: actor.userId } },
        ctx,
      );
    });
    await flushLog();
  }

  return {
    requestOrgDeletion,
    eraseOrg,
    deleteAccount,
    async deletionsBy(actor: Actor) {
      return (
        await db
          .selectFrom('org_deletions')
          .selectAll()
          .where('requested_by', '=', actor.userId)
          .orderBy('requested_at', 'desc')
          .execute()
      ).map(deletionView);
    },
  };
}

export type DeletionService = ReturnType<typeof createDeletionService>;
