/**
 * The executor against a real OpenSSH sshd: output, exit statuses, errors, streaming, stdin and time limits.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import { createSshExecutor, ExecError, sensitive, type RemoteExecutor, type SshTarget } from '../src/remote/index.js';
import { newClientKeyPair, startSshd, type TestSshd } from '../testkit/sshd.js';
import { processesMatching } from '../testkit/processes.js';
import { until } from '../testkit/wait.js';

let sshd: TestSshd;
let executor: RemoteExecutor;
const target = (over: Partial<SshTarget> = {}): SshTarget => ({
  host: sshd.host,
  port: sshd.port,
  username: sshd.username,
  auth: { kind: 'key', privateKey: secret(sshd.clientPrivateKey) },
  hostKey: { kind: 'pinned', keys: sshd.hostKeys.map((k) => k.publicKey) },
  label: 'srv_exec_test',
  ...over,
});

beforeAll(async () => {
  sshd = await startSshd();
  executor = createSshExecutor({ commandTimeoutMs: 20_000 });
});

afterAll(async () => {
  await executor?.close();
  await sshd?.stop();
});

describe('exec', () => {
  it('returns stdout, stderr and the exit status; stdout bytes are exact', async () => {
    const result = await executor.exec(target(), ['sh', '-c', 'printf "out\\377\\001"; printf err >&2; exit 3'], {
      acceptExitCodes: [0, 3],
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdoutBytes.equals(Buffer.from([0x6f, 0x75, 0x74, 0xff, 0x01]))).toBe(true);
    expect(result.stderr).toBe('err');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('raises ExecError with host, redacted argv, status, shortened stderr and duration', async () => {
    const failure = await executor
      .exec(target(), [
        'sh',
        '-c',
        'head -c 10000 /dev/zero | tr "\\0" x >&2; echo tail-of-stderr >&2; exit 7',
        sensitive('acme-private'),
      ])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ExecError);
    const error = failure as ExecError;
    expect(error.code).toBe('STEWARD_SSH_COMMAND_FAILED');
    expect(error).toMatchObject({ host: sshd.host, port: sshd.port, exitCode: 7, signal: null });
    expect(error.argv).toEqual(['sh', '-c', expect.any(String), '[REDACTED]']);
    expect(JSON.stringify(error.details)).not.toContain('acme-private');
    expect(error.stderr.length).toBeLessThanOrEqual(4096);
    expect(error.stderr.endsWith('tail-of-stderr\n')).toBe(true);
    expect(error.stderr).not.toContain('steward-pid');
    expect(error.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a command killed by a signal', async () => {
    const failure = (await executor
      .exec(target(), ['sh', '-c', 'kill -TERM $$'])
      .catch((e: unknown) => e)) as ExecError;
    expect(failure).toBeInstanceOf(ExecError);
    expect(failure.signal).toBe('SIGTERM');
    expect(failure.exitCode).toBeNull();
  });

  it('feeds stdin and scrubs a stdin secret out of error output', async () => {
    const big = randomBytes(1024 * 1024);
    const counted = await executor.exec(target(), ['wc', '-c'], { stdin: big });
    expect(counted.stdout.trim()).toBe(String(big.length));
    const canary = `Cn4ry-${randomBytes(8).toString('hex')}`;
    const failure = (await executor
      .exec(target(), ['sh', '-c', 'cat >&2; exit 1'], { stdin: secret(canary) })
      .catch((e: unknown) => e)) as ExecError;
    expect(failure.stderr).toBe('[REDACTED]');
    expect(JSON.stringify(failure.details)).not.toContain(canary);
  });

  it('runs in cwd and keeps at most maxOutputBytes', async () => {
    expect((await executor.exec(target(), ['pwd'], { cwd: '/tmp' })).stdout).toBe('/tmp\n');
    const capped = await executor.exec(target(), ['head', '-c', '5000', '/dev/zero'], { maxOutputBytes: 1000 });
    expect(capped.stdoutBytes.length).toBe(1000);
    expect(capped.stdoutTruncated).toBe(true);
  });

  it('streams output as it arrives; stream() keeps no stdout', async () => {
    const started = Date.now();
    const arrivals: Array<{ at: number; text: string }> = [];
    const result = await executor.stream(target(), ['sh', '-c', 'echo one; sleep 0.6; echo two; echo warn >&2'], {
      onStdout: (chunk) => arrivals.push({ at: Date.now() - started, text: chunk.toString() }),
      onStderr: (chunk) => arrivals.push({ at: Date.now() - started, text: `E:${chunk.toString()}` }),
    });
    expect(arrivals.map((a) => a.text).join('')).toBe('one\ntwo\nE:warn\n');
    const first = arrivals[0]?.at ?? Infinity;
    expect(first).toBeLessThan(result.durationMs - 400);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('warn\n');
  });
});

describe('time limits and cancellation', () => {
  it('kills the whole remote command (its children too) when the time limit passes', async () => {
    const tag = `${30 + Math.random()}`.slice(0, 12);
    const before = Date.now();
    const failure = await executor
      .exec(target(), ['sh', '-c', `sleep ${tag} & sleep ${tag}; wait`], { timeoutMs: 400 })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'STEWARD_SSH_TIMEOUT',
      details: expect.objectContaining({ phase: 'command', timeoutMs: 400 }),
    });
    expect(Date.now() - before).toBeLessThan(3_000);
    await until(`the remote sleep ${tag} processes to end`, () => processesMatching(`sleep ${tag}`).length === 0, {
      timeoutMs: 3_000,
      everyMs: 50,
    });
    // The connection stays usable afterwards.
    expect((await executor.exec(target(), ['echo', 'still here'])).stdout).toBe('still here\n');
  });

  it('an AbortSignal kills the command and rejects with its reason', async () => {
    const tag = `${40 + Math.random()}`.slice(0, 12);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('task cancelled')), 300);
    await expect(executor.exec(target(), ['sleep', tag], { signal: controller.signal })).rejects.toThrow(
      'task cancelled',
    );
    await until(`the remote sleep ${tag} processes to end`, () => processesMatching(`sleep ${tag}`).length === 0, {
      timeoutMs: 3_000,
      everyMs: 50,
    });
  });
});

describe('connection failures', () => {
  it('normalises refused, unauthorised and invalid targets', async () => {
    const stranger = newClientKeyPair('stranger');
    await expect(
      executor.exec(target({ auth: { kind: 'key', privateKey: secret(stranger.private) } }), ['true']),
    ).rejects.toMatchObject({
      code: 'STEWARD_SSH_AUTH_FAILED',
    });
    await expect(executor.exec(target({ port: 1 }), ['true'])).rejects.toMatchObject({
      code: 'STEWARD_SSH_UNREACHABLE',
    });
    const loginsBefore = executor.metrics().loginsStarted;
    await expect(executor.exec(target({ host: '-oProxyCommand=touch /tmp/pwn' }), ['true'])).rejects.toMatchObject({
      code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
    });
    await expect(executor.exec(target({ username: 'root;id' }), ['true'])).rejects.toMatchObject({
      code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
    });
    await expect(executor.exec(target(), ['printf', 'a\0b'])).rejects.toMatchObject({
      code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
    });
    expect(executor.metrics().loginsStarted).toBe(loginsBefore);
  });
});

describe('withSession', () => {
  it('runs several commands over one login, one after another', async () => {
    const own = createSshExecutor();
    const mark = sshd.logMark();
    try {
      const pids = await own.withSession(target(), async (session) => {
        const a = await session.exec(['sh', '-c', 'echo $$']);
        const b = await session.exec(['sh', '-c', 'echo $$']);
        const c = await session.exec(['false'], { acceptExitCodes: [1] });
        return [a.stdout, b.stdout, String(c.exitCode)];
      });
      expect(pids[0]).not.toBe(pids[1]);
      expect(pids[2]).toBe('1');
      expect(own.metrics().loginsSucceeded).toBe(1);
      expect(sshd.logSince(mark).match(/Accepted publickey for root/g)).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});
