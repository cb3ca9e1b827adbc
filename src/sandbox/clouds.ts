import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';
import type { InstanceHosts } from './common/ports.js';
import { newAccessKeyId, newSecretKey, type SandboxRole } from './ec2/accounts.js';
import { startEc2Sandbox, type Ec2Sandbox } from './ec2/server.js';
import type { Dialect } from './elasticstack/render.js';
import { startElasticSandbox, type ElasticSandbox } from './elasticstack/server.js';

export type { InstanceHost, InstanceHostKey, InstanceHosts } from './common/ports.js';
export type { FaultSettings } from './common/faults.js';
export type { Ec2Sandbox } from './ec2/server.js';
export type { ElasticSandbox } from './elasticstack/server.js';

/** Credentials the sandbox clouds accept; anything left out is generated. */
export interface SandboxCredentialsInput {
  readonly aws?: {
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
    readonly accountId?: string;
    /** Roles sts:AssumeRole accepts (more can be added at run time). */
    readonly roles?: readonly SandboxRole[];
  };
  readonly elastic?: { readonly user?: string; readonly secretKey?: string };
}

export interface SandboxCloudsOptions {
  /** A loopback address; anything else is refused. Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) picks free ports. */
  readonly ec2Port?: number;
  readonly elasticPort?: number;
  /** Drives instance state changes, imaging and temporary-key expiry. */
  readonly clock?: Clock;
  readonly hosts: InstanceHosts;
  readonly credentials?: SandboxCredentialsInput;
  /** How long EC2 pending/stopping/shutting-down and an ElasticStack ACPI shutdown last. Default 2 s. */
  readonly transitionMs?: number;
  /** How long imaging an ElasticStack drive takes. Default 3 s. */
  readonly imagingMs?: number;
  readonly elasticDialect?: Dialect;
}

export interface SandboxClouds {
  readonly ec2: {
    readonly url: string;
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly accountId: string;
    /** A role that can be assumed with `externalId`. */
    readonly roleArn: string;
    readonly externalId: string;
    readonly sandbox: Ec2Sandbox;
  };
  readonly elastic: {
    readonly url: string;
    readonly user: string;
    readonly secretKey: string;
    readonly sandbox: ElasticSandbox;
  };
  /** Value of the `X-Sandbox-Admin-Token` header the admin API (`/_sandbox/…`) requires. */
  readonly adminToken: string;
  /** Environment a shell needs to point the AWS CLI/SDKs and Steward at the sandboxes. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

const ACCOUNT = /^\d{12}$/;

/**
 * Starts the EC2 and ElasticStack sandbox clouds on loopback. Their instances are made real (or fake) SSH hosts
 * by `hosts`. The returned credentials are the only ones the clouds accept.
 */
export async function startSandboxClouds(options: SandboxCloudsOptions): Promise<SandboxClouds> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const aws = options.credentials?.aws;
  const accountId = aws?.accountId ?? '123456789012';
  if (!ACCOUNT.test(accountId))
    throw new AppError('STEWARD_INVALID_INPUT', 'The sandbox AWS account id must be 12 digits.');
  const accessKeyId = aws?.accessKeyId ?? newAccessKeyId();
  const secretAccessKey = aws?.secretAccessKey ?? newSecretKey();
  const externalId = `sandbox-${randomBytes(8).toString('hex')}`;
  const roleArn = `arn:aws:iam::${accountId}:role/SandboxStewardAccess`;
  const user = options.credentials?.elastic?.user ?? randomUUID();
  const secretKey = options.credentials?.elastic?.secretKey ?? randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');

  const ec2 = await startEc2Sandbox({
    host,
    port: options.ec2Port ?? 0,
    hosts: options.hosts,
    clock,
    adminToken,
    credentials: {
      accessKeyId,
      secretAccessKey,
      accountId,
      roles: [{ arn: roleArn, externalId }, ...(aws?.roles ?? [])],
    },
    ...(options.transitionMs === undefined ? {} : { transitionMs: options.transitionMs }),
  });
  let elastic: ElasticSandbox;
  try {
    elastic = await startElasticSandbox({
      host,
      port: options.elasticPort ?? 0,
      hosts: options.hosts,
      clock,
      adminToken,
      user,
      secretKey,
      ...(options.elasticDialect === undefined ? {} : { dialect: options.elasticDialect }),
      ...(options.transitionMs === undefined ? {} : { shutdownMs: options.transitionMs }),
      ...(options.imagingMs === undefined ? {} : { imagingMs: options.imagingMs }),
    });
  } catch (err) {
    await ec2.close();
    throw err;
  }
  const region = 'us-east-1';
  return {
    ec2: { url: ec2.url, region, accessKeyId, secretAccessKey, accountId, roleArn, externalId, sandbox: ec2 },
    elastic: { url: elastic.url, user, secretKey, sandbox: elastic },
    adminToken,
    env: () => ({
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL_EC2: ec2.url,
      AWS_ENDPOINT_URL_STS: ec2.url,
      ELASTICHOSTS_URL: elastic.url,
      ELASTICHOSTS_USER: user,
      ELASTICHOSTS_SECRET_KEY: secretKey,
    }),
    close: async () => {
      await Promise.all([ec2.close(), elastic.close()]);
    },
  };
}
