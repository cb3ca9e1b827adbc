import type { ConsentPurpose, ConsentsTable } from '../../db/schema.js';
import type { StaffRole } from '../actor.js';

export type { ConsentPurpose };

export const CONSENT_PURPOSES = [
  'promotions',
  'partner_offers',
  'analytics',
  'referrals',
  'recommendations',
] as const satisfies readonly ConsentPurpose[];

export type ConsentSource = ConsentsTable['source'];

/**
 * What a person agrees to, word for word, per purpose. The statement is copied into each consent record's
 * evidence, so a later rewording never changes what someone agreed to in the past.
 */
export const CONSENT_STATEMENTS: Record<ConsentPurpose, string> = {
  promotions:
    'Steward may e-mail me news and offers about Steward. I can unsubscribe from any such mail with one click.',
  partner_offers:
    'Steward may e-mail me offers from its partners. Steward sends them itself; partners do not get my address.',
  analytics:
    'Steward may set a first-party analytics cookie and record the pages I visit, my browser, language, operating system, referring site and IP address, linked to my account.',
  referrals: 'Steward may e-mail friends I name, on my behalf, to invite them to Steward. My name appears in the mail.',
  recommendations:
    'Steward may look at what it discovers and monitors on my organisations’ servers, and at our usage, to suggest things personal to us (security updates, backups, disk space, a better-fitting plan), in the console.',
};

/** Promotional templates and the consent each needs from its recipient (referrals need the sender's instead). */
export const PROMOTIONAL_TEMPLATES: Record<string, ConsentPurpose | 'sender'> = {
  'privacy.promotion': 'promotions',
  'privacy.partner_offer': 'partner_offers',
  'privacy.referral': 'sender',
};

export interface ConsentView {
  readonly purpose: ConsentPurpose;
  readonly granted: boolean;
  readonly at: string | null;
  readonly source: ConsentSource | null;
  readonly policyVersion: string | null;
  readonly statement: string;
}

export interface ConsentRecordView {
  readonly id: string;
  readonly purpose: ConsentPurpose;
  readonly granted: boolean;
  readonly at: string;
  readonly source: ConsentSource;
  readonly policyVersion: string | null;
  readonly evidence: Record<string, unknown>;
}

/** Personal fields staff may see in a person's record. */
export const PERSONAL_FIELDS = ['name', 'email', 'phone'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/**
 * Need-to-know: which personal fields each staff role sees unmasked. Support needs a name to address people and
 * an address to reply to, not their phone; marketing sees only people who consented to promotions (filtered
 * elsewhere) and then only name and address. A field any role lacks is masked and can be revealed with a reason.
 */
export const ROLE_FIELDS: Record<StaffRole, readonly PersonalField[]> = {
  support: ['name', 'email'],
  security: ['name', 'email'],
  admin: ['name', 'email'],
  marketing: ['name', 'email'],
};

/** Staff roles whose members may reveal a masked field (with a reason); marketing may not. */
export const REVEAL_ROLES: readonly StaffRole[] = ['support', 'security', 'admin'];
