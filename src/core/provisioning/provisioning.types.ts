import type {
  LaunchStatus,
  ProviderAccountsTable,
  ProviderInstancesTable,
  ProviderLaunchesTable,
} from '../../db/schema.js';
import type { Secret } from '../../kernel/secret.js';
import type { NodeState, ProviderName } from '../../providers/index.js';

export type AccountRow = ProviderAccountsTable;
export type InstanceRow = ProviderInstancesTable;
export type LaunchRow = ProviderLaunchesTable;
export type { LaunchStatus };

export const ELASTIC_DIALECTS = ['2.0', '1.0', 'cloudsigma-1.0'] as const;
export type ElasticDialectName = (typeof ELASTIC_DIALECTS)[number];

/**
 * What a person gives to connect an account. One flat shape for both providers (the fields that do not apply
 * to the chosen provider must be left out); the rules check the combination and say what is missing.
 */
export interface ConnectAccountInput {
  readonly provider: ProviderName;
  readonly name: string;
  // EC2
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: Secret<string>;
  readonly roleArn?: string;
  /** EC2: a custom endpoint (the sandbox); ElasticHosts: use `baseUrl`. */
  readonly endpoint?: string;
  // ElasticHosts
  readonly zone?: string;
  readonly baseUrl?: string;
  readonly user?: string;
  readonly secretKey?: Secret<string>;
  readonly dialect?: ElasticDialectName;
}

/** Settings of an account that are not secret, kept as JSON beside the sealed part. */
export interface AccountSettings {
  readonly roleArn?: string;
  readonly user?: string;
  readonly dialect?: ElasticDialectName;
}

/** The sealed part of an account, as JSON inside the vault envelope. */
export type SealedAccountSecret =
  | { readonly kind: 'aws'; readonly accessKeyId: string; readonly secretAccessKey: string }
  | { readonly kind: 'elastic'; readonly secretKey: string };

/** An account as the API shows it: never a secret, only a hint to recognise the credential by. */
export interface AccountView {
  readonly id: string;
  readonly provider: ProviderName;
  readonly name: string;
  readonly region: string;
  readonly endpoint: string | null;
  readonly auth: AccountRow['auth'];
  readonly hint: string;
  /** AWS account id or ElasticHosts user UUID, as the provider reported it at connection. */
  readonly externalAccount: string;
  readonly principal: string;
  readonly roleArn: string | null;
  readonly dialect: string | null;
  readonly lastSyncAt: string | null;
  readonly lastSyncError: string | null;
  readonly createdAt: string;
}

export interface InstanceView {
  readonly accountId: string;
  readonly accountName: string;
  readonly provider: ProviderName;
  /** The provider's own id (EC2 `i-…`, ElasticHosts server UUID). */
  readonly id: string;
  readonly name: string;
  readonly state: NodeState;
  readonly providerState: string | null;
  readonly publicIp: string | null;
  readonly privateIp: string | null;
  readonly sizeId: string | null;
  readonly imageId: string | null;
  readonly locationId: string | null;
  /** The server record Steward keeps for this instance, if it was launched or imported. */
  readonly server: { readonly id: string; readonly status: string } | null;
  /** False when the account could not be read just now and this is what the last status sync saw. */
  readonly live: boolean;
  readonly seenAt: string;
}

export interface AccountListingResult {
  readonly accountId: string;
  readonly name: string;
  readonly provider: ProviderName;
  readonly ok: boolean;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface LaunchInput {
  readonly name: string;
  readonly sizeId: string;
  readonly imageId: string;
  readonly locationId?: string;
  readonly sshUser: string;
  /** Repeating a launch with the same token returns the first launch (and the same instance). */
  readonly token?: string;
}

/** Where a launch is: queued → creating → waiting (for running and an address) → enrolling → ready, or failed. */
export type LaunchStage = 'queued' | 'creating' | 'waiting' | 'enrolling' | 'ready' | 'failed' | 'adopted';

export interface LaunchView {
  readonly accountId: string;
  readonly token: string;
  readonly name: string;
  readonly sizeId: string;
  readonly imageId: string;
  readonly locationId: string | null;
  readonly sshUser: string;
  readonly stage: LaunchStage;
  readonly instanceId: string | null;
  readonly address: string | null;
  readonly serverId: string | null;
  readonly jobId: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type InstanceAction = 'start' | 'stop' | 'reboot';

export interface StateChangeView {
  readonly accountId: string;
  readonly instanceId: string;
  readonly previous: NodeState | null;
  readonly current: NodeState;
}
