// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpStep } from '../src/crypto/totp.js';
import { launchChromium, leakSurfaces, openPage, screenshot, seriousAxeViolations } from '../testkit/browser.js';
import { findLeaks, makeCanaries } from '../testkit/canary.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { createStaff, freshCodes, startConsoleSteward, totpCodeFor, type ConsoleSteward } from '../testkit/console.js';
import { connect, ec2Account, startFakeClouds } from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

/**
 * The two staff pages behind a grant that the API already served: the customer's instances with start, stop and
 * reboot (the grant's provider actions), and the credentials the customer stored, each revealed once after a fresh
 * one-time code. Both in headless Chromium against the EC2 sandbox; what staff did is in the customer's timeline.
 */
describe('console: staff act on instances and reveal stored credentials under a grant', () => {
  const canaries = makeCanaries();
  let env: ConsoleSteward;
  let clouds: Awaited<ReturnType<typeof startFakeClouds>>;
  let browser: Browser;
  let owner: SignedUp;
  let staff: { email: string; password: string; client: TestClient };
  let freshCode: () => Promise<string>;
  let grantId: string;
  let instanceId: string;
  let t: Awaited<ReturnType<typeof openPage>>;

  beforeAll(async () => {
    clouds = await startFakeClouds({ transitionMs: 300 });
    env = await startConsoleSteward({ jobs: true, env: { STEWARD_SANDBOX_ENDPOINTS: 'true' } });
    browser = await launchChromium();
    owner = await signUp(env.s.app, { name: 'Pia Owner', orgName: 'Provider Shop Ltd' });
    const accountId = await connect(owner, ec2Account(clouds));
    const ec2 = new EC2Client({
      region: clouds.ec2.region,
      endpoint: clouds.ec2.url,
      credentials: { accessKeyId: clouds.ec2.accessKeyId, secretAccessKey: clouds.ec2.secretAccessKey },
    });
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-0a5a4db0c0de00001',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'shop-web' }] }],
      }),
    );
    instanceId = run.Instances?.[0]?.InstanceId ?? '';
    const stored = await owner.client.post(`/api/orgs/${owner.orgId}/credentials`, {
      kind: 'database_password',
      name: 'Shop database',
      value: canaries.dbPassword,
    });
    expect(stored.status, stored.raw).toBe(201);

    const account = await createStaff(env.s, ['support']);
    const signin = await new TestClient(env.s.app).post('/api/auth/signin', {
      email: account.email,
      password: account.password,
    });
    const client = new TestClient(env.s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0]!,
      csrf: signin.body.csrfToken,
    });
    const enrol = await client.post('/api/me/totp/enrol');
    freshCode = freshCodes(enrol.body.secret, totpStep(Date.now()));
    expect((await client.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) })).status).toBe(204);
    staff = { ...account, client };

    const asked = await owner.client.post(`/api/orgs/${owner.orgId}/grants`, {
      reason: 'initial_setup',
      justification: 'Resize the shop and rotate its database password',
      serverIds: [],
      accountIds: [accountId],
      actions: ['provider_actions', 'reveal_secrets'],
      durationMinutes: 60,
    });
    expect(asked.status, asked.raw).toBe(201);
    grantId = asked.body.id;
    const taken = await staff.client.post(`/api/staff/grants/${grantId}/take`);
    expect(taken.status, taken.raw).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await browser?.close();
    await env?.close();
    await clouds?.close();
  });

  const timeline = async () =>
    (await owner.client.get(`/api/orgs/${owner.orgId}/timeline?grantId=${grantId}`)).body.entries as {
      event: string;
      details: Record<string, unknown>;
    }[];

  it('stops, starts and reboots the customer’s instance, confirmed by its name, in the customer’s timeline', async () => {
    // One signed-in page for both tests: each sign-in costs a fresh one-time code (up to 30 s of waiting).
    t = await openPage(browser, env.baseUrl);
    const page = t.page;
    await page.goto('/signin');
    await page.getByLabel('E-mail address').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('One-time code').fill(await freshCode());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/signin');
    await page.goto(`/staff/grants/${grantId}`);
    await page.getByRole('heading', { level: 1, name: `Grant ${grantId}` }).waitFor();

    const table = page.getByRole('table', { name: 'Instances the grant covers' });
    const row = table.getByRole('row', { name: /shop-web/ });
    await row.getByText('running', { exact: true }).waitFor();

    // Stopping asks for the instance's name; a wrong name keeps the button shut.
    await row.getByRole('button', { name: 'Stop shop-web' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop shop-web?' });
    await dialog.getByRole('textbox').fill('shop');
    expect(await dialog.getByRole('button', { name: 'Stop the instance' }).isDisabled()).toBe(true);
    await dialog.getByRole('textbox').fill('shop-web');
    await dialog.getByRole('button', { name: 'Stop the instance' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Asked the provider to stop shop-web.').waitFor();
    await row.getByText('stopped', { exact: true }).waitFor({ timeout: 20_000 });
    expect(clouds.hosts.records.get(instanceId)?.running).toBe(false);

    await row.getByRole('button', { name: 'Start shop-web' }).click();
    await page.getByText('Asked the provider to start shop-web.').waitFor();
    await row.getByText('running', { exact: true }).waitFor({ timeout: 20_000 });

    await row.getByRole('button', { name: 'Reboot shop-web' }).click();
    const reboot = page.getByRole('dialog', { name: 'Reboot shop-web?' });
    await reboot.getByRole('textbox').fill('shop-web');
    await reboot.getByRole('button', { name: 'Reboot the instance' }).click();
    await page.getByText('Asked the provider to reboot shop-web.').waitFor();
    await screenshot(page, 'staff-provider-actions');
    expect([...t.cspViolations, ...t.errors]).toEqual([]);
    expect(clouds.hosts.records.get(instanceId)?.history).toEqual(['create', 'stop', 'start', 'stop', 'start']);
    // The customer's timeline for the grant shows each action and the provider calls made for it.
    const entries = await timeline();
    const used = entries.filter((e) => e.event === 'grant.used').map((e) => e.details);
    for (const action of ['stop', 'start', 'reboot'])
      expect(used, action).toContainEqual(expect.objectContaining({ kind: 'instance', action, instance: instanceId }));
    const ledger = entries.filter((e) => e.event === 'ledger').map((e) => e.details.operation);
    expect(ledger).toEqual(
      expect.arrayContaining([
        'ec2.StopInstances',
        'ec2.StartInstances',
        'ec2.RebootInstances',
        'ec2.DescribeInstances',
      ]),
    );
    const calls = clouds.ec2.sandbox.requests.map((r) => r.action);
    expect(calls).toEqual(expect.arrayContaining(['StopInstances', 'StartInstances', 'RebootInstances']));
  });

  it('lists stored credentials by name, reveals one once after a fresh code, and the customer sees the reveal', async () => {
    const page = t.page;
    const leaks = async (when: string) =>
      findLeaks(Object.values(await leakSurfaces(t)).join('\n'), { db: canaries.dbPassword }, when);
    await page.goto(`/staff/grants/${grantId}`);

    const row = page
      .getByRole('table', { name: 'Credentials the customer stored' })
      .getByRole('row', { name: /Shop database/ });
    await row.getByText('Database password', { exact: true }).waitFor();
    expect(await leaks('listed')).toEqual([]);

    // A wrong code reveals nothing and empties the field.
    await row.getByRole('button', { name: 'Reveal Shop database' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reveal Shop database?' });
    await dialog.getByLabel('One-time code').fill('000000');
    await dialog.getByRole('button', { name: 'Reveal the value' }).click();
    await dialog.getByText(/each code works once/).waitFor();
    expect(await dialog.getByLabel('One-time code').inputValue()).toBe('');
    expect(await leaks('refused')).toEqual([]);

    // A fresh code: shown once, never in the address or storage; gone after Done.
    await dialog.getByLabel('One-time code').fill(await freshCode());
    await dialog.getByRole('button', { name: 'Reveal the value' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const shown = page.getByRole('region', { name: 'Shop database' });
    await shown.waitFor();
    expect(await shown.getByRole('textbox', { name: 'Shop database' }).inputValue()).toBe(canaries.dbPassword);
    const surfaces = await leakSurfaces(t);
    expect(
      findLeaks(
        [surfaces.urls, surfaces.localStorage, surfaces.sessionStorage].join('\n'),
        { db: canaries.dbPassword },
        'kept',
      ),
    ).toEqual([]);
    await screenshot(page, 'staff-reveal-stored');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await leaks('after done')).toEqual([]);
    expect([...t.cspViolations, ...t.errors]).toEqual([]);

    // Both sections pass axe (injected on a second tab of the same session, the only place CSP is relaxed).
    const a11y = await openPage(browser, env.baseUrl, { bypassCSP: true });
    try {
      await a11y.context.addCookies(await t.context.cookies());
      await a11y.page.goto(`/staff/grants/${grantId}`);
      await a11y.page.getByRole('table', { name: 'Instances the grant covers' }).waitFor();
      await a11y.page.getByRole('table', { name: 'Credentials the customer stored' }).waitFor();
      expect(await seriousAxeViolations(a11y.page)).toEqual([]);
    } finally {
      await a11y.close();
    }
    const reveal = await until('the reveal in the timeline', async () =>
      (await timeline()).find((e) => e.event === 'secret.revealed'),
    );
    expect(reveal).toBeDefined();
    const raw = JSON.stringify(await timeline());
    expect(raw).not.toContain(canaries.dbPassword);
  });
});
