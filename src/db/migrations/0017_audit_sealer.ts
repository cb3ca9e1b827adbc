import { SqliteAdapter, sql, type Kysely } from 'kysely';

/*
 * The audit log without a global lock (docs/decisions/0019-audit-sealer.md). A writer appends its row with a
 * position from a sequence and the row's own HMAC; a sealer links rows into the hash chain afterwards
 * (`chain_seq`, `prev_hash`, `hash`), so `audit_head` is the sealed head and only the sealer takes it. Rows
 * written before are already chained: their chain position is their position. Signed checkpoints of the head are
 * kept in `audit_checkpoints` (and in a file beside the root key).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (sqlite) {
    // SQLite cannot drop NOT NULL in place: the table is rebuilt with the same rows.
    await sql`CREATE TABLE audit_log_next (
      seq bigint PRIMARY KEY, id text NOT NULL UNIQUE, at text NOT NULL, org_id text, actor_type text NOT NULL,
      actor_id text, action text NOT NULL, target_type text, target_id text, result text NOT NULL,
      request_id text, ip text, details text NOT NULL, row_mac text, chain_seq bigint, prev_hash text, hash text
    )`.execute(db);
    await sql`INSERT INTO audit_log_next (seq, id, at, org_id, actor_type, actor_id, action, target_type, target_id,
      result, request_id, ip, details, row_mac, chain_seq, prev_hash, hash)
      SELECT seq, id, at, org_id, actor_type, actor_id, action, target_type, target_id, result, request_id, ip,
      details, NULL, seq, prev_hash, hash FROM audit_log`.execute(db);
    await sql`DROP TABLE audit_log`.execute(db);
    await sql`ALTER TABLE audit_log_next RENAME TO audit_log`.execute(db);
    await db.schema.createIndex('audit_log_org_seq').on('audit_log').columns(['org_id', 'seq']).execute();
    await db.schema.createIndex('audit_log_actor').on('audit_log').column('actor_id').execute();
  } else {
    await sql`ALTER TABLE audit_log ADD COLUMN row_mac text`.execute(db);
    await sql`ALTER TABLE audit_log ADD COLUMN chain_seq bigint`.execute(db);
    await sql`ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL`.execute(db);
    await sql`ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL`.execute(db);
    await sql`UPDATE audit_log SET chain_seq = seq`.execute(db);
    await sql`CREATE SEQUENCE audit_log_seq`.execute(db);
    await sql`SELECT setval('audit_log_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), false)`.execute(db);
  }
  await db.schema.createIndex('audit_log_chain_seq').unique().on('audit_log').column('chain_seq').execute();
  await sql`CREATE INDEX audit_log_unsealed ON audit_log (seq) WHERE chain_seq IS NULL`.execute(db);
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('chain_seq', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
}
