import type { Clock } from '../../kernel/clock.js';
import { forbidden, notFound } from '../../kernel/errors.js';
import { auditActor, hasStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsPrivacy } from '../orgs/orgs.privacy.js';
import type { UsersService } from '../users/users.service.js';
import type { ConsentService } from './consent.service.js';
import { maskFor, visibleFields, type MaskedPerson } from './masking.rules.js';
import { REVEAL_ROLES, type PersonalField } from './privacy.types.js';

export interface PeopleDeps {
  readonly clock: Clock;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly users: Pick<UsersService, 'profiles' | 'getProfile'>;
  readonly orgs: Pick<OrgsPrivacy, 'memberUserIds' | 'status'>;
  readonly consent: Pick<ConsentService, 'consentingAmong'>;
}

/**
 * Need-to-know access to people's personal data for staff. Every read states a reason and is audited with the
 * fields shown; fields a role does not need come masked, and revealing one takes its own reason and audit entry.
 * Marketing staff see only people who consented to promotions. Customers are told nothing exists here.
 */
export function createPeopleService(deps: PeopleDeps) {
  const requireStaff = (actor: Actor, what: string) => {
    // A customer probing staff routes learns nothing, not even that the organisation or person exists.
    if (actor.kind !== 'staff' || actor.staffRoles.length === 0) throw notFound(what);
  };

  return {
    async membersOf(actor: Actor, orgId: string, reason: string, ctx: RequestContext): Promise<MaskedPerson[]> {
      requireStaff(actor, 'The organisation');
      if ((await deps.orgs.status(orgId)) !== 'active') throw notFound('The organisation');
      let ids = await deps.orgs.memberUserIds(orgId);
      const onlyMarketing = actor.staffRoles.every((r) => r === 'marketing');
      if (onlyMarketing) {
        const consenting = await deps.consent.consentingAmong('promotions', ids);
        ids = ids.filter((id) => consenting.has(id));
      }
      const profiles = await deps.users.profiles(ids);
      const people = ids.flatMap((id) => {
        const p = profiles.get(id);
        return p ? [maskFor(actor.staffRoles, { id, name: p.name, email: p.email, phone: p.phone })] : [];
      });
      await deps.audit.recordAlone(
        {
          action: 'personal_data.read',
          orgId,
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          details: {
            reason,
            fields: [...visibleFields(actor.staffRoles)],
            people: people.length,
            onlyConsenting: onlyMarketing,
          },
        },
        ctx,
      );
      return people;
    },

    /** Shows one masked field in clear, for a stated reason; audited (field and reason, never the value). */
    async reveal(
      actor: Actor,
      userId: string,
      field: PersonalField,
      reason: string,
      ctx: RequestContext,
    ): Promise<{ field: PersonalField; value: string | null }> {
      requireStaff(actor, 'The person');
      if (
        !actor.staffRoles.some((r) => REVEAL_ROLES.includes(r)) ||
        (hasStaffRole(actor, 'marketing') && actor.staffRoles.length === 1)
      ) {
        throw forbidden(`Revealing personal fields needs one of these staff roles: ${REVEAL_ROLES.join(', ')}.`);
      }
      const profile = (await deps.users.profiles([userId])).get(userId);
      if (!profile || profile.kind !== 'customer') throw notFound('The person');
      await deps.audit.recordAlone(
        {
          action: 'personal_data.revealed',
          actor: auditActor(actor),
          target: { type: 'user', id: userId },
          details: { field, reason },
        },
        ctx,
      );
      return { field, value: profile[field] };
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
