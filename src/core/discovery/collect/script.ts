/**
 * The discovery script: one POSIX `sh` program, sent over stdin to `sh -s` in a single SSH session, that
 * prints everything self-discovery learns as framed sections. See docs/decisions/0006-discovery.md.
 */
import { randomBytes } from 'node:crypto';
import { invalidInput } from '../../../kernel/errors.js';
import { PROLOGUE } from './script/prologue.js';
import { ACCESS_SECTIONS } from './script/sections-access.js';
import { FINGERPRINTS } from './script/fingerprints.js';
import { APP_SECTIONS } from './script/sections-apps.js';
import { SYSTEM_SECTIONS } from './script/sections-system.js';

/** Bumped when the output format changes in a way the parser must know about. */
export const SCRIPT_VERSION = 2;

/** The sections in the order the script prints them. */
export const SECTIONS = [
  'identity',
  'os',
  'packages',
  'services',
  'ports',
  'processes',
  'performance',
  'users',
  'access',
  'sshkeys',
  'databases',
  'config',
  'certificates',
  'apps',
  'credentials',
  'logs',
  'locations',
] as const;
export type SectionName = (typeof SECTIONS)[number];

/** Sections that print a fingerprint of their inputs and can answer `unchanged` (see fingerprints.ts). */
export const INCREMENTAL_SECTIONS = ['packages', 'users', 'access', 'sshkeys', 'certificates', 'apps', 'logs'] as const;
export type IncrementalSection = (typeof INCREMENTAL_SECTIONS)[number];

const FINGERPRINT = /^\d{1,10} \d{1,20}$/;

export interface DiscoveryScriptOptions {
  /**
   * A fresh random token per run (letters and digits, 16 to 64 of them; `newDiscoveryBoundary()` makes one).
   * Every marker carries it, so nothing a file or a process name contains can pass for a marker.
   */
  readonly boundary: string;
  /** Recent lines kept from each log file (0 to 1000); default 50. */
  readonly logLines?: number;
  /** At most this many files are read whole (1 to 2000); default 300. */
  readonly maxFiles?: number;
  /** At most this many bytes of any one file or command block (1 KiB to 4 MiB); default 64 KiB. */
  readonly maxFileBytes?: number;
  /** Time limit for each slow command where the host has `timeout` (1 to 600 s); default 20. */
  readonly commandTimeoutSeconds?: number;
  /**
   * `sudo-if-needed` (default): a non-root login re-runs the script under `sudo -n` when that works without a
   * password, else runs unprivileged and the output says so. `never`: run as the shell reading it runs (as the
   * login user, or as root where the caller started that shell under sudo), with no process started for it.
   */
  readonly elevate?: 'sudo-if-needed' | 'never';
  /**
   * Fingerprints the previous run printed, per section: a section whose inputs still match answers
   * `unchanged` instead of its content. Leave out for a full run.
   */
  readonly known?: Partial<Readonly<Record<IncrementalSection, string>>>;
}

const BOUNDARY = /^[A-Za-z0-9]{16,64}$/;

/** A random boundary token for one discovery run (128 bits, hex). */
export function newDiscoveryBoundary(): string {
  return randomBytes(16).toString('hex');
}

function boundedInt(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw invalidInput(`${name} must be a whole number from ${min} to ${max}.`, { field: name });
  }
  return v;
}

/**
 * Builds the discovery script. The text holds no secret and no value taken from the server or a user other
 * than the validated options, so it is safe to log; it must still travel over stdin, never argv, because
 * the boundary token is what keeps markers unforgeable.
 */
export function discoveryScript(options: DiscoveryScriptOptions): string {
  if (typeof options.boundary !== 'string' || !BOUNDARY.test(options.boundary)) {
    throw invalidInput('The discovery boundary must be 16 to 64 letters and digits.', { field: 'boundary' });
  }
  const logLines = boundedInt('logLines', options.logLines, 50, 0, 1000);
  const maxFiles = boundedInt('maxFiles', options.maxFiles, 300, 1, 2000);
  const maxBytes = boundedInt('maxFileBytes', options.maxFileBytes, 65536, 1024, 4 * 1024 * 1024);
  const timeout = boundedInt('commandTimeoutSeconds', options.commandTimeoutSeconds, 20, 1, 600);
  const b = options.boundary;
  const known: string[] = [];
  for (const [section, fp] of Object.entries(options.known ?? {})) {
    if (
      !(INCREMENTAL_SECTIONS as readonly string[]).includes(section) ||
      typeof fp !== 'string' ||
      !FINGERPRINT.test(fp)
    )
      throw invalidInput('A known fingerprint must name an incremental section and be two whole numbers.', {
        field: 'known',
      });
    known.push(`K_${section}='${fp}'`);
  }

  const body = [
    `B=${b}`,
    `NLOG=${logLines}`,
    `MAXFILES=${maxFiles}`,
    `MAXBYTES=${maxBytes}`,
    `TSEC=${timeout}`,
    `RFT=${Math.min(maxBytes, 8192)}`,
    `FPV=${SCRIPT_VERSION}`,
    ...known,
    PROLOGUE,
    FINGERPRINTS,
    SYSTEM_SECTIONS,
    ACCESS_SECTIONS,
    APP_SECTIONS,
    MAIN,
  ].join('\n');

  // Either way the body is parsed whole before it runs, so no command it starts can read the rest of the
  // script from stdin. Run as it comes (the caller has elevated already): one brace group, in the shell that
  // reads the script, with no process to start. Elevated here: a heredoc, handed to `sudo -n sh -s` without
  // touching argv.
  if (options.elevate === 'never') return ['{', body, '} </dev/null', ''].join('\n');
  const delimiter = `STEWARD_DISCOVERY_${b}`;
  const runner = [
    'if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true </dev/null >/dev/null 2>&1; then',
    '  steward_body | sudo -n sh -s',
    'else',
    '  steward_body | sh -s',
    'fi',
  ].join('\n');
  return ['steward_body() {', `cat <<'${delimiter}'`, body, delimiter, '}', runner, ''].join('\n');
}

const D = '$';

const MAIN = String.raw`
# Host CPU this shell and its finished children used so far, in clock ticks (utime+stime+cutime+cstime of
# /proc/self/stat, read by the read builtin so measuring starts no process); empty where there is no /proc.
cpu() {
  _T=
  [ -r /proc/self/stat ] || return 0
  read -r _st </proc/self/stat 2>/dev/null || return 0
  _st=${D}{_st##*) }
  set -f
  # shellcheck disable=SC2086
  set -- $_st
  set +f
  [ $# -ge 15 ] || return 0
  _T=$((${D}{12} + ${D}{13} + ${D}{14} + ${D}{15}))
}
# tick NAME: prints the ticks spent since the previous tick (nothing where they cannot be read).
tick() { cpu; [ -n "$_T" ] && [ -n "$_T0" ] && mk cpu "$1" $((_T - _T0)); _T0=$_T; }
# sec NAME: one section; one with a fingerprint prints it, or only "unchanged" when it equals the known one.
sec() {
  mk section "$1"
  _fp=
  if have "l_$1"; then "l_$1" </dev/null 2>/dev/null
  elif have "f_$1"; then fpr "$1"
  fi
  eval "_k=\${K_$1:-}"
  if [ -n "$_fp" ] && [ "$_fp" = "$_k" ]; then
    mk unchanged "$_fp"
    have "u_$1" && "u_$1"
  else
    [ -n "$_fp" ] && mk fp "$_fp"
    "s_$1" </dev/null 2>/dev/null
  fi
  mk end "$1"
  tick "$1"
}

# The effective user id, from /proc/self/status where there is one (no process).
euid() {
  _e=
  if [ -r /proc/self/status ]; then
    while read -r _k _r _e _x; do [ "$_k" = Uid: ] && break; _e=; done </proc/self/status
  fi
  [ -n "$_e" ] || _e=$(id -u)
}

main() {
  euid
  if [ "$_e" = 0 ]; then
    if [ -n "$SUDO_USER" ]; then P=sudo; else P=root; fi
  else P=user
  fi
  mk meta version ${SCRIPT_VERSION}
  mk meta privilege "$P"
  mk meta encoding "$ENC"
  _T0=0
  tick prologue
  prepare </dev/null 2>/dev/null
  tick prepare
  for _s in ${SECTIONS.join(' ')}; do sec "$_s"; done
  mk done
}

main </dev/null
`;
