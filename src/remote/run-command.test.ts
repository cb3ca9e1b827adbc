import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandWithPidReport, PidLineReader } from './run-command.js';

describe('pid report', () => {
  it('strips the pid line however stderr is split into chunks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4_000_000 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (pid, rest, cuts) => {
          const all = Buffer.concat([Buffer.from(`steward-pid=${pid}\n`), Buffer.from(rest)]);
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const reader = new PidLineReader();
          const out: Buffer[] = [];
          let last = 0;
          for (const point of [...points, all.length]) {
            out.push(reader.push(all.subarray(last, point)));
            last = point;
          }
          out.push(reader.flush());
          expect(reader.pid).toBe(pid);
          expect(Buffer.concat(out).equals(Buffer.from(rest))).toBe(true);
        },
      ),
    );
  });

  it('leaves stderr alone when it does not start with a pid line', () => {
    const reader = new PidLineReader();
    const text = Buffer.from('steward-pid=12x\nreal error\n');
    expect(Buffer.concat([reader.push(text), reader.flush()]).equals(text)).toBe(true);
    expect(reader.pid).toBeUndefined();
    const short = new PidLineReader();
    expect(Buffer.concat([short.push(Buffer.from('oops')), short.flush()]).toString()).toBe('oops');
  });

  it('prefixes the command with a quoted pid report', () => {
    expect(commandWithPidReport(['id', '-u'])).toBe(`'printf' 'steward-pid=%s\\n' "$$" >&2; 'id' '-u'`);
  });
});
