import { providerAddressPolicy } from '../../kernel/addresses.js';
import { AppError } from '../../kernel/errors.js';
import type { ProvisioningConfig } from '../../kernel/config.js';
import { Secret } from '../../kernel/secret.js';
import {
  getDriver,
  type CallOptions,
  type ComputeDriver,
  type ProviderCall,
  type RateLimiter,
} from '../../providers/index.js';
import type { Instruction } from '../instruction.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Vault } from '../vault/vault.service.js';
import { accountSealContext } from './provisioning.store.js';
import type { AccountRow, AccountSettings, SealedAccountSecret } from './provisioning.types.js';

export interface DriverFactoryDeps {
  readonly vault: Pick<Vault, 'openText'>;
  readonly ledger: Pick<LedgerService, 'record'>;
  readonly config: ProvisioningConfig;
  /** One limiter for every driver, keyed by organisation: a busy or throttled customer spends only their own pace. */
  readonly limiter: RateLimiter;
}

/** What a driver is built from: an account row's fields, or what a person entered before anything is stored. */
export interface DriverSpec {
  readonly id: string;
  readonly orgId: string;
  readonly provider: AccountRow['provider'];
  readonly region: string;
  readonly endpoint: string | null;
  readonly auth: AccountRow['auth'];
  readonly settings: AccountSettings;
}

export interface OpenedDriver {
  readonly driver: ComputeDriver;
  /** Pass to every driver call: it writes each request to the ledger before it leaves. */
  readonly opts: CallOptions;
}

/** The ledger name of a provider request: `ec2.RunInstances`, `sts.AssumeRole`, `elastichosts.POST /servers/{uuid}/start`. */
export function ledgerOperation(call: ProviderCall): string {
  if (call.operation.startsWith('sts:')) return `sts.${call.operation.slice(4)}`;
  return `${call.provider}.${call.operation}`;
}

/**
 * Builds drivers for customers' accounts. Every request such a driver sends is first written to the
 * credential-use ledger with the instruction behind it (the driver awaits `onCall` before sending, so a ledger
 * that cannot be written stops the request), and is paced by the organisation's share of the rate limiter.
 */
export function createDriverFactory(deps: DriverFactoryDeps) {
  const { config } = deps;

  function callOptions(
    spec: Pick<DriverSpec, 'id' | 'orgId'>,
    instruction: Instruction,
    signal?: AbortSignal,
  ): CallOptions {
    return {
      ...(signal === undefined ? {} : { signal }),
      onCall: async (call) => {
        await deps.ledger.record({
          orgId: spec.orgId,
          credential: 'provider_account',
          credentialId: spec.id,
          target: { type: 'provider_account', id: spec.id },
          operation: ledgerOperation(call),
          instruction,
          outcome: 'ok',
        });
      },
    };
  }

  // Customers choose endpoints: requests go to public addresses only (and this machine's loopback for the sandbox).
  const addressPolicy = providerAddressPolicy(config.allowLoopbackEndpoints);

  async function build(spec: DriverSpec, secret: SealedAccountSecret | undefined): Promise<ComputeDriver> {
    const rateLimit = { limiter: deps.limiter, key: spec.orgId };
    if (spec.provider === 'ec2') {
      let credentials;
      if (spec.auth === 'assume_role') {
        const source = config.awsOperatorKey;
        if (!source)
          throw new AppError(
            'STEWARD_PROVIDER_UNSUPPORTED',
            'This Steward has no AWS keys of its own to assume roles with; give an access key pair instead (the operator can set STEWARD_AWS_ACCESS_KEY_ID and STEWARD_AWS_SECRET_ACCESS_KEY).',
          );
        // The external id is the organisation id, so another customer naming this role cannot use it through Steward.
        credentials = {
          kind: 'assume-role' as const,
          source,
          roleArn: spec.settings.roleArn ?? '',
          externalId: spec.orgId,
          sessionName: `steward-${spec.orgId}`.slice(0, 64),
        };
      } else {
        if (secret?.kind !== 'aws') throw new AppError('STEWARD_INTERNAL', 'The account has no AWS keys sealed.');
        credentials = {
          kind: 'access-key' as const,
          accessKeyId: secret.accessKeyId,
          secretAccessKey: new Secret(secret.secretAccessKey),
        };
      }
      return getDriver('ec2', {
        region: spec.region,
        credentials,
        maxAttempts: config.maxAttempts,
        rateLimit,
        addressPolicy,
        ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
      });
    }
    if (secret?.kind !== 'elastic' || !spec.settings.user)
      throw new AppError('STEWARD_INTERNAL', 'The account has no ElasticHosts key sealed.');
    return getDriver('elastichosts', {
      credentials: { user: spec.settings.user, secretKey: new Secret(secret.secretKey) },
      ...(spec.endpoint ? { baseUrl: spec.endpoint } : {}),
      ...(spec.region ? { zone: spec.region } : {}),
      dialect: spec.settings.dialect ?? '2.0',
      maxAttempts: config.maxAttempts,
      imagingPollMs: config.pollMs,
      rateLimit,
      addressPolicy,
    });
  }

  /** A driver for a stored account, with its credentials unsealed for this use only. */
  async function open(account: AccountRow, instruction: Instruction, signal?: AbortSignal): Promise<OpenedDriver> {
    let secret: SealedAccountSecret | undefined;
    if (account.credential_sealed !== null) {
      const opened = await deps.vault.openText(
        accountSealContext(account.org_id, account.id),
        account.credential_sealed,
      );
      secret = JSON.parse(opened.reveal()) as SealedAccountSecret;
    }
    const spec: DriverSpec = {
      id: account.id,
      orgId: account.org_id,
      provider: account.provider,
      region: account.region,
      endpoint: account.endpoint,
      auth: account.auth,
      settings: JSON.parse(account.settings) as AccountSettings,
    };
    return { driver: await build(spec, secret), opts: callOptions(spec, instruction, signal) };
  }

  return { build, callOptions, open };
}

export type DriverFactory = ReturnType<typeof createDriverFactory>;
