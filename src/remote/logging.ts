/**
 * The slice of the kernel logger the SSH layer uses, so callers can pass the real pino logger and tests
 * can pass nothing. Log objects never carry stdout, stderr, stdin or credentials.
 */
import type { Logger } from '../kernel/logger.js';

export type RemoteLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

const ignore = (): void => undefined;

export const noopLogger: RemoteLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
