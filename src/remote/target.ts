/**
 * Where a command runs and how Steward logs in there. Credentials arrive as `Secret`s from the vault and
 * are revealed only inside connection.ts, at the moment ssh2 needs them.
 */
import type { Secret } from '../kernel/secret.js';
import type { HostKeyPolicy } from './host-key.js';

export type SshAuth =
  | { readonly kind: 'password'; readonly password: Secret<string> }
  | { readonly kind: 'key'; readonly privateKey: Secret<string>; readonly passphrase?: Secret<string> };

export interface SshTarget {
  /** Host name or IP address; checked with `isValidHostname`. */
  readonly host: string;
  readonly port: number;
  /** Checked with `isValidUnixUser`. */
  readonly username: string;
  readonly auth: SshAuth;
  /** Required: there is no way to connect without deciding how to trust the host. */
  readonly hostKey: HostKeyPolicy;
  /** A name for logs and errors, e.g. the server id. Never a secret. */
  readonly label?: string;
  /**
   * Connections are shared only between calls with the same session tag (and the same host, user, credential
   * and trust decision). The core gives each operation its own tag, so each login belongs to one instruction.
   */
  readonly session?: string;
}
