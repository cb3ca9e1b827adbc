// Engine: SQLite only: mail and public pages; the privacy stores run on both engines in privacy-centre and privacy-deletion (docs/testing.md).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunch, launchChromium, watchPage } from '../testkit/browser.js';
import { runCli } from '../testkit/cli.js';
import type { TestClient } from '../testkit/client.js';
import { signUp } from '../testkit/client.js';
import { staffMember } from '../testkit/privacy.js';
import { until } from '../testkit/wait.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const COOKIE = 'steward_analytics';

// Browser work on a busy machine can take a while; each test has two minutes.
describe('cookie analytics in headless Chromium', { timeout: 120_000 }, () => {
  let s: TestSteward;
  let browser: Browser;
  let base: string;
  let marketing: TestClient;

  const events = () => s.core.db.selectFrom('analytics_events').selectAll().orderBy('at').execute();
  const analyticsCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === COOKIE);

  /** Opens the public policy page, recording every request the page makes to the collector. */
  async function visit(
    context: BrowserContext,
    options: { referer?: string } = {},
  ): Promise<{ page: Page; collects: string[]; problems: string[] }> {
    const page = await context.newPage();
    watchPage(page);
    const collects: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) =>
      new URL(r.url()).pathname.startsWith('/analytics/collect') ? collects.push(r.postData() ?? '') : undefined,
    );
    page.on('console', (m) => (/Content Security Policy/i.test(m.text()) ? problems.push(m.text()) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    await loaded(page, () => page.goto(`${base}/legal/privacy`, { referer: options.referer, waitUntil: 'load' }));
    return { page, collects, problems };
  }

  /**
   * Navigates with `navigate` and waits until the page is the policy and has run the consent script; when it has
   * not, fails naming the page's state and scripts (and `watchPage` prints its failed requests and errors).
   */
  async function loaded(page: Page, navigate: () => Promise<Response | null>): Promise<void> {
    expect((await navigate())?.status(), 'the policy page').toBe(200);
    await until(
      'the consent script to run',
      async () => {
        const doc = await page.evaluate(() => {
          const g = globalThis as unknown as { document: { readyState: string; scripts: ArrayLike<{ src: string }> } };
          return {
            ran: 'StewardConsent' in globalThis,
            readyState: g.document.readyState,
            scripts: Array.from(g.document.scripts, (s) => s.src),
          };
        });
        if (doc.ran) return true;
        throw new Error(`${page.url()} is ${doc.readyState} with scripts [${doc.scripts.join(', ')}]`);
      },
      { timeoutMs: 30_000 },
    );
  }

  beforeAll(async () => {
    s = await startTestSteward({
      engine: 'sqlite',
      env: {
        STEWARD_PUBLIC_URL: 'http://127.0.0.1:8080',
        STEWARD_ANALYTICS_IP_RETENTION_DAYS: '30',
        STEWARD_ANALYTICS_RETENTION_DAYS: '395',
      },
    });
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    const admin = await staffMember(s, ['admin']);
    await admin.client.post('/api/staff/policies', {
      version: '2026-01',
      title: 'Privacy at Steward',
      body: 'What we record and why.\n\nFor how long.',
      changes: 'First version.',
      significant: false,
    });
    marketing = (await staffMember(s, ['marketing'])).client;
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('declining the banner stores nothing and sets no cookie; the choice is remembered', async () => {
    const context = await browser.newContext();
    const { page, collects, problems } = await visit(context);
    const banner = page.getByRole('region', { name: 'Cookie consent' });
    await banner.waitFor();
    await page.getByRole('button', { name: 'Decline' }).click();
    await banner.waitFor({ state: 'detached' });
    await loaded(page, () => page.reload());
    expect(await page.getByRole('region', { name: 'Cookie consent' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Download this policy as text' }).click();
    await page.waitForTimeout(300);
    expect(collects).toEqual([]);
    expect(await analyticsCookie(context)).toBeUndefined();
    expect(await events()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('Do-Not-Track set in the browser: no banner, no request, no cookie', async () => {
    // A real browser preference (Chromium sends DNT: 1 and sets navigator.doNotTrack), not an injected header.
    const profile = mkdtempSync(join(tmpdir(), 'steward-dnt-'));
    mkdirSync(join(profile, 'Default'));
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ enable_do_not_track: true }));
    const launch = chromiumLaunch();
    const context = await chromium.launchPersistentContext(profile, launch.options).catch((err: unknown) => {
      launch.stop();
      throw err;
    });
    try {
      const { page, collects, problems } = await visit(context);
      expect(
        await page.evaluate(
          () => (globalThis as unknown as { navigator: { doNotTrack: string | null } }).navigator.doNotTrack,
        ),
      ).toBe('1');
      await page.waitForTimeout(300);
      expect(await page.getByRole('region', { name: 'Cookie consent' }).count()).toBe(0);
      expect(
        await page.evaluate(() =>
          (globalThis as unknown as { StewardConsent: { choice(): string } }).StewardConsent.choice(),
        ),
      ).toBe('opted-out');
      expect(collects).toEqual([]);
      expect(await analyticsCookie(context)).toBeUndefined();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      launch.stop();
      rmSync(profile, { recursive: true, force: true });
    }
    expect(await events()).toEqual([]);
  });

  it('Global Privacy Control: no banner; and Steward itself refuses when only the header says so', async () => {
    // A browser that implements GPC exposes navigator.globalPrivacyControl and sends Sec-GPC: 1.
    const gpc = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
    await gpc.addInitScript(() =>
      Object.defineProperty(
        Object.getPrototypeOf((globalThis as unknown as { navigator: object }).navigator),
        'globalPrivacyControl',
        { get: () => true },
      ),
    );
    const first = await visit(gpc);
    await first.page.waitForTimeout(300);
    expect(await first.page.getByRole('region', { name: 'Cookie consent' }).count()).toBe(0);
    expect(first.collects).toEqual([]);
    await gpc.close();

    // The header alone (the page does not see the signal): the visitor even clicks Accept, and Steward says no.
    const headerOnly = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
    const second = await visit(headerOnly);
    await second.page.getByRole('button', { name: 'Accept analytics' }).click();
    await until('the page view to be posted', async () => (second.collects.length > 0 ? true : undefined), {
      timeoutMs: 30_000,
    });
    await second.page.waitForTimeout(300);
    expect(await analyticsCookie(headerOnly)).toBeUndefined();
    expect(await events()).toEqual([]);
    await headerOnly.close();
  });

  it('with consent, records IP, browser, language, OS, referring site, time, pages and downloads', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const before = Date.now();
    const { page, problems } = await visit(context, { referer: 'https://news.example.org/story?id=9' });
    await page.getByRole('button', { name: 'Accept analytics' }).click();
    const first = await until('the page view', async () => (await events()).find((e) => e.kind === 'pageview'), {
      timeoutMs: 30_000,
    });
    const cookie = await analyticsCookie(context);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(first).toMatchObject({
      path: '/legal/privacy',
      referrer_host: 'news.example.org',
      ip: '127.0.0.1',
      ip_truncated: 0,
      browser: 'Chrome Headless',
      os: 'Linux',
      language: 'en-GB',
      user_id: null,
    });
    expect(Date.parse(first.at)).toBeGreaterThanOrEqual(before - 1000);
    // The cookie's value is never stored, only a keyed hash of it.
    expect(JSON.stringify(await events())).not.toContain(cookie!.value);

    await page.getByRole('link', { name: 'Download this policy as text' }).click();
    await until('the download', async () => (await events()).find((e) => e.kind === 'download'), { timeoutMs: 30_000 });
    await page.reload();
    await until(
      'the second page view',
      async () => ((await events()).filter((e) => e.kind === 'pageview').length === 2 ? true : undefined),
      { timeoutMs: 30_000 },
    );
    expect(await page.getByRole('region', { name: 'Cookie consent' }).count()).toBe(0);
    const all = await events();
    expect(all.find((e) => e.kind === 'download')).toMatchObject({ path: '/legal/privacy.txt' });
    expect(new Set(all.map((e) => e.visitor)).size).toBe(1);
    expect(problems).toEqual([]);
    await context.close();

    const summary = await marketing.get('/api/staff/analytics');
    expect(summary.status, summary.raw).toBe(200);
    expect(summary.body).toMatchObject({ pageViews: 2, visitors: 1, visits: 1 });
    expect(summary.body.topPages).toEqual([{ key: '/legal/privacy', count: 2 }]);
    expect(summary.body.referrers).toEqual([{ key: 'news.example.org', count: 1 }]);
    expect(summary.body.downloads).toEqual([{ key: '/legal/privacy.txt', count: 1 }]);
    expect((await (await signUp(s.app)).client.get('/api/staff/analytics')).status).toBe(403);
  });

  it('links events to a signed-in person only with their consent, and stops when they withdraw it', async () => {
    const person = await signUp(s.app);
    const context = await browser.newContext();
    const [name, value] = person.client.auth.cookie!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Strict' }]);
    const { page } = await visit(context);
    await page.getByRole('button', { name: 'Accept analytics' }).click();
    const linked = await until(
      'a linked page view',
      async () => (await events()).find((e) => e.user_id === person.userId),
      { timeoutMs: 30_000 },
    );
    expect(linked.path).toBe('/legal/privacy');
    const consent = (await person.client.get('/api/me/consents')).body.current.find(
      (c: { purpose: string }) => c.purpose === 'analytics',
    );
    expect(consent).toMatchObject({ granted: true, source: 'banner' });

    // Withdrawn in the privacy centre: the next visit stores nothing and the cookie is dropped.
    await person.client.post('/api/me/consents', { purpose: 'analytics', granted: false });
    const count = (await events()).length;
    await page.reload();
    await until(
      'the cookie to be dropped',
      async () => ((await analyticsCookie(context)) === undefined ? true : undefined),
      { timeoutMs: 30_000 },
    );
    expect((await events()).length).toBe(count);
    await context.close();
  });

  it('truncates raw addresses after the retention period and deletes old events (steward privacy retention)', async () => {
    const day = 86_400_000;
    const all = await events();
    await s.core.db
      .updateTable('analytics_events')
      .set({ at: new Date(Date.now() - 31 * day).toISOString() })
      .where('id', '=', all[0]!.id)
      .execute();
    await s.core.db
      .updateTable('analytics_events')
      .set({ at: new Date(Date.now() - 400 * day).toISOString() })
      .where('id', '=', all[1]!.id)
      .execute();
    // The operator's command (the worker also runs this every hour on its own).
    const cli = await runCli(['privacy', 'retention'], s.env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('Truncated 1 raw address(es); deleted 1 old event(s).');
    const after = await events();
    expect(after.find((e) => e.id === all[0]!.id)).toMatchObject({ ip: '127.0.0.0', ip_truncated: 1 });
    expect(after.find((e) => e.id === all[1]!.id)).toBeUndefined();
    expect(after.filter((e) => e.ip_truncated === 0).every((e) => e.ip === '127.0.0.1')).toBe(true);
  });
});
