import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { ProvisioningConfig } from '../../kernel/config.js';
import { AppError, isAppError, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { Secret } from '../../kernel/secret.js';
import type { CredentialCheck, Image, Location, Size } from '../../providers/index.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import { userInstruction } from '../instruction.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import type { DriverFactory } from './drivers.js';
import { checkAccountEndpoint } from './endpoint-policy.js';
import { accountSpecFrom, accountView, explainConnectFailure } from './provisioning.rules.js';
import { accountSealContext, provisioningStore as store } from './provisioning.store.js';
import type { AccountRow, AccountView, ConnectAccountInput } from './provisioning.types.js';

export interface AccountsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: ProvisioningConfig;
  readonly vault: Pick<Vault, 'seal' | 'auditHash'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'allRows'>;
  readonly drivers: DriverFactory;
  /** The status-sync schedule, which connecting an account turns on (checked before, started inside the transaction). */
  readonly schedule: { needed(): Promise<boolean>; start(trx: Executor): Promise<void> };
}

export interface AccountCatalog {
  readonly locations: Location[];
  readonly sizes: Size[];
  readonly images: Image[];
}

/**
 * Cloud provider accounts of an organisation. Connecting one proves the credentials with the provider first
 * (every request recorded in the credential-use ledger), then seals them under the organisation; nothing is
 * stored when the provider refuses them. The API only ever shows a hint.
 */
export function createAccountsService(deps: AccountsDeps) {
  const { db, clock } = deps;

  async function requireAccount(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<AccountRow> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const row = await store.account(db, orgId, id);
    if (!row) throw notFound('The provider account');
    return row;
  }

  async function connectAccount(
    actor: Actor,
    orgId: string,
    input: ConnectAccountInput,
    ctx: RequestContext,
  ): Promise<AccountView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const spec = accountSpecFrom(input);
    const id = newId('acct', clock.nowMs());
    const driverSpec = { id, orgId, ...spec };
    let check: CredentialCheck;
    let region = spec.region;
    try {
      if (spec.endpoint !== null)
        checkAccountEndpoint(spec.endpoint, spec.provider, deps.config.allowLoopbackEndpoints);
      const driver = await deps.drivers.build(driverSpec, spec.secret);
      region = driver.region;
      check = await driver.validateCredentials(
        deps.drivers.callOptions(driverSpec, userInstruction(actor.userId, ctx.requestId)),
      );
    } catch (err) {
      if (isAppError(err)) {
        await deps.audit.recordAlone(
          {
            action: 'provider_account.connect_refused',
            orgId,
            actor: auditActor(actor),
            target: { type: 'provider_account', id },
            result: 'failed',
            details: { provider: spec.provider, code: err.code },
          },
          ctx,
        );
      }
      throw explainConnectFailure(err);
    }
    const now = clock.iso();
    const row: AccountRow = {
      id,
      org_id: orgId,
      provider: spec.provider,
      name: input.name,
      region,
      endpoint: spec.endpoint,
      auth: spec.auth,
      settings: JSON.stringify(spec.settings),
      hint: spec.hint,
      external_account: check.accountId,
      principal: check.principal,
      credential_sealed:
        spec.secret === undefined
          ? null
          : await deps.vault.seal(accountSealContext(orgId, id), new Secret(JSON.stringify(spec.secret))),
      last_sync_at: null,
      last_sync_error: null,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    const secretHash =
      spec.secret === undefined
        ? null
        : deps.vault.auditHash(spec.secret.kind === 'aws' ? spec.secret.secretAccessKey : spec.secret.secretKey);
    const startSchedule = await deps.schedule.needed();
    await db.transaction().execute(async (trx) => {
      await store.insertAccount(trx, row);
      if (startSchedule) await deps.schedule.start(trx);
      await deps.audit.record(
        trx,
        {
          action: 'provider_account.connected',
          orgId,
          actor: auditActor(actor),
          target: { type: 'provider_account', id },
          details: {
            provider: spec.provider,
            name: input.name,
            region,
            auth: spec.auth,
            externalAccount: check.accountId,
            secretHash,
          },
        },
        ctx,
      );
    });
    return accountView(row);
  }

  /**
   * Removing an account deletes its sealed credentials. While servers launched or imported from it exist (or a
   * launch is under way) it is refused unless forced: the servers then stay as plain SSH servers, which
   * Steward can no longer start, stop or terminate.
   */
  async function removeAccount(
    actor: Actor,
    orgId: string,
    id: string,
    input: { force: boolean },
    ctx: RequestContext,
  ): Promise<AccountView> {
    const row = await requireAccount(actor, orgId, id, ctx);
    const servers = (await deps.servers.allRows(orgId)).filter((s) => s.provider_account_id === id);
    const launches = await store.activeLaunches(db, id);
    if ((servers.length > 0 || launches.length > 0) && !input.force) {
      const names = [...servers.map((s) => s.name), ...launches.map((l) => `${l.name} (launching)`)];
      throw new AppError(
        'STEWARD_PROVIDER_ACCOUNT_IN_USE',
        `This account still has ${names.length} server(s): ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}. Remove them first, or remove the account with force (they stay as plain SSH servers).`,
      );
    }
    await db.transaction().execute(async (trx) => {
      const res = await store.removeAccount(trx, orgId, id);
      if (Number(res.numDeletedRows) === 0) throw notFound('The provider account');
      await deps.audit.record(
        trx,
        {
          action: 'provider_account.removed',
          orgId,
          actor: auditActor(actor),
          target: { type: 'provider_account', id },
          details: { name: row.name, force: input.force, servers: servers.length, launches: launches.length },
        },
        ctx,
      );
    });
    return accountView(row);
  }

  /** Locations, sizes and (when a name pattern is given) images to launch with; EC2 has far too many images to list them all. */
  async function accountCatalog(
    actor: Actor,
    orgId: string,
    id: string,
    filter: { imageName?: string },
    ctx: RequestContext,
  ): Promise<AccountCatalog> {
    const row = await requireAccount(actor, orgId, id, ctx);
    const { driver, opts } = await deps.drivers.open(row, userInstruction(actor.userId, ctx.requestId));
    const locations = await driver.listLocations(opts);
    const sizes = await driver.listSizes(opts);
    const images =
      row.provider === 'elastichosts' || filter.imageName !== undefined
        ? await driver.listImages(filter.imageName === undefined ? {} : { name: filter.imageName }, opts)
        : [];
    return { locations, sizes, images };
  }

  return {
    requireAccount,
    connectAccount,
    removeAccount,
    accountCatalog,
    async listAccounts(actor: Actor, orgId: string, ctx: RequestContext): Promise<AccountView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await store.accounts(db, orgId)).map(accountView);
    },
    async getAccount(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<AccountView> {
      return accountView(await requireAccount(actor, orgId, id, ctx));
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
