import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Secret } from '../../kernel/secret.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { Vault } from '../vault/vault.service.js';
import { credentialsStore, type CredentialRow } from './credentials.store.js';

export const CREDENTIAL_KINDS = ['password', 'ssh_private_key', 'api_key', 'database_password', 'other'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface CredentialsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'auditHash'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
}

/** What the API shows of a credential: never the value, only a hint to recognise it by. */
export interface CredentialView {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly name: string;
  readonly hint: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A hint that identifies a value without revealing it: its last four characters when it is long enough. */
export function hintFor(kind: CredentialKind, value: string): string {
  if (kind === 'ssh_private_key') return 'private key';
  const trimmed = value.trim();
  return trimmed.length >= 16 ? `…${trimmed.slice(-4)}` : '••••';
}

const view = (r: CredentialRow): CredentialView => ({
  id: r.id,
  kind: r.kind as CredentialKind,
  name: r.name,
  hint: r.hint,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const ctxOf = (orgId: string, id: string) => ({ scope: orgId, table: 'credentials', column: 'value_sealed', row: id });

/** Secrets an organisation hands Steward (passwords, keys, API keys), sealed on entry and never returned. */
export function createCredentialsService(deps: CredentialsDeps) {
  const { db, clock, vault } = deps;

  async function sealCredential(
    actor: Actor,
    orgId: string,
    input: { kind: CredentialKind; name: string; value: Secret<string> },
    ctx: RequestContext,
  ): Promise<CredentialView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const id = newId('cred', clock.nowMs());
    const now = clock.iso();
    const row: CredentialRow = {
      id,
      org_id: orgId,
      kind: input.kind,
      name: input.name,
      hint: hintFor(input.kind, input.value.reveal()),
      value_sealed: await vault.seal(ctxOf(orgId, id), input.value),
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    await db.transaction().execute(async (trx) => {
      await credentialsStore.insert(trx, row);
      await deps.audit.record(
        trx,
        {
          action: 'credential.sealed',
          orgId,
          actor: auditActor(actor),
          target: { type: 'credential', id },
          details: { kind: input.kind, name: input.name, valueHash: vault.auditHash(input.value.reveal()) },
        },
        ctx,
      );
    });
    return view(row);
  }

  async function listCredentials(actor: Actor, orgId: string, ctx: RequestContext): Promise<CredentialView[]> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    return (await credentialsStore.list(db, orgId)).map(view);
  }

  async function getCredential(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<CredentialView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const row = await credentialsStore.byId(db, orgId, id);
    if (!row) throw notFound('The credential');
    return view(row);
  }

  async function replaceCredential(
    actor: Actor,
    orgId: string,
    id: string,
    value: Secret<string>,
    ctx: RequestContext,
  ): Promise<CredentialView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const existing = await credentialsStore.byId(db, orgId, id);
    if (!existing) throw notFound('The credential');
    const patch = {
      value_sealed: await vault.seal(ctxOf(orgId, id), value),
      hint: hintFor(existing.kind as CredentialKind, value.reveal()),
      updated_at: clock.iso(),
    };
    await db.transaction().execute(async (trx) => {
      await credentialsStore.replace(trx, orgId, id, patch);
      await deps.audit.record(
        trx,
        {
          action: 'credential.replaced',
          orgId,
          actor: auditActor(actor),
          target: { type: 'credential', id },
          details: { valueHash: vault.auditHash(value.reveal()) },
        },
        ctx,
      );
    });
    return view({ ...existing, ...patch });
  }

  async function deleteCredential(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<void> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    await db.transaction().execute(async (trx) => {
      const res = await credentialsStore.remove(trx, orgId, id);
      if (Number(res.numDeletedRows) === 0) throw notFound('The credential');
      await deps.audit.record(
        trx,
        { action: 'credential.deleted', orgId, actor: auditActor(actor), target: { type: 'credential', id } },
        ctx,
      );
    });
  }

  /** Opens a credential for Steward's own use (an SSH login, a provider call). Callers record the use. */
  async function openCredential(orgId: string, id: string): Promise<Secret<string>> {
    const row = await credentialsStore.byId(db, orgId, id);
    if (!row) throw notFound('The credential');
    return vault.openText(ctxOf(orgId, id), row.value_sealed);
  }

  // Staff entry point: core/access has checked the staff member's grant
  /** The organisation's credentials by name and hint, never values, for a staff member under a grant. */
  async function listUnderGrant(orgId: string): Promise<CredentialView[]> {
    return (await credentialsStore.list(db, orgId)).map(view);
  }

  return {
    sealCredential,
    listCredentials,
    getCredential,
    replaceCredential,
    deleteCredential,
    openCredential,
    listUnderGrant,
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
