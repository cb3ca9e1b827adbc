// Engine: SQLite only: what this checks happens on real hosts and in the SSH gateway; its stores run on both engines elsewhere (docs/testing.md).
/**
 * docs/decisions/0008-access.md: staff SSH certificates on real OpenSSH servers that trust the organisation's CA
 * (TrustedUserCAKeys + AuthorizedPrincipalsFile, as initial setup installs them). A certificate works on its
 * server inside the grant's window, and is refused on another server, by a principal naming another server,
 * and after the window ends. Each certificate is inspected with ssh-keygen -L.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import type { TestHost } from '../src/sandbox/hosts/index.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { readyServer, staffMember, supportGrant, type StaffMember } from './access-kit.js';

const CA_FILE = '/etc/ssh/steward_user_ca.pub';

describe('staff SSH certificates on real sshd', () => {
  const fleet = useFleet({ count: 0 });
  let s: TestSteward;
  let a: SignedUp;
  let staff: StaffMember;
  let hosts: TestHost[];
  let servers: string[];
  let dir: string;

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    s.core.queue.start();
    a = await signUp(s.app, { orgName: 'Cert Org' });
    staff = await staffMember(s, ['support']);
    const ca = (await a.client.get(`/api/orgs/${a.orgId}/staff-ca`)).body.publicKey as string;
    expect(ca).toMatch(/^ssh-ed25519 /);
    hosts = await fleet.launcher.launchMany(2, (i) => ({
      name: `cert-host-${i}`,
      files: [{ path: CA_FILE, content: `${ca}\n` }],
      sshd: { TrustedUserCAKeys: CA_FILE, AuthorizedPrincipalsFile: '/etc/ssh/steward_principals/%u' },
    }));
    servers = [
      await readyServer(a, hosts[0]!, fleet.clientKey.privateKey, 'one'),
      await readyServer(a, hosts[1]!, fleet.clientKey.privateKey, 'two'),
    ];
    dir = mkdtempSync(join(tmpdir(), 'steward-staff-ssh-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'staff-laptop', '-f', join(dir, 'id')]);
    writeFileSync(
      join(dir, 'known_hosts'),
      hosts
        .map((h) => `${h.port === 22 ? h.address : `[${h.address}]:${h.port}`} ${h.hostKeys[0]!.publicKey}`)
        .join('\n') + '\n',
    );
  });
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The staff member's own OpenSSH client, with the certificate and nothing else to offer. */
  function sshWith(cert: string, host: TestHost): Promise<{ ok: boolean; out: string }> {
    writeFileSync(join(dir, 'id-cert.pub'), `${cert}\n`);
    return new Promise((resolve) => {
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
          'StrictHostKeyChecking=yes',
          '-o',
          `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
          '-o',
          'PasswordAuthentication=no',
          '-o',
          'ConnectTimeout=10',
          '-p',
          String(host.port),
          `root@${host.address}`,
          'echo cert-ok-$(hostname)',
        ],
        { timeout: 20_000 },
        (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}` }),
      );
    });
  }

  async function mint(grantId: string, serverId: string) {
    const res = await staff.client.post(`/api/staff/grants/${grantId}/certificates`, {
      serverId,
      publicKey: execFileSync('cat', [join(dir, 'id.pub')], { encoding: 'utf8' }),
      totpCode: await staff.nextCode(),
    });
    expect(res.status, res.raw).toBe(201);
    return res.body as {
      certificate: string;
      principal: string;
      validAfter: string;
      validBefore: string;
      keyId: string;
    };
  }

  it('works on its server inside the window; refused on another server, for another principal, and after the window', async () => {
    const { grantId } = await supportGrant(a, staff, servers, { actions: ['terminal'] });
    const endsAt = Date.now() + 45_000;
    await a.client.patch(`/api/orgs/${a.orgId}/grants/${grantId}`, { endsAt: new Date(endsAt).toISOString() });

    // 1. A certificate for server one: its fields are what C4 asks for.
    const one = await mint(grantId, servers[0]!);
    writeFileSync(join(dir, 'inspect-cert.pub'), `${one.certificate}\n`);
    const listed = execFileSync('ssh-keygen', ['-L', '-f', join(dir, 'inspect-cert.pub')], { encoding: 'utf8' });
    expect(listed).toContain(`Key ID: "${grantId}"`);
    expect(listed).toMatch(new RegExp(`Principals:\\s+staff-${grantId}@${servers[0]}`));
    expect(listed).toMatch(/Extensions:\s+permit-pty\s*$/);
    expect(listed).not.toMatch(/permit-(agent|port|X11)-forwarding|permit-user-rc/);
    expect(Date.parse(one.validBefore)).toBeLessThanOrEqual(Math.min(endsAt, Date.now() + 3_600_000));
    expect(one.keyId).toBe(grantId);

    // 2. Accepted by server one's sshd; refused by server two (its principals do not include this one).
    expect(await sshWith(one.certificate, hosts[0]!)).toMatchObject({
      ok: true,
      out: expect.stringContaining('cert-ok-cert-host-0'),
    });
    expect((await sshWith(one.certificate, hosts[1]!)).ok).toBe(false);

    // 3. A certificate naming server two is refused by server one (another principal), accepted by two.
    const two = await mint(grantId, servers[1]!);
    expect((await sshWith(two.certificate, hosts[0]!)).ok).toBe(false);
    expect((await sshWith(two.certificate, hosts[1]!)).ok).toBe(true);

    // 4. After the grant's window, sshd refuses the same certificate.
    await sleep(Math.max(0, endsAt - Date.now()) + 1500);
    const late = await sshWith(one.certificate, hosts[0]!);
    expect(late.ok).toBe(false);

    // 5. Each issue is audited, in the timeline, and the principal was installed under the grant's own login.
    const entries = (await a.client.get(`/api/orgs/${a.orgId}/timeline?grantId=${grantId}`)).body.entries as {
      event: string;
      details: Record<string, unknown>;
    }[];
    expect(entries.filter((e) => e.event === 'certificate.issued')).toHaveLength(2);
    expect(entries.some((e) => e.event === 'ledger' && e.details.operation === 'ssh.login:certificate.principal')).toBe(
      true,
    );
  }, 180_000);
});
