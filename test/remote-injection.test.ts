/**
 * docs/decisions/0003-remote-execution.md against a real sshd: 10,000 hostile strings passed as argv values arrive byte for byte and
 * never run. The values are sent in batches (one `printf '%s\0' v1 v2 …` per exec over one pooled
 * connection, split by a byte budget), and half the batches go through the other safe pattern, a fixed
 * script reading its data from positional parameters.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import {
  createSshExecutor,
  isValidHostname,
  isValidRemotePath,
  isValidUnixUser,
  type Argv,
  type RemoteExecutor,
  type SshTarget,
} from '../src/remote/index.js';
import { startSshd, type TestSshd } from '../testkit/sshd.js';

let sshd: TestSshd;
let executor: RemoteExecutor;
let target: SshTarget;
const marker = `/tmp/steward-pwn-${randomBytes(6).toString('hex')}`;
const classicMarker = '/tmp/pwn';
const classicBefore = existsSync(classicMarker) ? statSync(classicMarker).mtimeMs : undefined;

const payloads = [
  `;touch ${marker}`,
  `; touch ${marker} #`,
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `\ntouch ${marker}\n`,
  `'; touch ${marker}; '`,
  `"; touch ${marker}; "`,
  `' $(touch ${marker}) '`,
  `-oProxyCommand=touch ${marker}`,
  `--`,
  `-e`,
  `-n`,
  `--help`,
  `*`,
  `/*`,
  `~`,
  `$HOME`,
  `\${IFS}`,
  `$(touch /tmp/pwn)`,
  '`touch /tmp/pwn`',
  `;id`,
  `|id`,
  `&&id`,
  `||id`,
  `&id&`,
  `>${marker}`,
  `<${marker}`,
  `2>&1`,
  `$((1+1))`,
  `\\`,
  `\\'`,
  `'\\''`,
  `%s%n%x`,
  `\\0`,
  `\\x41`,
  '\r\n',
  '\t',
  '\u2028',
  '\x1b[2J',
  '{"fake":1}',
  'ü€😀',
  '\u202e',
  '\uFEFF',
  'a'.repeat(2000),
];

const hostile = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(...payloads) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...payloads), fc.string({ maxLength: 8 }))
        .map((p) => p.join('')),
    },
    {
      weight: 2,
      arbitrary: fc.string({ unit: fc.constantFrom(...`'"\`$;|&<>(){}[]*?!#~\\\n\r\t -=%`.split('')), maxLength: 24 }),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 500, maxLength: 3000 }) },
  )
  .filter((s) => !s.includes('\0'));

/** Splits values into batches whose command stays well under the 128 KiB a login shell can receive. */
function batches(values: string[], budget = 96 * 1024): string[][] {
  const out: string[][] = [[]];
  let size = 0;
  for (const value of values) {
    const cost = Buffer.byteLength(value) * 4 + 8;
    if (size + cost > budget && (out.at(-1)?.length ?? 0) > 0) {
      out.push([]);
      size = 0;
    }
    out.at(-1)?.push(value);
    size += cost;
  }
  return out;
}

async function echoBack(values: string[], viaPositional: boolean): Promise<string[]> {
  const argv: Argv = viaPositional
    ? ['sh', '-c', 'for a in "$@"; do printf "%s\\0" "$a"; done', 'sh', ...values]
    : ['printf', '%s\\0', ...values];
  const result = await executor.exec(target, argv);
  return result.stdoutBytes.toString('utf8').split('\0').slice(0, -1);
}

beforeAll(async () => {
  sshd = await startSshd();
  executor = createSshExecutor();
  target = {
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    auth: { kind: 'key', privateKey: secret(sshd.clientPrivateKey) },
    hostKey: { kind: 'pinned', keys: sshd.hostKeys.map((k) => k.publicKey) },
  };
});

afterAll(async () => {
  await executor?.close();
  await sshd?.stop();
  rmSync(marker, { force: true });
});

describe('command injection', () => {
  it('10,000 hostile argv values arrive byte for byte and never execute', async () => {
    let cases = 0;
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 100, maxLength: 100 }), async (values) => {
        round += 1;
        for (const batch of batches(values)) {
          const back = await echoBack(batch, round % 2 === 0);
          expect(back.length).toBe(batch.length);
          for (const [i, value] of batch.entries()) {
            if (!Buffer.from(back[i] ?? '', 'utf8').equals(Buffer.from(value, 'utf8'))) {
              throw new Error(
                `value ${JSON.stringify(value.slice(0, 80))} came back as ${JSON.stringify((back[i] ?? '').slice(0, 80))}`,
              );
            }
          }
        }
        cases += values.length;
        expect(existsSync(marker)).toBe(false);
      }),
      { numRuns: 100 },
    );
    expect(cases).toBe(10_000);
    expect(existsSync(marker)).toBe(false);
    if (classicBefore === undefined) expect(existsSync(classicMarker)).toBe(false);
    else expect(statSync(classicMarker).mtimeMs).toBe(classicBefore);
    // All of it went over one login.
    expect(executor.metrics().loginsSucceeded).toBe(1);
  });

  it('NUL cannot be sent; hostile values are refused where they would name a host, user or path', async () => {
    await expect(echoBack(['ok', 'a\0b'], false)).rejects.toMatchObject({ code: 'STEWARD_INVALID_REMOTE_ARGUMENT' });
    const sample = fc.sample(hostile, { numRuns: 2000, seed: 7 });
    for (const value of sample) {
      if (/[;$`|&<>\s'"\\*?!~(){}[\]]/.test(value) || value.startsWith('-')) {
        expect(isValidHostname(value)).toBe(false);
        expect(isValidUnixUser(value)).toBe(false);
      }
      if (/[\0\n\r]/.test(value)) expect(isValidRemotePath(value)).toBe(false);
    }
    await expect(executor.exec({ ...target, host: `-oProxyCommand=touch ${marker}` }, ['true'])).rejects.toMatchObject({
      code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
    });
    await expect(executor.exec(target, ['ls'], { cwd: `/tmp\ntouch ${marker}` })).rejects.toMatchObject({
      code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
    });
    expect(existsSync(marker)).toBe(false);
  });
});
