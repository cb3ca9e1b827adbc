import type { Db, Executor } from '../../db/database.js';
import type { ConsentsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { forbidden } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { Vault } from '../vault/vault.service.js';
import { parseUserAgent } from './analytics.rules.js';
import { privacyStore } from './privacy.store.js';
import {
  CONSENT_PURPOSES,
  CONSENT_STATEMENTS,
  type ConsentPurpose,
  type ConsentRecordView,
  type ConsentSource,
  type ConsentView,
} from './privacy.types.js';

export interface ConsentDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'auditHash'>;
  readonly audit: Pick<AuditService, 'record'>;
}

/** Where a decision came from: enough to show it was this person, at this time, seeing this statement. */
export interface ConsentContext extends RequestContext {
  readonly userAgent?: string;
}

const recordView = (r: ConsentsTable): ConsentRecordView => ({
  id: r.id,
  purpose: r.purpose,
  granted: r.granted === 1,
  at: r.at,
  source: r.source,
  policyVersion: r.policy_version,
  evidence: JSON.parse(r.evidence) as Record<string, unknown>,
});

/**
 * Consent records by purpose. Every decision is a new record (never an update), with the statement shown, the
 * policy version in force and evidence of where it came from; the current state is the newest record. Giving
 * and withdrawing are the same call, so withdrawing is exactly as easy as giving.
 */
export function createConsentService(deps: ConsentDeps) {
  const { db, clock } = deps;
  /** Run inside the decision's transaction (what a withdrawal must undo goes with it, or not at all). */
  const listeners: ((
    exec: Executor,
    decision: { userId: string; purpose: ConsentPurpose; granted: boolean },
  ) => Promise<void>)[] = [];

  /** Writes one decision inside `exec` (the caller's transaction), with its audit event. */
  async function recordDecision(
    exec: Executor,
    input: {
      readonly userId: string;
      readonly purpose: ConsentPurpose;
      readonly granted: boolean;
      readonly source: ConsentSource;
      readonly auditAs: { type: 'user' | 'anonymous'; id?: string };
      readonly ctx: ConsentContext;
    },
  ): Promise<ConsentRecordView> {
    const { userId, purpose, granted, source, auditAs, ctx } = input;
    const policy = await privacyStore.latestPolicy(exec);
    const ua = parseUserAgent(ctx.userAgent);
    const row: ConsentsTable = {
      id: newId('cns', clock.nowMs()),
      user_id: userId,
      purpose,
      granted: granted ? 1 : 0,
      at: clock.iso(),
      source,
      policy_version: policy?.version ?? null,
      evidence: JSON.stringify({
        statement: CONSENT_STATEMENTS[purpose],
        requestId: ctx.requestId ?? null,
        // The address only as a keyed hash: enough to match a record against a log, not to read it.
        ipHash: ctx.ip ? deps.vault.auditHash(`ip:${ctx.ip}`) : null,
        browser: `${ua.browser} ${ua.version}`.trim(),
        os: ua.os,
      }),
    };
    await privacyStore.insertConsent(exec, row);
    await privacyStore.setConsentState(exec, row);
    for (const listen of listeners) await listen(exec, { userId, purpose, granted });
    await deps.audit.record(
      exec,
      {
        action: granted ? 'consent.granted' : 'consent.withdrawn',
        actor: auditAs,
        target: { type: 'user', id: userId },
        details: { purpose, source, policyVersion: row.policy_version },
      },
      ctx,
    );
    return recordView(row);
  }

  async function current(userId: string): Promise<ConsentView[]> {
    const rows = new Map((await privacyStore.consentState(db, userId)).map((r) => [r.purpose, r]));
    return CONSENT_PURPOSES.map((purpose) => {
      const r = rows.get(purpose);
      return {
        purpose,
        granted: r?.granted === 1,
        at: r?.at ?? null,
        source: r?.source ?? null,
        policyVersion: r?.policy_version ?? null,
        statement: CONSENT_STATEMENTS[purpose],
      };
    });
  }

  return {
    recordDecision,
    current,
    /** Another module reacts to decisions in their transaction (recommendations forget a withdrawn person's). */
    onDecision(listener: (typeof listeners)[number]): void {
      listeners.push(listener);
    },
    /** Gives or withdraws consent for a purpose, as the signed-in person (staff accounts have no consents). */
    async decide(
      actor: Actor,
      input: { purpose: ConsentPurpose; granted: boolean; source: ConsentSource },
      ctx: ConsentContext,
    ): Promise<ConsentView[]> {
      if (actor.kind !== 'customer') throw forbidden('Consent records belong to customer accounts.');
      await db.transaction().execute((trx) =>
        recordDecision(trx, {
          userId: actor.userId,
          purpose: input.purpose,
          granted: input.granted,
          source: input.source,
          auditAs: { type: 'user', id: actor.userId },
          ctx,
        }),
      );
      return current(actor.userId);
    },
    async history(userId: string, limit = 1000): Promise<ConsentRecordView[]> {
      return (await privacyStore.consentHistory(db, userId, limit)).map(recordView);
    },
    isGranted: (userId: string, purpose: ConsentPurpose, exec: Executor = db) =>
      privacyStore.isGranted(exec, userId, purpose),
    consentingAmong: async (purpose: ConsentPurpose, userIds: readonly string[]) =>
      new Set((await privacyStore.consentingAmong(db, purpose, userIds)).map((r) => r.user_id)),
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
