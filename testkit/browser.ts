import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type LaunchOptions,
  type Page,
  type Request,
} from 'playwright-core';
import { onTestFailed } from 'vitest';

/** Debian's Chromium; STEWARD_CHROMIUM points elsewhere. */
const CHROMIUM_PATH = process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium';

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

const NETNS_LAUNCHER = resolve(import.meta.dirname, 'chromium-netns.sh');

/** Whether a SOCKS target is this machine's loopback, the only place a test browser has any business. */
const isLoopback = (host: string): boolean =>
  host === 'localhost' ||
  host === '0000:0000:0000:0000:0000:0000:0000:0001' ||
  (isIP(host) === 4 && host.startsWith('127.'));

/**
 * The test process's end of a browser's network (testkit/chromium-netns.sh): a SOCKS5 server on a Unix socket that
 * connects each of the browser's connections to its target on this machine's loopback (CONNECT only, no
 * authentication; any other target is refused).
 */
function socksBridge(path: string): Server {
  const server = createServer((client: Socket) => {
    client.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let stage: 'greeting' | 'request' = 'greeting';
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (stage === 'greeting') {
        if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
        buffered = buffered.subarray(2 + buffered[1]!);
        client.write(Buffer.from([5, 0]));
        stage = 'request';
      }
      const target = socksTarget(buffered);
      if (target === 'more') return;
      client.off('data', onData);
      const refuse = (code: number) => client.end(Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (target === null) return refuse(7);
      if (!isLoopback(target.host)) return refuse(2);
      const upstream = connect(target.port, target.host);
      upstream.once('error', () => refuse(5));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        if (target.rest.length > 0) upstream.write(target.rest);
        client.pipe(upstream).pipe(client);
      });
    };
    client.on('data', onData);
  });
  server.listen(path);
  return server;
}

/** A SOCKS5 CONNECT request's target and the bytes after it; 'more' while incomplete; null when unsupported. */
function socksTarget(b: Buffer): { host: string; port: number; rest: Buffer } | 'more' | null {
  if (b.length < 5) return 'more';
  if (b[0] !== 5 || b[1] !== 1) return null;
  const type = b[3];
  const start = type === 3 ? 5 : 4;
  const length = type === 1 ? 4 : type === 4 ? 16 : type === 3 ? b[4]! : -1;
  if (length < 0) return null;
  if (b.length < start + length + 2) return 'more';
  const raw = b.subarray(start, start + length);
  // IPv6 in its full form (eight groups of four digits), which connect() takes as it is.
  const host =
    type === 1
      ? [...raw].join('.')
      : type === 4
        ? raw.toString('hex').replace(/(.{4})(?!$)/g, '$1:')
        : raw.toString('latin1');
  return { host, port: b.readUInt16BE(start + length), rest: b.subarray(start + length + 2) };
}

/**
 * What `chromium.launch` (or `launchPersistentContext`) needs to run Debian's Chromium headless in a network
 * namespace of its own (testkit/chromium-netns.sh: the test hosts' address changes would fail its requests with
 * net::ERR_NETWORK_CHANGED), and the stop for its bridge, to call once the browser is gone. A missing Chromium
 * fails the test with the command that installs it; it never skips.
 */
export function chromiumLaunch(): { options: LaunchOptions; stop(): void } {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The console tests need Chromium at ${CHROMIUM_PATH}, which is missing. Install it with \`apt-get install -y chromium\` (or set STEWARD_CHROMIUM to a Chromium binary).`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'steward-browser-'));
  const path = join(dir, 'bridge.sock');
  const bridge = socksBridge(path);
  return {
    options: {
      executablePath: NETNS_LAUNCHER,
      headless: true,
      args: [...ARGS, '--proxy-server=socks5://127.0.0.1:1080', '--proxy-bypass-list=<-loopback>'],
      env: {
        ...process.env,
        STEWARD_BROWSER_BRIDGE: path,
        STEWARD_CHROMIUM_REAL: CHROMIUM_PATH,
        STEWARD_NODE: process.execPath,
      },
    },
    stop() {
      bridge.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Headless Chromium for the console tests (`chromiumLaunch`). `launch` gives every browser a fresh temporary
 * profile (user-data dir), deleted on close, so no state leaks between runs.
 */
export async function launchChromium(): Promise<Browser> {
  const { options, stop } = chromiumLaunch();
  try {
    const browser = await chromium.launch(options);
    browser.on('disconnected', stop);
    return browser;
  } catch (err) {
    stop();
    throw err;
  }
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
  watchPage(page);
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

/**
 * Records what goes wrong on `page`, in order, with the time since it was watched: failed requests, answers of 400
 * and more, console errors and warnings, script errors, a crash. If the current test fails, prints them with the
 * requests still open (a page watched outside a test, in a hook, has no test to report to).
 */
export function watchPage(page: Page): void {
  const since = Date.now();
  const at = () => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  const trouble: string[] = [];
  const open = new Map<Request, number>();
  const where = (request: Request) => `${request.method()} ${new URL(request.url()).pathname}`;
  page.on('request', (request) => open.set(request, Date.now()));
  page.on('requestfinished', (request) => open.delete(request));
  page.on('requestfailed', (request) => {
    open.delete(request);
    trouble.push(`${at()} ${where(request)} failed: ${request.failure()?.errorText ?? 'no reason given'}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) trouble.push(`${at()} ${where(response.request())}: HTTP ${response.status()}`);
  });
  page.on('crash', () => trouble.push(`${at()} the page crashed`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      trouble.push(`${at()} console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => trouble.push(`${at()} script error: ${error.message}`));
  const report = () => {
    const still = [...open].map(([request, from]) => `${where(request)} open for ${Date.now() - from} ms`);
    const lines = [...trouble, ...(still.length > 0 ? [`at the failure: ${still.join('; ')}`] : [])];
    console.error(
      `The page (last at ${page.url()}) saw, ${at()} after it opened:\n  ${lines.join('\n  ') || 'nothing amiss'}`,
    );
  };
  try {
    onTestFailed(report);
  } catch {
    // Not inside a test.
  }
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
