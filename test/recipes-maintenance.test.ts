/**
 * Package installs, patch-os and restart-service on real isolated hosts (no systemd, no internet). One host
 * keeps Debian's own repository, which it cannot reach: patching must fail and say why. The other gets a local
 * repository with a package that is not installed and a newer version of one that is, so an install and an
 * upgrade really happen offline. restart-service drives nginx through its init script, and, with the script
 * gone, directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recipe } from '../src/core/tasks/recipe.js';
import patchOs from '../src/core/tasks/recipes/patch-os.js';
import restartService from '../src/core/tasks/recipes/restart-service.js';
import { packageStep } from '../src/core/tasks/recipes/packages.js';
import { createSshExecutor, runSteps, type RemoteExecutor, type StepRunResult } from '../src/remote/index.js';
import type { TestHost } from '../src/sandbox/hosts/index.js';
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

const fleet = useFleet({
  count: 2,
  extraPackages: RECIPE_HOST_PACKAGES,
  spec: (i) => ({ name: ['offline', 'patchable'][i] }),
});
const offline = () => fleet.hosts[0]!;
const patchable = () => fleet.hosts[1]!;

let executor: RemoteExecutor;

async function withContext(
  host: TestHost,
  fn: (ctx: TestTaskContext) => Promise<StepRunResult>,
): Promise<{ result: StepRunResult; ctx: TestTaskContext }> {
  return executor.withSession(
    fleetTarget(host, { username: 'root', privateKey: fleet.clientKey.privateKey }),
    async (session) => {
      const ctx = createTaskContext(session, { address: host.address });
      return { result: await fn(ctx), ctx };
    },
  );
}

const run = (host: TestHost, recipe: Recipe, params: unknown = {}) =>
  withContext(host, (ctx) => runRecipe(recipe, params, ctx));

/**
 * Builds steward-canary 1.0 (installed) and 2.0, and steward-extra 1.0 (not installed), into a flat repository
 * at /srv/repo, the only apt source: `apt-get update` works offline and finds one upgrade and one new package.
 * The package lists start empty, as on a fresh minimal image.
 */
const LOCAL_REPO_SCRIPT = `
set -e
build() {
  d=/tmp/$1-$2
  mkdir -p "$d/DEBIAN"
  printf 'Package: %s\\nVersion: %s\\nArchitecture: all\\nMaintainer: Steward tests <tests@steward.invalid>\\nDescription: test package\\n' "$1" "$2" > "$d/DEBIAN/control"
  dpkg-deb --build "$d" "/tmp/$1_$2_all.deb" >/dev/null
}
build steward-canary 1.0
build steward-canary 2.0
build steward-extra 1.0
dpkg -i /tmp/steward-canary_1.0_all.deb >/dev/null
mkdir -p /srv/repo
cp /tmp/steward-canary_2.0_all.deb /tmp/steward-extra_1.0_all.deb /srv/repo/
cd /srv/repo
for f in *.deb; do
  dpkg-deb -f "$f"; echo "Filename: ./$f"; echo "Size: $(stat -c %s "$f")"; echo "SHA256: $(sha256sum "$f" | cut -d' ' -f1)"; echo
done > Packages
echo 'deb [trusted=yes] file:/srv/repo ./' > /etc/apt/sources.list
`;

/** nginx's master pid from its pid file. */
async function nginxPid(host: TestHost): Promise<string> {
  return (await host.run(['cat', '/run/nginx.pid'])).stdout.trim();
}

beforeAll(async () => {
  executor = createSshExecutor({ commandTimeoutMs: 300_000 });
  const repo = await patchable().run(['sh', '-c', LOCAL_REPO_SCRIPT]);
  expect(repo.code, repo.stderr).toBe(0);
  expect((await offline().run(['service', 'nginx', 'start'])).code).toBe(0);
});

afterAll(async () => {
  await executor?.close();
});

describe('package installs (the path every recipe’s package step takes)', () => {
  const extra = packageStep('extra-installed', 'steward-extra', { apt: ['steward-extra'] });

  it('installs a missing package, fetching the empty package lists first; the second time it is unchanged', async () => {
    const first = await withContext(patchable(), (ctx) => runSteps([extra], ctx));
    expect(statuses(first.result)).toEqual({ 'extra-installed': 'changed' });
    expect(first.ctx.lines).toEqual([
      'package lists are missing or stale; running apt-get update first',
      'installed steward-extra 1.0',
    ]);
    expect((await patchable().run(['dpkg-query', '-W', '-f', '${Status}', 'steward-extra'])).stdout).toBe(
      'install ok installed',
    );
    const second = await withContext(patchable(), (ctx) => runSteps([extra], ctx));
    expect(statuses(second.result)).toEqual({ 'extra-installed': 'unchanged' });
  });
});

describe('patch-os', () => {
  it('on a host that cannot reach its repository: fails on the package lists, saying why, and upgrades nothing', async () => {
    const { result } = await run(offline(), patchOs);
    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual({ 'package-lists-fresh': 'failed' });
    expect(result.skipped).toEqual(['upgrades-applied']);
    const error = failureOf(result) as { code?: string; message?: string };
    expect(error.code).toBe('STEWARD_RECIPE_PACKAGE_LISTS_FAILED');
    expect(error.message).toMatch(/could not be refreshed/);
    expect(error.message).toMatch(/deb\.debian\.org/);
  });

  it('first run: refreshes the lists and applies the pending upgrade', async () => {
    const { result, ctx } = await run(patchable(), patchOs);
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)).toEqual({ 'package-lists-fresh': 'changed', 'upgrades-applied': 'changed' });
    expect(ctx.lines).toContain('upgraded 1 package: steward-canary');
    expect((await patchable().run(['dpkg-query', '-W', '-f', '${Version}', 'steward-canary'])).stdout).toBe('2.0');
    expect((await patchable().run(['apt-get', '-s', 'upgrade'])).stdout).toMatch(/^0 upgraded, 0 newly installed/m);
  });

  it('second run: lists still fresh, nothing to upgrade, every step unchanged', async () => {
    const { result } = await run(patchable(), patchOs);
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)).toEqual({ 'package-lists-fresh': 'unchanged', 'upgrades-applied': 'unchanged' });
  });
});

describe('restart-service', () => {
  it('restarts nginx through its init script: a new master process, running', async () => {
    const before = await nginxPid(offline());
    const { result, ctx } = await run(offline(), restartService, { service: 'nginx' });
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)).toEqual({ 'service-restarted': 'changed' });
    expect(ctx.lines).toContain('restarted nginx with its init script');
    const after = await nginxPid(offline());
    expect(after).not.toBe(before);
    expect((await offline().run(['service', 'nginx', 'status'])).code).toBe(0);
  });

  it('is an action: asked again, it restarts again', async () => {
    const before = await nginxPid(offline());
    const { result } = await run(offline(), restartService, { service: 'nginx' });
    expect(statuses(result)).toEqual({ 'service-restarted': 'changed' });
    expect(await nginxPid(offline())).not.toBe(before);
  });

  it('starts a stopped service', async () => {
    expect((await offline().run(['service', 'nginx', 'stop'])).code).toBe(0);
    const { result } = await run(offline(), restartService, { service: 'nginx' });
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect((await offline().run(['service', 'nginx', 'status'])).code).toBe(0);
  });

  it('without an init script, runs the daemon itself', async () => {
    expect((await offline().run(['mv', '/etc/init.d/nginx', '/root/nginx.init'])).code).toBe(0);
    try {
      const before = await nginxPid(offline());
      const { result, ctx } = await run(offline(), restartService, { service: 'nginx' });
      expect(result.ok, String(failureOf(result))).toBe(true);
      expect(ctx.lines).toContain('restarted nginx with the daemon itself (no service manager knows it)');
      expect(await nginxPid(offline())).not.toBe(before);
      expect(
        (await offline().run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1/'])).stdout,
      ).toMatch(/^[1-5]\d\d$/);
    } finally {
      await offline().run(['mv', '/root/nginx.init', '/etc/init.d/nginx']);
    }
  });

  it('names a service nothing knows, and refuses names that are not service names', async () => {
    const { result } = await run(offline(), restartService, { service: 'no-such-service' });
    expect(result.ok).toBe(false);
    expect((failureOf(result) as { code?: string }).code).toBe('STEWARD_RECIPE_SERVICE_UNKNOWN');
    for (const service of ['nginx; touch /tmp/pwn', '$(touch /tmp/pwn)', '-h', '../../bin/sh', 'nginx\nid']) {
      expect(() => restartService.params.parse({ service }), service).toThrow();
    }
    expect((await offline().run(['test', '-e', '/tmp/pwn'])).code).toBe(1);
  });
});
