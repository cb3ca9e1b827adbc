import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  hardeningGaps,
  offeredMethods,
  parseSshdT,
  sessionServerEnd,
  sshdPorts,
  withHardeningBlock,
  withoutBlock,
} from './sshd-config.js';

/** The first line sshd acts on: not blank, not a comment. */
const firstDirective = (config: string): string | undefined =>
  config.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'));

describe('sshd hardening text', () => {
  it('reads sshd -T and names each setting that is not hardened, with what it was', () => {
    const effective = parseSshdT(
      'port 22\nport 2222\npasswordauthentication yes\npermitrootlogin without-password\nkbdinteractiveauthentication no\nx11forwarding yes\nmaxauthtries 6\n',
    );
    expect(sshdPorts(effective)).toEqual([22, 2222]);
    expect(hardeningGaps(effective)).toEqual([
      { keyword: 'PasswordAuthentication', want: 'no', was: 'yes' },
      { keyword: 'X11Forwarding', want: 'no', was: 'yes' },
      { keyword: 'MaxAuthTries', want: '4', was: '6' },
    ]);
    const hardened = parseSshdT(
      'passwordauthentication no\npermitrootlogin prohibit-password\nkbdinteractiveauthentication no\nx11forwarding no\nmaxauthtries 4\n',
    );
    expect(hardeningGaps(hardened)).toEqual([]);
    expect(sshdPorts(hardened)).toEqual([22]);
  });

  it('puts the block first, ahead of an Include, keeps the rest byte for byte, and is stable', () => {
    const debian =
      'Include /etc/ssh/sshd_config.d/*.conf\n\n#PermitRootLogin prohibit-password\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\n';
    const once = withHardeningBlock(debian);
    expect(once.startsWith(`${BLOCK_BEGIN}\n`)).toBe(true);
    expect(firstDirective(once)).toBe('PasswordAuthentication no');
    expect(once.indexOf('MaxAuthTries 4')).toBeLessThan(once.indexOf('\nInclude '));
    expect(once.endsWith(debian)).toBe(true);
    expect(withHardeningBlock(once)).toBe(once);
    expect(withoutBlock(once)).toBe(debian);
  });

  it('moves a block a person pushed further down back to the top, and leaves a half-deleted one alone', () => {
    const moved = `Port 22\n${withHardeningBlock('')}X11Forwarding yes\n`;
    const fixed = withHardeningBlock(moved);
    expect(fixed.split(BLOCK_BEGIN)).toHaveLength(2);
    expect(fixed.endsWith('Port 22\nX11Forwarding yes\n')).toBe(true);
    const broken = `${BLOCK_BEGIN}\nPasswordAuthentication no\nPort 22\nMatch User x\n  X11Forwarding yes\n`;
    expect(withoutBlock(broken)).toBe(broken);
  });

  it('for any config: block first, idempotent, and removable to give the config back', () => {
    const line = fc.oneof(
      fc.constantFrom(
        'Include /etc/ssh/sshd_config.d/*.conf',
        'PasswordAuthentication yes',
        'Match User deploy',
        '  X11Forwarding yes',
        '# comment',
        '',
      ),
      fc
        .string({ unit: 'grapheme-ascii', maxLength: 40 })
        .filter((s) => !s.includes('\n') && !s.includes(BLOCK_BEGIN) && !s.includes(BLOCK_END)),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const config = lines.join('\n');
        const hardened = withHardeningBlock(config);
        expect(firstDirective(hardened)).toBe('PasswordAuthentication no');
        expect(withHardeningBlock(hardened)).toBe(hardened);
        expect(withoutBlock(hardened)).toBe(config);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the methods a daemon offers and the server end of the session', () => {
    expect(offeredMethods('root@10.213.0.2: Permission denied (publickey,password).\n')).toEqual([
      'publickey',
      'password',
    ]);
    expect(offeredMethods('root@10.213.0.2: Permission denied (publickey).\n')).toEqual(['publickey']);
    expect(offeredMethods('ssh: connect to host 10.0.0.1 port 22: Connection refused\n')).toBeUndefined();
    expect(sessionServerEnd('10.213.0.1 53412 10.213.0.2 22')).toEqual({ address: '10.213.0.2', port: 22 });
    expect(sessionServerEnd('::1 40000 ::1 2222\n')).toEqual({ address: '::1', port: 2222 });
    expect(sessionServerEnd('')).toBeUndefined();
    expect(sessionServerEnd('1.2.3.4 1 $(id) 22')).toBeUndefined();
  });
});
