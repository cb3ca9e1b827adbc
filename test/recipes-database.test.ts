/**
 * database and rotate-database-password on a real isolated host with MariaDB (started from its init script;
 * the host has no systemd). The generated password reaches the server only on stdin: while the step that sends
 * it is held up on the server, every process's argv and environment on the host is sampled again and again and
 * never shows it (it travels on stdin), and the task's log never holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import database from '../src/core/tasks/recipes/database.js';
import rotate from '../src/core/tasks/recipes/rotate-database-password.js';
import type { Recipe, TaskContext } from '../src/core/tasks/recipe.js';
import {
  createSshExecutor,
  type RemoteExecutor,
  type RunStepsOptions,
  type StepRunResult,
} from '../src/remote/index.js';
import { useFleet } from '../testkit/fleet.js';
import {
  createTaskContext,
  failureOf,
  fleetTarget,
  RECIPE_HOST_PACKAGES,
  runRecipe,
  statuses,
  type TestTaskContext,
} from '../testkit/task-context.js';

const fleet = useFleet({ count: 1, extraPackages: RECIPE_HOST_PACKAGES, spec: () => ({ name: 'db' }) });
const params = { engine: 'mariadb', name: 'app_db', user: 'app_user' };
const SECRET = 'db:app_db:app_user';
/** One vault for every run, as Steward's would be. */
const store = new Map<string, string>();

let executor: RemoteExecutor;
const host = () => fleet.hosts[0]!;

async function run(
  recipe: Recipe,
  opts: { params?: unknown; wrap?: (ctx: TestTaskContext) => TaskContext; steps?: RunStepsOptions } = {},
): Promise<{ result: StepRunResult; ctx: TestTaskContext }> {
  return executor.withSession(
    fleetTarget(host(), { username: 'root', privateKey: fleet.clientKey.privateKey }),
    async (session) => {
      const ctx = createTaskContext(session, { store, address: host().address });
      const result = await runRecipe(recipe, opts.params ?? params, opts.wrap ? opts.wrap(ctx) : ctx, opts.steps);
      return { result, ctx };
    },
  );
}

/** Logs in as app_user with `password` (an option file on stdin) and runs `sql`; exit code and output. */
async function asAppUser(password: string, sql: string): Promise<{ code: number; out: string }> {
  // The option file goes through a real pipe (`cat |`): the test's own stdin is a socket, which mysql cannot open.
  const r = await host().run(
    [
      'sh',
      '-c',
      'cat | mysql --defaults-extra-file=/dev/stdin --batch --skip-column-names -u app_user app_db -e "$1"',
      'test',
      sql,
    ],
    {
      stdin: `[client]\npassword=${password}\n`,
    },
  );
  return { code: r.code, out: r.stdout + r.stderr };
}

/** The process list and every process's argv and environment, as root on the host sees them. */
const SAMPLE_SCRIPT = `
ps auxww
for p in /proc/[0-9]*; do
  printf '\\n== %s argv: ' "$p"; tr '\\0' ' ' < "$p/cmdline" 2>/dev/null
  printf '\\n== %s env: ' "$p"; tr '\\0' ' ' < "$p/environ" 2>/dev/null
done
`;

/** The value in the forms a leak could take. */
function forms(value: string): string[] {
  const raw = Buffer.from(value);
  return [value, raw.toString('base64'), raw.toString('hex'), value.slice(4, 20)];
}

beforeAll(() => {
  executor = createSshExecutor({ commandTimeoutMs: 300_000 });
});

afterAll(async () => {
  await executor?.close();
});

describe('database on a real host', () => {
  it('first run: server started, database, user and grant made; the password never shows in ps, /proc or the log', async () => {
    // 1. Sample the host's processes for the whole run. A control process shows that the sampler would see a
    //    value in argv or in the environment.
    const control = `control-${Date.now()}`;
    await host().spawnDaemon([
      'env',
      `STEWARD_CONTROL_ENV=${control}-env`,
      'sh',
      '-c',
      'while :; do sleep 1; done',
      `${control}-argv`,
    ]);
    const samples: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) samples.push((await host().run(['sh', '-c', SAMPLE_SCRIPT])).stdout);
    })();
    // 2. When the user step starts, hold a global read lock for 3 s, so the statement carrying the password
    //    waits on the server with its client process alive, where the sampler can see it.
    const hold = async ({ id }: { id: string }) => {
      if (id !== 'db-user') return;
      await host().spawnDaemon(['sh', '-c', 'printf "FLUSH TABLES WITH READ LOCK;\\nSELECT SLEEP(3);\\n" | mysql']);
      for (let i = 0; i < 50; i++) {
        const held = await host().run([
          'mysql',
          '-N',
          '-e',
          "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'",
        ]);
        if (held.stdout.trim() === '1') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the read lock was never taken');
    };
    const { result, ctx } = await run(database, { steps: { onStepStart: hold } }).finally(() => (sampling = false));
    await sampler;
    // The control lives for as long as the sampling, however long the run takes on a loaded machine.
    await host().run(['pkill', '-f', `${control}-arg[v]`]); // [v]: the pattern does not match its own argv

    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)).toEqual({
      'db-installed': 'unchanged',
      'db-at-boot': 'unchanged',
      'db-running': 'changed',
      'db-database': 'changed',
      'db-user': 'changed',
      'db-grant': 'changed',
    });
    expect(result.outcomes.find((o) => o.id === 'db-user')?.durationMs).toBeGreaterThan(2000);
    const password = store.get(SECRET) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);

    // 3. The sampler saw the step's own mysql client while it waited, and nowhere the password.
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.every((s) => s.includes(`${control}-argv`) && s.includes(`${control}-env`))).toBe(true);
    expect(samples.some((s) => s.includes('mysql --batch --raw --skip-column-names'))).toBe(true);
    for (const form of forms(password)) {
      expect(
        samples.filter((s) => s.includes(form)),
        `a sample shows ${form}`,
      ).toEqual([]);
      expect(ctx.logText().includes(form), 'the task log shows the password').toBe(false);
    }
    expect(ctx.lines).toContain(
      'created database user app_user@localhost; its password was generated and sealed by Steward',
    );
  });

  it('the user logs in with the sealed password, owns app_db and nothing else', async () => {
    const password = store.get(SECRET) ?? '';
    const own = await asAppUser(
      password,
      'CREATE TABLE t (id INT); INSERT INTO t VALUES (7); SELECT id FROM t; DROP TABLE t;',
    );
    expect(own).toEqual({ code: 0, out: '7\n' });
    expect((await asAppUser(password, 'SELECT COUNT(*) FROM mysql.user')).out).toMatch(/denied/);
    expect((await asAppUser('wrong-password', 'SELECT 1')).code).not.toBe(0);
    expect(
      (
        await host().run([
          'mysql',
          '-N',
          '-e',
          "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='app_db'",
        ])
      ).stdout,
    ).toBe('app_db\tutf8mb4\n');
  });

  it('second run: every step unchanged, the same password', async () => {
    const before = store.get(SECRET);
    const { result } = await run(database);
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(result.outcomes.map((o) => o.status)).toEqual(Array(6).fill('unchanged'));
    expect(store.get(SECRET)).toBe(before);
  });

  it('a password changed behind Steward’s back is put back to the sealed one', async () => {
    expect(
      (await host().run(['mysql', '-e', "ALTER USER 'app_user'@'localhost' IDENTIFIED BY 'SomeoneElse123'"])).code,
    ).toBe(0);
    const { result } = await run(database);
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)['db-user']).toBe('changed');
    expect(result.outcomes.filter((o) => o.status === 'changed').map((o) => o.id)).toEqual(['db-user']);
    expect((await asAppUser(store.get(SECRET) ?? '', 'SELECT 1')).code).toBe(0);
    expect((await asAppUser('SomeoneElse123', 'SELECT 1')).code).not.toBe(0);
  });
});

describe('rotate-database-password on the same host', () => {
  it('sets a new generated password on the server, then seals it; the old one stops working', async () => {
    const old = store.get(SECRET) ?? '';
    const { result, ctx } = await run(rotate);
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)).toEqual({
      'rotate-stage': 'changed',
      'rotate-server': 'changed',
      'rotate-store': 'changed',
    });
    const fresh = store.get(SECRET) ?? '';
    expect(fresh).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(fresh).not.toBe(old);
    expect((await asAppUser(fresh, 'SELECT 1')).code).toBe(0);
    expect((await asAppUser(old, 'SELECT 1')).code).not.toBe(0);
    for (const value of [old, fresh]) expect(ctx.logText().includes(value)).toBe(false);
  });

  it('a run cut off after the server changed but before the vault did is finished by running it again', async () => {
    const old = store.get(SECRET) ?? '';
    // 1. The vault fails exactly when the new password would become the sealed one.
    const vaultDown = (ctx: TestTaskContext): TaskContext => ({
      ...ctx,
      secrets: {
        ...ctx.secrets,
        put: async (name, value) => {
          if (name === SECRET) throw new Error('the vault is unavailable');
          return ctx.secrets.put(name, value);
        },
      },
    });
    const cut = await run(rotate, { wrap: vaultDown });
    expect(cut.result.ok).toBe(false);
    expect(statuses(cut.result)).toEqual({
      'rotate-stage': 'changed',
      'rotate-server': 'changed',
      'rotate-store': 'failed',
    });
    // 2. Now the server takes only the staged password, and the vault still holds the old one.
    const staged = store.get(`${SECRET}:pending`) ?? '';
    expect(store.get(SECRET)).toBe(old);
    expect((await asAppUser(staged, 'SELECT 1')).code).toBe(0);
    expect((await asAppUser(old, 'SELECT 1')).code).not.toBe(0);

    // 3. The retry reuses the staged password instead of making another, and converges.
    const retry = await run(rotate);
    expect(retry.result.ok, String(failureOf(retry.result))).toBe(true);
    expect(statuses(retry.result)).toEqual({
      'rotate-stage': 'unchanged',
      'rotate-server': 'unchanged',
      'rotate-store': 'changed',
    });
    expect(store.get(SECRET)).toBe(staged);
    expect((await asAppUser(staged, 'SELECT 1')).code).toBe(0);

    // 4. And the database recipe agrees: nothing to do.
    const check = await run(database);
    expect(check.result.outcomes.map((o) => o.status)).toEqual(Array(6).fill('unchanged'));
  });

  it('refuses to rotate the password of a user that does not exist, and seals nothing', async () => {
    const before = new Map(store);
    const { result } = await run(rotate, { params: { name: 'app_db', user: 'nobody_here' } });
    expect(result.ok).toBe(false);
    expect((failureOf(result) as { code?: string }).code).toBe('STEWARD_RECIPE_PRECONDITION');
    expect(store).toEqual(before);
  });
});
