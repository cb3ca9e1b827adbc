/**
 * Every audit event code. Codes are stable: tools and people search for them. docs/audit-events.md lists them
 * all, and a test fails when the two drift apart.
 */
export const AUDIT_EVENTS = {
  'vault.initialised': 'The vault was created with a new root key ring.',
  'vault.root_rotated': 'The root key was rotated and every data key rewrapped.',
  'vault.data_rotated': 'Data keys were rotated and sealed values re-encrypted.',
  'signup.requested':
    'Someone asked for an account (the same for a new and a taken address; the address is kept only as a keyed hash).',
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
  'server.host_key_pinned':
    'A server’s host key was pinned at first contact (unverified: the customer chose to trust it).',
  'server.enrolled':
    'Steward installed the organisation’s key on a server, proved it works and forgot the first-login credential.',
  'server.enrol_failed': 'Steward could not enrol a server (credential refused, host unknown or unreachable).',
  'server.host_key_changed':
    'A server presented a different host key; Steward stopped before logging in and blocked it.',
  'server.host_key_repinned': 'An owner confirmed a server’s new host key; the server is unblocked.',
  'server.remove_requested': 'Removal of a server was asked for; Steward takes its key off the server first.',
  'server.followed_instance':
    'A provider-backed server followed its instance: stopped, started again, or a new address.',
  'server.removed': 'A server was removed from the inventory.',
  'server.discovered':
    'Steward discovered a server’s facts (one login); details count changes and sealed credentials found.',
  'discovery.scheduled': 'A standing instruction to discover a server at an interval was set.',
  'discovery.unscheduled': 'A discovery schedule was removed.',
  // Backups
  'backup.key_created': 'The organisation’s backup repository password was generated and sealed in the vault.',
  'backup.key_exported':
    'An owner took a copy of the backup repository password (to open the backups without Steward).',
  'backup.repository_added':
    'A backup target (folder, SFTP host or S3 bucket) was added and its repository initialised.',
  'backup.repository_removed': 'A backup target was removed from Steward (its data was left where it is).',
  'backup.plan_created': 'A backup plan was created for a server (what, when, where, how long to keep).',
  'backup.plan_changed': 'A backup plan was changed (schedule, retention, paths, credentials or switched on/off).',
  'backup.plan_deleted': 'A backup plan was deleted (its restore points stay in the repository until pruned).',
  'backup.requested': 'A backup was started by hand (scheduled ones are recorded in the ledger against the plan).',
  'backup.succeeded': 'A backup finished and wrote a restore point; details give its size and what it added.',
  'backup.failed': 'A backup failed; no restore point was written. Details carry the error code.',
  'backup.restore_requested': 'A restore (or its dry run) was asked for, to the same or another server.',
  'backup.restored': 'A restore finished: the database or paths were written back to the server.',
  'backup.restore_failed': 'A restore failed; details carry the error code and where it stopped.',
  'backup.checked': 'A backup repository was verified (restic check); details say whether it passed.',
  'task.started': 'A task (recipe or command) was started on one or more servers.',
  'task.finished': 'A task finished on all its servers; details count changes and failures.',
  'provider_account.connected':
    'A cloud provider account was connected: its credentials were verified with the provider and sealed.',
  'provider_account.connect_refused':
    'Connecting a cloud provider account failed (credentials refused, endpoint not allowed, provider unreachable); nothing was stored.',
  'provider_account.removed': 'A cloud provider account was removed and its sealed credentials deleted.',
  'instance.launch_requested': 'A person asked Steward to launch an instance in a provider account.',
  'instance.launched': 'The provider accepted a launch; the instance is starting.',
  'instance.launch_failed': 'A launch failed for good; the message says why.',
  'instance.adopted': 'A launched instance is running with an address; it was added to the servers inventory.',
  'instance.imported': 'An existing instance was imported into the servers inventory.',
  'instance.start_requested': 'A person asked the provider to start an instance.',
  'instance.stop_requested': 'A person asked the provider to stop an instance.',
  'instance.reboot_requested': 'A person asked the provider to reboot an instance.',
  'instance.terminate_requested': 'A person confirmed and asked the provider to terminate an instance.',
  'instance.state_changed': 'The status sync saw an instance change state (or disappear) at the provider.',
  // Access (staff grants, support, terminal)
  'grant.requested':
    'A customer asked for staff help (initial setup or support), which opens a grant for the staff member who takes it.',
  'grant.opened':
    'A suspicious-activity grant was opened (by a detection finding or security staff); the customer was told at once.',
  'grant.taken': 'A staff member took a requested grant; it is now bound to them.',
  'grant.approved': 'A grant was approved (by the customer, or by a second staff member for suspicious activity).',
  'grant.denied': 'A grant was refused before it became active.',
  'grant.activated': 'A grant’s time window began: its staff member may act within its scope.',
  'grant.narrowed': 'The customer narrowed a grant (fewer servers, accounts or actions, or a shorter window).',
  'grant.revoked': 'A grant was revoked; live sessions under it are ended.',
  'grant.expired': 'A grant’s time window ended (or a request was never taken in time).',
  'grant.used':
    'A staff member acted on the organisation’s resources under a grant (command, recipe, facts read, provider action).',
  'access.policy_changed':
    'The organisation changed its staff-access policy (who approves suspicious-activity grants).',
  'support.opened': 'A customer opened a support (or initial setup) request.',
  'support.message': 'A message was added to a support request.',
  'support.closed': 'A support request was closed; its grant ended with it.',
  'terminal.opened': 'A web terminal session was opened on a server; it is recorded.',
  'terminal.closed': 'A web terminal session ended; details say why (exit, closed, grant revoked or expired).',
  'session.recording_incomplete':
    'A terminal session’s recording was cut short by a crash of the process holding it; what was recorded is kept.',
  'secret.revealed':
    'A staff member revealed a secret under a grant, after a fresh one-time code (the value is shown once, never logged).',
  'certificate.issued': 'A short-lived SSH certificate was issued to a staff member under a grant.',
  'consent.granted':
    'A person gave consent for a purpose (promotions, partner offers, analytics, refer-a-friend); details name the source and policy version.',
  'consent.withdrawn':
    'A person withdrew consent for a purpose (in the privacy centre, the banner or an unsubscribe link).',
  'suppression.added':
    'An address (kept only as a keyed index) was put on the suppression list: it gets no promotional or referral mail again.',
  'promotion.sent':
    'Marketing staff sent a promotional mail; it was queued only to people who consented and are not suppressed.',
  'referral.sent': 'A member asked Steward to e-mail a friend on their behalf (with their refer-a-friend consent).',
  'policy.published': 'An operator published a privacy policy version; a significant change e-mails every person.',
  'policy.acknowledged': 'A person acknowledged a significant privacy policy change.',
  'disclosure.recorded':
    'A disclosure of personal data was entered in the register (partner, legal request or planned transfer).',
  'disclosure.notices_queued': 'Notices of a planned transfer were queued to every affected person.',
  'disclosure.completed': 'A transfer of personal data was recorded as done, after every affected person was notified.',
  'personal_data.exported': 'A person exported all their data.',
  'personal_data.read':
    'A staff member read people’s personal data (masked by role); details give the reason and fields.',
  'personal_data.revealed': 'A staff member revealed a masked personal field, giving a reason.',
  'privacy.review_read': 'An operator read the internal privacy review report.',
  'analytics.retention_applied':
    'Analytics retention ran: raw addresses past their time were truncated and old events deleted.',
  'org.deletion_requested':
    'An owner asked to delete an organisation: its servers are released, then its data erased and its keys destroyed.',
  'org.deleted': 'An organisation was erased and its data keys destroyed (details hold counts only).',
  'user.deleted': 'A person deleted their account: their data was erased and their key scope destroyed.',
  'monitoring.enabled':
    'Monitoring of a server was switched on or its interval changed (a standing instruction: every sampling login is recorded against it).',
  'monitoring.disabled': 'Monitoring of a server was switched off; its kept login was closed.',
  'monitoring.settings_changed':
    'An organisation changed its monitoring settings (monitor every server, interval, alert e-mail recipients; addresses are not recorded).',
  'alert_rule.created': 'An alert rule was created.',
  'alert_rule.changed': 'An alert rule was changed, switched on or off.',
  'alert_rule.deleted': 'An alert rule was deleted.',
  'alert.fired': 'An alert rule’s condition held for its duration on a server; the recipients were mailed.',
  'alert.resolved': 'A firing alert’s condition cleared; the recipients were mailed.',
  'finding.opened': 'A detection rule reported a finding (suspicious activity) on a server.',
  'finding.acknowledged': 'A person acknowledged a finding.',
  'finding.closed': 'A person closed a finding.',
  'incident.opened': 'A finding opened an incident; the customer was notified.',
  'incident.acknowledged': 'A person acknowledged an incident.',
  'incident.closed': 'A person closed an incident and its findings.',
  'incident.grant_opened': 'An incident opened a suspicious-activity grant for the security team.',
  'incident.grant_failed': 'An incident could not open a suspicious-activity grant; the reason is in the details.',
  // Billing (plans, usage, invoices, payments)
  'plan.created':
    'An operator defined a plan (monthly price, included servers, extra server-hour, monitored server-hour and backup prices, support tier).',
  'plan.changed':
    'An operator renamed a plan, changed its support tier or took it off (or back on) offer; prices never change.',
  'billing.plan_changed':
    'An organisation moved to another plan (by its owner or an operator); the period’s invoice prorates both.',
  'billing.profile_updated':
    'An owner changed the billing contact and address (sealed; details name only the country, which picks the tax rate).',
  'tax_rate.set': 'An operator set the tax rate for a country (or the default for every other country).',
  'tax_rate.removed': 'An operator removed a country’s tax rate.',
  'invoice.issued': 'An invoice was issued for a period (numbered without gaps) and mailed to the billing contact.',
  'invoice.overdue':
    'An invoice was still unpaid after its due date and grace period: the organisation was raised for review; nothing was deleted.',
  'credit_note.issued': 'An operator issued a credit note against an invoice (numbered in its own series).',
  'payment.recorded': 'A payment against an invoice was recorded (bank transfer, manual or a payment provider).',
  'payment.failed':
    'A payment against an invoice failed (a bounced transfer, a declined card); the organisation was raised for review.',
  // Terms of service and the staff confidentiality undertaking
  'terms.published':
    'An operator published a terms of service version; a material change asks every person to accept at next sign-in and mails them.',
  'terms.accepted': 'A person accepted a terms of service version (at sign-up, at sign-in or in the console).',
  'undertaking.published':
    'An admin published a staff confidentiality undertaking version; staff who have not accepted it lose their roles until they do.',
  'undertaking.accepted':
    'A staff member accepted the confidentiality undertaking, confirming with a fresh one-time code; their roles are active again.',
  // Fraud and abuse review
  'review.raised': 'A risk signal put an organisation in the staff review queue (details name the signal).',
  'review.dismissed': 'Staff looked at a review item and dismissed it, with a note.',
  'org.suspended':
    'Staff suspended an organisation: its schedules, monitoring and tasks stopped; its data and servers stay. Members were told why.',
  'org.appealed': 'A member appealed a suspension through a support request.',
  'org.reinstated': 'Staff reinstated a suspended organisation: its schedules and monitoring resumed where they were.',
  'automation.refused': 'Steward refused to start automation (a task, a launch) for a suspended organisation.',
  // Personalised recommendations
  'recommendations.computed':
    'Steward computed personalised recommendations for a person who consented to them (details hold counts only).',
  'recommendations.forgotten':
    'A person withdrew consent to personalised recommendations; those kept for them were deleted.',
  'audit.staff_read': 'A staff member read an organisation’s audit log.',
  'access.denied': 'An action was refused for lack of permission.',
  'crypto.integrity_failure': 'A sealed value failed its integrity check.',
  'job.failed': 'A background job failed after its last attempt.',
} as const;

export type AuditAction = keyof typeof AUDIT_EVENTS;
