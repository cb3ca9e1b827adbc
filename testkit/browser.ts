import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; STEWARD_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', '.artifacts', 'screenshots');

/**
 * Headless Chromium for the console tests. `launch` gives every browser a fresh temporary profile (user-data
 * dir), deleted on close, so no state leaks between runs. A missing Chromium fails the test with the command
 * that installs it; it never skips.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The console tests need Chromium at ${CHROMIUM_PATH}, which is missing. Install it with \`apt-get install -y chromium\` (or set STEWARD_CHROMIUM to a Chromium binary).`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
}

/** A page and everything observed on it: every request URL, API answers, CSP refusals and script errors. */
export interface TrackedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly urls: string[];
  readonly apiBodies: string[];
  readonly cspViolations: string[];
  readonly errors: string[];
  /** Server-sent event streams the page opened (their bodies are not kept in apiBodies). */
  readonly eventStreams: string[];
  /** Waits for the API answers still being read, then closes the context. */
  close(): Promise<void>;
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  /** Only for injecting axe-core as an inline script; every other test runs under the console's real CSP. */
  bypassCSP?: boolean;
}

/** A new browser context (its own cookies and storage) on a 1280×720 laptop screen, at Steward's origin. */
export async function openPage(browser: Browser, baseURL: string, options: PageOptions = {}): Promise<TrackedPage> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1280, height: 720 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
    bypassCSP: options.bypassCSP ?? false,
  });
  const page = await context.newPage();
  const urls: string[] = [];
  const apiBodies: string[] = [];
  const cspViolations: string[] = [];
  const errors: string[] = [];
  const eventStreams: string[] = [];
  const reading: Promise<unknown>[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('framenavigated', (frame) => urls.push(frame.url()));
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return;
    // An event stream ends only when the run does (or the page closes it): its events are read as they come.
    if (String(response.headers()['content-type'] ?? '').startsWith('text/event-stream')) {
      eventStreams.push(response.url());
      return;
    }
    reading.push(
      response.text().then(
        (text) => apiBodies.push(text),
        () => undefined,
      ),
    );
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    context,
    page,
    urls,
    apiBodies,
    cspViolations,
    errors,
    eventStreams,
    async close() {
      await Promise.allSettled(reading);
      await context.close();
    },
  };
}

interface PageGlobals {
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  document: { body: { innerText: string }; querySelectorAll(selector: string): Iterable<{ value: string }> };
  axe: {
    run(
      context: unknown,
      options: object,
    ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
  };
}

export interface LeakSurfaces {
  readonly urls: string;
  readonly localStorage: string;
  readonly sessionStorage: string;
  readonly text: string;
  readonly html: string;
  readonly fields: string;
}

/** Where a secret could end up in the browser: addresses, storage, the page's text and markup, form fields. */
export async function leakSurfaces(tracked: TrackedPage): Promise<LeakSurfaces> {
  const { page } = tracked;
  // The callbacks run in the page; the test project has no DOM types, so the page's globals are described here.
  const inPage = await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    return {
      localStorage: JSON.stringify({ ...w.localStorage }),
      sessionStorage: JSON.stringify({ ...w.sessionStorage }),
      text: w.document.body.innerText,
      fields: [...w.document.querySelectorAll('input, textarea')].map((el) => el.value).join('\n'),
    };
  });
  return {
    urls: [...tracked.urls, page.url()].join('\n'),
    localStorage: inPage.localStorage,
    sessionStorage: inPage.sessionStorage,
    text: inPage.text,
    html: await page.content(),
    fields: inPage.fields,
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeProblem {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: string[];
}

/** Runs axe-core on the page as it is now; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeProblem[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const w = globalThis as unknown as PageGlobals;
    const result = await w.axe.run(w.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A full-page screenshot under .artifacts/screenshots/ (gitignored), named for the page and theme. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
