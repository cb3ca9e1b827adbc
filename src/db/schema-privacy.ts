/**
 * Table types of the privacy centre (migration 0009), kept beside schema.ts so the shared file only lists them.
 * Same conventions: text ids and ISO times, integer flags, JSON as text, e-mail addresses only as blind indexes.
 */

export type ConsentPurpose = 'promotions' | 'partner_offers' | 'analytics' | 'referrals' | 'recommendations';

/** Every consent decision ever made, newest last: the evidence. */
export interface ConsentsTable {
  id: string;
  user_id: string;
  purpose: ConsentPurpose;
  granted: number;
  at: string;
  source: 'console' | 'api' | 'banner' | 'unsubscribe_link';
  /** The privacy policy version in force when the decision was made. */
  policy_version: string | null;
  /** JSON: the statement shown, the request id, a keyed hash of the address, the browser family. */
  evidence: string;
}

/** The current decision per person and purpose (the latest row of `consents`). */
export interface ConsentStateTable {
  user_id: string;
  purpose: ConsentPurpose;
  granted: number;
  consent_id: string;
  at: string;
}

/** Addresses (by blind index) that never get promotional or referral mail again. */
export interface SuppressionsTable {
  email_bidx: string;
  reason: 'unsubscribed' | 'referral_opt_out' | 'operator';
  created_at: string;
}

export interface ReferralsTable {
  id: string;
  referrer_id: string;
  friend_bidx: string;
  status: 'queued' | 'suppressed' | 'duplicate';
  created_at: string;
}

export interface PromotionsTable {
  id: string;
  purpose: 'promotions' | 'partner_offers';
  subject: string;
  body: string;
  recipients: number;
  created_by: string;
  created_at: string;
}

export interface PolicyVersionsTable {
  id: string;
  version: string;
  title: string;
  body: string;
  changes: string;
  significant: number;
  published_by: string;
  published_at: string;
}

export interface PolicyAcknowledgementsTable {
  user_id: string;
  policy_id: string;
  at: string;
}

export interface DisclosuresTable {
  id: string;
  kind: 'partner' | 'legal' | 'transfer';
  recipient: string;
  description: string;
  agreement_ref: string | null;
  legal_basis: 'subpoena' | 'court_order' | 'other' | null;
  reference: string | null;
  /** JSON array of data categories disclosed. */
  data_categories: string;
  /** JSON array of the organisations concerned; null means every person. */
  org_ids: string | null;
  status: 'recorded' | 'planned' | 'notifying' | 'done';
  disclosed_at: string | null;
  notices_requested_at: string | null;
  completed_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface DisclosureNoticesTable {
  disclosure_id: string;
  user_id: string;
  /** The outbox dedupe key of the notice mail, so its delivery can be checked. */
  dedupe_key: string;
  created_at: string;
}

export interface AnalyticsEventsTable {
  id: string;
  at: string;
  kind: 'pageview' | 'download';
  /** Keyed hash of the analytics cookie's value (the cookie itself is never stored). */
  visitor: string;
  user_id: string | null;
  path: string;
  referrer_host: string | null;
  ip: string;
  ip_truncated: number;
  browser: string;
  browser_version: string;
  os: string;
  language: string;
}

export interface OrgDeletionsTable {
  id: string;
  org_id: string;
  requested_by: string;
  status: 'releasing' | 'erasing' | 'done';
  servers_released: number;
  servers_left: number;
  requested_at: string;
  finished_at: string | null;
}

export interface PrivacyTables {
  consents: ConsentsTable;
  consent_state: ConsentStateTable;
  suppressions: SuppressionsTable;
  referrals: ReferralsTable;
  promotions: PromotionsTable;
  policy_versions: PolicyVersionsTable;
  policy_acknowledgements: PolicyAcknowledgementsTable;
  disclosures: DisclosuresTable;
  disclosure_notices: DisclosureNoticesTable;
  analytics_events: AnalyticsEventsTable;
  org_deletions: OrgDeletionsTable;
}
