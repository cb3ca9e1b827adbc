import type { Executor } from '../../db/database.js';
import type { ReviewItemsTable, ReviewSignal } from '../../db/schema.js';

export const REVIEW_SIGNALS = [
  'orgs_per_address',
  'payment_failed',
  'invoice_unpaid',
  'outbound_attack',
  'staff',
] as const satisfies readonly ReviewSignal[];
export type { ReviewSignal };

export interface NewSignal {
  readonly orgId: string;
  readonly signal: ReviewSignal;
  /** The subject within the signal (an invoice, a finding, an address hash): one item per subject. */
  readonly key: string;
  readonly summary: string;
  readonly details: Record<string, unknown>;
}

export interface ReviewItemView {
  readonly id: string;
  readonly orgId: string;
  readonly orgName: string;
  readonly signal: ReviewSignal;
  readonly summary: string;
  readonly details: Record<string, unknown>;
  readonly status: ReviewItemsTable['status'];
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly outcome: string | null;
  /** Whether the organisation is suspended now. */
  readonly suspended: boolean;
}

export interface SuspensionView {
  readonly id: string;
  readonly orgId: string;
  readonly orgName: string;
  readonly reason: string;
  readonly reviewItemId: string | null;
  readonly suspendedAt: string;
  readonly appealRequestId: string | null;
  readonly reinstatedAt: string | null;
  readonly reinstateNote: string | null;
}

/** Findings that show a customer's own server attacking others (from detection). */
export interface AbuseFindings {
  since(iso: string): Promise<{ id: string; orgId: string; serverName: string; title: string; at: string }[]>;
}

/** The support module's appeal: a request with no grant, for staff to read and answer. */
export type OpenAppeal = (
  exec: Executor | undefined,
  input: { orgId: string; openedBy: string; subject: string; message: string },
) => Promise<string>;
