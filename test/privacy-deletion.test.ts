import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, makeCanaries, type CanarySet } from '../testkit/canary.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { useFleet } from '../testkit/fleet.js';
import { dumpDatabase } from '../testkit/privacy.js';
import { untilServerReady } from '../testkit/diagnose.js';
import { until } from '../testkit/wait.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

// One real SSH host for both engines: Steward installs its organisation key on it, and must take it off again.
const fleet = useFleet({ count: 1, spec: () => ({ name: 'deletion-host' }) });

interface Sealed {
  readonly ctx: { scope: string; table: string; column: string; row: string };
  readonly value: string;
}

describe.each(ENGINES)('deleting an organisation and an account (%s)', (engine) => {
  let s: TestSteward;
  let c: CanarySet;
  let owner: SignedUp;
  let orgId: string;
  let orgName: string;
  let orgKey: string;
  const invitee = () => `invitee+${c.runId}@example.invalid`;
  const orgSealed: Sealed[] = [];
  const userSealed: Sealed[] = [];
  let wrappedOrgKeys: string[] = [];

  beforeAll(async () => {
    s = await startTestSteward({ engine });
    s.core.queue.start();
    c = makeCanaries();
    orgName = `Canary Org ${c.runId}`;
    owner = await signUp(s.app, { email: c.email, name: c.name, phone: c.phone, orgName, password: c.userPassword });
    orgId = owner.orgId;
    // Personal data and secrets of the organisation: an invitation to a canary address, a credential, a server.
    expect(
      (await owner.client.post(`/api/orgs/${orgId}/invitations`, { email: invitee(), role: 'member' })).status,
    ).toBe(201);
    expect(
      (
        await owner.client.post(`/api/orgs/${orgId}/credentials`, {
          kind: 'database_password',
          name: 'db',
          value: c.dbPassword,
        })
      ).status,
    ).toBe(201);
    const host = fleet.hosts[0]!;
    const added = await owner.client.post(`/api/orgs/${orgId}/servers`, {
      name: 'web',
      address: host.address,
      port: host.port,
      username: 'root',
      privateKey: fleet.clientKey.privateKey,
      hostKey: host.hostKeys[0]!.publicKey,
    });
    expect(added.status, added.raw).toBe(202);
    await untilServerReady(
      s.core,
      added.body.id,
      async () => (await owner.client.get(`/api/orgs/${orgId}/servers/${added.body.id}`)).body.status,
      { timeoutMs: 60_000 },
    );
    orgKey = (await s.core.orgKeys.publicKey(orgId)).publicKey;
    expect((await host.readFile('/root/.ssh/authorized_keys')).toString()).toContain(orgKey);

    const cred = await s.core.db
      .selectFrom('credentials')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    const inv = await s.core.db
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    const key = await s.core.db
      .selectFrom('org_ssh_keys')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    const user = await s.core.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', owner.userId)
      .executeTakeFirstOrThrow();
    orgSealed.push(
      { ctx: { scope: orgId, table: 'credentials', column: 'value_sealed', row: cred.id }, value: cred.value_sealed },
      { ctx: { scope: orgId, table: 'invitations', column: 'email_sealed', row: inv.id }, value: inv.email_sealed },
      { ctx: { scope: orgId, table: 'org_ssh_keys', column: 'private_sealed', row: orgId }, value: key.private_sealed },
    );
    userSealed.push(
      {
        ctx: { scope: owner.userId, table: 'users', column: 'name_sealed', row: owner.userId },
        value: user.name_sealed,
      },
      {
        ctx: { scope: owner.userId, table: 'users', column: 'email_sealed', row: owner.userId },
        value: user.email_sealed,
      },
      {
        ctx: { scope: owner.userId, table: 'users', column: 'phone_sealed', row: owner.userId },
        value: user.phone_sealed!,
      },
    );
    // Before deletion the root key opens them all (so the check after deletion means something).
    for (const v of [...orgSealed, ...userSealed])
      expect((await s.core.vault.open(v.ctx, v.value)).length).toBeGreaterThan(0);
    wrappedOrgKeys = (
      await s.core.db.selectFrom('vault_data_keys').select('wrapped').where('scope', '=', orgId).execute()
    ).map((r) => r.wrapped);
    expect(wrappedOrgKeys.length).toBeGreaterThan(0);
  }, 180_000);
  afterAll(() => s?.close());

  it('asks for the exact name, then hides the organisation at once and releases its servers', async () => {
    const wrong = await owner.client.post(`/api/orgs/${orgId}/deletion`, { confirm: 'Canary Org' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('STEWARD_CONFIRMATION_REQUIRED');
    // The owner's API token with only the name, as a leaked CI secret would send it, erases nothing; nor does a
    // wrong password. The session needs the password too.
    const token = (await owner.client.post('/api/me/tokens', { name: 'ci' })).body.token as string;
    const byToken = new TestClient(s.app, { token });
    for (const body of [{ confirm: orgName }, { confirm: orgName, password: `${c.userPassword}-wrong` }]) {
      const refused = await byToken.post(`/api/orgs/${orgId}/deletion`, body);
      expect(refused.status, refused.raw).toBe(403);
      expect(refused.body.error.code).toBe('STEWARD_REAUTHENTICATION_REQUIRED');
    }
    expect((await owner.client.post(`/api/orgs/${orgId}/deletion`, { confirm: orgName })).status).toBe(403);
    expect((await owner.client.get(`/api/orgs/${orgId}`)).status).toBe(200);
    const started = Date.now();
    const res = await byToken.post(`/api/orgs/${orgId}/deletion`, { confirm: orgName, password: c.userPassword });
    expect(res.status, res.raw).toBe(202);
    expect((await owner.client.get(`/api/orgs/${orgId}`)).status).toBe(404);
    expect((await owner.client.get('/api/orgs')).body.orgs).toEqual([]);
    const done = await until(
      'the deletion to finish',
      async () => {
        const d = (await owner.client.get('/api/me/deletions')).body.deletions[0];
        return d?.status === 'done' ? d : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(done).toMatchObject({ orgId, serversReleased: 1, serversLeft: 0 });
    process.stdout.write(
      `[privacy-deletion ${engine}] organisation deleted (1 server released) in ${Date.now() - started} ms\n`,
    );
    expect((await fleet.hosts[0]!.readFile('/root/.ssh/authorized_keys')).toString()).not.toContain(orgKey);
  });

  it('erases the rows and destroys the keys: sealed values cannot be opened even with the root key', async () => {
    for (const v of orgSealed) await expect(s.core.vault.open(v.ctx, v.value)).rejects.toThrow();
    const keys = await s.core.db.selectFrom('vault_data_keys').selectAll().where('scope', '=', orgId).execute();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.state === 'destroyed' && k.wrapped === '')).toBe(true);
    for (const table of [
      'credentials',
      'invitations',
      'servers',
      'org_ssh_keys',
      'memberships',
      'outbox',
      'jobs',
    ] as const) {
      expect(await s.core.db.selectFrom(table).selectAll().where('org_id', '=', orgId).execute(), table).toEqual([]);
    }
    expect(await s.core.db.selectFrom('orgs').selectAll().where('id', '=', orgId).execute()).toEqual([]);
    const dump = await dumpDatabase(s);
    expect(dump.length).toBeGreaterThan(1000);
    expect(findLeaks(dump, { dbPassword: c.dbPassword }, 'dump')).toEqual([]);
    expect(findLeaks(dump, { invitee: invitee() }, 'dump', false)).toEqual([]);
    // The wrapped data keys themselves are gone from the files (SQLite zeroes freed space and truncates its log).
    for (const wrapped of wrappedOrgKeys) expect(dump.includes(wrapped)).toBe(false);
    for (const v of orgSealed) expect(dump.includes(v.value)).toBe(false);
  });

  it('the audit keeps that the deletion happened, without personal data', async () => {
    const rows = await s.core.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('seq')
      .execute();
    const deleted = rows.find((r) => r.action === 'org.deleted');
    expect(deleted).toBeDefined();
    expect(JSON.parse(deleted!.details)).toMatchObject({ serversReleased: 1, serversLeft: 0 });
    expect(rows.some((r) => r.action === 'org.deletion_requested')).toBe(true);
    const text = JSON.stringify(await s.core.db.selectFrom('audit_log').selectAll().execute());
    expect(
      findLeaks(
        text,
        { email: c.email, phone: c.phone, name: c.name, invitee: invitee(), dbPassword: c.dbPassword },
        'audit',
        false,
      ),
    ).toEqual([]);
    expect((await s.core.audit.verify()).broken).toBeUndefined();
  });

  it('the person deletes their account: personal data gone, their key scope destroyed', async () => {
    expect((await owner.client.post('/api/me/deletion', { password: `${c.userPassword}-wrong` })).status).toBe(401);
    const res = await owner.client.post('/api/me/deletion', { password: c.userPassword });
    expect(res.status, res.raw).toBe(204);
    expect((await owner.client.get('/api/me')).status).toBe(401);
    for (const v of userSealed) await expect(s.core.vault.open(v.ctx, v.value)).rejects.toThrow();
    expect(await s.core.db.selectFrom('users').selectAll().where('id', '=', owner.userId).execute()).toEqual([]);
    const dump = await dumpDatabase(s);
    expect(findLeaks(dump, { email: c.email, phone: c.phone, name: c.name }, 'dump', false)).toEqual([]);
    for (const v of userSealed) expect(dump.includes(v.value)).toBe(false);
    const audit = await s.core.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.deleted').execute();
    expect(audit.map((a) => a.target_id)).toEqual([owner.userId]);
  });
});
