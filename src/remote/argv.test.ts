import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.js';
import { secret } from '../kernel/secret.js';
import {
  MAX_COMMAND_BYTES,
  quoteArg,
  redactArgv,
  sensitive,
  shellFragment,
  toShellCommand,
  type Argv,
} from './argv.js';

/** Runs shell text through the local /bin/sh (dash on Debian) and returns stdout as bytes. */
function sh(script: string): Buffer {
  const run = spawnSync('/bin/sh', ['-c', script], { maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return run.stdout;
}

// Any text that can be an argument: no NUL, well-formed Unicode (fast-check's 'binary' unit never makes
// lone surrogates), with the shell's special characters made likely.
const arg = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...`'"\\$\`;|&<>(){}[]*?!#~=%\n\t -`.split('')), maxLength: 30 }),
  )
  .filter((s) => !s.includes('\0'));

describe('quoteArg', () => {
  it('round-trips any string through /bin/sh byte for byte', () => {
    fc.assert(
      fc.property(arg, (value) => {
        expect(sh(`printf %s ${quoteArg(value)}`).equals(Buffer.from(value, 'utf8'))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips many arguments in one command', () => {
    const values = fc.sample(arg, { numRuns: 3000, seed: 42 });
    const out = sh(toShellCommand(['printf', '%s\\0', ...values]));
    const parts = out.toString('utf8').split('\0').slice(0, -1);
    expect(parts).toEqual(values);
  });

  it('quotes everything, including the empty string and a lone quote', () => {
    expect(quoteArg('')).toBe("''");
    expect(quoteArg("'")).toBe(`''\\'''`);
    expect(quoteArg('a b')).toBe("'a b'");
    expect(sh(`printf %s ${quoteArg("it's")}`).toString()).toBe("it's");
  });

  it('refuses NUL and lone surrogates instead of changing them', () => {
    for (const bad of ['a\0b', '\0', '\uD800', 'x\uDC00y']) {
      expect(() => quoteArg(bad)).toThrowError(AppError);
      expect(() => quoteArg(bad)).toThrow(expect.objectContaining({ code: 'STEWARD_INVALID_REMOTE_ARGUMENT' }));
    }
  });
});

describe('toShellCommand', () => {
  it('passes fragments through unquoted and quotes everything else', () => {
    const command = toShellCommand(['echo', 'a;b', shellFragment('2>&1'), sensitive('private')]);
    expect(command).toBe(`'echo' 'a;b' 2>&1 'private'`);
  });

  it('refuses a Secret in argv, pointing at stdin', () => {
    const argv = ['mysql', secret('pw')] as unknown as Argv;
    expect(() => toShellCommand(argv)).toThrow(/stdin/);
  });

  it('refuses objects that only look like fragments, and other types', () => {
    const forged = { text: '; rm -rf /', kind: 'shell-fragment' } as unknown as Argv[number];
    expect(() => toShellCommand(['echo', forged])).toThrow(AppError);
    expect(() => toShellCommand(['echo', 42 as unknown as string])).toThrow(AppError);
    expect(() => toShellCommand([])).toThrow(AppError);
  });

  it('refuses commands longer than the kernel passes to the login shell', () => {
    expect(() => toShellCommand(['printf', 'x'.repeat(MAX_COMMAND_BYTES)])).toThrow(/stdin/);
  });
});

describe('redactArgv', () => {
  it('hides sensitive values and keeps the rest readable', () => {
    expect(redactArgv(['createdb', sensitive('acme_customers'), shellFragment('&&'), 'true'])).toEqual([
      'createdb',
      '[REDACTED]',
      '&&',
      'true',
    ]);
  });

  it('sensitive values print as [REDACTED] however they are turned into text', () => {
    const value = sensitive('acme');
    expect(String(value)).toBe('[REDACTED]');
    expect(JSON.stringify({ value })).toBe('{"value":"[REDACTED]"}');
  });
});

describe('shellFragment', () => {
  it('cannot be constructed around the factory', async () => {
    const { ShellFragment } = await import('./argv.js');
    expect(() => new ShellFragment('; id', Symbol('shellFragment'))).toThrow(TypeError);
  });
});
