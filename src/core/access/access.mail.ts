/**
 * E-mail about staff access. Every change of a grant's state is mailed to the organisation's owners and to
 * the person who asked for it, in the transaction of the change (so a mail exists exactly when the change does).
 */
import type { Executor } from '../../db/database.js';
import type { NotifyService } from '../notify/notify.service.js';
import { defineTemplate, layout } from '../notify/templates.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import type { GrantRow } from './access.rules.js';

const HEADINGS: Record<string, (v: Readonly<Record<string, string>>) => string> = {
  requested: () => 'You asked for staff help',
  opened: () => 'Staff access was opened because of suspicious activity',
  taken: (v) => `${v.staff || 'A staff member'} took your request`,
  approved: () => 'Staff access was approved',
  activated: (v) => `${v.staff || 'Staff'} may now work on your resources`,
  denied: () => 'Staff access was refused',
  narrowed: () => 'Staff access was narrowed',
  revoked: () => 'Staff access was revoked',
  expired: () => 'Staff access ended',
};

defineTemplate('access.grant_changed', (v) => {
  const heading = (HEADINGS[v.event ?? ''] ?? (() => 'Staff access changed'))(v);
  const paragraphs = [
    `Reason: ${v.reason}. ${v.justification}`,
    `Scope: ${v.scope}. ${v.window}`,
    ...(v.event === 'opened'
      ? [
          'Steward opened this because a detection rule found something on your servers. You can revoke it at any time; everything staff do is recorded in your timeline.',
        ]
      : []),
    'You can narrow or revoke staff access at any time, and read every staff action in the timeline.',
  ];
  return {
    subject: `Steward: ${heading}`,
    ...layout({
      heading,
      paragraphs,
      action: { label: 'Open the timeline', url: v.url ?? '' },
      footer: `Grant ${v.grantId}`,
    }),
  };
});

defineTemplate('access.support_message', (v) => ({
  subject: `Steward support: ${v.subject}`,
  ...layout({
    heading: `New message on “${v.subject}”`,
    paragraphs: [
      `${v.author} wrote a reply. Read it in Steward (messages are not sent by e-mail: they may hold details of your servers).`,
    ],
    action: { label: 'Open the request', url: v.url ?? '' },
    footer: `Request ${v.requestId}`,
  }),
}));

export interface MailPlan {
  readonly recipients: readonly { readonly id: string; readonly email: string }[];
  readonly staffName: string | null;
}

export interface AccessMailDeps {
  readonly notify?: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'ownerIds'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly publicUrl: string;
}

/** Queues mail to the organisation's owners and the customer who asked (each once). */
export function createAccessMail(deps: AccessMailDeps) {
  async function recipients(
    orgId: string,
    extra: readonly (string | null)[],
  ): Promise<{ id: string; email: string }[]> {
    const ids = [
      ...new Set([
        ...(await deps.orgs.ownerIds(orgId)),
        ...extra.filter((x): x is string => typeof x === 'string' && x.startsWith('usr_')),
      ]),
    ];
    const people = await deps.users.profiles(ids);
    return ids.flatMap((id) => {
      const p = people.get(id);
      return p && p.kind === 'customer' ? [{ id, email: p.email }] : [];
    });
  }

  return {
    /**
     * Who to mail and the staff member's name, read before the change's transaction opens (inside it, only the
     * transaction may be used: SQLite has one connection).
     */
    async prepare(orgId: string, requestedBy: string | null, staffId: string | null): Promise<MailPlan> {
      const staff = staffId ? ((await deps.users.profiles([staffId])).get(staffId)?.name ?? null) : null;
      return { recipients: deps.notify ? await recipients(orgId, [requestedBy]) : [], staffName: staff };
    },
    async grantChanged(trx: Executor, grant: GrantRow, event: string, plan: MailPlan): Promise<void> {
      if (!deps.notify) return;
      const staffName = plan.staffName;
      const scope = JSON.parse(grant.server_ids).length + JSON.parse(grant.account_ids).length;
      const vars = {
        event,
        grantId: grant.id,
        reason: grant.reason.replace('_', ' '),
        justification: grant.justification,
        staff: staffName ?? '',
        scope: `${scope} resource${scope === 1 ? '' : 's'}, actions ${(JSON.parse(grant.actions) as string[]).join(', ')}`,
        window: grant.ends_at
          ? `Until ${grant.ends_at}.`
          : `For ${grant.duration_minutes} minutes once a staff member takes it.`,
        url: `${deps.publicUrl}/orgs/${grant.org_id}/timeline`,
      };
      for (const r of plan.recipients) {
        await deps.notify.queueMail(trx, {
          to: r.email,
          scope: r.id,
          orgId: grant.org_id,
          category: 'transactional',
          template: 'access.grant_changed',
          vars,
        });
      }
    },
    async supportMessage(
      trx: Executor,
      support: { id: string; org_id: string; subject: string },
      author: string,
      plan: MailPlan,
    ): Promise<void> {
      if (!deps.notify) return;
      for (const r of plan.recipients) {
        await deps.notify.queueMail(trx, {
          to: r.email,
          scope: r.id,
          orgId: support.org_id,
          category: 'transactional',
          template: 'access.support_message',
          vars: {
            subject: support.subject,
            author,
            requestId: support.id,
            url: `${deps.publicUrl}/orgs/${support.org_id}/support/${support.id}`,
          },
        });
      }
    },
  };
}

export type AccessMail = ReturnType<typeof createAccessMail>;
