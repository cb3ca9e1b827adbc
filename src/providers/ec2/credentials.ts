import type { CallOptions } from '../types.js';
import type { AwsAccessKey, Ec2Credentials } from './config.js';

/** The structural shape the AWS SDK accepts as an identity. */
export interface AwsIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type AssumeRoleCall = (opts: CallOptions | undefined) => Promise<AwsIdentity>;

// Refresh well before expiry so a request signed now is still valid when AWS checks it.
const REFRESH_MARGIN_MS = 10 * 60_000;

export function identityOf(key: AwsAccessKey): AwsIdentity {
  return {
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey.reveal(),
    ...(key.sessionToken === undefined ? {} : { sessionToken: key.sessionToken.reveal() }),
  };
}

/**
 * The identity EC2 requests are signed with. For static keys that is the keys; for a role it is the temporary
 * keys from sts:AssumeRole, fetched explicitly before a driver call (so the STS request is reported through
 * that call's `onCall`) and reused until close to expiry.
 */
export class Ec2IdentitySource {
  readonly #assume: AssumeRoleCall;
  readonly #now: () => number;
  #current: AwsIdentity | undefined;
  #inFlight: Promise<AwsIdentity> | undefined;

  constructor(credentials: Ec2Credentials, assume: AssumeRoleCall, now: () => number = Date.now) {
    this.#assume = assume;
    this.#now = now;
    if (credentials.kind === 'access-key') this.#current = identityOf(credentials);
  }

  /** Makes sure a fresh identity is at hand before a driver call sends anything. */
  async ensure(opts?: CallOptions): Promise<AwsIdentity> {
    if (this.#current !== undefined && !this.#stale(this.#current)) return this.#current;
    this.#inFlight ??= this.#assume(opts).then(
      (identity) => {
        this.#current = identity;
        this.#inFlight = undefined;
        return identity;
      },
      (err: unknown) => {
        this.#inFlight = undefined;
        throw err;
      },
    );
    return this.#inFlight;
  }

  /** The provider handed to the SDK client. */
  readonly provider = async (): Promise<AwsIdentity> => this.ensure();

  #stale(identity: AwsIdentity): boolean {
    return identity.expiration !== undefined && identity.expiration.getTime() - this.#now() < REFRESH_MARGIN_MS;
  }
}
