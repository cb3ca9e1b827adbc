/**
 * Initial setup's staff-CA part on a real host: the first run installs the CA key, the principals folder and
 * the sshd settings (and sshd re-reads them without dropping the session); the second run changes nothing; a
 * certificate from that CA whose principal is listed then logs in with OpenSSH's own client.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCaKey, parsePublicKeyLine, signUserCertificate } from '../src/core/access/ca/ssh-cert.js';
import { installPrincipalArgv } from '../src/core/access/ca/principals.js';
import { staffCaSteps } from '../src/core/tasks/recipes/staff-ca.js';
import { createSshExecutor, runSteps, type RemoteExecutor } from '../src/remote/index.js';
import { useFleet } from '../testkit/fleet.js';
import { createTaskContext, failureOf, fleetTarget, statuses } from '../testkit/task-context.js';

describe('initial setup: trust the staff CA (real host)', () => {
  const fleet = useFleet({ count: 1, spec: () => ({ name: 'ca-setup' }) });
  let executor: RemoteExecutor;
  let dir: string;
  const ca = generateCaKey('steward-staff-ca-test');

  beforeAll(() => {
    executor = createSshExecutor({ commandTimeoutMs: 60_000 });
    dir = mkdtempSync(join(tmpdir(), 'steward-ca-setup-'));
  });
  afterAll(async () => {
    await executor?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = () =>
    executor.withSession(
      fleetTarget(fleet.hosts[0]!, { username: 'root', privateKey: fleet.clientKey.privateKey }),
      (session) => runSteps(staffCaSteps(ca.publicLine), createTaskContext(session)),
    );

  it('installs once, changes nothing the second time, and then sshd takes a listed certificate', async () => {
    const first = await run();
    expect(first.ok, String(failureOf(first))).toBe(true);
    expect(statuses(first)).toEqual({
      'staff-ca-key': 'changed',
      'staff-principals-dir': 'changed',
      'sshd-trusts-staff-ca': 'changed',
    });
    const second = await run();
    expect(statuses(second)).toEqual({
      'staff-ca-key': 'unchanged',
      'staff-principals-dir': 'unchanged',
      'sshd-trusts-staff-ca': 'unchanged',
    });

    const host = fleet.hosts[0]!;
    const principal = 'staff-grant_test@srv_test';
    await executor.withSession(
      fleetTarget(host, { username: 'root', privateKey: fleet.clientKey.privateKey }),
      (session) => session.exec(installPrincipalArgv('root', principal)),
    );
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
    const now = Date.now();
    const cert = signUserCertificate(
      {
        publicKey: parsePublicKeyLine(readFileSync(join(dir, 'id.pub'), 'utf8')),
        serial: 1n,
        keyId: 'grant_test',
        principals: [principal],
        validAfter: new Date(now - 60_000),
        validBefore: new Date(now + 300_000),
        extensions: ['permit-pty'],
      },
      { privateKey: createPrivateKey(ca.privatePem) },
      'test',
    );
    writeFileSync(join(dir, 'id-cert.pub'), `${cert}\n`);
    writeFileSync(
      join(dir, 'known_hosts'),
      `${host.port === 22 ? host.address : `[${host.address}]:${host.port}`} ${host.hostKeys[0]!.publicKey}\n`,
    );
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'ssh',
        [
          '-F',
          '/dev/null',
          '-i',
          join(dir, 'id'),
          '-o',
          `CertificateFile=${join(dir, 'id-cert.pub')}`,
          '-o',
          'IdentitiesOnly=yes',
          '-o',
          'BatchMode=yes',
          '-o',
          `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-p',
          String(host.port),
          `root@${host.address}`,
          'echo via-staff-ca',
        ],
        { timeout: 20_000 },
        (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)),
      ),
    );
    expect(out.trim()).toBe('via-staff-ca');
  });
});
