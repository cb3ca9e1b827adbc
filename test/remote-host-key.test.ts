/**
 * docs/decisions/0003-remote-execution.md against a real sshd: a changed host key stops Steward during key exchange, before
 * any credential is offered and before any command runs; unknown hosts are not trusted unless first-contact
 * pinning is asked for; extra host keys are learned only when proven over a verified session.
 */
import { existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import {
  createSshExecutor,
  HostKeyChangedError,
  type HostKeyPolicy,
  type PresentedHostKey,
  type RemoteExecutor,
  type SshTarget,
  type TargetRef,
} from '../src/remote/index.js';
import { startSshd, type TestSshd } from '../testkit/sshd.js';

let sshd: TestSshd;
const executors: RemoteExecutor[] = [];
const tripwire = `/tmp/steward-tripwire-${randomBytes(6).toString('hex')}`;

const target = (hostKey: HostKeyPolicy, over: Partial<SshTarget> = {}): SshTarget => ({
  host: sshd.host,
  port: sshd.port,
  username: sshd.username,
  auth: { kind: 'key', privateKey: secret(sshd.clientPrivateKey) },
  hostKey,
  label: 'srv_hostkey_test',
  ...over,
});
const pinnedNow = (): HostKeyPolicy => ({ kind: 'pinned', keys: sshd.hostKeys.map((k) => k.publicKey) });
const executor = (options: Parameters<typeof createSshExecutor>[0] = {}): RemoteExecutor => {
  const made = createSshExecutor(options);
  executors.push(made);
  return made;
};

/** Waits until sshd has logged `pattern` since `mark` (its log lines arrive a little after the fact). */
async function logShows(mark: number, pattern: RegExp, ms = 5_000): Promise<string> {
  const until = Date.now() + ms;
  while (!pattern.test(sshd.logSince(mark)) && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 25));
  return sshd.logSince(mark);
}

/** Lines that sshd (LogLevel VERBOSE) writes for any authentication attempt, successful or not. */
const AUTH_LINE =
  /userauth|publickey|password|keyboard-interactive|Accepted|Failed|Postponed|Invalid user|authenticating user/i;

beforeAll(async () => {
  sshd = await startSshd();
});

afterEach(async () => {
  for (const made of executors.splice(0)) await made.close();
  rmSync(tripwire, { force: true });
});

afterAll(async () => {
  await sshd?.stop();
});

describe('pinned host key', () => {
  it('connects to the pinned key and sees the fingerprint ssh-keygen prints', async () => {
    const ex = executor();
    await ex.withSession(target(pinnedNow()), async (session) => {
      expect(session.hostKey.fingerprint).toBe(sshd.hostKeys[0]?.fingerprint);
    });
  });

  it('refuses a host whose key changed: before authentication, zero commands, typed error, hook called', async () => {
    // 1. A task runs while the pinned key is current.
    const pinned = pinnedNow();
    const hook = vi.fn(async (_error: HostKeyChangedError, _ref: TargetRef) => undefined);
    const ex = executor({ onHostKeyMismatch: hook });
    await ex.exec(target(pinned), ['true']);
    const oldFingerprint = sshd.hostKeys[0]?.fingerprint;

    // 2. The server is rebuilt with a new host key (sessions die with it, like a reboot).
    await sshd.restart({ newHostKeys: true });
    expect(sshd.hostKeys[0]?.fingerprint).not.toBe(oldFingerprint);
    const mark = sshd.logMark();

    // 3. The same task, pinned to the old key, is refused.
    const failure = await ex.exec(target(pinned), ['touch', tripwire]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HostKeyChangedError);
    const error = failure as HostKeyChangedError;
    expect(error.code).toBe('STEWARD_SSH_HOST_KEY_CHANGED');
    expect(error).toMatchObject({
      host: sshd.host,
      port: sshd.port,
      presentedFingerprint: sshd.hostKeys[0]?.fingerprint,
    });
    expect(error.expectedFingerprints).toEqual([oldFingerprint]);

    // 4. The hook ran once, with the error and the target's identity (no credentials).
    expect(hook).toHaveBeenCalledTimes(1);
    expect(hook.mock.calls[0]?.[0]).toBe(error);
    expect(hook.mock.calls[0]?.[1]).toEqual({
      host: sshd.host,
      port: sshd.port,
      username: 'root',
      label: 'srv_hostkey_test',
    });

    // 5. Nothing ran, and the server saw a connection but no authentication attempt.
    expect(existsSync(tripwire)).toBe(false);
    const log = await logShows(mark, /Disconnected from/);
    expect(log).toMatch(/Connection from 127\.0\.0\.1/);
    // Disconnect reason 3 is SSH_DISCONNECT_KEY_EXCHANGE_FAILED: we hung up during key exchange.
    expect(log).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:3:/);
    expect(log.split('\n').filter((line) => AUTH_LINE.test(line))).toEqual([]);
    expect(ex.metrics()).toMatchObject({ hostKeyMismatches: 1 });

    // 6. It stays refused: a retry does not slip through on a cached connection.
    await expect(ex.exec(target(pinned), ['touch', tripwire])).rejects.toBeInstanceOf(HostKeyChangedError);
    expect(existsSync(tripwire)).toBe(false);
  });
});

describe('unknown host and first contact', () => {
  it('without pins or a first-contact request: STEWARD_SSH_HOST_KEY_UNKNOWN, no login attempt', async () => {
    const ex = executor();
    const mark = sshd.logMark();
    const failure = await ex.exec(target({ kind: 'pinned' }), ['touch', tripwire]).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'STEWARD_SSH_HOST_KEY_UNKNOWN',
      details: expect.objectContaining({ presentedFingerprint: sshd.hostKeys[0]?.fingerprint }),
    });
    const log = await logShows(mark, /Disconnected from/);
    expect(log).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:3:/);
    expect(log.split('\n').filter((line) => AUTH_LINE.test(line))).toEqual([]);
    expect(existsSync(tripwire)).toBe(false);
  });

  it('pin-on-first-contact stores the key once; the executor then holds the host to it', async () => {
    const stored: PresentedHostKey[] = [];
    const firstContact: HostKeyPolicy = {
      kind: 'pin-on-first-contact',
      onFirstContact: (key) => void stored.push(key),
    };
    const ex = executor({ idleTimeoutMs: 50 });

    await ex.exec(target(firstContact), ['true']);
    expect(stored).toEqual([
      { type: 'ssh-ed25519', publicKey: sshd.hostKeys[0]?.publicKey, fingerprint: sshd.hostKeys[0]?.fingerprint },
    ]);

    // A later first-contact request to the same host is pinned to what was learned, not trusted again.
    await sshd.restart({ newHostKeys: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(ex.exec(target(firstContact), ['touch', tripwire])).rejects.toBeInstanceOf(HostKeyChangedError);
    expect(stored).toHaveLength(1);
    expect(existsSync(tripwire)).toBe(false);
  });
});

describe('host key rotation (UpdateHostKeys)', () => {
  it('reports the extra keys a server proves over a session verified with its pinned key', async () => {
    const multi = await startSshd({ hostKeyTypes: ['ed25519', 'ecdsa'] });
    try {
      const proven: PresentedHostKey[][] = [];
      const ex = executor({ onHostKeysProven: (_ref, keys) => proven.push(keys) });
      const ed = multi.hostKeys.find((k) => k.type === 'ssh-ed25519');
      await ex.exec(
        {
          host: multi.host,
          port: multi.port,
          username: multi.username,
          auth: { kind: 'key', privateKey: secret(multi.clientPrivateKey) },
          hostKey: { kind: 'pinned', keys: [ed?.publicKey ?? ''] },
        },
        ['true'],
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(proven.length).toBeGreaterThan(0);
      expect(new Set(proven.flat().map((k) => k.fingerprint))).toEqual(
        new Set(multi.hostKeys.map((k) => k.fingerprint)),
      );
    } finally {
      await multi.stop();
    }
  });
});
