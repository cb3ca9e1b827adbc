import { AppError } from '../../kernel/errors.js';

/** One sshd_config keyword with one or more values (HostKey and ListenAddress may repeat). */
type Setting = readonly [keyword: string, values: readonly string[]];

export interface SshdConfigInput {
  /** `Port`, when sshd should listen on every address it has (an isolated host has only its own). */
  readonly port?: number;
  /** `ListenAddress addr:port`, when it must listen on exactly one (a shared host on this machine). */
  readonly listen?: string;
  readonly hostKeyFiles: readonly string[];
  readonly pidFile: string;
  /** Some user has a password. */
  readonly passwordLogin: boolean;
  /** Root itself has a password (so PermitRootLogin must allow it). */
  readonly rootPassword: boolean;
  /** Settings only one mode needs (shared hosts keep keys outside home folders, say). */
  readonly modeDefaults?: Readonly<Record<string, string>>;
  /** The caller's settings; they win over every default. An empty value removes a default. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Appended last, so files there only add what is not set above (sshd keeps the first value it reads). */
  readonly include?: string;
}

const KEYWORD = /^[A-Za-z][A-Za-z0-9]*$/;

function validate(overrides: Readonly<Record<string, string>>): void {
  for (const [keyword, value] of Object.entries(overrides)) {
    if (!KEYWORD.test(keyword))
      throw new AppError(
        'STEWARD_TESTHOSTS_INVALID_SPEC',
        `sshd option ${JSON.stringify(keyword)} is not an sshd_config keyword.`,
      );
    if (keyword.toLowerCase() === 'match')
      throw new AppError(
        'STEWARD_TESTHOSTS_INVALID_SPEC',
        'Match blocks go in a file under /etc/ssh/sshd_config.d/, not in sshd options.',
      );
    // A line break would let one value smuggle in further settings.
    if (/[\r\n\0]/.test(value))
      throw new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', `sshd option ${keyword} has a line break in its value.`);
  }
}

/** Renders a complete sshd_config: Steward's defaults for a test host, then the caller's settings on top. */
export function renderSshdConfig(input: SshdConfigInput): string {
  const overrides = input.overrides ?? {};
  validate(overrides);
  const defaults: Setting[] = [
    ...(input.port === undefined ? [] : [['Port', [String(input.port)]] as const]),
    ...(input.listen === undefined ? [] : [['ListenAddress', [input.listen]] as const]),
    ['HostKey', input.hostKeyFiles],
    ['PidFile', [input.pidFile]],
    ['PermitRootLogin', [input.rootPassword ? 'yes' : 'prohibit-password']],
    ['PubkeyAuthentication', ['yes']],
    ['PasswordAuthentication', [input.passwordLogin ? 'yes' : 'no']],
    ['KbdInteractiveAuthentication', ['no']],
    // Without PAM sshd checks /etc/shadow itself; PAM's session modules expect a booted system (loginuid).
    ['UsePAM', ['no']],
    ['UseDNS', ['no']],
    // Tests open many connections at once; the default 10:30:100 would drop some at random.
    ['MaxStartups', ['200:30:400']],
    ['PrintMotd', ['no']],
    ['X11Forwarding', ['no']],
    ['AcceptEnv', ['LANG LC_*']],
    ['Subsystem', ['sftp /usr/lib/openssh/sftp-server']],
    ...Object.entries(input.modeDefaults ?? {}).map(([k, v]): Setting => [k, [v]]),
  ];
  const merged = new Map<string, Setting>(defaults.map((s) => [s[0].toLowerCase(), s]));
  for (const [keyword, value] of Object.entries(overrides)) {
    if (value === '') merged.delete(keyword.toLowerCase());
    else merged.set(keyword.toLowerCase(), [keyword, [value]]);
  }
  const lines = ['# Written by Steward for a test host; replaced whenever the host is launched.'];
  for (const [keyword, values] of merged.values()) for (const value of values) lines.push(`${keyword} ${value}`);
  if (input.include) lines.push(`Include ${input.include}`);
  return `${lines.join('\n')}\n`;
}
