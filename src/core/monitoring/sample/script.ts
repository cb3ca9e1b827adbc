/**
 * The sampling script: one POSIX `sh` program per sample, sent over stdin on a kept login, that prints every
 * figure, the security-relevant state and the new bytes of each followed log as framed sections (the framing
 * of discovery: `@@<boundary> …` marker lines). It starts only a handful of processes (df, ps, one ss, stat
 * and three per log with new bytes); /proc files are copied with shell built-ins. See docs/decisions/0009-monitoring.md.
 */
import { randomBytes } from 'node:crypto';
import { invalidInput } from '../../../kernel/errors.js';
import { assertValidRemotePath, toShellCommand } from '../../../remote/index.js';
import { SAMPLE_BODY } from './script-body.js';

/** Log files looked for on every host; Steward starts following those that exist. */
export const LOG_CANDIDATES = [
  '/var/log/auth.log',
  '/var/log/secure',
  '/var/log/syslog',
  '/var/log/messages',
  '/var/log/nginx/access.log',
  '/var/log/nginx/error.log',
  '/var/log/apache2/access.log',
  '/var/log/apache2/error.log',
  '/var/log/httpd/access_log',
  '/var/log/httpd/error_log',
] as const;

/** System binaries whose hashes are watched (integrity samples only); usrmerge duplicates are folded later. */
export const WATCHED_BINARIES = [
  '/usr/sbin/sshd',
  '/usr/bin/sudo',
  '/usr/bin/su',
  '/bin/su',
  '/usr/bin/passwd',
  '/bin/login',
  '/usr/bin/login',
  '/usr/bin/ssh',
  '/bin/ps',
  '/usr/bin/ps',
  '/bin/ls',
  '/usr/bin/ls',
  '/usr/bin/top',
  '/bin/ss',
  '/usr/bin/ss',
  '/bin/netstat',
  '/usr/bin/crontab',
  '/usr/sbin/cron',
  '/bin/bash',
  '/usr/bin/bash',
  '/usr/bin/find',
] as const;

/** Remote ports of well-known mining pools (stratum); connections to them are reported for the miner rule. */
export const POOL_PORTS = [
  3333, 3334, 3357, 4444, 5555, 5556, 6666, 7777, 8888, 9999, 14433, 14444, 45560, 45700,
] as const;

/** Remote ports attackers scan and brute-force: a server opening many of these is attacking others (detection). */
export const OUTBOUND_PORTS = [22, 23, 445, 3389] as const;

/** Where a followed log stands: its inode (decimal text: it may exceed 2^53) and the next byte to read. */
export interface LogCursorArg {
  readonly path: string;
  readonly inode: string;
  readonly offset: number;
}

export interface SampleScriptOptions {
  /** Random per sample (letters and digits, 16–64): markers carry it, so no file or process can forge one. */
  readonly boundary: string;
  /** Also hash the watched binaries (heavier: a few MB read; Steward asks every few minutes). */
  readonly integrity: boolean;
  readonly logs: readonly LogCursorArg[];
  /** Most bytes read from one log per sample (4 KiB–4 MiB); the rest comes next time. */
  readonly maxLogBytes: number;
  /** The login is not root: run the body under `sudo -n` when that works without a password. */
  readonly elevate: boolean;
  /** List sockets without their processes (Steward knows them: sockets.ts). */
  readonly bareSockets?: boolean;
}

const BOUNDARY = /^[A-Za-z0-9]{16,64}$/;
const INODE = /^\d{1,20}$/;

export const newSampleBoundary = (): string => randomBytes(16).toString('hex');

function validate(options: Omit<SampleScriptOptions, 'elevate'>): string[] {
  if (!BOUNDARY.test(options.boundary))
    throw invalidInput('The sample boundary must be 16 to 64 letters and digits.', { field: 'boundary' });
  if (!Number.isInteger(options.maxLogBytes) || options.maxLogBytes < 4096 || options.maxLogBytes > 4 * 1024 * 1024) {
    throw invalidInput('maxLogBytes must be a whole number from 4096 to 4194304.', { field: 'maxLogBytes' });
  }
  if (options.logs.length > 64) throw invalidInput('At most 64 logs are followed per server.', { field: 'logs' });
  return options.logs.map((log, i) => {
    assertValidRemotePath(log.path, 'log path');
    if (!INODE.test(log.inode) || !Number.isSafeInteger(log.offset) || log.offset < 0)
      throw invalidInput('A log cursor is malformed.', { field: 'logs' });
    return `follow ${i} "$${i + 1}" ${log.inode} ${log.offset}`;
  });
}

/** The constants and functions of the body, the same for every sample of every server. */
const CONSTANTS = [
  `CANDIDATES='${LOG_CANDIDATES.join(' ')}'`,
  `WATCHED='${WATCHED_BINARIES.join(' ')}'`,
  `POOLS='${POOL_PORTS.map((p) => `dport = :${p}`).join(' or ')}'`,
  `OUTBOUND='${OUTBOUND_PORTS.map((p) => `dport = :${p}`).join(' or ')}'`,
];

/** What changes from sample to sample: the boundary, the limits and where each followed log stands. */
const perSample = (options: Omit<SampleScriptOptions, 'elevate'>, follows: readonly string[]): string[] => [
  `B=${options.boundary}`,
  `MAXLOG=${options.maxLogBytes}`,
  `INTEGRITY=${options.integrity ? 1 : 0}`,
  `SOCKP=${options.bareSockets === true ? 0 : 1}`,
  'follow_all() {',
  ...follows.map((f) => `  ${f}`),
  '  :',
  '}',
];

/** Becomes root under `sudo -n` when the login is not root and that works without a password. */
const SUDO_WORKS = '[ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true </dev/null >/dev/null 2>&1';

/**
 * The one-shot form: the script text and its arguments, for `sh -s -- args` with the text on stdin. Only
 * validated numbers and the boundary are written into the text; log paths travel as arguments (quoted by the
 * SSH layer) and the body refers to them as `"$1"`, `"$2"` ….
 */
export function sampleScript(options: SampleScriptOptions): { script: string; args: string[] } {
  const follows = validate(options);
  const body = [...perSample(options, follows), ...CONSTANTS, SAMPLE_BODY, 'main "$@" </dev/null'].join('\n');
  // Printed before any sudo: sudo's env_reset drops SSH_CONNECTION, which tells Steward its own address.
  const ssh = `printf '@@%s meta ssh %s\\n' ${options.boundary} "\${SSH_CONNECTION:-}"`;
  if (!options.elevate) return { script: `${ssh}\n${body}\n`, args: options.logs.map((l) => l.path) };
  // The body is read whole (a heredoc) before it runs, and reaches `sudo -n sh -s` through a pipe, not argv.
  const delimiter = `STEWARD_SAMPLE_${options.boundary}`;
  const runner = [
    `if ${SUDO_WORKS}; then`,
    '  steward_body | sudo -n sh -s -- "$@"',
    'else',
    '  steward_body | sh -s -- "$@"',
    'fi',
  ].join('\n');
  return {
    script: [ssh, 'steward_body() {', `cat <<'${delimiter}'`, body, delimiter, '}', runner, ''].join('\n'),
    args: options.logs.map((l) => l.path),
  };
}

/**
 * The resident form (decision 0009, "One shell per kept login"): `argv` starts a shell that reads its program
 * from stdin, as root under `sudo -n` where the login may; `prelude` (sent once) defines the body; each sample is
 * then one short `request`. Its answer is the one-shot script's output, then a line `@@<boundary> exit <status>`
 * (the `end` prefix). Each sample runs in a subshell, so nothing one sample sets is seen by the next.
 */
export function residentSampler(options: { readonly elevate: boolean }): {
  readonly argv: readonly string[];
  readonly prelude: string;
} {
  return options.elevate ? RESIDENT_SUDO : RESIDENT_PLAIN;
}

// SSH_CONNECTION is read before any sudo (its env_reset drops it) and handed on as the shell's $1. Built once:
// the sampler asks for them at every sample.
const RESIDENT_START = 'exec sh -s -- "${SSH_CONNECTION:-}"';
const RESIDENT_PRELUDE = ['STEWARD_SSH=$1', ...CONSTANTS, SAMPLE_BODY, ''].join('\n');
const RESIDENT_PLAIN = { argv: ['sh', '-c', RESIDENT_START], prelude: RESIDENT_PRELUDE };
const RESIDENT_SUDO = {
  argv: ['sh', '-c', `if ${SUDO_WORKS}; then exec sudo -n sh -s -- "\${SSH_CONNECTION:-}"; fi; ${RESIDENT_START}`],
  prelude: RESIDENT_PRELUDE,
};

export function sampleRequest(options: Omit<SampleScriptOptions, 'elevate'>): { request: string; end: string } {
  const follows = validate(options);
  const main = toShellCommand(['main', ...options.logs.map((l) => l.path)]);
  const request = [
    '(',
    ...perSample(options, follows),
    `printf '@@%s meta ssh %s\\n' "$B" "$STEWARD_SSH"`,
    main,
    ') </dev/null 2>/dev/null',
    `printf '\\n@@%s exit %s\\n' ${options.boundary} "$?"`,
    '',
  ].join('\n');
  return { request, end: `@@${options.boundary} exit ` };
}

/** The resident form's second request of a sample: the sockets with their processes, as section `net`. */
export function socketsRequest(boundary: string): { request: string; end: string } {
  if (!BOUNDARY.test(boundary))
    throw invalidInput('The sample boundary must be 16 to 64 letters and digits.', { field: 'boundary' });
  const request = [
    '(',
    `B=${boundary}`,
    'SOCKP=1',
    'net_only',
    ') </dev/null 2>/dev/null',
    `printf '\\n@@%s exit %s\\n' ${boundary} "$?"`,
    '',
  ].join('\n');
  return { request, end: `@@${boundary} exit ` };
}
