import type { SealContext } from '../../crypto/envelope.js';

export type { SealContext };

/** Why the vault is sealed: no root key where one is expected, or a key that does not match the database. */
export type SealedReason = 'root_key_missing' | 'root_key_wrong' | 'not_started';

export type VaultStatus =
  | { readonly sealed: false; readonly rootVersion: number }
  | { readonly sealed: true; readonly reason: SealedReason; readonly message: string };

/**
 * A table column that holds sealed values, declared by the module that owns the table so the vault can
 * re-encrypt it on data-key rotation without knowing the module. `scope` names the column holding the key
 * scope (an organisation id, or for people the user id itself).
 */
export interface SealedColumnSpec {
  readonly table: string;
  readonly id: string;
  readonly scope: string;
  readonly columns: readonly string[];
}

export interface RotationProgress {
  readonly kind: 'root' | 'data';
  readonly scope?: string;
  readonly done: number;
  readonly phase: string;
}

/** Scopes of keys that are not encryption keys but HMAC keys; they are rewrapped with the root, never replaced. */
export const HMAC_SCOPES = { blindIndex: 'hmac:blind-index', audit: 'hmac:audit' } as const;

export const isHmacScope = (scope: string): boolean => scope.startsWith('hmac:');
