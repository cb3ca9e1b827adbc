// Engine: SQLite only: what this checks happens on real hosts and in the SSH gateway; its stores run on both engines elsewhere (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

const ROOT_PASSWORD = 'first-login-Passw0rd-xyz';

describe('servers inventory on real hosts', () => {
  // Host 0 accepts a root password; hosts 1 and 2 the fleet's client key.
  const fleet = useFleet({
    count: 3,
    spec: (i) =>
      i === 0 ? { name: 'pw-host', users: [{ name: 'root', password: ROOT_PASSWORD }] } : { name: `key-host-${i}` },
  });
  let s: TestSteward;
  let a: SignedUp;

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    s.core.queue.start();
    a = await signUp(s.app);
  });
  afterAll(async () => {
    await s?.close();
  });

  const serverOf = (id: string) => a.client.get(`/api/orgs/${a.orgId}/servers/${id}`).then((r) => r.body);
  const readyOrFailed = (id: string) =>
    until(
      `server ${id} to settle`,
      async () => {
        const v = await serverOf(id);
        return v.status === 'enrolling' ? undefined : v;
      },
      { timeoutMs: 60_000 },
    );

  it('adds three servers; Steward installs its own key, proves it and forgets the first-login credential', async () => {
    const [pw, k1, k2] = fleet.hosts;
    const added = [
      await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: 'web',
        address: pw!.address,
        port: pw!.port,
        username: 'root',
        password: ROOT_PASSWORD,
        hostKeyFingerprint: pw!.hostKeys[0]!.sha256,
      }),
      await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: 'db',
        address: k1!.address,
        port: k1!.port,
        username: 'root',
        privateKey: fleet.clientKey.privateKey,
        hostKey: k1!.hostKeys[0]!.publicKey,
      }),
      await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: 'cache',
        address: k2!.address,
        port: k2!.port,
        username: 'root',
        privateKey: fleet.clientKey.privateKey,
        trustFirstContact: true,
      }),
    ];
    for (const res of added) expect(res.status, res.raw).toBe(202);
    const settled = await Promise.all(added.map((r) => readyOrFailed(r.body.id)));
    for (const v of settled) expect(v, JSON.stringify(v)).toMatchObject({ status: 'ready', login: 'org_key' });
    expect(settled[2].hostKey).toMatchObject({ fingerprint: k2!.hostKeys[0]!.sha256, source: 'first_contact' });

    // The organisation's key is on each host, the first-login credential is gone from the database.
    const orgKey = (await s.core.orgKeys.publicKey(a.orgId)).publicKey;
    for (const host of fleet.hosts) {
      const keys = (await host.readFile('/root/.ssh/authorized_keys')).toString();
      expect(keys.split('\n')).toContain(orgKey);
    }
    const rows = await s.core.db
      .selectFrom('servers')
      .select(['bootstrap_sealed', 'bootstrap_kind'])
      .where('org_id', '=', a.orgId)
      .execute();
    expect(rows.every((r) => r.bootstrap_sealed === null && r.bootstrap_kind === null)).toBe(true);

    // Every login is in the ledger with the request that caused it.
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses`)).body.uses as {
      operation: string;
      credential: string;
      instruction: { type: string; id: string; actorId: string };
      target: { id: string };
    }[];
    for (const res of added) {
      // Enrolment's two logins (discovery follows on its own and may already have logged in too).
      const mine = uses.filter((u) => u.target.id === res.body.id && u.operation.includes('enrol'));
      expect(mine.map((u) => `${u.credential} ${u.operation}`).sort()).toEqual([
        'org_ssh_key ssh.login:enrol.verify',
        'server_bootstrap ssh.login:enrol',
      ]);
      expect(
        mine.every(
          (u) =>
            u.instruction.type === 'user_action' &&
            u.instruction.actorId === a.userId &&
            u.instruction.id.startsWith('req_'),
        ),
      ).toBe(true);
    }
    const audit = (await a.client.get(`/api/orgs/${a.orgId}/audit?action=server.enrolled`)).body.entries;
    expect(audit).toHaveLength(3);
  });

  it('a changed host key blocks the server before login: nothing runs, an alert and an audit entry are written', async () => {
    const host = fleet.hosts[1]!;
    const server = (await a.client.get(`/api/orgs/${a.orgId}/servers`)).body.servers.find(
      (v: { address: string }) => v.address === host.address,
    );
    await host.regenerateHostKeys();
    const marker = '/tmp/steward-should-not-run';
    const session = s.core.gateway();
    const row = await s.core.db.selectFrom('servers').selectAll().where('id', '=', server.id).executeTakeFirstOrThrow();
    await expect(
      session.withServer(row, { type: 'user_action', id: null, actorId: a.userId }, 'test', (sess) =>
        sess.exec(['touch', marker]),
      ),
    ).rejects.toMatchObject({ code: 'STEWARD_SSH_HOST_KEY_CHANGED' });
    expect((await host.run(['test', '-e', marker])).code).toBe(1);
    const blocked = await serverOf(server.id);
    expect(blocked).toMatchObject({
      status: 'blocked',
      statusReason: 'host_key_changed',
      presentedFingerprint: host.hostKeys[0]!.sha256,
    });
    const alerts = (await a.client.get(`/api/orgs/${a.orgId}/alerts?open=true`)).body.alerts;
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'host_key_changed', serverId: server.id, severity: 'critical' }),
    ]);
    expect((await a.client.get(`/api/orgs/${a.orgId}/audit?action=server.host_key_changed`)).body.entries).toHaveLength(
      1,
    );
    // Blocked means blocked: the next operation is refused without connecting.
    await expect(
      session.withServer(
        { ...row, status: 'blocked' },
        { type: 'user_action', id: null, actorId: a.userId },
        'test',
        (sess) => sess.exec(['true']),
      ),
    ).rejects.toMatchObject({ code: 'STEWARD_SSH_HOST_KEY_CHANGED' });
    // Only the exact presented fingerprint unblocks it, and only for an owner.
    expect(
      (
        await a.client.post(`/api/orgs/${a.orgId}/servers/${server.id}/host-key`, {
          fingerprint: 'SHA256:' + 'A'.repeat(43),
        })
      ).status,
    ).toBe(400);
    const ok = await a.client.post(`/api/orgs/${a.orgId}/servers/${server.id}/host-key`, {
      fingerprint: host.hostKeys[0]!.sha256,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('ready');
    expect((await a.client.get(`/api/orgs/${a.orgId}/alerts?open=true`)).body.alerts).toEqual([]);
  });

  it('refuses a server with no way to recognise it, and a wrong first-login password fails clearly', async () => {
    const host = fleet.hosts[0]!;
    const noTrust = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'x',
      address: host.address,
      port: host.port,
      username: 'nobody',
      password: 'whatever-password',
    });
    expect(noTrust.status).toBe(400);
    expect(noTrust.body.error.message).toMatch(/hostKeyFingerprint|trustFirstContact/);
    const wrong = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'wrong',
      address: host.address,
      port: host.port,
      username: 'admin',
      password: 'not-the-password',
      trustFirstContact: true,
    });
    expect(wrong.status).toBe(202);
    const settled = await readyOrFailed(wrong.body.id);
    expect(settled.status).toBe('enrol_failed');
    expect(settled.statusReason).toMatch(/refused/i);
  });

  it('removing a server takes Steward’s key off it first', async () => {
    const host = fleet.hosts[2]!;
    const server = (await a.client.get(`/api/orgs/${a.orgId}/servers`)).body.servers.find(
      (v: { address: string }) => v.address === host.address,
    );
    const orgKey = (await s.core.orgKeys.publicKey(a.orgId)).publicKey;
    expect((await a.client.delete(`/api/orgs/${a.orgId}/servers/${server.id}`)).status).toBe(202);
    await until(
      'the server record to go',
      async () => ((await a.client.get(`/api/orgs/${a.orgId}/servers/${server.id}`)).status === 404 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    const keys = (await host.readFile('/root/.ssh/authorized_keys')).toString();
    expect(keys.split('\n')).not.toContain(orgKey);
    expect(keys).toContain(fleet.clientKey.publicKey.split(' ')[1]!);
    const audit = (await a.client.get(`/api/orgs/${a.orgId}/audit?action=server.removed`)).body.entries;
    expect(audit[0].details).toMatchObject({ keyRemoved: true });
  });
});
