import { AppError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { ProcessRef } from './proc.js';
import type { HostKeyType, TestHost } from './types.js';

/** What a launcher hands each host it makes: settings resolved once, and a way to say the host is gone. */
export interface HostContext {
  readonly runDir: string;
  readonly owner: ProcessRef;
  readonly keyTypes: readonly HostKeyType[];
  readonly rootKeys: readonly string[];
  readonly readyTimeoutMs: number;
  readonly logger: Logger | undefined;
  readonly onGone: (host: TestHost) => void;
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export function checkHostName(name: string): string {
  if (!HOST_NAME.test(name))
    throw new AppError(
      'STEWARD_TESTHOSTS_INVALID_SPEC',
      `Host name ${JSON.stringify(name)} is not a valid hostname label.`,
    );
  return name;
}

export function wrongState(name: string, what: string): AppError {
  return new AppError('STEWARD_TESTHOSTS_WRONG_STATE', `Test host ${name} is ${what}.`, { host: name });
}

/** The sshd pid file an sshd_config names (readiness after a restart watches for it). */
export function pidFileOf(overrides: Readonly<Record<string, string>> | undefined, fallback: string): string {
  const entry = Object.entries(overrides ?? {}).find(([k]) => k.toLowerCase() === 'pidfile');
  return entry && entry[1] !== '' ? entry[1] : fallback;
}
