/**
 * The sshd settings initial setup enforces, and the pure text work around them: reading `sshd -T`, and putting
 * Steward's block into sshd_config.
 *
 * sshd keeps the first value it reads for a keyword. A drop-in under sshd_config.d therefore only wins when the
 * main file's `Include` comes before its own settings, which many configurations do not have (the main file of
 * some images sets PasswordAuthentication before, or includes last). So the block goes at the very top of the
 * main file, ahead of every Include and Match, and the effective values are read back with `sshd -T`.
 */

export interface SshdSetting {
  readonly keyword: string;
  readonly value: string;
  /** What `sshd -T` may print for it (it prints some values under older names). */
  readonly accepted: readonly string[];
}

export const HARDENED_SSHD: readonly SshdSetting[] = [
  { keyword: 'PasswordAuthentication', value: 'no', accepted: ['no'] },
  // Root may still log in with a key: Steward itself often does.
  { keyword: 'PermitRootLogin', value: 'prohibit-password', accepted: ['prohibit-password', 'without-password'] },
  { keyword: 'KbdInteractiveAuthentication', value: 'no', accepted: ['no'] },
  { keyword: 'X11Forwarding', value: 'no', accepted: ['no'] },
  { keyword: 'MaxAuthTries', value: '4', accepted: ['4'] },
];

export const BLOCK_BEGIN = '# BEGIN Steward sshd hardening';
export const BLOCK_END = '# END Steward sshd hardening';

/** `sshd -T` output: lowercase keyword, then the value; some keywords (port, listenaddress) repeat. */
export function parseSshdT(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const match = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!match?.[1]) continue;
    const keyword = match[1].toLowerCase();
    out.set(keyword, [...(out.get(keyword) ?? []), (match[2] ?? '').trim()]);
  }
  return out;
}

export interface SettingGap {
  readonly keyword: string;
  readonly want: string;
  /** What sshd uses now ('unset' when `sshd -T` did not print it). */
  readonly was: string;
}

export function hardeningGaps(effective: Map<string, string[]>): SettingGap[] {
  const gaps: SettingGap[] = [];
  for (const setting of HARDENED_SSHD) {
    const now = effective.get(setting.keyword.toLowerCase())?.[0];
    if (now === undefined || !setting.accepted.includes(now))
      gaps.push({ keyword: setting.keyword, want: setting.value, was: now ?? 'unset' });
  }
  return gaps;
}

/** The ports sshd listens on, from `sshd -T` (always at least one). */
export function sshdPorts(effective: Map<string, string[]>): number[] {
  const ports = (effective.get('port') ?? []).map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  return ports.length > 0 ? [...new Set(ports)] : [22];
}

export function hardeningBlock(): string {
  return [
    BLOCK_BEGIN,
    '# Managed by Steward. sshd uses the first value it reads for each setting, so this block stays at the top,',
    '# before any Include or Match; a different value further down has no effect.',
    ...HARDENED_SSHD.map((s) => `${s.keyword} ${s.value}`),
    BLOCK_END,
    '',
  ].join('\n');
}

/** The config with Steward's block (and nothing else of Steward's) at the top; the rest is kept byte for byte. */
export function withHardeningBlock(config: string): string {
  return hardeningBlock() + withoutBlock(config);
}

/**
 * Removes every earlier copy of the block, including one a person moved further down. A BEGIN line without its
 * END is left alone, with everything after it: losing a customer's settings is worse than a stray comment.
 */
export function withoutBlock(config: string): string {
  const lines = config.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const end = lines[i]?.trim() === BLOCK_BEGIN ? lines.findIndex((l, j) => j > i && l.trim() === BLOCK_END) : -1;
    if (end > i) i = end;
    else out.push(lines[i] ?? '');
  }
  return out.join('\n');
}

/** The authentication methods an sshd offers, from the client's "Permission denied (publickey,password)." */
export function offeredMethods(stderr: string): string[] | undefined {
  const match = /Permission denied \(([^)]*)\)/.exec(stderr);
  return match?.[1]
    ? match[1]
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean)
    : undefined;
}

/** The server end of this SSH session, from `$SSH_CONNECTION` ("client port server port"). */
export function sessionServerEnd(sshConnection: string): { address: string; port: number } | undefined {
  const [, , address, port] = sshConnection.trim().split(/\s+/);
  const n = Number(port);
  if (!address || !/^[0-9A-Fa-f.:]+$/.test(address) || !Number.isInteger(n) || n < 1 || n > 65535) return undefined;
  return { address, port: n };
}
