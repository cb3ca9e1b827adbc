import type { Db, Executor } from '../../db/database.js';
import type { CredentialUsesTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { newId } from '../../kernel/ids.js';
import type { Actor } from '../actor.js';
import type { RequestContext } from '../audit/audit.service.js';
import type { Instruction } from '../instruction.js';
import type { OrgsService } from '../orgs/orgs.service.js';

export interface CredentialUse {
  readonly orgId: string;
  /** Which credential: `org_ssh_key`, `server_bootstrap`, `provider_account`, `credential`. */
  readonly credential: string;
  readonly credentialId: string | null;
  readonly target: { readonly type: 'server' | 'provider_account'; readonly id: string };
  /** What was done with it, e.g. `ssh.login`, `ec2.RunInstances`. */
  readonly operation: string;
  readonly instruction: Instruction;
  readonly outcome: CredentialUsesTable['outcome'];
}

export interface LedgerEntryView {
  readonly id: string;
  readonly at: string;
  readonly credential: string;
  readonly credentialId: string | null;
  readonly target: { readonly type: string; readonly id: string };
  readonly operation: string;
  readonly instruction: { readonly type: string; readonly id: string | null; readonly actorId: string | null };
  readonly outcome: string;
}

/**
 * The credential-use ledger: one row each time Steward uses a customer's credential (an SSH login, a provider
 * call), with the instruction behind it. Written before the use proceeds; a use that cannot be recorded does
 * not happen.
 */
export function createLedgerService(deps: { db: Db; clock: Clock; orgs: Pick<OrgsService, 'requireMember'> }) {
  return {
    async record(use: CredentialUse, exec: Executor = deps.db): Promise<string> {
      const id = newId('use', deps.clock.nowMs());
      await exec
        .insertInto('credential_uses')
        .values({
          id,
          org_id: use.orgId,
          at: deps.clock.iso(),
          credential: use.credential,
          credential_id: use.credentialId,
          target_type: use.target.type,
          target_id: use.target.id,
          operation: use.operation,
          instruction_type: use.instruction.type,
          instruction_id: use.instruction.id,
          actor_id: use.instruction.actorId,
          outcome: use.outcome,
        })
        .execute();
      return id;
    },

    async list(
      actor: Actor,
      orgId: string,
      filter: { targetId?: string; before?: string; limit: number },
      ctx: RequestContext,
    ): Promise<LedgerEntryView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      let q = deps.db
        .selectFrom('credential_uses')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit);
      if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
      if (filter.before) q = q.where('at', '<', filter.before);
      return (await q.execute()).map((r) => ({
        id: r.id,
        at: r.at,
        credential: r.credential,
        credentialId: r.credential_id,
        target: { type: r.target_type, id: r.target_id },
        operation: r.operation,
        instruction: { type: r.instruction_type, id: r.instruction_id, actorId: r.actor_id },
        outcome: r.outcome,
      }));
    },
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;
