import { parseAddressPolicy, type AddressPolicy } from '../../kernel/addresses.js';
import type { Secret } from '../../kernel/secret.js';
import { checkEndpoint, isLoopbackHost } from '../endpoint.js';
import { RequestRejectedError } from '../errors.js';
import type { RateLimiter } from '../rate-limit.js';

/** Long-lived or temporary AWS keys. The secret parts are `Secret`s so they cannot be printed by accident. */
export interface AwsAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: Secret<string>;
  readonly sessionToken?: Secret<string>;
}

export type Ec2Credentials =
  | ({ readonly kind: 'access-key' } & AwsAccessKey)
  | {
      readonly kind: 'assume-role';
      /** The keys that call sts:AssumeRole (usually the operator's own). */
      readonly source: AwsAccessKey;
      readonly roleArn: string;
      /** Required by the customer's trust policy; Steward uses the organisation id. */
      readonly externalId: string;
      readonly sessionName?: string;
      readonly durationSeconds?: number;
    };

export interface Ec2DriverConfig {
  readonly region: string;
  readonly credentials: Ec2Credentials;
  /** EC2 endpoint; default is AWS's regional https endpoint. */
  readonly endpoint?: string;
  /** STS endpoint; default is `endpoint` when that is set (the sandbox serves both), else AWS's regional STS. */
  readonly stsEndpoint?: string;
  /** Attempts per request including the first (SDK standard retry mode). Default 4. */
  readonly maxAttempts?: number;
  /** Paces every request sent, retries included. */
  readonly rateLimit?: { readonly limiter: RateLimiter; readonly key: string };
  /** Per-request socket timeout. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** MaxResults per page when listing (5–1000). Default 200. */
  readonly pageSize?: number;
  /** Security group created or reused to open SSH. Default `steward-ssh`. */
  readonly sshSecurityGroupName?: string;
  /** Who may reach TCP 22. Default 0.0.0.0/0. */
  readonly sshIngressCidr?: string;
  /** Owners searched by listImages when the filter names none. Default self and amazon. */
  readonly imageOwners?: readonly string[];
  /**
   * Which addresses requests may go to; every endpoint name is resolved on each connection, each address checked,
   * and the checked one connected to. Default: public addresses, or loopback when the endpoint is on loopback.
   */
  readonly addressPolicy?: AddressPolicy;
}

export interface Ec2Settings {
  readonly region: string;
  readonly credentials: Ec2Credentials;
  readonly endpoint: string | undefined;
  readonly stsEndpoint: string | undefined;
  readonly maxAttempts: number;
  readonly rateLimit: Ec2DriverConfig['rateLimit'];
  readonly requestTimeoutMs: number;
  readonly pageSize: number;
  readonly sshSecurityGroupName: string;
  readonly sshIngressCidr: string;
  readonly imageOwners: readonly string[];
  readonly addressPolicy: AddressPolicy;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Checks the configuration (endpoint policy included) and fills in defaults. Sends nothing. */
export function resolveEc2Config(config: Ec2DriverConfig): Ec2Settings {
  const reject = (message: string): never => {
    throw new RequestRejectedError(message, { provider: 'ec2', operation: 'configure' });
  };
  if (!REGION.test(config.region))
    reject(`"${config.region.slice(0, 40)}" is not an AWS region name (like eu-west-1).`);
  const endpoint = config.endpoint === undefined ? undefined : checkEndpoint(config.endpoint, 'ec2').toString();
  const stsRaw = config.stsEndpoint ?? config.endpoint;
  const stsEndpoint = stsRaw === undefined ? undefined : checkEndpoint(stsRaw, 'ec2').toString();
  const creds = config.credentials;
  if (creds.kind === 'assume-role') {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(creds.roleArn))
      reject('The role ARN is not a valid IAM role ARN.');
    if (!/^[\w+=,.@:/-]{2,1224}$/.test(creds.externalId))
      reject('The external id must be 2–1224 characters of letters, digits and +=,.@:/-.');
  }
  const maxAttempts = config.maxAttempts ?? 4;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10)
    reject('maxAttempts must be between 1 and 10.');
  const pageSize = config.pageSize ?? 200;
  if (!Number.isInteger(pageSize) || pageSize < 5 || pageSize > 1000) reject('pageSize must be between 5 and 1000.');
  return {
    region: config.region,
    credentials: creds,
    endpoint,
    stsEndpoint,
    maxAttempts,
    rateLimit: config.rateLimit,
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
    pageSize,
    sshSecurityGroupName: config.sshSecurityGroupName ?? 'steward-ssh',
    sshIngressCidr: config.sshIngressCidr ?? '0.0.0.0/0',
    imageOwners: config.imageOwners ?? ['self', 'amazon'],
    addressPolicy:
      config.addressPolicy ??
      parseAddressPolicy(
        endpoint !== undefined && isLoopbackHost(new URL(endpoint).hostname) ? 'public,loopback' : 'public',
      ),
  };
}
