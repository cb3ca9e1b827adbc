/**
 * Real SSH hosts for vitest tests. `useFleet` starts them in beforeAll and always tears them down in afterAll
 * (also when a test failed), plus on process exit, SIGINT and SIGTERM. A machine that cannot run them is a
 * failure that says how to fix it, never a skip.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  cleanupStale,
  createHostLauncher,
  type HostLauncher,
  type HostSpec,
  type LauncherOptions,
  type TestHost,
} from '../src/sandbox/hosts/index.js';
import { assertTestHostPrerequisites, testHostDirs } from './fleet-env.js';
import { registerForExit } from './fleet-exit.js';
import { newClientKey } from './fleet-ssh.js';

export { sshExec, newClientKey, type SshLogin, type SshExecResult } from './fleet-ssh.js';

export { testHostDirs } from './fleet-env.js';

export interface FleetOptions extends Omit<LauncherOptions, 'runDir' | 'cacheDir' | 'rootAuthorizedKeys'> {
  /** Hosts started in beforeAll. Default 0 (launch them in the test through `fleet.launcher`). */
  readonly count?: number;
  /** Spec for host `index` of those `count`. */
  readonly spec?: (index: number) => HostSpec;
}

export interface Fleet {
  /** Authorised for root on every host of this fleet. */
  readonly clientKey: { readonly privateKey: string; readonly publicKey: string };
  /** Available from beforeAll on. */
  readonly launcher: HostLauncher;
  /** The `count` hosts started in beforeAll. */
  readonly hosts: readonly TestHost[];
  /** How long starting the `count` hosts took (ms), for tests that report speed. */
  readonly startMs: number;
}

/** Creates a launcher with this machine's settings and registers it for teardown at exit. */
export async function createFleetLauncher(
  options: Omit<FleetOptions, 'count' | 'spec'>,
  rootKeys: readonly string[],
): Promise<HostLauncher> {
  const mode = options.mode ?? 'isolated';
  assertTestHostPrerequisites(mode);
  const dirs = testHostDirs();
  await cleanupStale(dirs.runDir);
  const launcher = createHostLauncher({ ...options, ...dirs, rootAuthorizedKeys: rootKeys });
  registerForExit(launcher);
  return launcher;
}

/**
 * Destroys every host of a launcher from `createFleetLauncher`. It stays registered for exit: a launch still
 * running when a hook timed out may add a host after this, and the exit handler ends that one too.
 */
export async function disposeFleetLauncher(launcher: HostLauncher): Promise<void> {
  await launcher.destroyAll();
}

/**
 * The first run on a machine builds the base root inside this hook: ~90 s when the machine is idle, over
 * 200 s seen when it is busy. Later runs take seconds.
 */
const FIRST_RUN_TIMEOUT_MS = 15 * 60_000;

/** Call at describe level (or top level of a test file). */
export function useFleet(options: FleetOptions = {}): Fleet {
  const { count = 0, spec, ...launcherOptions } = options;
  const clientKey = newClientKey();
  let launcher: HostLauncher | undefined;
  let hosts: TestHost[] | undefined;
  let startMs = 0;

  beforeAll(async () => {
    launcher = await createFleetLauncher(launcherOptions, [clientKey.publicKey]);
    const started = Date.now();
    hosts = await launcher.launchMany(count, spec);
    startMs = Date.now() - started;
  }, FIRST_RUN_TIMEOUT_MS);

  afterAll(async () => {
    if (launcher) await disposeFleetLauncher(launcher);
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('The fleet is not started yet: use it inside tests or hooks, after beforeAll.');
    return value;
  };
  return {
    clientKey,
    get launcher() {
      return ready(launcher);
    },
    get hosts() {
      return ready(hosts);
    },
    get startMs() {
      return startMs;
    },
  };
}
