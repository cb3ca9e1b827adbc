import { sql } from 'kysely';
import type { Db, Engine } from '../../db/database.js';

/**
 * Erasing an organisation's rows across modules without knowing them: every table with an `org_id` column is
 * found from the database's own catalogue, so tables that later modules add are covered too. Tables that keep
 * records about the deletion itself (the audit log, this module's deletion register) are left alone.
 */

const KEEP = new Set(['audit_log', 'org_deletions', 'steward_migrations']);

export async function tablesWithOrgId(db: Db, engine: Engine): Promise<string[]> {
  if (engine === 'sqlite') {
    const r = await sql<{
      name: string;
    }>`select m.name as name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and p.name = 'org_id'`.execute(
      db,
    );
    return r.rows.map((x) => x.name).filter((t) => !KEEP.has(t));
  }
  const r = await sql<{
    name: string;
  }>`select table_name as name from information_schema.columns where table_schema = current_schema() and column_name = 'org_id'`.execute(
    db,
  );
  return r.rows.map((x) => x.name).filter((t) => !KEEP.has(t));
}

/**
 * Deletes the organisation's rows table by table. A table whose rows are still referenced by another's fails
 * its delete; it is tried again after the others, until a pass makes no progress. Each delete is one statement,
 * so a crash leaves a state the next run simply continues from.
 */
export async function eraseOrgRows(
  db: Db,
  engine: Engine,
  orgId: string,
): Promise<{ tables: number; rows: number; stuck: string[] }> {
  let remaining = await tablesWithOrgId(db, engine);
  let rows = 0;
  const tables = remaining.length;
  for (let pass = 0; pass < 10 && remaining.length > 0; pass++) {
    const failed: string[] = [];
    for (const table of remaining) {
      try {
        const res = await sql`delete from ${sql.table(table)} where org_id = ${orgId}`.execute(db);
        rows += Number(res.numAffectedRows ?? 0);
      } catch {
        failed.push(table);
      }
    }
    if (failed.length === remaining.length) return { tables, rows, stuck: failed };
    remaining = failed;
  }
  return { tables, rows, stuck: remaining };
}
