import type { Json } from './client.js';
/**
 * A Steward cluster for tests and benchmarks: API and worker processes running `steward serve --role …` from
 * source as children, on one fresh PostgreSQL test database (and its own job-queue schema), sharing one root
 * key. Nodes can be killed (`kill -9`) and added while the test runs; `close()` ends every child by its pid and
 * drops the database, also when the test failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SignUpInput } from '../src/core/users/signup.service.js';
import { sleep } from '../src/kernel/clock.js';
import { Secret } from '../src/kernel/secret.js';
import { runCli } from './cli.js';
import { startSmtpSink, type SmtpSink } from './smtp.js';
import { until } from './wait.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { TEST_ENV } from './steward.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = `${ROOT}src/cli/main.ts`;
const COMPILED_ENTRY = `${ROOT}dist/src/cli/main.js`;
/** The V8 flags `npm start` gives node (package.json), so a compiled node runs as an operator's would. */
export const START_FLAGS = (
  (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start.match(
    /^node((?: --[\w-]+(?:=\S+)?)*) /,
  )?.[1] ?? ''
)
  .split(' ')
  .filter(Boolean);
const KEEP_LINES = 400;

export type NodeRole = 'api' | 'worker' | 'all';

export interface ClusterNode {
  readonly role: NodeRole;
  readonly pid: number;
  /** http://127.0.0.1:port for API (and `all`) nodes. */
  readonly url: string | undefined;
  /** The last lines the node wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
  kill(signal: NodeJS.Signals): void;
}

export interface Cluster {
  readonly db: TestDatabase;
  /** The environment every node runs with (database, root key, test settings, the options' `env`). */
  readonly env: Record<string, string>;
  readonly nodes: ClusterNode[];
  readonly apis: ClusterNode[];
  readonly workers: ClusterNode[];
  /** Where the nodes deliver their mail (sign-up confirmations, for one). */
  readonly mail: SmtpSink;
  /** Starts one more node and waits until it is ready. */
  startNode(role: NodeRole): Promise<ClusterNode>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  readonly apis: number;
  readonly workers: number;
  /**
   * PostgreSQL (the default) runs `apis` + `workers` nodes. SQLite is one process: give `apis: 1, workers: 0` and
   * it starts one node that serves and works (`--role all`).
   */
  readonly engine?: 'postgres' | 'sqlite';
  readonly env?: Record<string, string>;
  /** Modules each node imports before the CLI (test-only recipes, for instance). */
  readonly preload?: readonly string[];
  /**
   * Run the built CLI (`dist/`, as `npm start` does) instead of the sources through tsx, so that a node's memory
   * and CPU are Steward's own (benchmarks). The caller builds first; `preload` is not allowed with it.
   */
  readonly compiled?: boolean;
  /** More flags for node on a compiled node, after `npm start`'s (a benchmark's `--cpu-prof`, for one). */
  readonly nodeFlags?: readonly string[];
}

/** The `p`th percentile of latencies measured against a cluster (nearest rank; NaN for none). */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function waitFor(
  what: string,
  node: ClusterNode,
  ready: () => Promise<boolean> | boolean,
  ms = 120_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!node.alive) throw new Error(`${what}: the ${node.role} node (pid ${node.pid}) exited:\n${node.output()}`);
    if (await ready()) return;
    await sleep(100);
  }
  throw new Error(`${what}: timed out:\n${node.output()}`);
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const engine = options.engine ?? 'postgres';
  if (engine === 'sqlite' && (options.apis !== 1 || options.workers !== 0))
    throw new Error('A SQLite cluster is one node: apis 1, workers 0.');
  if (options.compiled && options.preload?.length) throw new Error('A compiled cluster takes no preload.');
  if (options.compiled && !existsSync(COMPILED_ENTRY))
    throw new Error(`${COMPILED_ENTRY} is missing: build first (npm run build:server).`);
  const db = await createTestDatabase(engine);
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-cluster-'));
  const mail = await startSmtpSink();
  const env: Record<string, string> = {
    ...TEST_ENV,
    STEWARD_SMTP_URL: mail.url,
    STEWARD_LOG_LEVEL: 'info',
    STEWARD_JOBS_POLL_MS: '200',
    STEWARD_DATA_DIR: dataDir,
    STEWARD_ROOT_KEY: `v1:${randomBytes(32).toString('base64')}`,
    HOME: dataDir,
    ...db.env,
    ...options.env,
  };
  const nodes: ClusterNode[] = [];

  async function startNode(role: NodeRole): Promise<ClusterNode> {
    const port = role === 'worker' ? 0 : await freePort();
    const imports = options.compiled
      ? [...START_FLAGS, ...(options.nodeFlags ?? []), COMPILED_ENTRY]
      : ['--import', 'tsx', ...(options.preload ?? []).flatMap((p) => ['--import', p]), ENTRY];
    const child = spawn(process.execPath, [...imports, 'serve', '--role', role, '--no-migrate'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, STEWARD_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    everyChild.add(child);
    const lines: string[] = [];
    // Every line also goes to .artifacts/cluster/ (kept after the run, for reading what a node did).
    mkdirSync(join(ROOT, '.artifacts', 'cluster'), { recursive: true });
    const file = createWriteStream(join(ROOT, '.artifacts', 'cluster', `${role}-${child.pid}.log`));
    child.stdout!.pipe(file);
    const keep = (d: Buffer) => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        everyChild.delete(child);
        resolve({ code, signal });
      }),
    );
    let alive = true;
    void exited.then(() => (alive = false));
    const node: ClusterNode = {
      role,
      pid: child.pid!,
      url: role === 'worker' ? undefined : `http://127.0.0.1:${port}`,
      exited,
      get alive() {
        return alive;
      },
      output: () => lines.join('\n'),
      kill: (signal) => void child.kill(signal),
    };
    nodes.push(node);
    if (node.url) {
      await waitFor(
        'API node start',
        node,
        async () => (await fetch(`${node.url}/healthz`).catch(() => undefined))?.status === 200,
      );
    }
    if (role !== 'api') await waitFor('worker start', node, () => /job runner started/.test(node.output()));
    return node;
  }

  async function close(): Promise<void> {
    const live = nodes.filter((n) => n.alive);
    for (const n of live) n.kill('SIGTERM');
    await Promise.race([Promise.all(live.map((n) => n.exited)), sleep(15_000)]);
    for (const n of live) n.kill('SIGKILL');
    await Promise.all(live.map((n) => n.exited));
    await db.drop();
    await mail.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  try {
    // 1. The schema once, as an operator would (`steward migrate`), then nodes start without migrating.
    const migrated = await runCli(['migrate'], env);
    if (migrated.code !== 0) throw new Error(`steward migrate failed: ${migrated.stderr}`);
    // 2. One node first (it creates the vault's keys and installs the queue), then the rest together.
    const roles: NodeRole[] =
      engine === 'sqlite'
        ? ['all']
        : [...Array<NodeRole>(options.apis).fill('api'), ...Array<NodeRole>(options.workers).fill('worker')];
    if (roles.length > 0) await startNode(roles[0]!);
    await Promise.all(roles.slice(1).map((r) => startNode(r)));
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return {
    db,
    env,
    mail,
    nodes,
    get apis() {
      return nodes.filter((n) => n.role !== 'worker');
    },
    get workers() {
      return nodes.filter((n) => n.role !== 'api');
    },
    startNode,
    close,
  };
}

/**
 * A customer's HTTP client over several API nodes: each request goes to the next node in turn (as a load
 * balancer would), carrying the session cookie and CSRF token; `served` counts requests per node.
 */
export class ClusterClient {
  readonly served = new Map<string, number>();
  private next = 0;
  private cookie = '';
  private csrf = '';
  orgId = '';

  constructor(private readonly urls: readonly string[]) {}

  async request<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    via?: string,
  ): Promise<{ status: number; body: T; node: string }> {
    const node = via ?? this.urls[this.next++ % this.urls.length]!;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${node}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    this.served.set(node, (this.served.get(node) ?? 0) + 1);
    const text = await res.text();
    const cookie = res.headers.get('set-cookie');
    if (cookie) this.cookie = cookie.split(';')[0]!;
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, node };
  }

  get = <T = Json>(path: string) => this.request<T>('GET', path);
  post = <T = Json>(path: string, body: unknown = {}) => this.request<T>('POST', path, body);

  /**
   * Signs a new customer up (through whichever node is next): asks, follows the link a worker mailed to the
   * cluster's mail sink, signs in, and keeps the session. `request` asks in the caller's own process instead (a
   * benchmark that measures a node's memory keeps the password dictionaries out of it).
   */
  async signUp(mail: SmtpSink, request?: (input: SignUpInput) => Promise<void>): Promise<void> {
    const tag = randomBytes(4).toString('hex');
    const email = `cluster-${tag}@example.com`;
    const password = `cluster password ${tag}`;
    const terms = (await this.get<{ terms: { version: string } | null }>('/api/terms')).body.terms;
    const input = { email, name: 'Cluster Tester', orgName: `Cluster ${tag}` };
    if (request)
      await request({ ...input, phone: null, password: new Secret(password), termsVersion: terms?.version ?? null });
    else {
      const res = await this.post('/api/auth/signup', {
        ...input,
        password,
        ...(terms ? { acceptTerms: terms.version } : {}),
      });
      if (res.status !== 202) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const token = await until(`the confirmation mail to ${email}`, () => {
      const sent = mail.mails.find((m) => m.to.includes(email));
      return sent ? (/\/confirm#([A-Za-z0-9_-]+)/.exec(sent.body)?.[1] ?? undefined) : undefined;
    });
    const confirmed = await this.post('/api/auth/confirm', { token });
    if (confirmed.status !== 200) throw new Error(`confirmation failed: ${JSON.stringify(confirmed.body)}`);
    const signin = await this.post('/api/auth/signin', { email, password });
    if (signin.status !== 200) throw new Error(`sign-in failed: ${signin.status} ${JSON.stringify(signin.body)}`);
    this.csrf = (signin.body as Json).csrfToken;
    this.orgId = (signin.body as Json).orgs[0].id;
  }
}
