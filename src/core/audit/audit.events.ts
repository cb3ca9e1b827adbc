/**
 * Every audit event code. Codes are stable: tools and people search for them. docs/audit-events.md lists them
 * all, and a test fails when the two drift apart.
 */
export const AUDIT_EVENTS = {
  'vault.initialised': 'The vault was created with a new root key ring.',
  'vault.root_rotated': 'The root key was rotated and every data key rewrapped.',
  'vault.data_rotated': 'Data keys were rotated and sealed values re-encrypted.',
  'user.signed_up': 'A person created an account (and its first organisation).',
  'user.signed_in': 'A person signed in.',
  'user.signin_failed': 'A sign-in failed (wrong e-mail, password or code, or rate-limited).',
  'user.signed_out': 'A person signed out; the session was ended on the server.',
  'user.totp_enrolled': 'A person turned on the one-time-code second factor.',
  'user.password_changed': 'A person changed their password; their other sessions were ended.',
  'user.profile_updated': 'A person changed their name or phone number.',
  'staff.created': 'An operator account was created (by `steward admin create` or an admin).',
  'token.created': 'An API token was created.',
  'token.revoked': 'An API token was revoked.',
  'org.created': 'An organisation was created.',
  'org.renamed': 'An organisation was renamed.',
  'member.invited': 'A member was invited to an organisation.',
  'member.invite_revoked': 'An unused invitation was withdrawn.',
  'member.joined': 'An invitation was accepted.',
  'member.role_changed': 'A member’s role changed.',
  'member.removed': 'A member was removed from an organisation.',
  'credential.sealed': 'A credential was stored in the vault.',
  'credential.replaced': 'A credential’s secret value was replaced.',
  'credential.deleted': 'A credential was deleted.',
  'server.added': 'A server was added to the inventory (its first-login credential sealed).',
  'server.host_key_pinned': 'A server’s host key was pinned at first contact (unverified: the customer chose to trust it).',
  'server.enrolled': 'Steward installed the organisation’s key on a server, proved it works and forgot the first-login credential.',
  'server.enrol_failed': 'Steward could not enrol a server (credential refused, host unknown or unreachable).',
  'server.host_key_changed': 'A server presented a different host key; Steward stopped before logging in and blocked it.',
  'server.host_key_repinned': 'An owner confirmed a server’s new host key; the server is unblocked.',
  'server.remove_requested': 'Removal of a server was asked for; Steward takes its key off the server first.',
  'server.removed': 'A server was removed from the inventory.',
  'audit.staff_read': 'A staff member read an organisation’s audit log.',
  'access.denied': 'An action was refused for lack of permission.',
  'crypto.integrity_failure': 'A sealed value failed its integrity check.',
  'job.failed': 'A background job failed after its last attempt.',
} as const;

export type AuditAction = keyof typeof AUDIT_EVENTS;
