import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportLines } from '../src/cli/commands/sandbox.js';
import { totpAt, totpStep } from '../src/crypto/totp.js';
import { sleep } from '../src/kernel/clock.js';
import { Secret } from '../src/kernel/secret.js';
import { confirmationLink, startTestSteward, type TestSteward } from './steward.js';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
const DIST_INDEX = join(WEB, 'dist', 'index.html');
const LOCK = join(ROOT, '.artifacts', 'console-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }
  return newest;
}

const consoleIsCurrent = () =>
  existsSync(DIST_INDEX) &&
  statSync(DIST_INDEX).mtimeMs >=
    Math.max(
      newestSource(join(WEB, 'src')),
      statSync(join(WEB, 'index.html')).mtimeMs,
      statSync(join(WEB, 'vite.config.ts')).mtimeMs,
    );

/**
 * Makes sure web/dist holds a console built from the current sources, building it (`vite build`) when it is
 * missing or older than web/src. Test files run in parallel, so one builds under a lock and the others wait.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  mkdirSync(join(ROOT, '.artifacts'), { recursive: true });
  for (let waited = 0; !consoleIsCurrent(); waited += 250) {
    try {
      mkdirSync(LOCK);
    } catch {
      // Another test file is building; a lock older than two minutes belongs to a build that died.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 120_000)
        rmSync(LOCK, { recursive: true, force: true });
      if (waited > 180_000) throw new Error('Timed out waiting for another test to build the console (web/dist).');
      await sleep(250);
      continue;
    }
    try {
      if (consoleIsCurrent()) return;
      try {
        execFileSync(
          process.execPath,
          [
            join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
            'build',
            '--config',
            join(WEB, 'vite.config.ts'),
            '--logLevel',
            'warn',
          ],
          { cwd: ROOT, stdio: 'pipe' },
        );
      } catch (err) {
        const out = err as { stdout?: Buffer; stderr?: Buffer };
        throw new Error(
          `Building the console failed (npm run build:web):\n${String(out.stderr ?? '')}${String(out.stdout ?? '')}`,
          { cause: err },
        );
      }
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

export interface ConsoleSteward {
  readonly s: TestSteward;
  readonly baseUrl: string;
  close(): Promise<void>;
}

export interface ConsoleStewardOptions {
  /** More settings (the sandbox tests accept loopback endpoints and poll providers quickly). */
  readonly env?: Record<string, string>;
  /** Runs the job runner, as `steward serve` does (launches, enrolment, tasks and discovery need it). */
  readonly jobs?: boolean;
}

/** Settings for a console Steward that works with the sandbox clouds on this machine. */
export const SANDBOX_ENV: Record<string, string> = {
  STEWARD_SANDBOX_ENDPOINTS: 'true',
  STEWARD_PROVIDER_POLL_MS: '200',
  STEWARD_INSTANCE_SYNC_SECONDS: '0',
};

/** A Steward on SQLite listening on a real port (the browser needs one), serving the built console. */
export async function startConsoleSteward(options: ConsoleStewardOptions = {}): Promise<ConsoleSteward> {
  await ensureConsoleBuilt();
  const s = await startTestSteward({ engine: 'sqlite', ...(options.env ? { env: options.env } : {}) });
  if (options.jobs) s.core.queue.start();
  const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
  return { s, baseUrl: address, close: () => s.close() };
}

/**
 * After "Create account": the console says to check the mail; the person opens the link from the confirmation
 * mail Steward wrote (the same page, here), sees the address confirmed and signs in. Ends signed in.
 */
export async function confirmThroughConsole(
  page: Page,
  s: TestSteward,
  email: string,
  password: string,
): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Check your mail' }).waitFor();
  const link = new URL(await confirmationLink(s.core, email));
  await page.goto(`${link.pathname}${link.hash}`);
  await page.getByRole('heading', { level: 1, name: 'Your address is confirmed' }).waitFor();
  // The token is taken out of the address bar once used.
  if (new URL(page.url()).hash !== '') throw new Error('the confirmation token stayed in the address bar');
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/signin');
}

/** Signs in through the console's form and waits until it has left the sign-in page. */
export async function signInThroughConsole(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/signin');
}

/** What `npm start -- --sandbox` prints for the clouds' EC2 (and ElasticStack) accounts: the same lines, made by the same code. */
export function sandboxExportLines(clouds: {
  ec2: { url: string; accessKeyId: string; secretAccessKey: string; region: string };
  elastic?: { url: string; user: string; secretKey: string };
}): string {
  const vars: Record<string, string> = {
    AWS_ENDPOINT_URL_EC2: clouds.ec2.url,
    AWS_ENDPOINT_URL_STS: clouds.ec2.url,
    AWS_ACCESS_KEY_ID: clouds.ec2.accessKeyId,
    AWS_SECRET_ACCESS_KEY: clouds.ec2.secretAccessKey,
    AWS_DEFAULT_REGION: clouds.ec2.region,
    ...(clouds.elastic
      ? {
          ELASTICHOSTS_URL: clouds.elastic.url,
          ELASTICHOSTS_USER: clouds.elastic.user,
          ELASTICHOSTS_KEY: clouds.elastic.secretKey,
        }
      : {}),
  };
  return exportLines(vars)
    .map((line) => `  ${line}`)
    .join('\n');
}

/** A staff account straight through the core service, as `steward admin create` makes one. */
export async function createStaff(
  s: TestSteward,
  roles: ('admin' | 'security' | 'support' | 'marketing')[],
): Promise<{ email: string; password: string }> {
  const email = `staff-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = `staff passphrase ${Math.random().toString(36).slice(2)}`;
  await s.core.users.createStaff(
    { email, password: new Secret(password), name: 'Sam Operator', roles },
    { type: 'system' },
    {},
  );
  return { email, password };
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes the base32 TOTP secret the API shows (RFC 4648 alphabet, padding optional). */
export function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = B32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The code an authenticator app would show for the secret the console displayed. Each code works once, so
 * `stepsAhead` picks a later step (the API accepts one step of drift) for a second use within 30 seconds.
 */
export const totpCodeFor = (base32Secret: string, stepsAhead = 0): string =>
  totpAt(base32Decode(base32Secret), totpStep(Date.now()) + stepsAhead);

/**
 * One-time codes Steward has not seen yet, after the one of step `usedStep`: each code works once and steps only
 * move forward, while the step after the current one is accepted; so a code is ready at once or within 30 s.
 */
export function freshCodes(base32Secret: string, usedStep: number): () => Promise<string> {
  let last = usedStep;
  return async () => {
    while (totpStep(Date.now()) + 1 <= last) await sleep(1000);
    last = totpStep(Date.now()) + 1;
    return totpCodeFor(base32Secret, 1);
  };
}
