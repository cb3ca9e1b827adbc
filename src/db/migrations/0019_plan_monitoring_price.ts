import type { Kysely } from 'kysely';

/*
 * Plans price monitoring: a price per monitored server-hour (a server with monitoring switched on, metered by the
 * hour like the others). Plans defined before keep monitoring free ('0'): a plan's prices never change afterwards.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('billing_plans')
    .addColumn('monitored_server_hour_price', 'text', (c) => c.notNull().defaultTo('0'))
    .execute();
}
