// Engine: SQLite only: what this checks happens on real hosts and in the SSH gateway; its stores run on both engines elsewhere (docs/testing.md).
/**
 * The recorded web terminal on a real host: a staff member's live session is cut within seconds of the
 * customer revoking the grant, and of the grant expiring; what was recorded up to then replays as asciicast
 * v2; the customer sees the session in the timeline within 2 s. Also: customers on their own servers, the
 * Origin and CSRF checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { openTerminal, TerminalRefused } from '../testkit/terminal.js';
import { readyServer, staffMember, supportGrant, type StaffMember } from './access-kit.js';
import { until } from '../testkit/wait.js';

function parseCast(cast: string): { header: Record<string, unknown>; events: [number, string, string][] } {
  const [head, ...rest] = cast.trim().split('\n');
  return {
    header: JSON.parse(head!) as Record<string, unknown>,
    events: rest.map((l) => JSON.parse(l) as [number, string, string]),
  };
}

describe('web terminal under a grant (real host)', () => {
  const fleet = useFleet({ count: 1, spec: () => ({ name: 'term-host' }) });
  let s: TestSteward;
  let base: string;
  let a: SignedUp;
  let staff: StaffMember;
  let serverId: string;

  beforeAll(async () => {
    s = await startTestSteward({
      engine: 'sqlite',
      env: { STEWARD_TERMINAL_CHECK_MS: '500', STEWARD_RECORDING_FLUSH_MS: '300' },
    });
    s.core.queue.start();
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    a = await signUp(s.app, { orgName: 'Terminal Org' });
    staff = await staffMember(s, ['support']);
    serverId = await readyServer(a, fleet.hosts[0]!, fleet.clientKey.privateKey, 'web');
  });
  afterAll(async () => {
    await s?.close();
  });

  const staffAuth = () => ({ cookie: staff.client.auth.cookie!, csrf: staff.client.auth.csrf! });

  it('revoking the grant ends the live session within seconds; the recording up to then replays', async () => {
    const { grantId } = await supportGrant(a, staff, [serverId], { actions: ['terminal'] });
    // 1. The staff member opens the terminal through Steward and works.
    const term = await openTerminal(base, staffAuth(), { orgId: a.orgId, serverId, grantId });
    term.type('echo "hello-$((6*7))"; hostname\n');
    await term.waitFor('hello-42');
    await term.waitFor('term-host');
    term.resize(120, 40);
    // 2. The customer sees the session in the timeline within 2 s.
    const seenAt = Date.now();
    await until(
      'the session in the timeline',
      async () => {
        const entries = (await a.client.get(`/api/orgs/${a.orgId}/timeline?grantId=${grantId}`)).body.entries as {
          event: string;
          kind: string;
          details: Record<string, unknown>;
        }[];
        return (
          entries.some((e) => e.event === 'terminal.opened') &&
          entries.some((e) => e.kind === 'login' && e.details.operation === 'ssh.login:terminal')
        );
      },
      { timeoutMs: 2000, everyMs: 50 },
    );
    expect(Date.now() - seenAt).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 700)); // one flush interval, so the output is committed
    // 3. The customer revokes; the session ends by itself.
    const revokedAt = Date.now();
    expect((await a.client.post(`/api/orgs/${a.orgId}/grants/${grantId}/revoke`)).body.state).toBe('revoked');
    const ended = await term.ended;
    expect(ended.at - revokedAt).toBeLessThan(5000);
    expect(ended).toMatchObject({ code: 4001, closedReason: 'grant_revoked' });
    // 4. A new session under the revoked grant is refused.
    await expect(openTerminal(base, staffAuth(), { orgId: a.orgId, serverId, grantId })).rejects.toMatchObject({
      code: 'STEWARD_NO_ACTIVE_GRANT',
    });
    // 5. The recording replays what the staff member saw.
    const sessions = (await a.client.get(`/api/orgs/${a.orgId}/terminal-sessions?grantId=${grantId}`)).body.sessions;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      id: term.sessionId,
      status: 'ended',
      endReason: 'grant_revoked',
      user: { id: staff.userId, kind: 'staff' },
      grantId,
    });
    const rec = await a.client.get(`/api/orgs/${a.orgId}/terminal-sessions/${term.sessionId}/recording`);
    expect(rec.headers['cache-control']).toBe('no-store');
    const cast = parseCast(rec.body.cast);
    expect(cast.header).toMatchObject({ version: 2, width: 100, height: 30, env: { TERM: 'xterm-256color' } });
    const output = cast.events
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    expect(output).toContain('hello-42');
    expect(cast.events).toContainEqual([expect.any(Number), 'r', '120x40']);
    const times = cast.events.map((e) => e[0]);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    // 6. The ledger names the grant behind the login.
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses`)).body.uses.filter(
      (u: { operation: string }) => u.operation === 'ssh.login:terminal',
    );
    expect(uses[0]).toMatchObject({ instruction: { type: 'staff_grant', id: grantId, actorId: staff.userId } });
  });

  it('a grant expiring ends the live session within seconds', async () => {
    const { grantId } = await supportGrant(a, staff, [serverId], { actions: ['terminal'] });
    const endsAt = new Date(Date.now() + 4000).toISOString();
    expect((await a.client.patch(`/api/orgs/${a.orgId}/grants/${grantId}`, { endsAt })).status).toBe(200);
    const term = await openTerminal(base, staffAuth(), { orgId: a.orgId, serverId, grantId });
    term.type('echo still-here\n');
    await term.waitFor('still-here');
    const ended = await term.ended;
    expect(ended.closedReason).toBe('grant_expired');
    expect(ended.at - Date.parse(endsAt)).toBeLessThan(4000);
    expect(ended.at).toBeGreaterThanOrEqual(Date.parse(endsAt) - 1000);
    const rec = await a.client.get(`/api/orgs/${a.orgId}/terminal-sessions/${term.sessionId}/recording`);
    expect(rec.body.session.endReason).toBe('grant_expired');
    expect(rec.body.cast).toContain('still-here');
  });

  it('customers open terminals on their own servers; Origin and CSRF are checked', async () => {
    const auth = { cookie: a.client.auth.cookie!, csrf: a.client.auth.csrf! };
    const mine = await openTerminal(base, auth, { orgId: a.orgId, serverId });
    mine.type('echo own-server\n');
    await mine.waitFor('own-server');
    mine.close();
    expect((await mine.ended).code).toBe(1000);
    await expect(
      openTerminal(base, { ...auth, origin: 'https://evil.example' }, { orgId: a.orgId, serverId }),
    ).rejects.toMatchObject({ code: 'HTTP_403' });
    await expect(openTerminal(base, { cookie: auth.cookie }, { orgId: a.orgId, serverId })).rejects.toMatchObject({
      code: 'STEWARD_CSRF',
    });
    const other = await signUp(s.app);
    await expect(
      openTerminal(
        base,
        { cookie: other.client.auth.cookie!, csrf: other.client.auth.csrf! },
        { orgId: a.orgId, serverId },
      ),
    ).rejects.toBeInstanceOf(TerminalRefused);
    // Staff without a grant: refused before any login.
    const loginsBefore = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses`)).body.uses.length;
    await expect(
      openTerminal(base, { token: staff.token, origin: null }, { orgId: a.orgId, serverId }),
    ).rejects.toMatchObject({ code: 'STEWARD_NO_ACTIVE_GRANT' });
    expect((await a.client.get(`/api/orgs/${a.orgId}/credential-uses`)).body.uses.length).toBe(loginsBefore);
  });
});
