import type { Kysely } from 'kysely';

/**
 * Staff access by consent: grants and the organisation's policy for them, support requests and their messages,
 * recorded terminal sessions (written in sealed chunks as they happen), the per-organisation SSH certificate
 * authority and the certificates it issued.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('access_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('support_request_id', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('server_ids', 'text', (c) => c.notNull())
    .addColumn('account_ids', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('requested_by_type', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text')
    .addColumn('approval', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('starts_at', 'text')
    .addColumn('ends_at', 'text')
    .addColumn('request_expires_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_grants_org_created')
    .on('access_grants')
    .columns(['org_id', 'created_at'])
    .execute();
  await db.schema.createIndex('access_grants_staff').on('access_grants').columns(['staff_id', 'state']).execute();
  await db.schema.createIndex('access_grants_state').on('access_grants').columns(['state', 'ends_at']).execute();
  await db.schema.createIndex('access_grants_support').on('access_grants').column('support_request_id').execute();

  await db.schema
    .createTable('access_policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id').onDelete('cascade'))
    .addColumn('suspicious_approval', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('support_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('server_ids', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text')
    .execute();
  await db.schema
    .createIndex('support_requests_org')
    .on('support_requests')
    .columns(['org_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('support_requests_status')
    .on('support_requests')
    .columns(['status', 'created_at'])
    .execute();

  await db.schema
    .createTable('support_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('support_requests.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('body_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('support_messages_request')
    .on('support_messages')
    .columns(['request_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('terminal_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_kind', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('cols', 'integer', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('end_reason', 'text')
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('chunks', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('terminal_sessions_org')
    .on('terminal_sessions')
    .columns(['org_id', 'started_at'])
    .execute();
  await db.schema.createIndex('terminal_sessions_status').on('terminal_sessions').column('status').execute();
  await db.schema.createIndex('terminal_sessions_grant').on('terminal_sessions').column('grant_id').execute();

  await db.schema
    .createTable('terminal_chunks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('terminal_sessions.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data_sealed', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addUniqueConstraint('terminal_chunks_session_seq', ['session_id', 'seq'])
    .execute();
  await db.schema.createIndex('terminal_chunks_org').on('terminal_chunks').column('org_id').execute();

  await db.schema
    .createTable('org_ca_keys')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id').onDelete('cascade'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('access_certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('grant_id', 'text', (c) => c.notNull().references('access_grants.id').onDelete('cascade'))
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key_fingerprint', 'text', (c) => c.notNull())
    .addColumn('valid_after', 'text', (c) => c.notNull())
    .addColumn('valid_before', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_certificates_org')
    .on('access_certificates')
    .columns(['org_id', 'created_at'])
    .execute();
  await db.schema.createIndex('access_certificates_grant').on('access_certificates').column('grant_id').execute();
}
