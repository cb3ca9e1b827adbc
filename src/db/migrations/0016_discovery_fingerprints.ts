import type { Kysely } from 'kysely';

/**
 * Incremental discovery (docs/decisions/0012-incremental-discovery.md): each snapshot keeps the fingerprints
 * of its sections' inputs (JSON of section name to two whole numbers; never a value read from a file), which
 * the next run sends so unchanged sections answer in one line. Null for snapshots taken before.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('discovery_snapshots').addColumn('fingerprints', 'text').execute();
}
