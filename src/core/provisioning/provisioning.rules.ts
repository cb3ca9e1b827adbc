import { createHash } from 'node:crypto';
import { AppError, invalidInput, isAppError, publicMessage } from '../../kernel/errors.js';
import { isProviderError, type Node, type ProviderName } from '../../providers/index.js';
import type { Instruction } from '../instruction.js';
import type {
  AccountRow,
  AccountSettings,
  AccountView,
  ConnectAccountInput,
  InstanceRow,
  InstanceView,
  LaunchRow,
  LaunchStage,
  LaunchView,
  SealedAccountSecret,
} from './provisioning.types.js';

/** The parts of an account derived from what a person entered, before anything is sent or stored. */
export interface AccountSpec {
  readonly provider: ProviderName;
  readonly region: string;
  readonly endpoint: string | null;
  readonly auth: AccountRow['auth'];
  readonly settings: AccountSettings;
  readonly secret: SealedAccountSecret | undefined;
  readonly hint: string;
}

const EC2_ONLY = ['region', 'accessKeyId', 'secretAccessKey', 'roleArn', 'endpoint'] as const;
const ELASTIC_ONLY = ['zone', 'baseUrl', 'user', 'secretKey', 'dialect'] as const;

function refuseFields(
  input: ConnectAccountInput,
  fields: readonly (keyof ConnectAccountInput)[],
  provider: string,
): void {
  const wrong = fields.filter((f) => input[f] !== undefined);
  if (wrong.length > 0)
    throw invalidInput(
      `${wrong.join(', ')} ${wrong.length === 1 ? 'does' : 'do'} not apply to ${provider} accounts; leave ${wrong.length === 1 ? 'it' : 'them'} out.`,
      { field: wrong[0] },
    );
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ZONE = /^[a-z0-9][a-z0-9-]{0,39}$/;

const lastFour = (value: string): string => `…${value.slice(-4)}`;

/** Checks which fields go together for the chosen provider and splits them into settings, secret and hint. */
export function accountSpecFrom(input: ConnectAccountInput): AccountSpec {
  if (input.provider === 'ec2') {
    refuseFields(input, ELASTIC_ONLY, 'EC2');
    // Checked here, not only by the driver, so a mistyped field is never echoed back (it might be a pasted secret).
    if (!input.region || !REGION.test(input.region))
      throw invalidInput('Give the AWS region, such as eu-west-1.', { field: 'region' });
    const endpoint = input.endpoint ?? null;
    if (input.roleArn !== undefined) {
      if (input.accessKeyId !== undefined || input.secretAccessKey !== undefined)
        throw invalidInput('Give either a role ARN to assume, or an access key pair, not both.', { field: 'roleArn' });
      return {
        provider: 'ec2',
        region: input.region,
        endpoint,
        auth: 'assume_role',
        settings: { roleArn: input.roleArn },
        secret: undefined,
        hint: input.roleArn.split('/').pop() ?? 'role',
      };
    }
    if (!input.accessKeyId || !input.secretAccessKey)
      throw invalidInput(
        'Give accessKeyId and secretAccessKey (or roleArn for a role Steward assumes with your organisation id as external id).',
        { field: input.accessKeyId ? 'secretAccessKey' : 'accessKeyId' },
      );
    if (!/^[A-Z0-9]{16,128}$/.test(input.accessKeyId))
      throw invalidInput(
        'accessKeyId must be an AWS access key id (16 or more capital letters and digits, such as AKIA…).',
        { field: 'accessKeyId' },
      );
    return {
      provider: 'ec2',
      region: input.region,
      endpoint,
      auth: 'access_key',
      settings: {},
      secret: { kind: 'aws', accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey.reveal() },
      hint: lastFour(input.accessKeyId),
    };
  }
  refuseFields(input, EC2_ONLY, 'ElasticHosts');
  if (!input.user || !input.secretKey)
    throw invalidInput('Give user (your ElasticHosts user UUID) and secretKey (the secret API key).', {
      field: input.user ? 'secretKey' : 'user',
    });
  if (!input.zone && !input.baseUrl)
    throw invalidInput('Give a zone (such as lon-p) or the baseUrl of the ElasticStack API.', { field: 'zone' });
  if (input.zone !== undefined && !ZONE.test(input.zone))
    throw invalidInput('zone must be a zone id such as lon-p (lower-case letters, digits and dashes).', {
      field: 'zone',
    });
  return {
    provider: 'elastichosts',
    region: input.zone ?? '',
    endpoint: input.baseUrl ?? null,
    auth: 'basic',
    settings: { user: input.user, dialect: input.dialect ?? '2.0' },
    secret: { kind: 'elastic', secretKey: input.secretKey.reveal() },
    hint: lastFour(input.user),
  };
}

export function accountView(r: AccountRow): AccountView {
  const settings = JSON.parse(r.settings) as AccountSettings;
  return {
    id: r.id,
    provider: r.provider,
    name: r.name,
    region: r.region,
    endpoint: r.endpoint,
    auth: r.auth,
    hint: r.hint,
    externalAccount: r.external_account,
    principal: r.principal,
    roleArn: settings.roleArn ?? null,
    dialect: settings.dialect ?? null,
    lastSyncAt: r.last_sync_at,
    lastSyncError: r.last_sync_error,
    createdAt: r.created_at,
  };
}

/**
 * The token sent to the provider for a launch. Derived from the account id and the person's token, so two
 * accounts (perhaps two organisations sharing one AWS account) never collide on a provider-side token.
 */
export function providerToken(accountId: string, token: string): string {
  return `stw-${createHash('sha256').update(`${accountId}\n${token}`).digest('base64url').slice(0, 40)}`;
}

/** Destructive actions name what they destroy: its provider id or its name, exactly. */
export function confirmationMatches(confirm: string, node: Pick<Node, 'id' | 'name'>): boolean {
  return confirm === node.id || (node.name !== '' && confirm === node.name);
}

/**
 * The instruction behind status-sync calls: the standing schedule that connecting an account turns on, named by
 * the account, on behalf of the person who connected it.
 */
export const scheduleInstruction = (account: Pick<AccountRow, 'id' | 'created_by'>): Instruction => ({
  type: 'schedule',
  id: account.id,
  actorId: account.created_by,
});

/** Provider failures after which trying again cannot help: the person must change something first. */
const PERMANENT = new Set([
  'STEWARD_PROVIDER_INVALID_CREDENTIALS',
  'STEWARD_PROVIDER_REQUEST_REJECTED',
  'STEWARD_PROVIDER_NOT_FOUND',
  'STEWARD_PROVIDER_UNSUPPORTED',
  'STEWARD_INSECURE_ENDPOINT',
  'STEWARD_ENDPOINT_NOT_ALLOWED',
  'STEWARD_INVALID_INPUT',
  'STEWARD_INVALID_REMOTE_ARGUMENT',
  'STEWARD_CONFLICT',
  'STEWARD_SEALED',
  'STEWARD_SSH_HOST_KEY_UNKNOWN',
]);

export const isPermanent = (err: unknown): boolean => isAppError(err) && PERMANENT.has(err.code);

/** A message safe to store and show: provider errors are worded by us and never carry credentials. */
export function describeFailure(err: unknown): { code: string; message: string } {
  return { code: isAppError(err) ? err.code : 'STEWARD_INTERNAL', message: publicMessage(err).slice(0, 500) };
}

/**
 * Failures while verifying a new account answer 4xx: the person can only check what they entered and try
 * again. Errors that already say what to fix pass through; an unreachable or garbled provider is reworded.
 */
export function explainConnectFailure(err: unknown): unknown {
  if (!isProviderError(err)) return err;
  if (
    err.code === 'STEWARD_PROVIDER_UNAVAILABLE' ||
    err.code === 'STEWARD_PROVIDER_MALFORMED_RESPONSE' ||
    err.code === 'STEWARD_PROVIDER_NOT_FOUND'
  ) {
    return new AppError(
      'STEWARD_PROVIDER_ACCOUNT_UNVERIFIED',
      `Steward could not verify the account: ${err.message} Check the region, zone or endpoint and try again; nothing was stored.`,
      { provider: err.provider },
    );
  }
  return err;
}

export function instanceRowFrom(node: Node, account: Pick<AccountRow, 'id' | 'org_id'>, now: string): InstanceRow {
  return {
    account_id: account.id,
    node_id: node.id,
    org_id: account.org_id,
    name: node.name,
    state: node.state,
    provider_state: typeof node.extra.providerState === 'string' ? node.extra.providerState : null,
    public_ip: node.publicIps[0] ?? null,
    private_ip: node.privateIps[0] ?? null,
    size_id: node.sizeId ?? null,
    image_id: node.imageId ?? null,
    location_id: node.locationId ?? null,
    first_seen_at: now,
    last_seen_at: now,
    gone_at: null,
  };
}

export function instanceView(
  row: InstanceRow,
  account: Pick<AccountRow, 'name' | 'provider'>,
  server: { id: string; status: string } | undefined,
  live: boolean,
): InstanceView {
  return {
    accountId: row.account_id,
    accountName: account.name,
    provider: account.provider,
    id: row.node_id,
    name: row.name,
    state: row.state,
    providerState: row.provider_state,
    publicIp: row.public_ip,
    privateIp: row.private_ip,
    sizeId: row.size_id,
    imageId: row.image_id,
    locationId: row.location_id,
    server: server ?? null,
    live,
    seenAt: row.last_seen_at,
  };
}

/** Host keys the provider reported for a node (`extra.hostKeyFingerprints`, SHA256:… each), if its driver reads any. */
export function providerHostKeys(node: Node): string[] {
  const raw = node.extra.hostKeyFingerprints;
  return Array.isArray(raw)
    ? raw.filter((f): f is string => typeof f === 'string' && /^SHA256:[A-Za-z0-9+/]{43}$/.test(f))
    : [];
}

/** A launch's stage: its own status until the server exists, then the server's enrolment. */
export function launchStage(row: LaunchRow, serverStatus: string | undefined): LaunchStage {
  if (row.status !== 'adopted') return row.status;
  if (serverStatus === undefined) return 'adopted';
  if (serverStatus === 'ready') return 'ready';
  if (serverStatus === 'enrolling') return 'enrolling';
  return 'failed';
}

export function launchView(
  row: LaunchRow,
  server: { status: string; statusReason: string | null } | undefined,
): LaunchView {
  const stage = launchStage(row, server?.status);
  const error = row.error_code
    ? { code: row.error_code, message: row.error_message ?? '' }
    : stage === 'failed' && server
      ? {
          code: `server_${server.status}`,
          message: `The instance runs but Steward could not log in: ${server.status}${server.statusReason ? ` (${server.statusReason})` : ''}.`,
        }
      : null;
  return {
    accountId: row.account_id,
    token: row.token,
    name: row.name,
    sizeId: row.size_id,
    imageId: row.image_id,
    locationId: row.location_id,
    sshUser: row.ssh_user,
    stage,
    instanceId: row.node_id,
    address: row.address,
    serverId: row.server_id,
    jobId: row.job_id,
    error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
