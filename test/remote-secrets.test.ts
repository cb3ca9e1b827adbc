/**
 * docs/decisions/0003-remote-execution.md against a real sshd: a secret sent to a running command is visible to that command
 * only (stdin), never in the process list or any process environment on the host; the login key never
 * touches the disk on our side.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import { createSshExecutor, type RemoteExecutor, type SshTarget } from '../src/remote/index.js';
import { startSshd, type TestSshd } from '../testkit/sshd.js';

let sshd: TestSshd;
let executor: RemoteExecutor;
let target: SshTarget;

/** The canary in every form a leak might take (testkit/canary.ts). */
function encodings(value: string): string[] {
  const raw = Buffer.from(value);
  return [
    value,
    raw.toString('base64'),
    raw.toString('base64url'),
    raw.toString('hex'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    value.slice(4, 20),
  ];
}

/** Every process's command line and environment on this machine (where the test sshd runs). */
function processTexts(): Array<{ where: string; text: Buffer }> {
  const out: Array<{ where: string; text: Buffer }> = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    for (const file of ['cmdline', 'environ']) {
      try {
        out.push({ where: `/proc/${pid}/${file}`, text: readFileSync(`/proc/${pid}/${file}`) });
      } catch {
        // Gone, or a kernel thread without one.
      }
    }
  }
  return out;
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
});

describe('secrets on the remote side', () => {
  it('a stdin secret never shows in ps or in any /proc/*/environ while the command runs', async () => {
    const canary = `Cn4ry-${randomBytes(6).toString('hex')}-${randomBytes(6).toString('hex')}`;
    const tag = `${2 + Math.random() / 10}`.slice(0, 10);
    // 1. A command that reads the secret from stdin and keeps running.
    const running = executor.exec(target, ['sh', '-c', `cat >/dev/null; sleep ${tag}`], { stdin: secret(canary) });

    // 2. Wait until it is really running on the host, then look everywhere a secret could leak.
    const until = Date.now() + 5_000;
    while (
      !processTexts().some((p) => p.where.endsWith('cmdline') && p.text.toString().includes(`sleep\0${tag}`)) &&
      Date.now() < until
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ps = execFileSync('ps', ['auxww'], { encoding: 'utf8' });
    expect(ps).toContain(`sleep ${tag}`);
    const texts = processTexts();
    expect(texts.length).toBeGreaterThan(10);
    for (const form of encodings(canary)) {
      expect(ps.includes(form), `ps shows ${form}`).toBe(false);
      const hits = texts.filter((p) => p.text.includes(form)).map((p) => p.where);
      expect(hits, `canary form ${form}`).toEqual([]);
    }

    // 3. The command got it (it finished normally after reading stdin), and sshd never logged it.
    await expect(running).resolves.toMatchObject({ exitCode: 0 });
    for (const form of encodings(canary)) expect(sshd.log().includes(form)).toBe(false);
  });

  it('the login key is used from memory: no file under the temp dir or cwd holds it', async () => {
    const started = Date.now() - 1_000;
    const body = sshd.clientPrivateKey.split('\n').filter((l) => l && !l.startsWith('-----'))[1] ?? '';
    expect(body.length).toBeGreaterThan(20);
    await executor.exec(target, ['true']);
    const suspects: string[] = [];
    const scan = (dir: string, depth: number): void => {
      if (depth < 0) return;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        if (name === 'node_modules' || name === '.git' || name === 'proc') continue;
        const path = join(dir, name);
        try {
          const st = statSync(path);
          if (st.isDirectory()) scan(path, depth - 1);
          else if (
            st.isFile() &&
            st.mtimeMs >= started &&
            st.size < 4 * 1024 * 1024 &&
            readFileSync(path).includes(body)
          )
            suspects.push(path);
        } catch {
          // Raced with another test's cleanup.
        }
      }
    };
    scan(tmpdir(), 3);
    scan(process.cwd(), 2);
    expect(suspects).toEqual([]);
  });
});
