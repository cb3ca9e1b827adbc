// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { launchChromium, openPage, screenshot, seriousAxeViolations } from '../testkit/browser.js';
import { signInThroughConsole, startConsoleSteward, type ConsoleSteward } from '../testkit/console.js';
import { useFleet } from '../testkit/fleet.js';
import { untilServerReady } from '../testkit/diagnose.js';

const PASSWORD = 'a long enough passphrase';
const INCIDENT = 'New account with uid 0: toor';

/**
 * Monitoring in the console on one real SSH host: the server is switched on from its Metrics tab, sampled a few
 * times, and its charts draw the stored points; the fleet table shows its latest figures; an alert rule is added
 * and deleted (confirmed by its name); an incident is acknowledged and closed. Every page passes axe in both themes.
 */
describe('console: monitoring, charts, alert rules and incidents', () => {
  const fleet = useFleet({ count: 1, spec: () => ({ name: 'mon-host' }) });
  let env: ConsoleSteward;
  let browser: Browser;
  let owner: SignedUp;
  let serverId: string;

  const db = () => env.s.core.db;
  const metricsOf = async (metric: string) => {
    const to = Math.ceil(Date.now() / 1000) + 1;
    const res = await owner.client.get(
      `/api/orgs/${owner.orgId}/servers/${serverId}/metrics?metrics=${metric}&from=${to - 3600}&to=${to}`,
    );
    expect(res.status).toBe(200);
    return res.body.series.find((x: { metric: string }) => x.metric === metric) as { t: number[]; avg: number[] };
  };

  beforeAll(async () => {
    env = await startConsoleSteward({ jobs: true });
    browser = await launchChromium();
    owner = await signUp(env.s.app, { name: 'Mo Monitor', orgName: 'Charts Ltd', password: PASSWORD });
    const host = fleet.hosts[0]!;
    // A system log for sampling to follow; its lines are searched on the Logs page.
    await host.writeFile('/var/log/syslog', 'boot line one\nkernel: eth0 link up\nboot line two\n', 0o640);
    const res = await owner.client.post(`/api/orgs/${owner.orgId}/servers`, {
      name: 'web-1',
      address: host.address,
      port: host.port,
      privateKey: fleet.clientKey.privateKey,
      hostKey: host.hostKeys[0]!.publicKey,
    });
    expect(res.status, res.raw).toBe(202);
    serverId = res.body.id;
    await untilServerReady(
      env.s.core,
      serverId,
      async () => (await owner.client.get(`/api/orgs/${owner.orgId}/servers/${serverId}`)).body.status,
      { timeoutMs: 180_000 },
    );
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it(
    'switches monitoring on, charts the samples, lists the server in the fleet, and adds and deletes a rule',
    { timeout: 240_000 },
    async () => {
      const t = await openPage(browser, env.baseUrl);
      const { page } = t;
      try {
        await signInThroughConsole(page, owner.email, PASSWORD);

        // 0. Settings: chosen servers, a sample every 10 s (the shortest interval), one recipient.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Monitoring' }).click();
        await page.getByRole('heading', { level: 1, name: 'Monitoring' }).waitFor();
        await page.getByLabel('Which servers').selectOption('chosen');
        await page.getByLabel('Sample every').selectOption('10');
        await page.getByLabel('Alert recipients').fill('ops@example.com');
        await page.getByRole('button', { name: 'Save settings' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'Saved: chosen servers, a sample every 10 s, 1 alert recipient.' })
          .waitFor();
        const settings = (await owner.client.get(`/api/orgs/${owner.orgId}/monitoring/settings`)).body;
        expect(settings).toEqual({ monitorAll: false, intervalSeconds: 10, recipients: ['ops@example.com'] });
        const fleetTable = page.getByRole('table', { name: 'Servers with their latest figures' });
        await fleetTable.getByRole('row', { name: /web-1/ }).getByText('Not monitored').waitFor();
        await fleetTable.getByRole('link', { name: 'web-1' }).click();
        await page.getByRole('heading', { level: 1, name: /web-1/ }).waitFor();
        expect(
          await page
            .getByRole('navigation', { name: 'Server sections' })
            .getByRole('link', { name: 'Metrics' })
            .getAttribute('aria-current'),
        ).toBe('page');

        // 1. Not monitored yet: the switch is off and there are no figures.
        const toggle = page.getByRole('switch', { name: 'Monitor this server' });
        await toggle.waitFor();
        expect(await toggle.getAttribute('aria-checked')).toBe('false');
        await page.getByText('No figures in this range').waitFor();
        await toggle.click();
        await page.getByRole('status').filter({ hasText: 'Steward now monitors web-1' }).waitFor();
        await page.getByRole('switch', { name: 'Monitor this server', checked: true }).waitFor();
        const target = await db()
          .selectFrom('monitoring_targets')
          .select(['enabled'])
          .where('server_id', '=', serverId)
          .executeTakeFirst();
        expect(target?.enabled).toBe(1);

        // 2. Three samples, the slots 10 s apart (the shortest interval), so every series has several points.
        // This loop paces the samples; it waits for nothing.
        for (let i = 0; i < 3; i++) {
          if (i > 0) await sleep(10_500);
          await env.s.core.monitoring.tick();
        }
        const mem = await metricsOf('mem.used_pct');
        expect(mem.t.length).toBeGreaterThanOrEqual(2);

        // 3. The charts draw what the API stored: one line per figure, and a hidden table with one row a sample.
        await page.reload();
        const memory = page.getByRole('figure', { name: /^Memory used/ });
        await memory.waitFor();
        const line = memory.locator('path.chart-line');
        // A flat line (memory often holds steady between samples) has no height, which Playwright counts as hidden.
        await line.waitFor({ state: 'attached' });
        const drawn = ((await line.getAttribute('d')) ?? '').split(/[ML]/).filter(Boolean).length;
        expect(drawn).toBe(mem.t.length);
        expect(await memory.locator('tbody tr').count()).toBe(mem.t.length);
        expect(await memory.getByRole('img').getAttribute('aria-describedby')).toBeTruthy();
        expect(await memory.textContent()).toContain(`${mem.avg.at(-1)!.toFixed(1)} %`);
        for (const name of [/^CPU busy/, /^Disk used/, /^Load \(1 min\)/])
          await page.getByRole('figure', { name }).waitFor();
        // The range selector asks again for a longer range; the chart still has every sample.
        const week = page.getByRole('button', { name: 'Last 7 d', exact: true });
        await week.click();
        expect(await week.getAttribute('aria-pressed')).toBe('true');
        expect(await page.getByRole('button', { name: 'Last 1 h', exact: true }).getAttribute('aria-pressed')).toBe(
          'false',
        );
        await expect
          .poll(() =>
            t.urls.some((u) => {
              const q = new URL(u).searchParams;
              return u.includes('/metrics?') && Number(q.get('to')) - Number(q.get('from')) === 7 * 86_400;
            }),
          )
          .toBe(true);
        // Over a week the samples fall into minute roll-ups: fewer buckets, drawn as a line or, for one, a dot.
        await memory.locator('.chart-line, .chart-dot').first().waitFor({ state: 'attached' });
        expect(await memory.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
        await screenshot(page, 'server-metrics');

        // 4. The fleet table shows the server with its latest figures.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Monitoring' }).click();
        await page.getByRole('heading', { level: 1, name: 'Monitoring' }).waitFor();
        await page.reload();
        const fleetRes = await owner.client.get(`/api/orgs/${owner.orgId}/monitoring/fleet`);
        const latest = fleetRes.body.servers.find((x: { serverId: string }) => x.serverId === serverId)
          .latest as Record<string, number>;
        const row = page
          .getByRole('table', { name: 'Servers with their latest figures' })
          .getByRole('row', { name: /web-1/ });
        await row.waitFor();
        await row.getByText('Monitored', { exact: true }).waitFor();
        expect(await row.textContent()).toContain(`${latest['mem.used_pct']!.toFixed(1)} %`);
        expect(await row.textContent()).toContain(latest['load.1']!.toFixed(2));
        // Across the fleet: a chart per figure with a line for each server, named in its legend with the latest value.
        const fleetCpu = page.getByRole('figure', { name: 'CPU busy across the fleet' });
        const cpu = await metricsOf('cpu.busy_pct');
        await fleetCpu
          .getByRole('list', { name: 'CPU busy across the fleet: lines' })
          .getByRole('listitem')
          .filter({ hasText: 'web-1' })
          .getByText(`${cpu.avg.at(-1)!.toFixed(1)} %`)
          .waitFor();
        await fleetCpu.locator('.chart-line, .chart-dot').first().waitFor({ state: 'attached' });
        expect(await fleetCpu.getByRole('columnheader', { name: 'web-1', includeHidden: true }).count()).toBe(1);
        expect(await fleetCpu.locator('tbody tr').count()).toBe(cpu.t.length);
        await screenshot(page, 'monitoring-fleet');

        // 5. The followed log's lines, searched by words and filtered by source.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' }).click();
        await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
        const search = page.getByRole('search', { name: 'Search logs' });
        await search.getByLabel('Words').fill('BOOT LINE');
        await search.getByLabel('Source').selectOption('system');
        await search.getByRole('button', { name: 'Search' }).click();
        // The two boot lines only (the search ignores case); the kernel line is left out.
        await page.getByRole('status').filter({ hasText: '2 matching lines.' }).waitFor();
        const logTable = page.getByRole('table', { name: 'Log lines, newest first' });
        await logTable.getByRole('row', { name: /boot line two/ }).waitFor();
        expect(await logTable.getByRole('row', { name: /boot line one/ }).count()).toBe(1);
        expect(await logTable.getByRole('row', { name: /eth0 link up/ }).count()).toBe(0);
        expect(new URL(page.url()).searchParams.get('source')).toBe('system');
        await search.getByLabel('Source').selectOption('auth');
        await search.getByRole('button', { name: 'Search' }).click();
        await page.getByText('No line matches.').waitFor();
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Monitoring' }).click();
        await page.getByRole('heading', { level: 1, name: 'Monitoring' }).waitFor();

        // 6. An alert rule added through the form, then deleted once its name is typed.
        const form = page.getByRole('form', { name: 'Add a rule' });
        await form.getByLabel('Name').fill('CPU hot');
        await form.getByLabel('Figure').selectOption('cpu.busy_pct');
        await form.getByLabel('When it is').selectOption('above');
        await form.getByLabel('Threshold').fill('80');
        await form.getByLabel('For (minutes)').fill('5');
        await form.getByRole('button', { name: 'Add rule' }).click();
        const rules = page.getByRole('table', { name: 'Alert rules' });
        const ruleRow = rules.getByRole('row', { name: /CPU hot/ });
        await ruleRow.waitFor();
        expect(await ruleRow.textContent()).toContain('CPU busy above 80.0 % for 5 min');
        const stored = (await owner.client.get(`/api/orgs/${owner.orgId}/alert-rules`)).body.rules as {
          name: string;
          metric: string;
          threshold: number;
          durationSeconds: number;
        }[];
        expect(
          stored.filter((r) => r.name === 'CPU hot').map((r) => [r.metric, r.threshold, r.durationSeconds]),
        ).toEqual([['cpu.busy_pct', 80, 300]]);
        await screenshot(page, 'monitoring');
        // Changed: the form comes filled in; the new condition and the switch-off are what the API then holds.
        await ruleRow.getByRole('button', { name: 'Change rule CPU hot' }).click();
        const edit = page.getByRole('dialog', { name: 'Change rule “CPU hot”' });
        await edit.waitFor();
        expect(await edit.getByLabel('Threshold').inputValue()).toBe('80');
        expect(await edit.getByLabel('For (minutes)').inputValue()).toBe('5');
        await edit.getByLabel('Threshold').fill('92.5');
        await edit.getByLabel('For (minutes)').fill('0.5');
        await edit.getByLabel('Severity').selectOption('critical');
        await edit.getByLabel(/Judge this rule/).uncheck();
        await edit.getByRole('button', { name: 'Save rule' }).click();
        await page.getByRole('status').filter({ hasText: 'Rule “CPU hot” saved; it is switched off.' }).waitFor();
        await edit.waitFor({ state: 'hidden' });
        await ruleRow.getByText('CPU busy above 92.5 % for 30 s').waitFor();
        await ruleRow.getByText('Off', { exact: true }).waitFor();
        const changed = (
          (await owner.client.get(`/api/orgs/${owner.orgId}/alert-rules`)).body.rules as {
            name: string;
            threshold: number;
            durationSeconds: number;
            severity: string;
            enabled: boolean;
          }[]
        ).find((r) => r.name === 'CPU hot');
        expect(changed).toMatchObject({ threshold: 92.5, durationSeconds: 30, severity: 'critical', enabled: false });
        await ruleRow.getByRole('button', { name: 'Delete rule CPU hot' }).click();
        const dialog = page.getByRole('dialog', { name: 'Delete this alert rule?' });
        await dialog.waitFor();
        expect(await dialog.textContent()).toContain('CPU hot');
        const confirm = dialog.getByRole('button', { name: 'Delete rule' });
        expect(await confirm.isDisabled()).toBe(true);
        await dialog.getByLabel('Type “CPU hot” to confirm').fill('CPU hot');
        await confirm.click();
        await ruleRow.waitFor({ state: 'detached' });
        expect(
          ((await owner.client.get(`/api/orgs/${owner.orgId}/alert-rules`)).body.rules as { name: string }[]).map(
            (r) => r.name,
          ),
        ).not.toContain('CPU hot');

        expect(t.cspViolations).toEqual([]);
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it(
    'shows an incident with its findings and evidence, acknowledges it, asks the security team to look and closes it',
    { timeout: 120_000 },
    async () => {
      const at = new Date().toISOString();
      const incidentId = 'inc_00000000000000000000000042';
      await db()
        .insertInto('incidents')
        .values({
          id: incidentId,
          org_id: owner.orgId,
          title: INCIDENT,
          severity: 'critical',
          status: 'open',
          opened_at: at,
          updated_at: at,
          acknowledged_by: null,
          acknowledged_at: null,
          closed_by: null,
          closed_at: null,
          grant_id: null,
          grant_note: null,
        })
        .execute();
      await db()
        .insertInto('findings')
        .values({
          id: 'fnd_00000000000000000000000042',
          org_id: owner.orgId,
          server_id: serverId,
          server_name: 'web-1',
          rule: 'privileged_account',
          key: 'uid0:toor',
          severity: 'critical',
          title: INCIDENT,
          evidence: JSON.stringify({ account: 'toor', uid: 0, shell: '/bin/sh' }),
          status: 'open',
          incident_id: incidentId,
          occurrences: 1,
          first_seen_at: at,
          last_seen_at: at,
          acknowledged_by: null,
          acknowledged_at: null,
          closed_by: null,
          closed_at: null,
        })
        .execute();
      await db()
        .insertInto('findings')
        .values({
          id: 'fnd_00000000000000000000000043',
          org_id: owner.orgId,
          server_id: serverId,
          server_name: 'web-1',
          rule: 'listening_port',
          key: 'port:4444',
          severity: 'warning',
          title: 'New listening port 4444',
          evidence: JSON.stringify({ port: 4444 }),
          status: 'open',
          incident_id: null,
          occurrences: 2,
          first_seen_at: at,
          last_seen_at: at,
          acknowledged_by: null,
          acknowledged_at: null,
          closed_by: null,
          closed_at: null,
        })
        .execute();
      const findingStatus = async () =>
        (
          await db()
            .selectFrom('findings')
            .select(['status'])
            .where('id', '=', 'fnd_00000000000000000000000043')
            .executeTakeFirstOrThrow()
        ).status;
      const status = async () =>
        (await db().selectFrom('incidents').select(['status']).where('id', '=', incidentId).executeTakeFirstOrThrow())
          .status;

      const t = await openPage(browser, env.baseUrl);
      const { page } = t;
      try {
        await signInThroughConsole(page, owner.email, PASSWORD);
        // The organisation's overview counts it and leads to it.
        await page.goto(`/orgs/${owner.orgId}`);
        const stat = page.getByRole('region', { name: 'Summary' }).getByRole('link', { name: /Open incidents/ });
        await stat.getByText('Waiting for you').waitFor();
        expect(await stat.textContent()).toMatch(/Open incidents\s*1(?!\d)/);
        await stat.click();
        await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
        const card = page
          .getByRole('list', { name: 'Incidents' })
          .getByRole('listitem')
          .filter({ has: page.getByRole('heading', { name: INCIDENT }) });
        await card.waitFor();
        expect(await card.textContent()).toContain('critical');
        expect(await card.textContent()).toContain('Open');
        await card.getByText('Findings and evidence').click();
        await card.getByText('shell: /bin/sh').waitFor();
        await page
          .getByRole('table', { name: /Findings of the detection rules/ })
          .getByRole('row', { name: new RegExp(INCIDENT) })
          .waitFor();

        // Asking staff to look is confirmed first; cancelling opens no grant.
        await card.getByRole('button', { name: 'Ask the security team to look' }).click();
        const ask = page.getByRole('dialog', { name: 'Ask the security team to look?' });
        await ask.waitFor();
        await ask.getByRole('button', { name: 'Cancel' }).click();
        await ask.waitFor({ state: 'hidden' });
        expect(
          (
            await db()
              .selectFrom('incidents')
              .select(['grant_id'])
              .where('id', '=', incidentId)
              .executeTakeFirstOrThrow()
          ).grant_id,
        ).toBeNull();

        await card.getByRole('button', { name: 'Acknowledge' }).click();
        await page.getByRole('status').filter({ hasText: 'acknowledged' }).first().waitFor();
        await card.getByText('Acknowledged', { exact: true }).waitFor();
        expect(await status()).toBe('acknowledged');
        await screenshot(page, 'incidents');

        // Confirmed, the request opens a suspicious-activity grant for the incident's server.
        await card.getByRole('button', { name: 'Ask the security team to look' }).click();
        await ask.waitFor();
        expect(await ask.textContent()).toContain(INCIDENT);
        await ask.getByRole('button', { name: 'Ask them to look' }).click();
        await page.getByRole('status').filter({ hasText: 'The security team may now look' }).waitFor();
        const grantId = (
          await db().selectFrom('incidents').select(['grant_id']).where('id', '=', incidentId).executeTakeFirstOrThrow()
        ).grant_id;
        expect(grantId).toBeTruthy();
        await card.getByRole('link', { name: `grant ${grantId}` }).waitFor();
        expect(await card.getByRole('button', { name: 'Ask the security team to look' }).count()).toBe(0);
        await card.getByRole('button', { name: 'Close' }).click();
        await card.waitFor({ state: 'detached' });
        expect(await status()).toBe('closed');
        await page.getByText('No open incidents').waitFor();
        await page.getByLabel('Show').selectOption('closed');
        await page.getByRole('heading', { name: INCIDENT }).waitFor();

        // A finding outside any incident is acknowledged, then closed, from the findings table.
        const findingRow = page
          .getByRole('table', { name: /Findings of the detection rules/ })
          .getByRole('row', { name: /New listening port 4444/ });
        expect(await findingRow.textContent()).toContain('Open');
        await findingRow.getByRole('button', { name: 'Acknowledge finding New listening port 4444' }).click();
        await page.getByRole('status').filter({ hasText: 'Finding “New listening port 4444” acknowledged.' }).waitFor();
        await findingRow.getByText('Acknowledged', { exact: true }).waitFor();
        expect(await findingStatus()).toBe('acknowledged');
        await findingRow.getByRole('button', { name: 'Close finding New listening port 4444' }).click();
        await findingRow.getByText('Closed', { exact: true }).waitFor();
        expect(await findingStatus()).toBe('closed');
        expect(await findingRow.getByRole('button').count()).toBe(0);
        expect(t.cspViolations).toEqual([]);
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it(
    'has no serious or critical axe violations on the monitoring pages and fits the laptop screen, in both themes',
    { timeout: 180_000 },
    async () => {
      const problems: string[] = [];
      for (const theme of ['light', 'dark'] as const) {
        const t = await openPage(browser, env.baseUrl, { colorScheme: theme, bypassCSP: true });
        try {
          await signInThroughConsole(t.page, owner.email, PASSWORD);
          const pages: [string, string, (p: Page) => Promise<void>][] = [
            [
              'monitoring',
              `/orgs/${owner.orgId}/monitoring`,
              (p) => p.getByRole('table', { name: 'Servers with their latest figures' }).waitFor(),
            ],
            [
              'server-metrics',
              `/orgs/${owner.orgId}/servers/${serverId}/metrics`,
              (p) => p.getByRole('figure', { name: /^Memory used/ }).waitFor(),
            ],
            [
              'logs',
              `/orgs/${owner.orgId}/logs?q=boot`,
              (p) => p.getByRole('table', { name: 'Log lines, newest first' }).waitFor(),
            ],
            [
              'incidents',
              `/orgs/${owner.orgId}/incidents?show=all`,
              (p) => p.getByRole('heading', { name: INCIDENT }).waitFor(),
            ],
          ];
          for (const [name, path, ready] of pages) {
            await t.page.goto(path);
            await ready(t.page);
            await t.page.waitForLoadState('networkidle');
            await screenshot(t.page, `${name}-${theme}`);
            for (const v of await seriousAxeViolations(t.page))
              problems.push(`${name} (${theme}): ${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
            const overflow = await t.page.evaluate(() => {
              const root = (
                globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
              ).document.documentElement;
              return root.scrollWidth - root.clientWidth;
            });
            if (overflow > 0) problems.push(`${name} (${theme}): ${overflow}px wider than the screen`);
          }
        } finally {
          await t.close();
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
