import type { Executor } from '../../db/database.js';
import type {
  AccessCertificatesTable,
  AccessGrantsTable,
  AccessPoliciesTable,
  OrgCaKeysTable,
  SupportMessagesTable,
  SupportRequestsTable,
} from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export const SUPPORT_MESSAGES_SEALED: SealedColumnSpec = {
  table: 'support_messages',
  id: 'id',
  scope: 'org_id',
  columns: ['body_sealed'],
};
export const ORG_CA_KEYS_SEALED: SealedColumnSpec = {
  table: 'org_ca_keys',
  id: 'org_id',
  scope: 'org_id',
  columns: ['private_sealed'],
};

/** Data access for grants, the access policy, support requests and the staff SSH CA. Every method takes its executor. */
export const accessStore = {
  insertGrant: (db: Executor, row: AccessGrantsTable) => db.insertInto('access_grants').values(row).execute(),
  grant: (db: Executor, id: string) =>
    db.selectFrom('access_grants').selectAll().where('id', '=', id).executeTakeFirst(),
  grantsByIds: (db: Executor, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('access_grants')
          .selectAll()
          .where('id', 'in', [...ids])
          .execute(),
  grantsOfOrg: (db: Executor, orgId: string, limit: number) =>
    db
      .selectFrom('access_grants')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
  grantsOfStaff: (db: Executor, staffId: string, limit: number) =>
    db
      .selectFrom('access_grants')
      .selectAll()
      .where('staff_id', '=', staffId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
  /** Requests waiting for a staff member, and suspicious-activity grants waiting for a second staff approver. */
  openForStaff: (db: Executor, limit: number) =>
    db
      .selectFrom('access_grants')
      .selectAll()
      .where('state', '=', 'requested')
      .orderBy('created_at')
      .limit(limit)
      .execute(),
  /** Grants whose stored state may be behind the clock (requested, approved or active). */
  unsettled: (db: Executor, limit: number) =>
    db
      .selectFrom('access_grants')
      .selectAll()
      .where('state', 'in', ['requested', 'approved', 'active'])
      .orderBy('created_at')
      .limit(limit)
      .execute(),
  /** Updates a grant only if it is still in `from` (so two writers cannot both move it). */
  async moveGrant(
    db: Executor,
    id: string,
    from: AccessGrantsTable['state'],
    patch: Partial<AccessGrantsTable>,
  ): Promise<boolean> {
    const res = await db
      .updateTable('access_grants')
      .set(patch)
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  policy: (db: Executor, orgId: string) =>
    db.selectFrom('access_policies').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
  async setPolicy(db: Executor, row: AccessPoliciesTable): Promise<void> {
    const existing = await db
      .selectFrom('access_policies')
      .select('org_id')
      .where('org_id', '=', row.org_id)
      .executeTakeFirst();
    if (existing) await db.updateTable('access_policies').set(row).where('org_id', '=', row.org_id).execute();
    else await db.insertInto('access_policies').values(row).execute();
  },

  insertSupport: (db: Executor, row: SupportRequestsTable) => db.insertInto('support_requests').values(row).execute(),
  support: (db: Executor, id: string) =>
    db.selectFrom('support_requests').selectAll().where('id', '=', id).executeTakeFirst(),
  supportOfOrg: (db: Executor, orgId: string, limit: number) =>
    db
      .selectFrom('support_requests')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
  supportQueue: (db: Executor, status: 'open' | 'closed', limit: number) =>
    db
      .selectFrom('support_requests')
      .selectAll()
      .where('status', '=', status)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
  updateSupport: (db: Executor, id: string, patch: Partial<SupportRequestsTable>) =>
    db.updateTable('support_requests').set(patch).where('id', '=', id).execute(),
  insertMessage: (db: Executor, row: SupportMessagesTable) => db.insertInto('support_messages').values(row).execute(),
  messages: (db: Executor, requestId: string) =>
    db
      .selectFrom('support_messages')
      .selectAll()
      .where('request_id', '=', requestId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),

  caKey: (db: Executor, orgId: string) =>
    db.selectFrom('org_ca_keys').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
  insertCaKey: (db: Executor, row: OrgCaKeysTable) =>
    db
      .insertInto('org_ca_keys')
      .values(row)
      .onConflict((oc) => oc.column('org_id').doNothing())
      .execute(),
  insertCertificate: (db: Executor, row: AccessCertificatesTable) =>
    db.insertInto('access_certificates').values(row).execute(),
  certificatesOfOrg: (db: Executor, orgId: string, limit: number) =>
    db
      .selectFrom('access_certificates')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
};

export type SupportRow = SupportRequestsTable;
