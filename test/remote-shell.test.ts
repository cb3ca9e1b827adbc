/**
 * Interactive shells on a PTY against a real sshd, as the web terminal will use them.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import { createSshExecutor, type RemoteExecutor, type ShellHandle, type SshTarget } from '../src/remote/index.js';
import { startSshd, type TestSshd } from '../testkit/sshd.js';

let sshd: TestSshd;
let executor: RemoteExecutor;
let target: SshTarget;

/** Collects terminal output and waits for a pattern in it. */
function screen(shell: ShellHandle): {
  text: () => string;
  waitFor: (pattern: RegExp, ms?: number) => Promise<string>;
} {
  let text = '';
  shell.stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return {
    text: () => text,
    waitFor: async (pattern, ms = 10_000) => {
      const until = Date.now() + ms;
      while (!pattern.test(text)) {
        if (Date.now() > until) throw new Error(`terminal never showed ${pattern}; it showed:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return text;
    },
  };
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

describe('openShell', () => {
  it('gives a PTY of the asked size and terminal type, which can be resized', async () => {
    const shell = await executor.openShell(target, { cols: 100, rows: 30, term: 'xterm-256color' });
    const term = screen(shell);
    shell.stream.write('stty size; echo "term=$TERM"\n');
    await term.waitFor(/30 100/);
    await term.waitFor(/term=xterm-256color/);
    shell.resize(120, 40);
    shell.stream.write('stty size\n');
    await term.waitFor(/40 120/);
    shell.stream.write('exit 3\n');
    expect(await shell.exited).toEqual({ exitCode: 3, signal: null });
    expect(executor.metrics().activeChannels).toBe(0);
  });

  it('close() ends the remote shell and frees its channel', async () => {
    const shell = await executor.openShell(target, { cols: 80, rows: 24, term: 'xterm' });
    const term = screen(shell);
    shell.stream.write('echo ready-$((6*7)) pid=$$\n');
    const shown = await term.waitFor(/ready-42 pid=\d+/);
    const pid = Number(/ready-42 pid=(\d+)/.exec(shown)?.[1]);
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    expect(executor.metrics().activeChannels).toBe(1);
    shell.close();
    await shell.exited;
    expect(executor.metrics().activeChannels).toBe(0);
    // The PTY hang-up ends the shell on the server (sshd runs on this machine).
    const until = Date.now() + 3_000;
    while (existsSync(`/proc/${pid}`) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('refuses nonsense sizes and terminal names before connecting', async () => {
    await expect(executor.openShell(target, { cols: 0, rows: 24, term: 'xterm' })).rejects.toMatchObject({
      code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
    });
    await expect(executor.openShell(target, { cols: 80, rows: 24, term: 'xterm\n; id' })).rejects.toMatchObject({
      code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
    });
  });
});
