// Engine: SQLite only: what this checks happens on real hosts and in the SSH gateway; its stores run on both engines elsewhere (docs/testing.md).
/**
 * docs/decisions/0008-access.md: the denial matrix. Every way a staff member can lack access ({no grant, pending, expired,
 * revoked, other server, other organisation, other staff member}) times every staff action (web terminal, task
 * run, facts read, secret reveal, provider action, SSH certificate) is refused with STEWARD_NO_ACTIVE_GRANT and
 * one `access.denied` audit event naming why; no SSH login is attempted (the ledger does not move, a tripwire command
 * never runs) and no certificate is signed (the CA's counter does not move). A control row shows the same
 * calls work under an active grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp } from '../testkit/client.js';
import { newClientKey, useFleet } from '../testkit/fleet.js';
import { plantIncident } from '../testkit/incidents.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { openTerminal, TerminalRefused } from '../testkit/terminal.js';
import { until } from '../testkit/wait.js';
import { readyServer, staffMember, supportGrant, type StaffMember } from './access-kit.js';

const ALL = ['terminal', 'tasks', 'read_facts_logs', 'reveal_secrets', 'provider_actions'];
const NO_SUCH_GRANT = 'grant_00000000000000000000000000';
const SECRET = 'cred_00000000000000000000000000';
const ACCOUNT = 'acct_00000000000000000000000000';

describe('denial matrix: no active matching grant, no access', () => {
  const fleet = useFleet({ count: 1, spec: () => ({ name: 'matrix-host' }) });
  let s: TestSteward;
  let base: string;
  let a: SignedUp;
  let b: SignedUp;
  let staff: StaffMember;
  let other: StaffMember;
  let server1: string;
  let server2: string;
  let serverB: string;
  const cases: { name: string; grantId: string; server: string; reason: string }[] = [];

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    s.core.queue.start();
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    a = await signUp(s.app, { orgName: 'Matrix A' });
    b = await signUp(s.app, { orgName: 'Matrix B' });
    staff = await staffMember(s, ['support']);
    other = await staffMember(s, ['support']);
    server1 = await readyServer(a, fleet.hosts[0]!, fleet.clientKey.privateKey, 'web');
    server2 = (
      await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: 'db',
        address: 'a-web.invalid',
        password: 'first-login-password',
        trustFirstContact: true,
      })
    ).body.id;
    serverB = (
      await b.client.post(`/api/orgs/${b.orgId}/servers`, {
        name: 'b-web',
        address: 'b-web.invalid',
        password: 'first-login-password',
        trustFirstContact: true,
      })
    ).body.id;

    const pending = await s.core.access.openSuspiciousActivityGrant({
      orgId: a.orgId,
      incidentId: await plantIncident(s, { orgId: a.orgId, servers: [{ id: server1, name: 'web-1' }] }),
      serverIds: [server1],
      actions: ALL as never,
      justification: 'Matrix: pending approval',
      staffId: staff.userId,
    });
    const expired = (await supportGrant(a, staff, [server1], { actions: ALL })).grantId;
    await a.client.patch(`/api/orgs/${a.orgId}/grants/${expired}`, {
      endsAt: new Date(Date.now() + 1000).toISOString(),
    });
    const revoked = (await supportGrant(a, staff, [server1], { actions: ALL })).grantId;
    await a.client.post(`/api/orgs/${a.orgId}/grants/${revoked}/revoke`);
    const active = (await supportGrant(a, staff, [server1], { actions: ALL })).grantId;
    const othersGrant = (await supportGrant(a, other, [server1], { actions: ALL })).grantId;
    await until(
      "the narrowed grant's window to be over",
      async () => (await a.client.get(`/api/orgs/${a.orgId}/grants/${expired}`)).body.state === 'expired',
    );
    cases.push(
      { name: 'no grant', grantId: NO_SUCH_GRANT, server: server1, reason: 'no_grant' },
      { name: 'pending', grantId: pending.id, server: server1, reason: 'pending' },
      { name: 'expired', grantId: expired, server: server1, reason: 'expired' },
      { name: 'revoked', grantId: revoked, server: server1, reason: 'revoked' },
      { name: 'other server', grantId: active, server: server2, reason: 'other_server' },
      { name: 'other organisation', grantId: active, server: serverB, reason: 'other_org' },
      { name: 'other staff member', grantId: othersGrant, server: server1, reason: 'other_staff' },
    );
  });
  afterAll(async () => {
    await s?.close();
  });

  const deniedCount = async () =>
    (await s.core.db.selectFrom('audit_log').select('id').where('action', '=', 'access.denied').execute()).length;
  const lastDenied = async () =>
    JSON.parse(
      (
        await s.core.db
          .selectFrom('audit_log')
          .select('details')
          .where('action', '=', 'access.denied')
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow()
      ).details,
    ) as Record<string, unknown>;
  const ledgerCount = async () => (await s.core.db.selectFrom('credential_uses').select('id').execute()).length;

  const actions: Record<string, (grantId: string, server: string) => Promise<{ status: number; code: string }>> = {
    terminal: async (grantId, server) => {
      try {
        const t = await openTerminal(
          base,
          { token: staff.token, origin: null },
          { orgId: a.orgId, serverId: server, grantId },
        );
        t.close();
        return { status: 200, code: 'opened' };
      } catch (err) {
        return { status: 403, code: err instanceof TerminalRefused ? err.code : String(err) };
      }
    },
    'task run': async (grantId, server) => {
      const res = await staff.client.post(`/api/staff/grants/${grantId}/commands`, {
        serverIds: [server],
        argv: ['touch', '/tmp/matrix-tripwire'],
      });
      return { status: res.status, code: res.body?.error?.code ?? 'ok' };
    },
    'facts/logs read': async (grantId, server) => {
      const res = await staff.client.get(`/api/staff/grants/${grantId}/servers/${server}/facts`);
      return { status: res.status, code: res.body?.error?.code ?? 'ok' };
    },
    'secret reveal': async (grantId, server) => {
      const res = await staff.client.post(
        `/api/staff/grants/${grantId}/servers/${server}/found-secrets/${SECRET}/reveal`,
        { totpCode: '000000' },
      );
      return { status: res.status, code: res.body?.error?.code ?? 'ok' };
    },
    'provider action': async (grantId) => {
      const res = await staff.client.post(
        `/api/staff/grants/${grantId}/provider-accounts/${ACCOUNT}/instances/i-0123456789abcdef0/actions`,
        { action: 'reboot' },
      );
      return { status: res.status, code: res.body?.error?.code ?? 'ok' };
    },
    'ssh certificate': async (grantId, server) => {
      const res = await staff.client.post(`/api/staff/grants/${grantId}/certificates`, {
        serverId: server,
        publicKey: newClientKey().publicKey,
        totpCode: '000000',
      });
      return { status: res.status, code: res.body?.error?.code ?? 'ok' };
    },
  };

  it('refuses every case × action, audits each refusal, logs in nowhere and signs nothing', async () => {
    const ledger = await ledgerCount();
    const signatures = s.core.access.ca.signatures();
    const deniedBefore = await deniedCount();
    const outcomes: string[] = [];
    for (const c of cases) {
      for (const [action, call] of Object.entries(actions)) {
        const denied = await deniedCount();
        const res = await call(c.grantId, c.server);
        const after = await deniedCount();
        const details = await lastDenied();
        // Provider actions name accounts, not servers: a server mismatch shows as an account the grant lacks.
        const reason =
          action === 'provider action' && (c.reason === 'other_server' || c.reason === 'other_org')
            ? 'other_account'
            : c.reason;
        outcomes.push(
          `${c.name} × ${action}: ${res.status} ${res.code} audit+${after - denied} ${String(details.reason)}`,
        );
        expect(res.status, `${c.name} × ${action}`).toBe(403);
        expect(res.code, `${c.name} × ${action}`).toBe('STEWARD_NO_ACTIVE_GRANT');
        expect(after - denied, `${c.name} × ${action} audited once`).toBe(1);
        expect(details.reason, `${c.name} × ${action}`).toBe(reason);
      }
    }
    expect(await deniedCount(), outcomes.join('\n')).toBe(deniedBefore + cases.length * Object.keys(actions).length);
    expect(await ledgerCount(), 'no SSH login or provider call was recorded').toBe(ledger);
    expect(s.core.access.ca.signatures(), 'no certificate was signed').toBe(signatures);
    expect((await fleet.hosts[0]!.run(['test', '-e', '/tmp/matrix-tripwire'])).code).toBe(1);
    const denials = (await a.client.get(`/api/orgs/${a.orgId}/timeline?kind=denied&limit=500`)).body.entries;
    expect(denials.length).toBeGreaterThanOrEqual(cases.length * 4);
  });

  it('control: the same staff member under the active grant does run the command (so the refusals are real)', async () => {
    const active = cases.find((c) => c.name === 'other server')!.grantId;
    const ledger = await ledgerCount();
    const res = await staff.client.post(`/api/staff/grants/${active}/commands`, {
      serverIds: [server1],
      argv: ['touch', '/tmp/matrix-control'],
    });
    expect(res.status, res.raw).toBe(202);
    await until(
      'the command to create /tmp/matrix-control',
      async () => (await fleet.hosts[0]!.run(['test', '-e', '/tmp/matrix-control'])).code === 0,
    );
    expect(await ledgerCount()).toBeGreaterThan(ledger);
    const use = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses`)).body.uses.find(
      (u: { operation: string }) => u.operation === 'ssh.login:task:command',
    );
    expect(use).toMatchObject({ instruction: { type: 'staff_grant', id: active, actorId: staff.userId } });
  });

  it('a job queued under a grant that is revoked before it runs does not log in', async () => {
    const { grantId } = await supportGrant(a, staff, [server1], { actions: ['tasks'] });
    await s.core.queue.stop();
    const res = await staff.client.post(`/api/staff/grants/${grantId}/commands`, {
      serverIds: [server1],
      argv: ['touch', '/tmp/matrix-late'],
    });
    expect(res.status).toBe(202);
    await a.client.post(`/api/orgs/${a.orgId}/grants/${grantId}/revoke`);
    const ledger = await ledgerCount();
    const denied = await deniedCount();
    s.core.queue.start();
    const run = await until('the queued run to finish', async () => {
      const body = (await a.client.get(`/api/orgs/${a.orgId}/task-runs/${res.body.id}`)).body;
      return body.finishedAt ? body : undefined;
    });
    expect(run.status).toBe('failed');
    expect(run.hosts[0].error).toMatch(/grant/);
    // The login guard refused it with the same reason a staff action under that grant gets.
    expect(await deniedCount()).toBe(denied + 1);
    expect(await lastDenied()).toMatchObject({ reason: 'revoked', grant: grantId, during: 'ssh_login' });
    expect(await ledgerCount()).toBe(ledger);
    expect((await fleet.hosts[0]!.run(['test', '-e', '/tmp/matrix-late'])).code).toBe(1);
  });
});
