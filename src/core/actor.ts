import { forbidden, notFound } from '../kernel/errors.js';

/** Who is acting. Built by the API layer from a session or token, or by the CLI for operator commands. */

export const STAFF_ROLES = ['support', 'security', 'admin', 'marketing'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ORG_ROLES = ['owner', 'member'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export interface Actor {
  readonly userId: string;
  readonly kind: 'customer' | 'staff';
  readonly staffRoles: readonly StaffRole[];
  readonly via: 'session' | 'token';
  /** The session or token id the request came with. */
  readonly credentialId: string;
  /** Staff who have not enrolled a second factor may do nothing but enrol. */
  readonly needsTotpEnrolment: boolean;
}

export const auditActor = (actor: Actor): { type: 'user' | 'staff'; id: string } => ({
  type: actor.kind === 'staff' ? 'staff' : 'user',
  id: actor.userId,
});

export const hasStaffRole = (actor: Actor, role: StaffRole): boolean =>
  actor.kind === 'staff' && actor.staffRoles.includes(role);

/**
 * Staff-only work: staff without one of `roles` are refused with `message`; anyone else is told the thing does not
 * exist, as staff pages are not there for customers.
 */
export function requireStaffRole(actor: Actor, roles: readonly string[], what: string, message: string): void {
  if (actor.kind !== 'staff') throw notFound(what);
  if (!actor.staffRoles.some((r) => roles.includes(r))) throw forbidden(message);
}
