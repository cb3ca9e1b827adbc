import { mkdirSync } from 'node:fs';
import { DEFAULT_RUN_DIR } from './defaults.js';
import { AppError } from '../../kernel/errors.js';
import { DEFAULT_ISOLATED_POOL, DEFAULT_SHARED_POOL, isolatedPool, sharedPool } from './addresses.js';
import { DEFAULT_CACHE_DIR, ensureBaseRoot, type BaseRoot } from './base-root.js';
import type { HostContext } from './context.js';
import type { HostState } from './state.js';
import { teardownSync } from './teardown.js';
import { ALL_HOST_KEY_TYPES } from './host-keys.js';
import { launchIsolated } from './isolated-launch.js';
import { checkPrerequisites } from './prereqs.js';
import { selfRef } from './proc.js';
import { launchShared } from './shared-launch.js';
import type { HostKeyType, HostLauncher, HostSpec, LauncherOptions, TestHost } from './types.js';

/** Hosts as the launcher holds them: able to hand over their state for one teardown of all. */
type ManagedHost = TestHost & { detach(): HostState | undefined };

function keyTypes(options: LauncherOptions): readonly HostKeyType[] {
  // ed25519 alone by default: an RSA-3072 key costs ~0.8 s of CPU here, more than the rest of a host's start.
  const types = options.hostKeyTypes ?? ['ed25519'];
  if (types.length === 0 || types.some((t) => !ALL_HOST_KEY_TYPES.includes(t))) {
    throw new AppError(
      'STEWARD_TESTHOSTS_INVALID_SPEC',
      `hostKeyTypes must be a non-empty list of ${ALL_HOST_KEY_TYPES.join(', ')}.`,
    );
  }
  return [...new Set(types)];
}

function positive(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', `${name} must be an integer from 1 to ${max}.`);
  return value;
}

/** Launches test hosts of one mode; see `LauncherOptions` for the defaults. */
export function createHostLauncher(options: LauncherOptions = {}): HostLauncher {
  const mode = options.mode ?? 'isolated';
  const runDir = options.runDir ?? DEFAULT_RUN_DIR;
  const concurrency = positive('concurrency', options.concurrency ?? 8, 64);
  const hosts = new Set<ManagedHost>();
  const ctx: HostContext = {
    runDir,
    owner: selfRef(),
    keyTypes: keyTypes(options),
    rootKeys: options.rootAuthorizedKeys ?? [],
    readyTimeoutMs: positive('readyTimeoutMs', options.readyTimeoutMs ?? 20_000, 600_000),
    logger: options.logger,
    onGone: (host) => hosts.delete(host as ManagedHost),
  };
  const isoPool = isolatedPool(options.isolatedPool ?? DEFAULT_ISOLATED_POOL);
  const shPool = sharedPool(options.sharedPool ?? DEFAULT_SHARED_POOL);
  const hint = { value: 0 };
  const portMode = { value: false };
  let sequence = 0;
  let ready: Promise<BaseRoot | undefined> | undefined;

  /** Once per launcher: check the machine, then (isolated) build or find the base root. */
  function prepare(): Promise<BaseRoot | undefined> {
    ready ??= (async () => {
      const report = checkPrerequisites(mode);
      if (!report.ok) {
        const install =
          report.missingPackages.length > 0
            ? ` Install as root: apt-get install -y ${report.missingPackages.join(' ')}`
            : '';
        throw new AppError(
          'STEWARD_TESTHOSTS_PREREQUISITES',
          `Test hosts cannot run here: ${report.problems.join('; ')}.${install}`,
        );
      }
      mkdirSync(runDir, { recursive: true, mode: 0o755 });
      if (mode === 'shared') return undefined;
      return ensureBaseRoot({
        cacheDir: options.cacheDir ?? DEFAULT_CACHE_DIR,
        extraPackages: options.extraPackages,
        mirror: options.mirror,
        logger: options.logger,
      });
    })();
    // A failed preparation (no network, say) may succeed on a later call.
    ready.catch(() => (ready = undefined));
    return ready;
  }

  async function launch(spec: HostSpec = {}): Promise<TestHost> {
    const base = await prepare();
    const defaultName = `host${++sequence}`;
    const host: ManagedHost = base
      ? await launchIsolated({ ctx, base, pool: isoPool, hint }, spec, defaultName)
      : await launchShared({ ctx, pool: shPool, hint, portMode }, spec, defaultName);
    hosts.add(host);
    return host;
  }

  async function launchMany(n: number, spec?: (index: number) => HostSpec): Promise<TestHost[]> {
    if (!Number.isInteger(n) || n < 0 || n > 4096)
      throw new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', 'launchMany needs a count from 0 to 4096.');
    await prepare();
    const made: (TestHost | undefined)[] = new Array<TestHost | undefined>(n);
    let next = 0;
    let failure: unknown;
    // A few workers pulling indices: small concurrent batches that keep both cores busy without a stampede.
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < n) {
        const index = next++;
        try {
          made[index] = await launch(spec?.(index) ?? {});
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
    if (failure !== undefined) {
      for (const host of made) if (host) await host.destroy().catch(() => undefined);
      throw failure;
    }
    return made as TestHost[];
  }

  /** One teardown for every host: a single `ip` and `umount` however many there are. */
  function destroyAllSync(): void {
    const states = [...hosts].flatMap((host) => host.detach() ?? []);
    const problems = teardownSync(states, runDir);
    if (problems.length > 0)
      throw new AppError(
        'STEWARD_TESTHOSTS_SETUP_FAILED',
        `Some test hosts were not fully removed: ${problems.join('; ')}`,
      );
  }

  async function destroyAll(): Promise<void> {
    destroyAllSync();
  }

  return { mode, launch, launchMany, hosts: () => [...hosts], destroyAll, destroyAllSync };
}
