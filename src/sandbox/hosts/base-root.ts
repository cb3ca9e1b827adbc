import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { exec, HOST_ENV } from './exec.js';
import { withFileLock } from './lock.js';
import { unmountUnder } from './mounts.js';

/** What every test host has besides Debian's minbase (bash, coreutils, passwd, hostname come with it). */
export const STANDARD_PACKAGES: readonly string[] = [
  'openssh-server',
  'iproute2',
  'procps',
  'sudo',
  'openssl',
  'netcat-openbsd',
];

export const DEFAULT_CACHE_DIR = '/var/cache/steward/testhosts';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const SUITE = 'bookworm';
/** Bump when the post-processing below changes, so old cached roots are not reused. */
const RECIPE = 1;
const BUILD_TIMEOUT_MS = 20 * 60_000;

export interface BaseRootOptions {
  readonly cacheDir: string;
  readonly extraPackages?: readonly string[];
  readonly mirror?: string;
  readonly logger?: Logger;
}

/** A debootstrapped Debian tree, read-only from here on: it is the lower layer of every host's overlay. */
export interface BaseRoot {
  readonly key: string;
  readonly dir: string;
  readonly packages: readonly string[];
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export function basePackages(extra: readonly string[] = []): string[] {
  for (const name of extra) {
    if (!PACKAGE_NAME.test(name))
      throw new AppError(
        'STEWARD_TESTHOSTS_INVALID_SPEC',
        `extraPackages: ${JSON.stringify(name)} is not a Debian package name.`,
      );
  }
  return [...new Set([...STANDARD_PACKAGES, ...extra])].sort();
}

/** The cache key: one root per distinct package list (and recipe), so adding a package never mutates a shared root. */
export function baseRootKey(packages: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ recipe: RECIPE, suite: SUITE, variant: 'minbase', packages }))
    .digest('hex')
    .slice(0, 16);
}

/** Returns the cached root for this package list, building it first if no process has yet. */
export async function ensureBaseRoot(opts: BaseRootOptions): Promise<BaseRoot> {
  const packages = basePackages(opts.extraPackages);
  const key = baseRootKey(packages);
  const final = join(opts.cacheDir, key);
  const root: BaseRoot = { key, dir: join(final, 'root'), packages };
  if (existsSync(join(final, 'manifest.json'))) return root;
  mkdirSync(opts.cacheDir, { recursive: true, mode: 0o755 });
  return withFileLock(join(opts.cacheDir, `${key}.lock`), BUILD_TIMEOUT_MS, async () => {
    // Another process may have finished the build while we waited for the lock.
    if (existsSync(join(final, 'manifest.json'))) return root;
    await build(opts, key, packages, final);
    return root;
  });
}

async function build(opts: BaseRootOptions, key: string, packages: readonly string[], final: string): Promise<void> {
  // We hold the lock, so any build folder for this key belongs to a builder that died; clear them all.
  for (const name of readdirSync(opts.cacheDir)) {
    if (name.startsWith(`.build-${key}-`)) discard(join(opts.cacheDir, name));
  }
  if (existsSync(final)) discard(final);
  const tmp = join(opts.cacheDir, `.build-${key}-${process.pid}`);
  mkdirSync(tmp, { mode: 0o755 });
  const logPath = join(tmp, 'debootstrap.log');
  const started = Date.now();
  opts.logger?.info({ key, packages }, 'building the test-host base root with debootstrap (about a minute, once)');
  const args = [
    '--variant=minbase',
    `--include=${packages.join(',')}`,
    SUITE,
    join(tmp, 'root'),
    opts.mirror ?? DEFAULT_MIRROR,
  ];
  const result = await exec('debootstrap', args, {
    timeoutMs: BUILD_TIMEOUT_MS,
    env: { ...HOST_ENV, DEBIAN_FRONTEND: 'noninteractive' },
  });
  writeFileSync(logPath, Buffer.concat([result.stdout, result.stderr]));
  if (result.code !== 0 || result.timedOut) {
    const log = tail(logPath, 3000) + tail(join(tmp, 'root', 'debootstrap', 'debootstrap.log'), 3000);
    discard(tmp);
    throw new AppError(
      'STEWARD_TESTHOSTS_BASE_ROOT_FAILED',
      `debootstrap ${args.join(' ')} ${result.timedOut ? 'timed out' : `exited with ${result.code}`}:\n${log}`,
      { key },
    );
  }
  finish(join(tmp, 'root'));
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  writeFileSync(
    join(tmp, 'manifest.json'),
    JSON.stringify(
      { key, suite: SUITE, recipe: RECIPE, packages, builtAt: new Date().toISOString(), seconds },
      null,
      2,
    ),
  );
  renameSync(tmp, final);
  opts.logger?.info({ key, seconds }, 'test-host base root ready');
}

/** Makes the tree a neutral template: nothing in it may be shared identity between hosts. */
function finish(root: string): void {
  // openssh-server's install made host keys; every host must make its own.
  for (const name of readdirSync(join(root, 'etc/ssh'))) {
    if (name.startsWith('ssh_host_')) rmSync(join(root, 'etc/ssh', name));
  }
  // Downloaded .debs and package lists are 40+ MB no host needs (hosts have no route to a mirror anyway).
  rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
  mkdirSync(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
  for (const dir of ['var/lib/apt/lists', 'var/cache/apt']) {
    for (const name of readdirSync(join(root, dir)))
      if (name.endsWith('.bin') || name.includes('_dists_')) rmSync(join(root, dir, name));
  }
  // Each host gets its own at launch; the machine's must not leak in.
  writeFileSync(join(root, 'etc/hostname'), 'localhost\n');
  writeFileSync(join(root, 'etc/resolv.conf'), '');
  writeFileSync(join(root, 'etc/machine-id'), '');
}

function tail(path: string, chars: number): string {
  try {
    return readFileSync(path, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

/** debootstrap mounts /proc and /sys inside its target; unmount before deleting, or rm would walk into them. */
function discard(dir: string): void {
  if (unmountUnder(dir)) rmSync(dir, { recursive: true, force: true });
}
