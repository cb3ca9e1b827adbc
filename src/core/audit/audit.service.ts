import { sql } from 'kysely';
import type { Db, Engine, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, isAppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { Vault } from '../vault/vault.service.js';
import type { AuditContent, AuditRow } from './audit.chain.js';
import { rowMac } from './audit.chain.js';
import type { AuditAction } from './audit.events.js';
import type { CheckpointFile } from './audit.checkpoints.js';
import { createAuditSealer } from './audit.sealer.js';
import { createAuditVerifier } from './audit.verify.js';

export type { AuditRow } from './audit.chain.js';

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
  /** Where signed checkpoints are appended, outside the database. */
  readonly checkpoints: CheckpointFile;
  /** How often the sealer links new rows into the chain. */
  readonly sealIntervalMs: number;
  /** How often (at most) a checkpoint of the sealed head is signed, when the head moved. */
  readonly checkpointEveryMs: number;
}

/**
 * The audit log. A service writes its event inside the same transaction as the change it records: one insert
 * with a position from a sequence and the row's own HMAC, and no lock shared with any other writer. A single
 * sealer (one at a time across the cluster) links committed rows into the hash chain in order and signs
 * checkpoints of the chain's head (audit.sealer.ts); `verify` checks the chain, the checkpoints and the rows not
 * yet sealed (audit.verify.ts). If the row cannot be written within the timeout, the whole transaction fails with
 * STEWARD_AUDIT_UNAVAILABLE: no action happens without its record.
 */
export function createAuditService(deps: AuditDeps) {
  let failingSince: string | undefined;
  const sealer = createAuditSealer(deps);
  const verifier = createAuditVerifier({ ...deps, sealer });

  const nextSeq =
    deps.engine === 'postgres'
      ? sql<number>`nextval('audit_log_seq')`
      : sql<number>`(SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)`;

  async function append(trx: Executor, event: AuditEvent, ctx: RequestContext): Promise<AuditRow> {
    if (deps.engine === 'postgres') {
      await sql`SET LOCAL lock_timeout = ${sql.lit(`${deps.timeoutMs}ms`)}`.execute(trx);
      await sql`SET LOCAL statement_timeout = ${sql.lit(`${deps.timeoutMs}ms`)}`.execute(trx);
    }
    const content: AuditContent = {
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
    };
    const unsealed = { row_mac: rowMac(deps.vault.auditChainKey(), content), chain_seq: null, prev_hash: null };
    const { seq } = await trx
      .insertInto('audit_log')
      .values({ ...content, ...unsealed, hash: null, seq: nextSeq })
      .returning('seq')
      .executeTakeFirstOrThrow();
    sealer.soon();
    return { ...content, ...unsealed, hash: null, seq: Number(seq) };
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

  function health() {
    const sealing = sealer.health();
    if (failingSince) return { status: 'failing' as const, since: failingSince };
    if (sealing.status !== 'ok') return sealing;
    return { status: 'ok' as const };
  }

  return {
    record,
    recordAlone,
    list,
    verify: verifier.verify,
    /** Seals what is committed and signs a checkpoint of the head now (the CLI's `audit checkpoint`). */
    checkpoint: sealer.checkpointNow,
    latestCheckpoint: sealer.latestCheckpoint,
    /** The public half of the checkpoint signing key (raw Ed25519, base64url). */
    checkpointPublicKey: sealer.publicKey,
    /** Starts sealing in the background (once the vault is open); `stop` seals what is left and ends it. */
    startSealer: sealer.start,
    stopSealer: sealer.stop,
    health,
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
