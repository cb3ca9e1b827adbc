/**
 * Resident commands against a real sshd: one channel kept open, fed requests on stdin and answered up to a marker
 * line, as monitoring samples a server every few seconds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import { createSshExecutor, type RemoteExecutor, type SshTarget } from '../src/remote/index.js';
import { startSshd, type TestSshd } from '../testkit/sshd.js';
import { processesMatching } from '../testkit/processes.js';
import { until } from '../testkit/wait.js';

let sshd: TestSshd;
let executor: RemoteExecutor;
let target: SshTarget;

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

const MARK = 'END-3f9a1c2b7d6e5f40';
/** A request for a resident `sh -s`: run `script`, then print the end line with its status. */
const ask = (script: string): string => `${script}\nprintf '\\n%s %s\\n' ${MARK} "$?"\n`;
const opts = { endPrefix: `${MARK} `, timeoutMs: 10_000, maxOutputBytes: 64 * 1024 };

describe('resident commands', () => {
  it('answers request after request on one channel, in order, and ends on close', async () => {
    const resident = await executor.openResident(target, ['sh', '-c', 'exec sh -s'], { idleMs: 60_000 });
    const before = executor.metrics().commandsStarted;
    // Two requests asked at once are answered one after the other, each with its own output and status.
    const [a, b] = await Promise.all([
      resident.request(ask('counter=41; echo "pid=$$"'), opts),
      resident.request(ask('counter=$((counter + 1)); echo "count=$counter"; false'), opts),
    ]);
    const pid = Number(/pid=(\d+)/.exec(a.stdout.toString())?.[1]);
    expect(a.stdout.toString()).toBe(`pid=${pid}\n\n`);
    expect(a.endRest).toBe('0');
    // The same shell kept its state: one process, not one per request.
    expect(b.stdout.toString()).toBe('count=42\n\n');
    expect(b.endRest).toBe('1');
    expect(executor.metrics().activeChannels).toBe(1);
    expect(executor.metrics().commandsStarted).toBe(before);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe('sh');

    resident.close();
    await resident.closed;
    expect(resident.isOpen()).toBe(false);
    expect(executor.metrics().activeChannels).toBe(0);
    await until('the resident shell to end on the server', () => !readdirSync('/proc').includes(String(pid)), {
      timeoutMs: 5_000,
    });
    await expect(resident.request(ask('echo late'), opts)).rejects.toMatchObject({ code: 'STEWARD_SSH_UNREACHABLE' });
  });

  it('a request that does not answer in time kills the command with its children and ends the resident', async () => {
    const tag = `${30 + Math.random()}`.slice(0, 12);
    const resident = await executor.openResident(target, ['sh', '-c', 'exec sh -s'], { idleMs: 60_000 });
    expect((await resident.request(ask('echo ready'), opts)).stdout.toString()).toBe('ready\n\n');
    const failure = await resident
      .request(ask(`sleep ${tag} & sleep ${tag}; wait`), { ...opts, timeoutMs: 500 })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'STEWARD_SSH_TIMEOUT',
      details: expect.objectContaining({ phase: 'command', timeoutMs: 500 }),
    });
    expect(resident.isOpen()).toBe(false);
    await until(`the remote sleep ${tag} processes to end`, () => processesMatching(`sleep ${tag}`).length === 0, {
      timeoutMs: 5_000,
    });
    await resident.closed;
    expect(executor.metrics().activeChannels).toBe(0);
  });

  it('an answer larger than its limit ends the resident with an error that says so', async () => {
    const resident = await executor.openResident(target, ['sh', '-c', 'exec sh -s'], { idleMs: 60_000 });
    const failure = await resident
      .request(ask('head -c 200000 /dev/zero | tr "\\0" x'), { ...opts, maxOutputBytes: 10_000 })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'STEWARD_SSH_PROTOCOL', message: expect.stringContaining('10000 bytes') });
    expect(resident.isOpen()).toBe(false);
    await resident.closed;
  });

  it('a command that ends by itself fails the request it was answering, with what it said on stderr', async () => {
    const resident = await executor.openResident(target, ['sh', '-c', 'exec sh -s'], { idleMs: 60_000 });
    const failure = await resident.request(ask('echo "no such table" >&2; exit 7'), opts).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'STEWARD_SSH_UNREACHABLE',
      message: expect.stringContaining('no such table'),
    });
    expect(resident.isOpen()).toBe(false);
  });

  it('ends by itself after its idle time, and refuses an end marker anyone could print', async () => {
    const resident = await executor.openResident(target, ['sh', '-c', 'exec sh -s'], { idleMs: 300 });
    expect((await resident.request(ask('echo once'), opts)).endRest).toBe('0');
    await until('the idle resident to close', () => !resident.isOpen(), { timeoutMs: 5_000 });
    await resident.closed;
    expect(executor.metrics().activeChannels).toBe(0);
    const other = await executor.openResident(target, ['sh', '-c', 'exec sh -s'], { idleMs: 60_000 });
    expect(() => other.request('echo hi\n', { ...opts, endPrefix: 'done' })).toThrow(
      expect.objectContaining({ code: 'STEWARD_INVALID_REMOTE_ARGUMENT' }),
    );
    other.close();
    await other.closed;
  });
});
