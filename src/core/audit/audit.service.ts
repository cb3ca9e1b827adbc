import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Engine, Executor } from '../../db/database.js';
import type { AuditLogTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, isAppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { Vault } from '../vault/vault.service.js';
import type { AuditAction } from './audit.events.js';

export type ActorType = 'user' | 'staff' | 'system' | 'anonymous';

export interface AuditEvent {
  readonly action: AuditAction;
  readonly orgId?: string | null;
  readonly actor: { readonly type: ActorType; readonly id?: string | null };
  readonly target?: { readonly type: string; readonly id: string } | null;
  readonly result?: 'ok' | 'denied' | 'failed';
  /** Free-form facts about the event. Never secrets or personal data: name a secret with `vault.auditHash`. */
  readonly details?: Record<string, unknown>;
}

/** Where a request came from; services receive it from the API layer (or the CLI) and copy it into events. */
export interface RequestContext {
  readonly requestId?: string;
  readonly ip?: string;
}

export interface AuditDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'auditChainKey'>;
  readonly timeoutMs: number;
}

export type AuditRow = AuditLogTable;

const CHAINED_FIELDS = [
  'seq',
  'id',
  'at',
  'org_id',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'result',
  'request_id',
  'ip',
  'details',
  'prev_hash',
] as const;

export function chainHash(key: Uint8Array, row: Omit<AuditRow, 'hash'>): string {
  const canonical = JSON.stringify(CHAINED_FIELDS.map((f) => row[f] ?? null));
  return createHmac('sha256', key).update(canonical).digest('base64url');
}

/**
 * The audit log: append-only and hash-chained (each row's HMAC covers the previous row's), written by services
 * inside the same transaction as the change it records. If the row cannot be written within the timeout, the
 * whole transaction fails with STEWARD_AUDIT_UNAVAILABLE: no action happens without its record.
 */
export function createAuditService(deps: AuditDeps) {
  let failingSince: string | undefined;

  async function append(trx: Executor, event: AuditEvent, ctx: RequestContext): Promise<AuditRow> {
    if (deps.engine === 'postgres') {
      await sql`SET LOCAL lock_timeout = ${sql.lit(`${deps.timeoutMs}ms`)}`.execute(trx);
      await sql`SET LOCAL statement_timeout = ${sql.lit(`${deps.timeoutMs}ms`)}`.execute(trx);
    }
    // Taking the head row serialises writers, so sequence numbers have no gaps and the chain no forks.
    const head = await trx
      .updateTable('audit_head')
      .set((eb) => ({ seq: eb('seq', '+', 1) }))
      .where('id', '=', 1)
      .returning(['seq', 'hash'])
      .executeTakeFirst();
    if (!head) throw new Error('audit head row is missing');
    const row: Omit<AuditRow, 'hash'> = {
      seq: head.seq,
      id: newId('aud', deps.clock.nowMs()),
      at: deps.clock.iso(),
      org_id: event.orgId ?? null,
      actor_type: event.actor.type,
      actor_id: event.actor.id ?? null,
      action: event.action,
      target_type: event.target?.type ?? null,
      target_id: event.target?.id ?? null,
      result: event.result ?? 'ok',
      request_id: ctx.requestId ?? null,
      ip: ctx.ip ?? null,
      details: JSON.stringify(event.details ?? {}),
      prev_hash: head.hash,
    };
    const full: AuditRow = { ...row, hash: chainHash(deps.vault.auditChainKey(), row) };
    await trx.insertInto('audit_log').values(full).execute();
    await trx.updateTable('audit_head').set({ hash: full.hash }).where('id', '=', 1).execute();
    return full;
  }

  /** Writes one event inside `trx`. Throws STEWARD_AUDIT_UNAVAILABLE (and so rolls the change back) on failure. */
  async function record(trx: Executor, event: AuditEvent, ctx: RequestContext = {}): Promise<AuditRow> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), deps.timeoutMs + 250);
      });
      const row = await Promise.race([append(trx, event, ctx), timeout]);
      failingSince = undefined;
      return row;
    } catch (err) {
      if (isAppError(err) && err.code === 'STEWARD_SEALED') throw err;
      failingSince ??= deps.clock.iso();
      deps.logger.error(
        { action: event.action, err: (err as Error).message },
        'audit write failed; refusing the action',
      );
      throw new AppError(
        'STEWARD_AUDIT_UNAVAILABLE',
        'The audit log cannot be written, so the action was refused. Try again shortly.',
        undefined,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records an event on its own (for events with no other change, such as a refused action). */
  function recordAlone(event: AuditEvent, ctx: RequestContext = {}): Promise<AuditRow> {
    return deps.db.transaction().execute((trx) => record(trx, event, ctx));
  }

  async function list(filter: {
    orgId?: string;
    afterSeq?: number;
    limit: number;
    action?: string;
  }): Promise<AuditRow[]> {
    let q = deps.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(filter.limit);
    if (filter.orgId !== undefined) q = q.where('org_id', '=', filter.orgId);
    if (filter.afterSeq !== undefined) q = q.where('seq', '<', filter.afterSeq);
    if (filter.action !== undefined) q = q.where('action', '=', filter.action);
    return q.execute();
  }

  /** Walks the whole chain. Returns the first broken entry, or undefined when every link holds. */
  async function verify(): Promise<{ checked: number; broken?: { seq: number; id: string | null; reason: string } }> {
    const key = deps.vault.auditChainKey();
    let prevHash = 'genesis';
    let expectedSeq = 1;
    let checked = 0;
    let after = 0;
    for (;;) {
      const rows = await deps.db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(1000)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const broken = (reason: string) => ({ checked, broken: { seq: row.seq, id: row.id, reason } });
        if (row.seq !== expectedSeq)
          return {
            checked,
            broken: { seq: expectedSeq, id: null, reason: `entry ${expectedSeq} is missing (next is ${row.seq})` },
          };
        if (row.prev_hash !== prevHash) return broken('its link to the previous entry does not match');
        const { hash, ...rest } = row;
        const want = Buffer.from(chainHash(key, rest));
        const got = Buffer.from(hash);
        if (want.length !== got.length || !timingSafeEqual(want, got))
          return broken('its content does not match its hash');
        prevHash = row.hash;
        expectedSeq++;
        checked++;
        after = row.seq;
      }
    }
    const head = await deps.db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!head || head.seq !== expectedSeq - 1 || head.hash !== prevHash) {
      return {
        checked,
        broken: {
          seq: expectedSeq,
          id: null,
          reason: `entries after ${expectedSeq - 1} were removed (the head records ${head?.seq ?? 'nothing'})`,
        },
      };
    }
    return { checked };
  }

  return {
    record,
    recordAlone,
    list,
    verify,
    health: () => (failingSince ? { status: 'failing' as const, since: failingSince } : { status: 'ok' as const }),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
