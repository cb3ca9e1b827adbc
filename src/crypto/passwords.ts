import argon2 from 'argon2';
import type { Secret } from '../kernel/secret.js';

export interface PasswordParams {
  readonly memoryKib: number;
  readonly iterations: number;
}

/** argon2id with the given cost; the PHC string carries its parameters, so costs can rise over time. */
export function createPasswordHasher(params: PasswordParams) {
  const options = {
    type: argon2.argon2id,
    memoryCost: params.memoryKib,
    timeCost: params.iterations,
    parallelism: 1,
  } as const;
  // A hash of a random value, verified against when the account does not exist, so that timing does not
  // tell whether an e-mail address has an account.
  let decoy: Promise<string> | undefined;

  return {
    hash(password: Secret<string>): Promise<string> {
      return argon2.hash(password.reveal(), options);
    },
    async verify(hash: string | undefined, password: Secret<string>): Promise<boolean> {
      if (hash === undefined) {
        decoy ??= argon2.hash(`decoy-${Math.random()}`, options);
        await argon2.verify(await decoy, password.reveal()).catch(() => false);
        return false;
      }
      try {
        return await argon2.verify(hash, password.reveal());
      } catch {
        return false;
      }
    },
    needsRehash(hash: string): boolean {
      return argon2.needsRehash(hash, options);
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
