import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { SessionsService } from '../users/sessions.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import type { AnalyticsService } from './analytics.service.js';
import type { CommunicationsService } from './communications.service.js';
import type { ConsentService } from './consent.service.js';
import type { PoliciesService } from './policies.service.js';
import type { TermsService } from './terms.service.js';

export interface ExportDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'emailIndex'>;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly users: Pick<UsersService, 'getProfile'>;
  readonly sessions: Pick<SessionsService, 'listApiTokens'>;
  readonly orgs: Pick<OrgsService, 'listMyOrgs'>;
  readonly notify: Pick<NotifyService, 'mailsTo'>;
  readonly consent: Pick<ConsentService, 'current' | 'history'>;
  readonly policies: Pick<PoliciesService, 'acknowledgementsOf'>;
  readonly communications: Pick<CommunicationsService, 'referralsOf'>;
  readonly analytics: Pick<AnalyticsService, 'eventsOf'>;
  readonly terms: Pick<TermsService, 'acceptancesOf'>;
}

const ACTIVITY_LIMIT = 5000;

/**
 * A person's export of everything Steward holds about them: profile, organisations, consents and their history,
 * policy acknowledgements, referrals, mails, linked analytics events and their own actions from the audit log;
 * machine-readable, with a readable summary beside it. Exporting is itself audited (without the data).
 */
export function createExportService(deps: ExportDeps) {
  async function collect(actor: Actor) {
    const profile = await deps.users.getProfile(actor.userId);
    const activity = await deps.db
      .selectFrom('audit_log')
      .select(['at', 'action', 'org_id', 'target_type', 'target_id', 'result', 'ip'])
      .where('actor_id', '=', actor.userId)
      .orderBy('seq', 'desc')
      .limit(ACTIVITY_LIMIT)
      .execute();
    return {
      format: 'steward-export/1',
      exportedAt: deps.clock.iso(),
      person: {
        id: profile.id,
        kind: profile.kind,
        name: profile.name,
        email: profile.email,
        phone: profile.phone,
        staffRoles: profile.staffRoles,
        secondFactor: profile.totpEnabled,
        createdAt: profile.createdAt,
      },
      organisations: await deps.orgs.listMyOrgs(actor),
      consents: {
        current: await deps.consent.current(actor.userId),
        history: await deps.consent.history(actor.userId),
      },
      policyAcknowledgements: await deps.policies.acknowledgementsOf(actor.userId),
      termsAcceptances: await deps.terms.acceptancesOf(actor.userId),
      referrals: await deps.communications.referralsOf(actor.userId),
      apiTokens: await deps.sessions.listApiTokens(actor),
      mails: await deps.notify.mailsTo(deps.vault.emailIndex(profile.email)),
      analytics: (await deps.analytics.eventsOf(actor.userId)).map((e) => ({
        at: e.at,
        kind: e.kind,
        path: e.path,
        referrer: e.referrer_host,
        ip: e.ip,
        browser: `${e.browser} ${e.browser_version}`.trim(),
        os: e.os,
        language: e.language,
      })),
      activity: activity.map((a) => ({
        at: a.at,
        action: a.action,
        orgId: a.org_id,
        target: a.target_id ? `${a.target_type}:${a.target_id}` : null,
        result: a.result,
        ip: a.ip,
      })),
    };
  }

  type ExportData = Awaited<ReturnType<typeof collect>>;

  function summarise(d: ExportData): string {
    const consent = d.consents.current.map(
      (c) =>
        `  - ${c.purpose}: ${c.granted ? 'yes' : 'no'}${c.at ? ` (since ${c.at}, via ${c.source})` : ' (never asked)'}`,
    );
    return [
      `Your data at Steward, exported ${d.exportedAt}`,
      '',
      `Name: ${d.person.name}`,
      `E-mail: ${d.person.email}`,
      `Phone: ${d.person.phone ?? '(none)'}`,
      `Account since: ${d.person.createdAt}`,
      `Second factor: ${d.person.secondFactor ? 'on' : 'off'}`,
      '',
      `Organisations (${d.organisations.length}):`,
      ...d.organisations.map((o) => `  - ${o.name} (${o.role})`),
      '',
      'Consents:',
      ...consent,
      `Consent decisions on record: ${d.consents.history.length}`,
      `Privacy policy versions acknowledged: ${d.policyAcknowledgements.map((a) => a.version).join(', ') || 'none'}`,
      `Terms of service versions accepted: ${d.termsAcceptances.map((a) => `${a.version} (${a.at}, ${a.source.replace('_', ' ')})`).join(', ') || 'none'}`,
      `Friends you asked us to invite: ${d.referrals.length} (their addresses are kept only as a keyed index)`,
      `API tokens: ${d.apiTokens.length}`,
      `Mails we sent you: ${d.mails.length}`,
      `Analytics events linked to you: ${d.analytics.length}`,
      `Your actions in the audit log: ${d.activity.length}`,
      '',
      'The JSON export holds every one of these records in full.',
      '',
    ].join('\n');
  }

  return {
    async exportData(actor: Actor, ctx: RequestContext): Promise<{ data: ExportData; summary: string }> {
      const data = await collect(actor);
      await deps.audit.recordAlone(
        { action: 'personal_data.exported', actor: auditActor(actor), target: { type: 'user', id: actor.userId } },
        ctx,
      );
      return { data, summary: summarise(data) };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
