import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';

/** The one IAM user the sandbox knows, plus the roles it may assume. */
export interface SandboxAwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly roles: readonly SandboxRole[];
}

export interface SandboxRole {
  readonly arn: string;
  /** The external id the role's trust policy demands; undefined means none is required. */
  readonly externalId: string | undefined;
}

/** Who signed a request. */
export interface Principal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
  /** Set for temporary keys, which must come with their session token. */
  readonly sessionToken?: string;
  readonly expiresMs?: number;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomId = (prefix: string, length: number): string =>
  prefix + [...randomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join('');

export function newAccessKeyId(): string {
  return randomId('AKIA', 16);
}

export function newSecretKey(): string {
  return randomBytes(30).toString('base64');
}

/** Keys and roles of the sandbox account; temporary keys from AssumeRole live here until they expire. */
export class SandboxAccounts {
  readonly #user: Principal;
  readonly #roles = new Map<string, SandboxRole>();
  readonly #temporary = new Map<string, Principal>();
  readonly #clock: Clock;

  constructor(creds: SandboxAwsCredentials, clock: Clock) {
    this.#clock = clock;
    this.#user = {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      accountId: creds.accountId,
      arn: `arn:aws:iam::${creds.accountId}:user/sandbox`,
      userId: randomId('AIDA', 17),
    };
    for (const role of creds.roles) this.#roles.set(role.arn, role);
  }

  get accountId(): string {
    return this.#user.accountId;
  }

  addRole(role: SandboxRole): void {
    this.#roles.set(role.arn, role);
  }

  /** The principal owning `accessKeyId`, or undefined for unknown (or forgotten, expired) keys. */
  lookup(accessKeyId: string): Principal | undefined {
    if (accessKeyId === this.#user.accessKeyId) return this.#user;
    return this.#temporary.get(accessKeyId);
  }

  isExpired(principal: Principal): boolean {
    return principal.expiresMs !== undefined && principal.expiresMs <= this.#clock.nowMs();
  }

  sessionTokenMatches(principal: Principal, given: string | undefined): boolean {
    if (principal.sessionToken === undefined) return given === undefined;
    if (given === undefined) return false;
    const a = Buffer.from(principal.sessionToken);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** sts:AssumeRole. Returns undefined when the role is unknown or the external id does not match its trust policy. */
  assumeRole(
    roleArn: string,
    sessionName: string,
    externalId: string | undefined,
    durationSeconds: number,
  ): Principal | undefined {
    const role = this.#roles.get(roleArn);
    if (role === undefined || (role.externalId !== undefined && role.externalId !== externalId)) return undefined;
    const roleName = roleArn.split('/').pop() ?? 'role';
    const roleId = randomId('AROA', 17);
    const temp: Principal = {
      accessKeyId: randomId('ASIA', 16),
      secretAccessKey: newSecretKey(),
      accountId: roleArn.split(':')[4] ?? this.#user.accountId,
      arn: `arn:aws:sts::${roleArn.split(':')[4] ?? this.#user.accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      sessionToken: randomBytes(96).toString('base64'),
      expiresMs: this.#clock.nowMs() + durationSeconds * 1000,
    };
    this.#forgetExpired();
    this.#temporary.set(temp.accessKeyId, temp);
    return temp;
  }

  // Expired keys are remembered for a day so their use is answered "expired" rather than "unknown".
  #forgetExpired(): void {
    const horizon = this.#clock.nowMs() - 86_400_000;
    for (const [id, p] of this.#temporary) if ((p.expiresMs ?? Infinity) <= horizon) this.#temporary.delete(id);
  }
}
