import { createHash, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../crypto/passwords.js';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import { AppError, notFound } from '../../kernel/errors.js';
import { newId, randomToken } from '../../kernel/ids.js';
import type { Secret } from '../../kernel/secret.js';
import { auditActor, type Actor, type StaffRole } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { Vault } from '../vault/vault.service.js';
import { sessionExpired, TOUCH_INTERVAL_MS } from './users.rules.js';
import { usersStore, type UserRow } from './users.store.js';
import type { UsersService } from './users.service.js';

export interface SessionsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Pick<
    Config,
    'sessionIdleMs' | 'sessionMaxMs' | 'signinAttempts' | 'signinWindowMs' | 'signinMaxDelayMs'
  >;
  readonly vault: Pick<Vault, 'emailIndex' | 'auditHash'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly passwords: PasswordHasher;
  readonly users: Pick<UsersService, 'checkTotp'>;
}

/** What a new session hands the client: the cookie value and the CSRF token, both shown once. */
export interface IssuedSession {
  readonly sessionId: string;
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

export const TOKEN_PREFIX = 'stw_';
const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

/**
 * The CSRF token of a session is derived from its cookie, which page scripts cannot read: only a page of
 * Steward's own origin, which got the token from the API, can send it back. Recomputed on every request.
 */
export const csrfTokenFor = (sessionToken: string): string =>
  createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');

export function csrfMatches(sessionToken: string, presented: string): boolean {
  const a = Buffer.from(csrfTokenFor(sessionToken));
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

function actorOf(user: UserRow, via: 'session' | 'token', credentialId: string): Actor {
  const staffRoles = user.staff_roles === '' ? [] : (user.staff_roles.split(',') as StaffRole[]);
  return {
    userId: user.id,
    kind: user.kind,
    staffRoles,
    via,
    credentialId,
    needsTotpEnrolment: user.kind === 'staff' && user.totp_enabled !== 1,
  };
}

/** Sign-in, sessions and API tokens. Tokens are stored only as hashes; sessions end on the server. */
export function createSessionsService(deps: SessionsDeps) {
  const { db, clock, config } = deps;

  async function issueSession(exec: Executor, userId: string): Promise<IssuedSession> {
    const token = randomToken(32);
    const now = clock.nowMs();
    const row = {
      id: newId('ses', now),
      token_hash: sha256(token),
      user_id: userId,
      created_at: new Date(now).toISOString(),
      last_seen_at: new Date(now).toISOString(),
      expires_at: new Date(now + config.sessionMaxMs).toISOString(),
      revoked_at: null,
    };
    await usersStore.insertSession(exec, row);
    return { sessionId: row.id, token, csrfToken: csrfTokenFor(token), expiresAt: row.expires_at };
  }

  /**
   * Failed sign-ins slow the one failing rather than lock the account: past a number of free failures, each further
   * try must wait twice as long as the one before. Counted for the account from one address (the attacker), for an
   * address across accounts (one attacker, many accounts; many people share an address, so ten times the free
   * tries), and for the account from anywhere (many addresses), which waits at most a minute so that the owner,
   * signing in from their own address, is never locked out.
   */
  const rules = (subject: string): { free: number; capMs: number } => {
    if (subject.startsWith('ip:')) return { free: config.signinAttempts * 10, capMs: config.signinMaxDelayMs };
    if (subject.startsWith('email:'))
      return { free: config.signinAttempts * 4, capMs: Math.min(60_000, config.signinMaxDelayMs) };
    return { free: config.signinAttempts, capMs: config.signinMaxDelayMs };
  };
  const subjectsOf = (emailIndex: string, ip: string | undefined): string[] => {
    const address = ip ? deps.vault.auditHash(ip) : 'unknown';
    return [`pair:${emailIndex}:${address}`, `email:${emailIndex}`, ...(ip ? [`ip:${address}`] : [])];
  };

  /** How long (ms) these subjects must still wait before the next try; 0 when they may try now. */
  async function waitFor(subjects: string[]): Promise<number> {
    const since = new Date(clock.nowMs() - config.signinWindowMs).toISOString();
    let wait = 0;
    for (const s of subjects) {
      const { count, last } = await usersStore.attemptStats(db, s, since);
      const { free, capMs } = rules(s);
      if (count < free || last === null) continue;
      const delay = Math.min(capMs, 1000 * 2 ** (count - free));
      wait = Math.max(wait, Date.parse(last) + delay - clock.nowMs());
    }
    return wait;
  }

  const slowDown = (waitMs: number) => {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new AppError(
      'STEWARD_RATE_LIMITED',
      `Too many failed sign-ins; wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
      { retryAfterSeconds: seconds },
    );
  };

  async function recordFailure(
    subjects: string[],
    reason: string,
    userId: string | undefined,
    ctx: RequestContext,
  ): Promise<void> {
    await db.transaction().execute(async (trx) => {
      for (const s of subjects) await usersStore.insertAttempt(trx, newId('evt', clock.nowMs()), s, clock.iso());
      await deps.audit.record(
        trx,
        {
          action: 'user.signin_failed',
          actor: { type: 'anonymous' },
          target: userId ? { type: 'user', id: userId } : null,
          result: 'denied',
          details: { reason },
        },
        ctx,
      );
    });
    await usersStore.pruneAttempts(db, new Date(clock.nowMs() - config.signinWindowMs).toISOString());
  }

  /**
   * Signs a person in. Wrong e-mail and wrong password answer the same, after the same work. Failures count
   * against both the account and the client address; past the limit, sign-in is refused before any check.
   */
  async function signIn(
    input: { email: string; password: Secret<string>; totpCode?: string },
    ctx: RequestContext,
  ): Promise<{ session: IssuedSession; actor: Actor }> {
    const bidx = deps.vault.emailIndex(input.email);
    const subjects = subjectsOf(bidx, ctx.ip);
    const wait = await waitFor(subjects);
    if (wait > 0) {
      await deps.audit.recordAlone(
        {
          action: 'user.signin_failed',
          actor: { type: 'anonymous' },
          result: 'denied',
          details: { reason: 'rate_limited' },
        },
        ctx,
      );
      throw slowDown(wait);
    }
    const user = await usersStore.byEmailIndex(db, bidx);
    const passwordOk = await deps.passwords.verify(user?.password_hash, input.password);
    if (!user || !passwordOk || user.status !== 'active') {
      await recordFailure(subjects, 'bad_credentials', user?.id, ctx);
      throw new AppError('STEWARD_INVALID_CREDENTIALS', 'The e-mail address or password is wrong.');
    }
    if (user.totp_enabled === 1) {
      if (!input.totpCode)
        throw new AppError('STEWARD_TOTP_REQUIRED', 'Enter the one-time code from your authenticator app.');
      if (!(await deps.users.checkTotp(user, input.totpCode))) {
        await recordFailure(subjects, 'bad_totp', user.id, ctx);
        throw new AppError('STEWARD_INVALID_CREDENTIALS', 'The one-time code is wrong or was already used.');
      }
    }
    const session = await db.transaction().execute(async (trx) => {
      const issued = await issueSession(trx, user.id);
      await deps.audit.record(
        trx,
        {
          action: 'user.signed_in',
          actor: { type: user.kind === 'staff' ? 'staff' : 'user', id: user.id },
          target: { type: 'session', id: issued.sessionId },
          details: { secondFactor: user.totp_enabled === 1 },
        },
        ctx,
      );
      return issued;
    });
    return { session, actor: actorOf(user, 'session', session.sessionId) };
  }

  /**
   * Proof that the person is at the keyboard now, for acts a stolen session or API token must not do alone
   * (deleting an organisation): their password, or a fresh one-time code when they have a second factor. Wrong
   * proofs count as failed sign-ins, with the same growing waits.
   */
  async function confirmIdentity(
    actor: Actor,
    proof: { password?: Secret<string>; totpCode?: string },
    ctx: RequestContext,
  ): Promise<void> {
    if (proof.password === undefined && proof.totpCode === undefined)
      throw new AppError(
        'STEWARD_REAUTHENTICATION_REQUIRED',
        'Confirm it is you: send your password (or a one-time code from your authenticator app) with this request.',
      );
    const user = await usersStore.byId(db, actor.userId);
    if (!user) throw notFound('The person');
    const subjects = subjectsOf(user.email_bidx, ctx.ip);
    const wait = await waitFor(subjects);
    if (wait > 0) throw slowDown(wait);
    const ok =
      proof.totpCode !== undefined
        ? user.totp_enabled === 1 && (await deps.users.checkTotp(user, proof.totpCode))
        : await deps.passwords.verify(user.password_hash, proof.password!);
    if (!ok) {
      await recordFailure(subjects, 'bad_reauthentication', user.id, ctx);
      throw new AppError(
        'STEWARD_REAUTHENTICATION_REQUIRED',
        proof.totpCode !== undefined
          ? 'That one-time code is wrong or was already used; enter the current code from your authenticator app.'
          : 'That password is wrong; enter the password you sign in with.',
      );
    }
  }

  async function signOut(actor: Actor, ctx: RequestContext): Promise<void> {
    if (actor.via !== 'session') return;
    await db.transaction().execute(async (trx) => {
      await usersStore.revokeSession(trx, actor.credentialId, clock.iso());
      await deps.audit.record(
        trx,
        { action: 'user.signed_out', actor: auditActor(actor), target: { type: 'session', id: actor.credentialId } },
        ctx,
      );
    });
  }

  /** The actor behind a session cookie, or undefined when the session is unknown, ended or expired. */
  async function authenticateSession(token: string): Promise<Actor | undefined> {
    if (token.length < 20 || token.length > 100) return undefined;
    const session = await usersStore.sessionByHash(db, sha256(token));
    const now = clock.nowMs();
    if (!session || sessionExpired(session, now, config.sessionIdleMs)) return undefined;
    const user = await usersStore.byId(db, session.user_id);
    if (!user || user.status !== 'active') return undefined;
    if (now - Date.parse(session.last_seen_at) > TOUCH_INTERVAL_MS)
      await usersStore.touchSession(db, session.id, new Date(now).toISOString());
    return actorOf(user, 'session', session.id);
  }

  async function authenticateToken(token: string): Promise<Actor | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
    const row = await usersStore.tokenByHash(db, sha256(token));
    const now = clock.nowMs();
    if (!row || row.revoked_at !== null || (row.expires_at !== null && Date.parse(row.expires_at) <= now))
      return undefined;
    const user = await usersStore.byId(db, row.user_id);
    if (!user || user.status !== 'active') return undefined;
    // Staff act through the console with a second factor; their tokens work only once TOTP is enrolled.
    if (user.kind === 'staff' && user.totp_enabled !== 1) return undefined;
    if (row.last_used_at === null || now - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS)
      await usersStore.touchToken(db, row.id, new Date(now).toISOString());
    return actorOf(user, 'token', row.id);
  }

  async function createApiToken(
    actor: Actor,
    input: { name: string; expiresInDays?: number },
    ctx: RequestContext,
  ): Promise<{ id: string; token: string; expiresAt: string | null }> {
    const token = `${TOKEN_PREFIX}${randomToken(32)}`;
    const now = clock.nowMs();
    const id = newId('tok', now);
    const expiresAt = input.expiresInDays ? new Date(now + input.expiresInDays * 86_400_000).toISOString() : null;
    await db.transaction().execute(async (trx) => {
      await usersStore.insertToken(trx, {
        id,
        user_id: actor.userId,
        name: input.name,
        token_hash: sha256(token),
        created_at: new Date(now).toISOString(),
        last_used_at: null,
        expires_at: expiresAt,
        revoked_at: null,
      });
      await deps.audit.record(
        trx,
        {
          action: 'token.created',
          actor: auditActor(actor),
          target: { type: 'token', id },
          details: { name: input.name, expiresAt },
        },
        ctx,
      );
    });
    return { id, token, expiresAt };
  }

  async function listApiTokens(actor: Actor) {
    const rows = await usersStore.tokensOf(db, actor.userId);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    }));
  }

  async function revokeApiToken(actor: Actor, id: string, ctx: RequestContext): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const res = await usersStore.revokeToken(trx, actor.userId, id, clock.iso());
      if (Number(res.numUpdatedRows) === 0) throw notFound('The token');
      await deps.audit.record(
        trx,
        { action: 'token.revoked', actor: auditActor(actor), target: { type: 'token', id } },
        ctx,
      );
    });
  }

  return {
    issueSession,
    signIn,
    confirmIdentity,
    signOut,
    authenticateSession,
    authenticateToken,
    createApiToken,
    listApiTokens,
    revokeApiToken,
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
