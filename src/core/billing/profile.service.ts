import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { forbidden, notFound } from '../../kernel/errors.js';
import { auditActor, requireStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import { maskAddress, maskEmail, maskName, maskTaxId } from '../privacy/masking.rules.js';
import type { Vault } from '../vault/vault.service.js';
import { billingStore } from './billing.store.js';
import type { BillingContact, BillingProfileView } from './billing.types.js';

export interface ProfileDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
}

export const BILLING_FIELDS = ['name', 'email', 'address', 'taxId'] as const;
export type BillingField = (typeof BILLING_FIELDS)[number];

/** Staff who run billing see the contact in clear; support and security see it masked; marketing not at all. */
const CLEAR_FOR = ['admin'];
const MASKED_FOR = ['support', 'security'];

const sealCtx = (orgId: string) => ({
  scope: orgId,
  table: 'billing_profiles',
  column: 'contact_sealed',
  row: orgId,
});

/**
 * The organisation's billing contact and address: personal data, sealed under the organisation's key (so deleting
 * the organisation shreds it), shown to its members, to billing staff in clear and to other staff masked; a masked
 * field is revealed only with a reason, and that is audited.
 */
export function createProfileService(deps: ProfileDeps) {
  const { db, clock } = deps;

  async function read(orgId: string): Promise<(BillingContact & { country: string; updatedAt: string }) | undefined> {
    const row = await billingStore.profile(db, orgId);
    if (!row) return undefined;
    const contact = JSON.parse(
      (await deps.vault.openText(sealCtx(orgId), row.contact_sealed)).reveal(),
    ) as BillingContact;
    return { ...contact, country: row.country, updatedAt: row.updated_at };
  }

  function staffView(actor: Actor, p: BillingContact & { country: string; updatedAt: string }): BillingProfileView {
    if (actor.staffRoles.some((r) => CLEAR_FOR.includes(r))) return { ...p, masked: [] };
    return {
      ...p,
      name: maskName(p.name),
      email: maskEmail(p.email),
      addressLines: maskAddress(p.addressLines),
      taxId: p.taxId === null ? null : maskTaxId(p.taxId),
      masked: p.taxId === null ? ['name', 'email', 'address'] : ['name', 'email', 'address', 'taxId'],
    };
  }

  return {
    read,
    async get(actor: Actor, orgId: string, ctx: RequestContext): Promise<BillingProfileView | null> {
      if (actor.kind === 'staff') {
        if (!actor.staffRoles.some((r) => CLEAR_FOR.includes(r) || MASKED_FOR.includes(r)))
          throw forbidden('Billing contacts are for admin, support and security staff.');
        const p = await read(orgId);
        await deps.audit.recordAlone(
          {
            action: 'personal_data.read',
            orgId,
            actor: auditActor(actor),
            target: { type: 'billing_profile', id: orgId },
            details: { reason: 'billing', fields: actor.staffRoles.includes('admin') ? ['billing_contact'] : [] },
          },
          ctx,
        );
        return p ? staffView(actor, p) : null;
      }
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const p = await read(orgId);
      return p ? { ...p, masked: [] } : null;
    },

    async set(
      actor: Actor,
      orgId: string,
      input: BillingContact & { country: string },
      ctx: RequestContext,
    ): Promise<BillingProfileView> {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      const contact: BillingContact = {
        name: input.name,
        email: input.email,
        addressLines: input.addressLines,
        taxId: input.taxId,
      };
      const now = clock.iso();
      await db.transaction().execute(async (trx) => {
        await billingStore.upsertProfile(trx, {
          org_id: orgId,
          country: input.country,
          contact_sealed: await deps.vault.seal(sealCtx(orgId), JSON.stringify(contact), trx),
          updated_by: actor.userId,
          updated_at: now,
        });
        // The address itself is never in the log: only that it changed and the country (which picks the tax rate).
        await deps.audit.record(
          trx,
          {
            action: 'billing.profile_updated',
            orgId,
            actor: auditActor(actor),
            target: { type: 'org', id: orgId },
            details: { country: input.country },
          },
          ctx,
        );
      });
      return { ...contact, country: input.country, updatedAt: now, masked: [] };
    },

    /** One masked field in clear for support or security, with a reason; audited without the value. */
    async reveal(actor: Actor, orgId: string, field: BillingField, reason: string, ctx: RequestContext) {
      requireStaffRole(
        actor,
        [...MASKED_FOR, ...CLEAR_FOR],
        'A billing profile for this organisation',
        'Revealing billing contacts needs the admin, support or security staff role.',
      );
      const p = await read(orgId);
      if (!p) throw notFound('A billing profile for this organisation');
      await deps.audit.recordAlone(
        {
          action: 'personal_data.revealed',
          orgId,
          actor: auditActor(actor),
          target: { type: 'billing_profile', id: orgId },
          details: { field: `billing.${field}`, reason },
        },
        ctx,
      );
      const value =
        field === 'name'
          ? p.name
          : field === 'email'
            ? p.email
            : field === 'address'
              ? p.addressLines.join('\n')
              : p.taxId;
      return { field, value };
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
