import type { PasswordHasher } from '../../crypto/passwords.js';
import { newTotpSecret, otpauthUri, verifyTotp, base32Encode } from '../../crypto/totp.js';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Secret } from '../../kernel/secret.js';
import { auditActor, type Actor, type StaffRole } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { Vault } from '../vault/vault.service.js';
import { checkPasswordPolicy } from './users.rules.js';
import { usersStore, type UserRow } from './users.store.js';

export interface UsersDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'emailIndex' | 'createScope' | 'ensureOpen'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly passwords: PasswordHasher;
}

export interface NewUser {
  readonly kind: 'customer' | 'staff';
  readonly email: string;
  readonly password: Secret<string>;
  readonly name: string;
  readonly phone?: string | null;
  readonly staffRoles?: readonly StaffRole[];
}

/** A person as they see themselves (unsealed); only ever returned to that person or to need-to-know staff. */
export interface Profile {
  readonly id: string;
  readonly kind: 'customer' | 'staff';
  readonly email: string;
  readonly name: string;
  readonly phone: string | null;
  readonly staffRoles: StaffRole[];
  readonly totpEnabled: boolean;
  readonly createdAt: string;
}

const field = (row: string, column: string) => ({ scope: row, table: 'users', column, row });

/** People: accounts, their sealed personal fields, passwords and second factor. */
export function createUsersService(deps: UsersDeps) {
  const { db, clock, vault } = deps;

  /** Prepares a user row (seals personal fields, hashes the password) without writing it. */
  async function prepareUser(input: NewUser): Promise<UserRow> {
    vault.ensureOpen();
    await checkPasswordPolicy(input.password.reveal(), [input.email, input.name]);
    const id = newId('usr', clock.nowMs());
    const now = clock.iso();
    return {
      id,
      kind: input.kind,
      email_bidx: vault.emailIndex(input.email),
      email_sealed: '',
      name_sealed: '',
      phone_sealed: null,
      password_hash: await deps.passwords.hash(input.password),
      totp_sealed: null,
      totp_enabled: 0,
      totp_last_step: null,
      staff_roles: (input.staffRoles ?? []).join(','),
      status: 'active',
      created_at: now,
      updated_at: now,
    };
  }

  /**
   * Creates a person inside `trx` (the caller's transaction, which also writes the audit event): their key
   * scope first, then their sealed fields. Refuses an e-mail address that already has an account.
   */
  async function createUser(trx: Executor, input: NewUser): Promise<UserRow> {
    const row = await prepareUser(input);
    if (await usersStore.byEmailIndex(trx, row.email_bidx))
      throw new AppError('STEWARD_EMAIL_TAKEN', 'An account with this e-mail address already exists; sign in instead.');
    await vault.createScope(row.id, trx);
    return insertSealed(trx, row, input);
  }

  async function insertSealed(trx: Executor, row: UserRow, input: Omit<NewUser, 'password' | 'kind'>) {
    row.email_sealed = await vault.seal(field(row.id, 'email_sealed'), input.email.trim(), trx);
    row.name_sealed = await vault.seal(field(row.id, 'name_sealed'), input.name, trx);
    row.phone_sealed = input.phone ? await vault.seal(field(row.id, 'phone_sealed'), input.phone, trx) : null;
    await usersStore.insert(trx, row);
    return row;
  }

  /**
   * A customer whose sign-up was confirmed: the id, key scope and password hash were made at sign-up (the scope
   * holds the waiting sign-up's sealed fields). Inside the caller's transaction; refuses a taken address.
   */
  async function createConfirmedCustomer(
    trx: Executor,
    input: { id: string; email: string; name: string; phone: string | null; passwordHash: string },
  ): Promise<UserRow> {
    const bidx = vault.emailIndex(input.email);
    if (await usersStore.byEmailIndex(trx, bidx))
      throw new AppError('STEWARD_EMAIL_TAKEN', 'An account with this e-mail address already exists; sign in instead.');
    const now = clock.iso();
    const row: UserRow = {
      id: input.id,
      kind: 'customer',
      email_bidx: bidx,
      email_sealed: '',
      name_sealed: '',
      phone_sealed: null,
      password_hash: input.passwordHash,
      totp_sealed: null,
      totp_enabled: 0,
      totp_last_step: null,
      staff_roles: '',
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    return insertSealed(trx, row, input);
  }

  async function toProfile(row: UserRow): Promise<Profile> {
    const open = async (column: 'email_sealed' | 'name_sealed' | 'phone_sealed', value: string | null) =>
      value === null ? null : (await vault.openText(field(row.id, column), value)).reveal();
    return {
      id: row.id,
      kind: row.kind,
      email: (await open('email_sealed', row.email_sealed))!,
      name: (await open('name_sealed', row.name_sealed))!,
      phone: await open('phone_sealed', row.phone_sealed),
      staffRoles: row.staff_roles === '' ? [] : (row.staff_roles.split(',') as StaffRole[]),
      totpEnabled: row.totp_enabled === 1,
      createdAt: row.created_at,
    };
  }

  async function getProfile(userId: string): Promise<Profile> {
    const row = await usersStore.byId(db, userId);
    if (!row) throw notFound('The person');
    return toProfile(row);
  }

  async function profiles(userIds: readonly string[]): Promise<Map<string, Profile>> {
    const rows = await usersStore.byIds(db, [...new Set(userIds)]);
    const out = new Map<string, Profile>();
    for (const row of rows) out.set(row.id, await toProfile(row));
    return out;
  }

  async function updateProfile(
    actor: Actor,
    patch: { name?: string; phone?: string | null },
    ctx: RequestContext,
  ): Promise<Profile> {
    const id = actor.userId;
    const set: Partial<UserRow> = { updated_at: clock.iso() };
    await db.transaction().execute(async (trx) => {
      if (patch.name !== undefined) set.name_sealed = await vault.seal(field(id, 'name_sealed'), patch.name, trx);
      if (patch.phone !== undefined)
        set.phone_sealed = patch.phone === null ? null : await vault.seal(field(id, 'phone_sealed'), patch.phone, trx);
      await usersStore.update(trx, id, set);
      await deps.audit.record(
        trx,
        {
          action: 'user.profile_updated',
          actor: auditActor(actor),
          target: { type: 'user', id },
          details: { fields: Object.keys(patch) },
        },
        ctx,
      );
    });
    return getProfile(id);
  }

  /** Step one of turning on the second factor: a new secret, shown once, stored sealed until confirmed. */
  async function beginTotpEnrolment(actor: Actor): Promise<{ secret: string; otpauthUri: string }> {
    const row = await usersStore.byId(db, actor.userId);
    if (!row) throw notFound('The person');
    if (row.totp_enabled === 1) throw new AppError('STEWARD_CONFLICT', 'A second factor is already enrolled.');
    const secret = newTotpSecret();
    const sealed = await vault.seal(field(row.id, 'totp_sealed'), secret.toString('base64'));
    await usersStore.update(db, row.id, { totp_sealed: sealed, updated_at: clock.iso() });
    const profile = await toProfile(row);
    const result = { secret: base32Encode(secret), otpauthUri: otpauthUri(secret, profile.email) };
    secret.fill(0);
    return result;
  }

  async function totpSecret(row: UserRow): Promise<Buffer> {
    if (!row.totp_sealed) throw new AppError('STEWARD_CONFLICT', 'Start the enrolment first.');
    return Buffer.from((await vault.openText(field(row.id, 'totp_sealed'), row.totp_sealed)).reveal(), 'base64');
  }

  /** Checks a one-time code and marks it used. */
  async function checkTotp(row: UserRow, code: string): Promise<boolean> {
    const step = verifyTotp(await totpSecret(row), code, clock.nowMs());
    return step !== undefined && (await usersStore.useTotpStep(db, row.id, step));
  }

  async function confirmTotpEnrolment(actor: Actor, code: string, ctx: RequestContext): Promise<void> {
    const row = await usersStore.byId(db, actor.userId);
    if (!row) throw notFound('The person');
    if (row.totp_enabled === 1) throw new AppError('STEWARD_CONFLICT', 'A second factor is already enrolled.');
    if (!(await checkTotp(row, code)))
      throw invalidInput('The one-time code is wrong or was already used; enter the current code from the app.', {
        field: 'code',
      });
    await db.transaction().execute(async (trx) => {
      await usersStore.update(trx, row.id, { totp_enabled: 1, updated_at: clock.iso() });
      await deps.audit.record(
        trx,
        { action: 'user.totp_enrolled', actor: auditActor(actor), target: { type: 'user', id: row.id } },
        ctx,
      );
    });
  }

  async function changePassword(
    actor: Actor,
    current: Secret<string>,
    next: Secret<string>,
    ctx: RequestContext,
  ): Promise<void> {
    const row = await usersStore.byId(db, actor.userId);
    if (!row) throw notFound('The person');
    if (!(await deps.passwords.verify(row.password_hash, current)))
      throw new AppError('STEWARD_INVALID_CREDENTIALS', 'The current password is wrong.');
    const me = await toProfile(row);
    await checkPasswordPolicy(next.reveal(), [me.email, me.name]);
    const hash = await deps.passwords.hash(next);
    await db.transaction().execute(async (trx) => {
      await usersStore.update(trx, row.id, { password_hash: hash, updated_at: clock.iso() });
      await usersStore.revokeUserSessions(
        trx,
        row.id,
        clock.iso(),
        actor.via === 'session' ? actor.credentialId : undefined,
      );
      await deps.audit.record(
        trx,
        { action: 'user.password_changed', actor: auditActor(actor), target: { type: 'user', id: row.id } },
        ctx,
      );
    });
  }

  /** Creates an operator (staff) account; they must enrol a second factor at first sign-in before anything else. */
  async function createStaff(
    input: { email: string; password: Secret<string>; name: string; roles: readonly StaffRole[] },
    by: { type: 'system' } | Actor,
    ctx: RequestContext,
  ): Promise<string> {
    if (input.roles.length === 0) throw invalidInput('A staff account needs at least one role.', { field: 'roles' });
    if ('userId' in by && !by.staffRoles.includes('admin'))
      throw new AppError('STEWARD_FORBIDDEN', 'Only an admin can create staff accounts.');
    return db.transaction().execute(async (trx) => {
      const row = await createUser(trx, {
        kind: 'staff',
        email: input.email,
        password: input.password,
        name: input.name,
        staffRoles: input.roles,
      });
      const actor = 'userId' in by ? auditActor(by) : { type: 'system' as const };
      await deps.audit.record(
        trx,
        { action: 'staff.created', actor, target: { type: 'user', id: row.id }, details: { roles: input.roles } },
        ctx,
      );
      return row.id;
    });
  }

  // Step-up for core/access: a fresh one-time code before a secret is revealed or a certificate minted
  /** True when `code` is the person's current one-time code and was not used before (it is used up now). */
  async function verifyStepUp(userId: string, code: string): Promise<boolean> {
    const row = await usersStore.byId(db, userId);
    if (!row || row.totp_enabled !== 1 || !/^\d{6}$/.test(code)) return false;
    return checkTotp(row, code);
  }

  return {
    prepareUser,
    createUser,
    createConfirmedCustomer,
    createStaff,
    getProfile,
    profiles,
    updateProfile,
    beginTotpEnrolment,
    confirmTotpEnrolment,
    checkTotp,
    changePassword,
    verifyStepUp,
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
