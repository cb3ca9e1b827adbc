import { EC2Client } from '@aws-sdk/client-ec2';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type GetCallerIdentityCommandOutput,
} from '@aws-sdk/client-sts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { MalformedResponseError } from '../errors.js';
import { assertLiteralAllowed, guardedAgents, type GuardedAgents } from '../network.js';
import type { CallOptions } from '../types.js';
import type { Ec2Settings } from './config.js';
import { Ec2IdentitySource, identityOf, type AwsIdentity } from './credentials.js';
import { mapEc2Error } from './errors.js';

/** Per-send options the SDK accepts. */
export type SendOptions = { abortSignal: AbortSignal } | undefined;

/**
 * Carries an error from our own hooks (the rate limiter, `onCall`) through the SDK, which would otherwise
 * decorate it as a service error; `#run` hands the original back to the caller.
 */
class HookFailure extends Error {
  constructor(readonly original: unknown) {
    super('request stopped before sending');
  }
}

interface CurrentCall {
  readonly operation: string;
  readonly opts: CallOptions | undefined;
  /** The last answer's body, kept so an answer the SDK cannot read can be shown. */
  lastBody?: string;
}

const KEPT_BODY = 8192;

/** Reads a response body into memory (the SDK's deserializer accepts bytes as well as a stream). */
async function buffered(body: unknown): Promise<Uint8Array | undefined> {
  if (body instanceof Uint8Array) return body;
  if (body === null || typeof body !== 'object' || !(Symbol.asyncIterator in body)) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * Owns the SDK clients for one driver and the one way requests leave. Each client carries one middleware in
 * the deserialize step, which the SDK runs once per attempt (its retries included): it waits for the rate
 * limiter and reports the attempt through the current call's `onCall`. The current call travels in
 * AsyncLocalStorage because the SDK has no per-send context of its own.
 */
export class Ec2Transport {
  readonly settings: Ec2Settings;
  readonly identity: Ec2IdentitySource;
  readonly #current = new AsyncLocalStorage<CurrentCall>();
  readonly #agents: GuardedAgents;
  #ec2: EC2Client | undefined;
  #sts: STSClient | undefined;
  #sourceSts: STSClient | undefined;

  constructor(settings: Ec2Settings) {
    this.settings = settings;
    this.#agents = guardedAgents(settings.addressPolicy);
    this.identity = new Ec2IdentitySource(settings.credentials, (opts) => this.#assumeRole(opts));
  }

  // identity.ensure() runs first so an AssumeRole it needs is reported through this call's onCall; its
  // failures arrive already normalised (they went through #run).

  /**
   * Runs one EC2 request: `operation` is its API name (for the ledger and error messages), `send` sends the
   * command on the client it is given (a callback so the SDK's per-command types stay intact).
   */
  async ec2<O>(
    operation: string,
    opts: CallOptions | undefined,
    send: (client: EC2Client, options: SendOptions) => Promise<O>,
  ): Promise<O> {
    await this.identity.ensure(opts);
    const client = (this.#ec2 ??= this.#hooked(
      new EC2Client(this.#clientConfig(this.settings.endpoint, this.identity.provider)),
    ));
    return this.#run(operation, opts, () => send(client, this.#sendOptions(opts)));
  }

  /** sts:GetCallerIdentity with the identity EC2 requests use. */
  async callerIdentity(opts?: CallOptions): Promise<GetCallerIdentityCommandOutput> {
    await this.identity.ensure(opts);
    const client = (this.#sts ??= this.#hooked(
      new STSClient(this.#clientConfig(this.settings.stsEndpoint, this.identity.provider)),
    ));
    return this.#run('sts:GetCallerIdentity', opts, () =>
      client.send(new GetCallerIdentityCommand({}), this.#sendOptions(opts)),
    );
  }

  async #assumeRole(opts: CallOptions | undefined): Promise<AwsIdentity> {
    const creds = this.settings.credentials;
    if (creds.kind !== 'assume-role') throw new Error('assumeRole called for static keys');
    const source = identityOf(creds.source);
    const client = (this.#sourceSts ??= this.#hooked(
      new STSClient(this.#clientConfig(this.settings.stsEndpoint, async () => source)),
    ));
    const command = new AssumeRoleCommand({
      RoleArn: creds.roleArn,
      ExternalId: creds.externalId,
      RoleSessionName: creds.sessionName ?? 'steward',
      DurationSeconds: creds.durationSeconds ?? 3600,
    });
    const out = await this.#run('sts:AssumeRole', opts, () => client.send(command, this.#sendOptions(opts)));
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
      throw new MalformedResponseError(
        'sts:AssumeRole answered without credentials.',
        { provider: 'ec2', operation: 'sts:AssumeRole' },
        '',
      );
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration ?? new Date(Date.now() + 15 * 60_000),
    };
  }

  async #run<O>(operation: string, opts: CallOptions | undefined, send: () => Promise<O>): Promise<O> {
    const call: CurrentCall = { operation, opts };
    try {
      // Sockets look up names (through the guarded lookup) but never addresses: those are checked here.
      for (const endpoint of [this.settings.endpoint, this.settings.stsEndpoint])
        if (endpoint !== undefined) assertLiteralAllowed(new URL(endpoint), this.settings.addressPolicy);
      return await this.#current.run(call, send);
    } catch (err) {
      if (err instanceof HookFailure) throw err.original;
      throw mapEc2Error(err, operation, call.lastBody);
    }
  }

  #hooked<C extends EC2Client | STSClient>(client: C): C {
    const { rateLimit, region } = this.settings;
    const current = this.#current;
    (client as EC2Client).middlewareStack.add(
      (next) => async (args) => {
        const call = current.getStore();
        try {
          if (rateLimit !== undefined) await rateLimit.limiter.acquire(rateLimit.key, call?.opts?.signal);
          await call?.opts?.onCall?.({ provider: 'ec2', operation: call.operation, region });
        } catch (err) {
          throw new HookFailure(err);
        }
        const result = await next(args);
        const response = (result as { response?: { body?: unknown } }).response;
        if (call !== undefined && response !== undefined) {
          const bytes = await buffered(response.body);
          if (bytes !== undefined) {
            response.body = bytes;
            call.lastBody = Buffer.from(bytes.subarray(0, KEPT_BODY)).toString('utf8');
          }
        }
        return result;
      },
      // Low priority puts this inside the SDK's deserializer: it sees each raw answer, once per attempt.
      { step: 'deserialize', name: 'stewardCallHooks', priority: 'low' },
    );
    return client;
  }

  #sendOptions(opts: CallOptions | undefined): SendOptions {
    return opts?.signal === undefined ? undefined : { abortSignal: opts.signal };
  }

  #clientConfig(endpoint: string | undefined, credentials: () => Promise<AwsIdentity>) {
    return {
      region: this.settings.region,
      credentials,
      maxAttempts: this.settings.maxAttempts,
      retryMode: 'standard',
      // Without throwOnRequestTimeout the SDK only warns when an answer is late and keeps waiting.
      requestHandler: {
        requestTimeout: this.settings.requestTimeoutMs,
        connectionTimeout: 10_000,
        throwOnRequestTimeout: true,
        // Every connection goes to an address the policy checked, resolved once (no lookup of the SDK's own).
        httpAgent: this.#agents.http,
        httpsAgent: this.#agents.https,
      },
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
      // The endpoint comes from the account's settings only, never from AWS_ENDPOINT_URL_* in Steward's own environment.
      ignoreConfiguredEndpointUrls: true,
      ...(endpoint === undefined ? {} : { endpoint }),
    };
  }
}
