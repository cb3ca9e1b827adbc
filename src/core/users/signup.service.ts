/**
 * Sign-up in two steps. Asking answers the same for a new address and a taken one ("check your mail"), after the
 * same checks and the same password hashing: a new address gets a confirmation link, a taken one a note that it
 * already has an account. The account and its first organisation exist only once the link is followed, so an
 * address cannot be occupied by someone who does not read its mail. Sign-ups are limited per client address and
 * per e-mail domain. Asking is audited (`signup.requested`, the address only as a keyed hash); the account exists, and
 * `user.signed_up` is recorded, once the link is followed. Once terms of service are published, sign-up needs the
 * version in force accepted, and the acceptance is recorded with the account.
 */
import { createHash } from 'node:crypto';
import type { PasswordHasher } from '../../crypto/passwords.js';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import { AppError } from '../../kernel/errors.js';
import { newId, randomToken } from '../../kernel/ids.js';
import type { Secret } from '../../kernel/secret.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { TermsService } from '../privacy/terms.service.js';
import type { Vault } from '../vault/vault.service.js';
import { signupStore } from './signup.store.js';
import './signup.templates.js';
import { checkPasswordPolicy, isDisposableDomain } from './users.rules.js';
import { usersStore } from './users.store.js';
import type { UsersService } from './users.service.js';

export interface SignUpInput {
  readonly email: string;
  readonly password: Secret<string>;
  readonly name: string;
  readonly phone: string | null;
  readonly orgName: string;
  /** The terms version the person was shown and accepted; null when they accepted none. */
  readonly termsVersion: string | null;
}

/**
 * One rule a sign-up must pass before anything is stored or mailed; throws an AppError saying what to fix. Rules run
 * in order, the same for new and taken addresses (so none of them can tell the two apart).
 */
export type SignUpCheck = (input: SignUpInput, ctx: RequestContext) => Promise<void>;

export interface SignUpDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Pick<Config, 'signup' | 'publicUrl'>;
  readonly vault: Pick<
    Vault,
    'seal' | 'openText' | 'emailIndex' | 'auditHash' | 'createScope' | 'destroyScope' | 'ensureOpen'
  >;
  readonly audit: Pick<AuditService, 'record'>;
  readonly passwords: Pick<PasswordHasher, 'hash'>;
  readonly users: Pick<UsersService, 'createConfirmedCustomer'>;
  readonly orgs: Pick<OrgsService, 'createFirstOrg'>;
  readonly notify: Pick<NotifyService, 'queueMail' | 'forgetMails'>;
  /** The terms of service: sign-up needs the version in force accepted, and records it with the account. */
  readonly terms: Pick<TermsService, 'current' | 'recordAtSignUp'>;
}

/** What every sign-up answer says, new address or taken. */
export const CHECK_YOUR_MAIL =
  'Check your mail: we sent a message to that address. Follow the link in it to confirm the address and finish creating your account.';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
const detailsContext = (userId: string, id: string) => ({
  scope: userId,
  table: 'signup_requests',
  column: 'details_sealed',
  row: id,
});

interface Details {
  readonly email: string;
  readonly name: string;
  readonly phone: string | null;
  readonly orgName: string;
  readonly termsVersion?: string | null;
}

export function createSignUpService(deps: SignUpDeps) {
  const { db, clock, vault } = deps;
  const window = deps.config.signup;

  /** Sign-ups per client address and per e-mail domain in the window; the attempt counts against both. */
  const withinLimits: SignUpCheck = async (input, ctx) => {
    const since = new Date(clock.nowMs() - window.windowMs).toISOString();
    const domain = input.email.trim().toLowerCase().split('@').pop() ?? '';
    const subjects: [string, number][] = [[`domain:${vault.auditHash(domain)}`, window.perDomain]];
    if (ctx.ip) subjects.push([`ip:${vault.auditHash(ctx.ip)}`, window.perAddress]);
    for (const [subject, limit] of subjects)
      if ((await signupStore.countAttempts(db, subject, since)) >= limit)
        throw new AppError(
          'STEWARD_RATE_LIMITED',
          'Too many sign-ups from this network or for this e-mail domain just now; try again in an hour.',
        );
    for (const [subject] of subjects)
      await signupStore.insertAttempt(db, newId('evt', clock.nowMs()), subject, clock.iso());
    await signupStore.pruneAttempts(db, since);
  };

  const strongPassword: SignUpCheck = (input) =>
    checkPasswordPolicy(input.password.reveal(), [input.email, input.name]);

  /** Addresses at throwaway mail services, from a list maintained upstream; taken addresses are refused alike. */
  const lastingAddress: SignUpCheck = async (input) => {
    if (await isDisposableDomain(input.email.trim().toLowerCase().split('@').pop() ?? ''))
      throw new AppError(
        'STEWARD_SIGNUP_DISPOSABLE_EMAIL',
        'This address is at a disposable (throwaway) mail service. Sign up with an address you will keep: Steward mails invoices, security notices and sign-in links to it.',
      );
  };

  /** Once terms are published, the version in force must have been shown and accepted. */
  const termsAccepted: SignUpCheck = async (input) => {
    const current = await deps.terms.current();
    if (current && input.termsVersion !== current.version)
      throw new AppError(
        'STEWARD_INVALID_INPUT',
        input.termsVersion === null
          ? `Accept the terms of service to sign up: read version ${current.version} (GET /api/terms) and send acceptTerms: "${current.version}".`
          : `The terms of service changed to version ${current.version} since they were shown; read them again and accept that version.`,
        { field: 'acceptTerms', current: current.version },
      );
  };

  const checks: readonly SignUpCheck[] = [withinLimits, lastingAddress, strongPassword, termsAccepted];

  /** Forgets sign-ups whose link expired: their row, their key scope (and with it the sealed fields), their mail. */
  async function forgetExpired(): Promise<void> {
    const expired = await signupStore.expired(db, clock.iso());
    for (const row of expired)
      await db.transaction().execute(async (trx) => {
        await signupStore.remove(trx, row.id);
        await deps.notify.forgetMails(trx, { scope: row.user_id });
        await vault.destroyScope(row.user_id, trx);
      });
  }

  /** Step one: checks, then a confirmation link (new address) or an "you have an account" note (taken address). */
  async function requestSignUp(input: SignUpInput, ctx: RequestContext): Promise<void> {
    vault.ensureOpen();
    for (const check of checks) await check(input, ctx);
    await forgetExpired();
    const email = input.email.trim();
    // Hashed either way, so a taken address answers after the same work as a new one.
    const passwordHash = await deps.passwords.hash(input.password);
    const existing = await usersStore.byEmailIndex(db, vault.emailIndex(email));
    // Recorded alike for new and taken addresses (the answer must not tell them apart); the address only hashed.
    await deps.audit.record(
      db,
      {
        action: 'signup.requested',
        actor: { type: 'anonymous' },
        details: { emailHash: vault.auditHash(`email:${email.toLowerCase()}`), termsVersion: input.termsVersion },
      },
      ctx,
    );
    if (existing) {
      await deps.notify.queueMail(db, {
        to: email,
        scope: existing.id,
        category: 'transactional',
        template: 'account.signup_existing',
        vars: { url: `${deps.config.publicUrl}/signin` },
      });
      return;
    }
    const token = randomToken(32);
    const id = newId('evt', clock.nowMs());
    const userId = newId('usr', clock.nowMs());
    const details: Details = {
      email,
      name: input.name,
      phone: input.phone,
      orgName: input.orgName,
      termsVersion: input.termsVersion,
    };
    await db.transaction().execute(async (trx) => {
      await vault.createScope(userId, trx);
      await signupStore.insert(trx, {
        id,
        user_id: userId,
        email_bidx: vault.emailIndex(email),
        details_sealed: await vault.seal(detailsContext(userId, id), JSON.stringify(details), trx),
        password_hash: passwordHash,
        token_hash: sha256(token),
        expires_at: new Date(clock.nowMs() + window.confirmMs).toISOString(),
        created_at: clock.iso(),
      });
      // The token travels after `#`: browsers send neither it nor the fragment to any server, Referer included.
      await deps.notify.queueMail(trx, {
        to: email,
        scope: userId,
        category: 'transactional',
        template: 'account.confirm',
        vars: {
          name: input.name,
          url: `${deps.config.publicUrl}/confirm#${token}`,
          hours: String(Math.round(window.confirmMs / 3_600_000)),
        },
      });
    });
  }

  const invalidLink = () =>
    new AppError(
      'STEWARD_SIGNUP_LINK_INVALID',
      'This confirmation link is unknown, was already used or has expired. Sign up again to get a new one, or sign in if the account exists.',
    );

  /**
   * Step two, from the mailed link: the account and its first organisation are created and the address counts as
   * confirmed. The first link followed for an address wins; other waiting sign-ups for it are forgotten.
   */
  async function confirmSignUp(
    token: string,
    ctx: RequestContext,
  ): Promise<{ userId: string; orgId: string; email: string }> {
    vault.ensureOpen();
    const row = await signupStore.byTokenHash(db, sha256(token));
    if (!row || Date.parse(row.expires_at) <= clock.nowMs()) throw invalidLink();
    const details = JSON.parse(
      (await vault.openText(detailsContext(row.user_id, row.id), row.details_sealed)).reveal(),
    ) as Details;
    return db.transaction().execute(async (trx) => {
      if (!(await signupStore.remove(trx, row.id))) throw invalidLink();
      if (await usersStore.byEmailIndex(trx, row.email_bidx)) throw invalidLink();
      await forgetOthers(trx, row.email_bidx);
      const user = await deps.users.createConfirmedCustomer(trx, {
        id: row.user_id,
        email: details.email,
        name: details.name,
        phone: details.phone,
        passwordHash: row.password_hash,
      });
      const orgId = await deps.orgs.createFirstOrg(trx, details.orgName, user.id);
      if (details.termsVersion) await deps.terms.recordAtSignUp(trx, user.id, details.termsVersion, ctx);
      await deps.audit.record(
        trx,
        {
          action: 'user.signed_up',
          orgId,
          actor: { type: 'user', id: user.id },
          target: { type: 'user', id: user.id },
          details: { orgName: details.orgName, confirmed: true },
        },
        ctx,
      );
      await deps.notify.queueMail(trx, {
        to: details.email,
        scope: user.id,
        orgId,
        category: 'transactional',
        template: 'account.welcome',
        vars: { name: details.name, orgName: details.orgName, url: deps.config.publicUrl },
      });
      return { userId: user.id, orgId, email: details.email };
    });
  }

  /** Other sign-ups waiting for the same address: gone with their scopes and mails once one is confirmed. */
  async function forgetOthers(trx: Executor, emailBidx: string): Promise<void> {
    for (const other of await signupStore.byEmailIndex(trx, emailBidx)) {
      await signupStore.remove(trx, other.id);
      await deps.notify.forgetMails(trx, { scope: other.user_id });
      await vault.destroyScope(other.user_id, trx);
    }
  }

  return { requestSignUp, confirmSignUp, forgetExpired };
}

export type SignUpService = ReturnType<typeof createSignUpService>;
