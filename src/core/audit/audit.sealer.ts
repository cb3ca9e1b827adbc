/**
 * The sealer: links committed audit rows into the hash chain, in the order of their positions, one batch per
 * transaction. Taking the head row (`audit_head`) is what makes it single: two sealers, on one node or many,
 * take turns, and writers never touch the head. A row whose own HMAC does not match is not sealed (verification
 * reports it). After a pass that moved the head, and at most every `checkpointEveryMs`, it signs a checkpoint
 * of the head, stores it and appends it to the checkpoint file.
 */
import { sql } from 'kysely';
import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';
import type { Vault } from '../vault/vault.service.js';
import { chainHash, checkpointKeys, rowMac, sameMac, signCheckpoint, type Checkpoint } from './audit.chain.js';
import type { CheckpointFile } from './audit.checkpoints.js';

export interface AuditSealerDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'auditChainKey'>;
  readonly checkpoints: CheckpointFile;
  readonly sealIntervalMs: number;
  readonly checkpointEveryMs: number;
}

const BATCH = 500;
const UNSEALED = sql<{ seq: number }>`SELECT seq FROM audit_log WHERE chain_seq IS NULL LIMIT 1`;
/** A pass soon after a write, but not more often than this (a pass with work is a write transaction). */
const SOON_MS = 200;

export function createAuditSealer(deps: AuditSealerDeps) {
  const { db, clock, logger } = deps;
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let soonTimer: NodeJS.Timeout | undefined;
  let running = false;
  let failingSince: string | undefined;
  let lastCheckpointMs = 0;
  /** The head this process last sealed to, and the last head a checkpoint is known to cover. */
  let headSeen = 0;
  let checkpointed = 0;
  /** Rows refused for a bad HMAC, by position: logged once each. */
  const refused = new Set<number>();

  /** Runs `fn` after any pass this process has queued, so one process never contends with itself. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  }

  /** One transaction: up to BATCH rows sealed. Returns how many were looked at (sealed or refused). */
  async function sealBatch(): Promise<{ seen: number; head: { seq: number; hash: string } }> {
    const key = deps.vault.auditChainKey();
    return db.transaction().execute(async (trx) => {
      // The no-op update takes the head row (and on SQLite the write lock) before anything is read.
      const head = await trx
        .updateTable('audit_head')
        .set((eb) => ({ seq: eb.ref('seq') }))
        .where('id', '=', 1)
        .returning(['seq', 'hash'])
        .executeTakeFirstOrThrow();
      const rows = await trx
        .selectFrom('audit_log')
        .selectAll()
        .where('chain_seq', 'is', null)
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      let seq = Number(head.seq);
      let hash = head.hash;
      for (const row of rows) {
        if (!sameMac(row.row_mac, rowMac(key, row))) {
          if (!refused.has(row.seq)) logger.error({ seq: row.seq, id: row.id }, 'audit row fails its HMAC; not sealed');
          refused.add(row.seq);
          continue;
        }
        const linked = { ...row, chain_seq: seq + 1, prev_hash: hash };
        const next = chainHash(key, linked);
        await trx
          .updateTable('audit_log')
          .set({ chain_seq: linked.chain_seq, prev_hash: hash, hash: next })
          .where('seq', '=', row.seq)
          .where('chain_seq', 'is', null)
          .execute();
        seq = linked.chain_seq;
        hash = next;
      }
      if (seq !== Number(head.seq))
        await trx.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
      return { seen: rows.length, head: { seq, hash } };
    });
  }

  const checkpointDue = (): boolean => clock.nowMs() - lastCheckpointMs >= deps.checkpointEveryMs;

  async function sealNow(forceCheckpoint: boolean): Promise<number> {
    let sealedHead: { seq: number; hash: string } | undefined;
    let seen = 0;
    for (;;) {
      const pass = await sealBatch();
      seen += pass.seen;
      sealedHead = pass.head;
      if (pass.seen < BATCH) break;
    }
    headSeen = sealedHead.seq;
    if (sealedHead.seq > 0 && (forceCheckpoint || checkpointDue())) await checkpoint(sealedHead);
    failingSince = undefined;
    return seen;
  }

  /** Seals everything committed so far; signs a checkpoint when one is due (or `forceCheckpoint`). */
  function sealAll(forceCheckpoint = false): Promise<number> {
    return serial(() => sealNow(forceCheckpoint));
  }

  /**
   * A timed pass: it takes the head (a write transaction) only when a committed row waits to be sealed, or when a
   * checkpoint is due for a head this process sealed to. An idle pass is one read of the unsealed rows' index.
   */
  function sealWaiting(): Promise<number> {
    return serial(async () => {
      // SQL text, not a built query: this runs every second on every node, too rarely for V8 to optimise the
      // query builder, whose unoptimised code cost about 2 ms of CPU per pass in a profile.
      const waiting = (await UNSEALED.execute(db)).rows.length > 0;
      if (waiting || (headSeen > checkpointed && checkpointDue())) return sealNow(false);
      failingSince = undefined; // nothing waits: whatever failed before has been sealed since
      return 0;
    });
  }

  async function checkpoint(head: { seq: number; hash: string }): Promise<void> {
    const latest = await latestStored();
    lastCheckpointMs = clock.nowMs();
    if (latest && latest.chainSeq >= head.seq) {
      checkpointed = Math.max(checkpointed, head.seq);
      return;
    }
    const { privateKey } = checkpointKeys(deps.vault.auditChainKey());
    const c = signCheckpoint(privateKey, { chainSeq: head.seq, hash: head.hash, at: clock.iso() });
    const inserted = await db
      .insertInto('audit_checkpoints')
      .values({ chain_seq: c.chainSeq, hash: c.hash, at: c.at, signature: c.signature })
      .onConflict((oc) => oc.column('chain_seq').doNothing())
      .executeTakeFirst();
    checkpointed = Math.max(checkpointed, head.seq);
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    deps.checkpoints.append(c);
  }

  async function latestStored(): Promise<Checkpoint | undefined> {
    const row = await db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .orderBy('chain_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { chainSeq: Number(row.chain_seq), hash: row.hash, at: row.at, signature: row.signature };
  }

  /** A pass of the timer (`waiting`: only when there is work) or the first at start (everything, as `sealAll`). */
  function pass(waiting = true): void {
    if (!running) return;
    (waiting ? sealWaiting() : sealAll()).catch((err: unknown) => {
      failingSince ??= clock.iso();
      logger.warn({ err: (err as Error).message }, 'audit sealing pass failed; retrying');
    });
  }

  return {
    sealAll,
    /** Asks for a pass shortly (after a write); a no-op when one is already asked for or the sealer is stopped. */
    soon(): void {
      if (!running || soonTimer) return;
      soonTimer = setTimeout(() => {
        soonTimer = undefined;
        pass();
      }, SOON_MS);
      soonTimer.unref();
    },
    async checkpointNow(): Promise<Checkpoint | undefined> {
      await sealAll(true);
      return latestStored();
    },
    latestCheckpoint: latestStored,
    publicKey: () => checkpointKeys(deps.vault.auditChainKey()).publicKey,
    start(): void {
      if (running) return;
      running = true;
      timer = setInterval(pass, deps.sealIntervalMs);
      timer.unref();
      pass(false);
    },
    async stop(): Promise<void> {
      if (!running) return;
      running = false;
      clearInterval(timer);
      clearTimeout(soonTimer);
      soonTimer = undefined;
      await sealAll().catch((err: unknown) =>
        logger.warn({ err: (err as Error).message }, 'audit sealing at shutdown failed; the next start seals'),
      );
    },
    health() {
      return failingSince ? { status: 'failing' as const, since: failingSince } : { status: 'ok' as const };
    },
  };
}

export type AuditSealer = ReturnType<typeof createAuditSealer>;
