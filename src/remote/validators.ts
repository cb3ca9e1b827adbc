/**
 * Strict checks for values that end up in SSH connections or remote commands. Quoting (argv.ts) already makes
 * any string safe for the shell; these checks stop values that are wrong for the *program* receiving them:
 * a host name starting with `-` becomes an option, a path with a newline splits a config line.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '../kernel/errors.js';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const ALL_DIGITS = /^[0-9]+$/;
const UNIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/** PATH_MAX on Linux, including the terminating NUL. */
const MAX_PATH_BYTES = 4095;

/**
 * A DNS host name made of RFC 1123 labels (letters, digits, inner hyphens, 1–63 characters, 253 in all),
 * or a literal IPv4 or IPv6 address. The last label may not be all digits: `2130706433` or `0x7f.1` are
 * read as addresses by the resolver, so they must be written as a real dotted quad or not at all.
 * No trailing dot, no IPv6 zone (`%eth0`), no brackets.
 */
export function isValidHostname(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253) return false;
  if (isIPv4(value)) return true;
  if (value.includes(':')) return !value.includes('%') && isIPv6(value);
  const labels = value.split('.');
  if (!labels.every((label) => LABEL.test(label))) return false;
  return !ALL_DIGITS.test(labels[labels.length - 1] ?? '');
}

/** A portable Unix login name: `^[a-z_][a-z0-9_-]{0,31}$` (so never starting with `-`). */
export function isValidUnixUser(value: unknown): value is string {
  return typeof value === 'string' && UNIX_USER.test(value);
}

/** An absolute path with no NUL, CR or LF, short enough for the kernel. */
export function isValidRemotePath(value: unknown): value is string {
  if (typeof value !== 'string' || !value.startsWith('/')) return false;
  if (/[\0\r\n]/.test(value)) return false;
  return Buffer.byteLength(value, 'utf8') <= MAX_PATH_BYTES;
}

export function isValidPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function assertValidHostname(value: unknown, field = 'host'): asserts value is string {
  if (!isValidHostname(value)) throw invalidRemoteArgument(field, 'must be a host name or an IP address', value);
}

export function assertValidUnixUser(value: unknown, field = 'username'): asserts value is string {
  if (!isValidUnixUser(value))
    throw invalidRemoteArgument(field, 'must be a Unix user name ([a-z_][a-z0-9_-]{0,31})', value);
}

export function assertValidRemotePath(value: unknown, field = 'path'): asserts value is string {
  if (!isValidRemotePath(value))
    throw invalidRemoteArgument(field, 'must be an absolute path without NUL or line breaks', value);
}

export function assertValidPort(value: unknown, field = 'port'): asserts value is number {
  if (!isValidPort(value)) throw invalidRemoteArgument(field, 'must be an integer from 1 to 65535', value);
}

/** The offending value goes in `details` JSON-escaped and shortened, so it cannot forge log lines. */
function invalidRemoteArgument(field: string, rule: string, value: unknown): AppError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
  return new AppError('STEWARD_INVALID_REMOTE_ARGUMENT', `The ${field} ${rule}.`, { field, value: shown });
}
