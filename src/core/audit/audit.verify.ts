/**
 * Verification: the sealed chain from its start (every position present, every link and hash right), its head
 * against the head row and against the latest signed checkpoint (in the database or the checkpoint file, the
 * higher one: truncating the database does not reach the file), then the rows not yet sealed (each must carry
 * its own valid HMAC). Names the first broken entry.
 */
import type { Db } from '../../db/database.js';
import type { Vault } from '../vault/vault.service.js';
import { chainHash, checkpointKeys, checkpointValid, rowMac, sameMac, type Checkpoint } from './audit.chain.js';
import type { CheckpointFile } from './audit.checkpoints.js';
import type { AuditSealer } from './audit.sealer.js';

export interface VerifyResult {
  /** Sealed entries checked. */
  readonly checked: number;
  /** Rows written but not sealed yet when verification ended, and the oldest one's time. */
  readonly unsealed: { readonly count: number; readonly oldestAt: string | null };
  /** The checkpoint the chain was held against, if any. */
  readonly checkpoint: { readonly chainSeq: number; readonly at: string; readonly source: 'file' | 'database' } | null;
  /** Checkpoint file lines that do not parse or whose signature does not hold. */
  readonly badCheckpoints: number;
  readonly broken?: {
    /** The entry's position in the log as listed, when the entry exists. */
    readonly seq: number | null;
    /** Its position in the chain. */
    readonly chainSeq: number | null;
    readonly id: string | null;
    readonly reason: string;
  };
}

export function createAuditVerifier(deps: {
  readonly db: Db;
  readonly vault: Pick<Vault, 'auditChainKey'>;
  readonly checkpoints: CheckpointFile;
  readonly sealer: Pick<AuditSealer, 'sealAll'>;
}) {
  /** The highest checkpoint with a valid signature, from the file or the database. */
  async function anchor(publicKey: string) {
    const file = deps.checkpoints.read();
    let bad = file.unreadable;
    let best: (Checkpoint & { source: 'file' | 'database' }) | undefined;
    for (const c of file.checkpoints) {
      if (!checkpointValid(publicKey, c)) bad++;
      else if (!best || c.chainSeq > best.chainSeq) best = { ...c, source: 'file' };
    }
    const stored = await deps.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .orderBy('chain_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (stored) {
      const c = { chainSeq: Number(stored.chain_seq), hash: stored.hash, at: stored.at, signature: stored.signature };
      if (checkpointValid(publicKey, c) && (!best || c.chainSeq > best.chainSeq)) best = { ...c, source: 'database' };
    }
    return { best, bad };
  }

  async function verify(options: { seal?: boolean } = {}): Promise<VerifyResult> {
    if (options.seal !== false) await deps.sealer.sealAll();
    const key = deps.vault.auditChainKey();
    const { best, bad } = await anchor(checkpointKeys(key).publicKey);
    const checkpoint = best ? { chainSeq: best.chainSeq, at: best.at, source: best.source } : null;
    let prevHash = 'genesis';
    let expected = 1;
    let checked = 0;
    let after = 0;
    const result = (broken?: VerifyResult['broken'], unsealed = { count: 0, oldestAt: null as string | null }) => ({
      checked,
      unsealed,
      checkpoint,
      badCheckpoints: bad,
      ...(broken ? { broken } : {}),
    });
    for (;;) {
      const rows = await deps.db
        .selectFrom('audit_log')
        .selectAll()
        .where('chain_seq', '>', after)
        .orderBy('chain_seq')
        .limit(1000)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const at = Number(row.chain_seq);
        const broken = (reason: string) => result({ seq: Number(row.seq), chainSeq: at, id: row.id, reason });
        if (at !== expected) {
          const reason = `entry ${expected} of the chain is missing (the next one is ${at})`;
          return result({ seq: null, chainSeq: expected, id: null, reason });
        }
        if (row.prev_hash !== prevHash) return broken('its link to the previous entry does not match');
        if (row.hash === null || !sameMac(row.hash, chainHash(key, { ...row, chain_seq: at, prev_hash: prevHash })))
          return broken('its content does not match its hash');
        if (row.row_mac !== null && !sameMac(row.row_mac, rowMac(key, row)))
          return broken('its content does not match its own HMAC');
        if (best && at === best.chainSeq && row.hash !== best.hash)
          return broken(`it differs from the checkpoint signed at ${best.at}`);
        prevHash = row.hash;
        expected++;
        checked++;
        after = at;
      }
    }
    const last = expected - 1;
    if (best && best.chainSeq > last) {
      const range = best.chainSeq === last + 1 ? `${last + 1}` : `${last + 1}–${best.chainSeq}`;
      const reason =
        `entries ${range} of the chain were removed (a checkpoint signed at ${best.at} records ` +
        `${best.chainSeq} entries)`;
      return result({ seq: null, chainSeq: last + 1, id: null, reason });
    }
    const head = await deps.db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!head || Number(head.seq) !== last || head.hash !== prevHash) {
      const reason = `entries after ${last} were removed (the head records ${head?.seq ?? 'nothing'})`;
      return result({ seq: null, chainSeq: last + 1, id: null, reason });
    }
    const unsealedRows = await deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('chain_seq', 'is', null)
      .orderBy('seq')
      .execute();
    const unsealed = { count: unsealedRows.length, oldestAt: unsealedRows[0]?.at ?? null };
    for (const row of unsealedRows) {
      if (!sameMac(row.row_mac, rowMac(key, row))) {
        const reason = 'it is not sealed and its content does not match its own HMAC (changed or forged)';
        return result({ seq: Number(row.seq), chainSeq: null, id: row.id, reason }, unsealed);
      }
    }
    return result(undefined, unsealed);
  }

  return { verify };
}
