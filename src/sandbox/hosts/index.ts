/**
 * Real OpenSSH hosts on this machine for tests, benchmarks and sandbox clouds. See
 * docs/decisions/0002-test-hosts.md for why they are built from namespaces and an overlay.
 */
export { createHostLauncher } from './launcher.js';
export { DEFAULT_RUN_DIR } from './defaults.js';
export { cleanupStale, type StaleReport } from './stale.js';
export { checkPrerequisites, type PrerequisiteReport } from './prereqs.js';
export { ensureBaseRoot, DEFAULT_CACHE_DIR, type BaseRoot, type BaseRootOptions } from './base-root.js';
export type {
  FileSpec,
  HostKey,
  HostKeyType,
  HostLauncher,
  HostMode,
  HostSpec,
  LauncherOptions,
  RunOptions,
  RunResult,
  TestHost,
  UserSpec,
} from './types.js';
