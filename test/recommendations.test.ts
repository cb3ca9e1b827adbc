import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '../src/kernel/ids.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { insertReadyServers } from '../testkit/servers.js';
import { staffSession } from '../testkit/staff.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const HOUR = 3_600_000;

describe.each(ENGINES)('personalised recommendations, only with consent (%s)', (engine) => {
  let s: TestSteward;
  let ada: SignedUp;
  let ben: SignedUp;
  let web: string;
  const calls = () => {
    const src = s.core.recommendations.sources;
    return [src.webServersBehindOnUpdates, src.databases, src.backupPlan, src.fullDisks, src.planAdvice].reduce(
      (n, f) => n + (f as unknown as { mock: { calls: unknown[] } }).mock.calls.length,
      0,
    );
  };
  const rows = async (userId: string) =>
    (await s.core.db.selectFrom('recommendations').select('id').where('user_id', '=', userId).execute()).length;
  const computedEvents = async (userId: string) =>
    (
      await s.core.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'recommendations.computed')
        .where('actor_id', '=', userId)
        .execute()
    ).length;

  beforeAll(async () => {
    s = await startTestSteward({ engine });
    ada = await signUp(s.app, { name: 'Ada Owner' });
    ben = await signUp(s.app, { name: 'Ben Member' });
    const inv = await ada.client.post(`/api/orgs/${ada.orgId}/invitations`, { email: ben.email, role: 'member' });
    await ben.client.post('/api/invitations/accept', { token: inv.body.token });
    [web] = (await insertReadyServers(s, ada.orgId, ada.userId, 1)) as [string];
    // What discovery and monitoring left for this server: nginx and MariaDB found, the disk 92 % full.
    await s.core.db
      .insertInto('discovery_snapshots')
      .values({
        id: newId('snap'),
        org_id: ada.orgId,
        server_id: web,
        run_id: null,
        taken_at: s.core.clock.iso(),
        facts: JSON.stringify({
          applications: [
            { kind: 'web_server', name: 'nginx', version: '1.22', location: null, evidence: ['package:nginx'] },
            {
              kind: 'database',
              name: 'mariadb',
              version: '10.11',
              location: null,
              evidence: ['package:mariadb-server'],
            },
          ],
        }),
        changes: '[]',
        summary: '',
        attention: 0,
      })
      .execute();
    expect((await ada.client.put(`/api/orgs/${ada.orgId}/servers/${web}/monitoring`, {})).status).toBe(200);
    await s.core.db
      .updateTable('monitoring_targets')
      .set({ latest: JSON.stringify({ at: s.core.clock.iso(), values: { 'disk.used_pct': 92.4 }, top: [] }) })
      .where('server_id', '=', web)
      .execute();
    const src = s.core.recommendations.sources;
    for (const name of ['webServersBehindOnUpdates', 'databases', 'backupPlan', 'fullDisks', 'planAdvice'] as const)
      vi.spyOn(src, name);
  });
  afterAll(() => s?.close());

  it('without consent: nothing personalised shown, nothing read, computed or stored', async () => {
    const res = await ada.client.get(`/api/orgs/${ada.orgId}/recommendations`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ consented: false, computedAt: null, items: [] });
    expect(calls()).toBe(0);
    expect(await rows(ada.userId)).toBe(0);
    expect(await computedEvents(ada.userId)).toBe(0);
    // Other people are told nothing either.
    expect((await ben.client.get(`/api/orgs/${ada.orgId}/recommendations`)).body.items).toEqual([]);
    const stranger = await signUp(s.app);
    expect((await stranger.client.get(`/api/orgs/${ada.orgId}/recommendations`)).status).toBe(404);
    expect(calls()).toBe(0);
  });

  it('with consent: suggestions from the organisation’s own discovery and monitoring, stored for that person only', async () => {
    expect((await ada.client.post('/api/me/consents', { purpose: 'recommendations', granted: true })).status).toBe(200);
    // The database found on web-1 has no backup plan, so that is a suggestion too.
    const res = (await ada.client.get(`/api/orgs/${ada.orgId}/recommendations`)).body;
    expect(res.consented).toBe(true);
    expect(res.items.map((i: { kind: string; title: string }) => [i.kind, i.title])).toEqual([
      ['disk_filling', expect.stringMatching(/is 92% full/)],
      ['no_backup_plan', expect.stringMatching(/^mariadb on web-1.* has no backup plan$/)],
      ['security_updates', expect.stringMatching(/^nginx on web-1/)],
    ]);
    expect(calls()).toBeGreaterThan(0);
    expect(await rows(ada.userId)).toBe(3);
    expect(await computedEvents(ada.userId)).toBe(1);
    // Once the database has a plan, the suggestion goes.
    vi.mocked(s.core.recommendations.sources.backupPlan).mockResolvedValueOnce('yes');
    await s.core.db.updateTable('recommendations').set({ computed_at: '2000-01-01T00:00:00.000Z' }).execute();
    const again = (await ada.client.get(`/api/orgs/${ada.orgId}/recommendations`)).body;
    expect(again.items.map((i: { kind: string }) => i.kind)).toEqual(['disk_filling', 'security_updates']);
    // Ben did not consent: he still sees nothing, and nothing was computed for him.
    const before = calls();
    expect((await ben.client.get(`/api/orgs/${ada.orgId}/recommendations`)).body).toMatchObject({
      consented: false,
      items: [],
    });
    expect(calls()).toBe(before);
    expect(await rows(ben.userId)).toBe(0);
  });

  it('withdrawing deletes what was kept, in the same step, and stops computing', async () => {
    expect(await rows(ada.userId)).toBeGreaterThan(0);
    expect((await ada.client.post('/api/me/consents', { purpose: 'recommendations', granted: false })).status).toBe(
      200,
    );
    expect(await rows(ada.userId)).toBe(0);
    const before = calls();
    expect((await ada.client.get(`/api/orgs/${ada.orgId}/recommendations`)).body.items).toEqual([]);
    expect(calls()).toBe(before);
    const forgotten = await s.core.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'recommendations.forgotten')
      .execute();
    expect(forgotten).toHaveLength(1);
  });

  it('with consent again: a plan that fits the organisation’s metered usage better, with the saving', async () => {
    const admin = (await staffSession(s, ['admin'])).client;
    const plan = async (code: string, name: string, monthlyPrice: string) => {
      const res = await admin.post('/api/staff/plans', {
        code,
        name,
        monthlyPrice,
        includedServers: 2,
        serverHourPrice: '0.01',
        backupGibMonthPrice: '0',
        supportTier: 'standard',
      });
      expect(res.status, res.raw).toBe(201);
      return res.body.id as string;
    };
    const big = await plan('big', 'Big', '99.00');
    await plan('small', 'Small', '9.00');
    expect((await ada.client.put(`/api/orgs/${ada.orgId}/billing/plan`, { planId: big })).status).toBe(200);
    // Two days of metered usage: one server each hour, which Small (two included) covers for 90.00 less.
    const lastHour = Math.floor(Date.now() / HOUR) * HOUR;
    await s.core.db
      .insertInto('billing_usage')
      .values(
        Array.from({ length: 48 }, (_, i) => ({
          org_id: ada.orgId,
          hour: new Date(lastHour - (48 - i) * HOUR).toISOString(),
          servers: 1,
          instances: 0,
          monitored: 0,
          backup_bytes: '0',
          recorded_at: new Date(lastHour).toISOString(),
        })),
      )
      .execute();
    expect((await ada.client.post('/api/me/consents', { purpose: 'recommendations', granted: true })).status).toBe(200);
    const items = (await ada.client.get(`/api/orgs/${ada.orgId}/recommendations`)).body.items as {
      kind: string;
      title: string;
      detail: string;
      serverId: string | null;
    }[];
    expect(items.find((i) => i.kind === 'better_plan')).toEqual({
      kind: 'better_plan',
      title: 'The Small plan fits your usage better',
      detail: 'For your last 30 days of usage it would have cost 90.00 less than Big.',
      serverId: null,
    });
    // Ben, who never consented, is still told nothing.
    expect((await ben.client.get(`/api/orgs/${ada.orgId}/recommendations`)).body.items).toEqual([]);
  });
});
